"""pytest fixtures for APIs built with webapi_kit.

Enable with ``-p webapi_kit.testing.pytest_plugin`` (``addopts`` in
``pytest.ini``) or ``pytest_plugins = ["webapi_kit.testing.pytest_plugin"]``
in the root ``conftest.py``. Database access still needs pytest-django's
``db`` fixture or ``django_db`` mark.
"""

from __future__ import annotations

import pytest

from webapi_kit.testing.client import APIClient

__all__ = ["api_client"]


@pytest.fixture
def api_client() -> APIClient:
    """An :class:`~webapi_kit.testing.APIClient` asking for JSON, without credentials."""
    return APIClient()
