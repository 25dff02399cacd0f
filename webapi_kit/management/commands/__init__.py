"""``manage.py`` commands of webapi_kit."""

__all__: list[str] = []
