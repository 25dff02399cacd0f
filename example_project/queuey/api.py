"""The queuey service's resources in the /api/ tree (webapi_kit's default dialect)."""

from __future__ import annotations

from webapi_kit.resource import WebAPIResource


def resources() -> list[WebAPIResource]:
    """The top-level resources this service hangs off the project's API root."""
    return []
