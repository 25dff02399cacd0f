"""Management commands: ``webapi_openapi`` writes an API's OpenAPI document."""

__all__: list[str] = []
