"""The public names: ``webapi_kit.__all__`` cannot drift by accident."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import webapi_kit

EXPECTED = {
    "API", "APIResponse", "BareEnvelope", "Conflict", "DoesNotExist", "Envelope", "ErrorListEnvelope",
    "FieldError", "InternalError", "LengthRequired", "Link", "LoginFailed", "MalformedRequest", "MethodNotAllowed",
    "NotAcceptable", "NotLoggedIn", "NotSupported", "Page", "PermissionDenied", "PreconditionFailed",
    "RateLimitExceeded", "Related", "RequestContext", "RequestTooLarge", "RootResource",
    "ServiceUnavailable", "StatEnvelope", "StatusEnvelope", "UnsupportedMediaType", "WebAPIError",
    "WebAPIResource", "negotiate", "paginate", "request_context", "request_fields",
}
MODULES = sorted(
    m.name for m in pkgutil.iter_modules(webapi_kit.__path__, "webapi_kit.") if m.name != "webapi_kit.apps"
)


def test_package_all_is_exactly_the_expected_set() -> None:
    assert set(webapi_kit.__all__) == EXPECTED
    assert len(webapi_kit.__all__) == len(EXPECTED), "a name is listed twice"
    assert list(webapi_kit.__all__) == sorted(webapi_kit.__all__, key=str)


def test_package_names_are_importable() -> None:
    for name in webapi_kit.__all__:
        assert getattr(webapi_kit, name) is not None


def test_every_module_is_covered() -> None:
    assert "webapi_kit.resource" in MODULES and len(MODULES) >= 18


@pytest.mark.parametrize("module_name", MODULES)
def test_module_all_is_importable(module_name: str) -> None:
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    assert names is not None, f"{module_name} has no __all__"
    assert len(set(names)) == len(names)
    for name in names:
        assert hasattr(module, name), f"{module_name}.__all__ names missing {name!r}"
        exec(f"from {module_name} import {name}", {})  # noqa: S102 - the import statement itself


def test_package_names_are_the_modules_objects() -> None:
    """The top-level names re-export their modules' objects, not copies."""
    for name in webapi_kit.__all__:
        obj = getattr(webapi_kit, name)
        home = getattr(obj, "__module__", None)
        if home and home.startswith("webapi_kit."):
            assert getattr(importlib.import_module(home), name) is obj
