"""The retry service's native surface (wire-compatible with its seed)."""

urlpatterns: list = []
