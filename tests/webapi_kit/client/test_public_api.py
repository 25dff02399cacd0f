"""The public names of webapi_kit.client and webapi_kit.testing, and that the core never imports them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import webapi_kit.client
import webapi_kit.testing

CLIENT = {
    "APIError", "Answer", "AsyncClient", "AsyncItem", "AsyncResourceList", "BasicAuth", "Client", "ClientError",
    "Conflict", "DoesNotExist", "FieldError", "HeaderAuth", "InvalidResponse", "Item", "LinkNotFound",
    "NotLoggedIn", "PermissionDenied", "PreconditionFailed", "RateLimitExceeded", "ResourceList", "RetryPolicy",
    "ServerError", "TokenAuth", "TransportError",
}
TESTING = {"APIClient", "APIResult", "assert_api_error", "assert_links"}
PACKAGE = Path(webapi_kit.client.__file__).resolve().parents[1]


def test_client_names() -> None:
    assert set(webapi_kit.client.__all__) == CLIENT and len(webapi_kit.client.__all__) == len(CLIENT)
    assert list(webapi_kit.client.__all__) == sorted(webapi_kit.client.__all__)
    for name in CLIENT:
        assert getattr(webapi_kit.client, name).__name__ == name


def test_testing_names() -> None:
    assert set(webapi_kit.testing.__all__) == TESTING
    for name in TESTING:
        assert getattr(webapi_kit.testing, name).__name__ == name


def test_the_core_never_imports_them() -> None:
    core = [p for p in PACKAGE.glob("*.py")]
    assert len(core) >= 20
    for path in core:
        text = path.read_text(encoding="utf-8")
        assert "webapi_kit.client" not in text and "webapi_kit.testing" not in text, path.name
    modules = ", ".join(f"webapi_kit.{p.stem}" for p in core if p.stem not in ("__init__", "apps"))
    code = (
        "import django; from django.conf import settings; settings.configure(); django.setup()\n"
        f"import sys, webapi_kit, {modules}\n"
        "print(sorted(m for m in sys.modules if m.startswith(('webapi_kit.client', 'webapi_kit.testing', 'httpx'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"
