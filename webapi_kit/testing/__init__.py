"""Testing helpers for APIs built with webapi_kit (no httpx needed).

* :class:`APIClient` — Django's test client that sends ``Accept``,
  credentials and bodies, checks status and media type, and decodes JSON or
  XML: ``api_client.api_get(url).item``.
* :func:`assert_api_error`, :func:`assert_links` — checks with readable failures.
* :mod:`webapi_kit.testing.pytest_plugin` — the ``api_client`` fixture.
"""

from webapi_kit.testing.asserts import assert_api_error, assert_links
from webapi_kit.testing.client import APIClient
from webapi_kit.testing.results import APIResult

__all__ = ["APIClient", "APIResult", "assert_api_error", "assert_links"]
