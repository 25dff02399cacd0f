"""The docs page in a real browser: Swagger UI renders every API's operations from packaged assets."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def rendered(url: str) -> str:
    """The page's DOM once its scripts have run (headless Chromium, no network but the server's)."""
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--virtual-time-budget=15000", "--dump-dom", url],
        capture_output=True, text=True, timeout=120, check=True,
    )
    return result.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is installed by .ci/run (apt-get install chromium)")
def test_swagger_ui_renders_the_api_tree(live_server: Any) -> None:
    dom = rendered(f"{live_server.url}/api/docs/")
    # Operations from the document, grouped by tag, with their generated summaries.
    assert 'class="swagger-ui' in dom
    assert "/retry/requests/{retry_request_id}/attempts/" in dom
    assert "datarouter_feeds" in dom
    assert "Authorize" in dom  # the security schemes: Basic, session, keys, X-Owner-ID


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is installed by .ci/run (apt-get install chromium)")
def test_redoc_renders_the_document(live_server: Any) -> None:
    dom = rendered(f"{live_server.url}/api/docs/redoc/")
    assert "webapi_kit example project" in dom
    assert "/retry/requests/" in dom
