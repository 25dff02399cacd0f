"""The example project, plus the test app's authors and books at ``/testapi/``.

The browser tests run against a live server of the example project: its
three services' trees (browsed by link, and written through their forms
by a logged-in user) and the test app's tree (forms of every field type,
a stored script).
"""

from __future__ import annotations

import os
import tempfile

from config.settings import *  # noqa: F403 - the example project's settings, extended

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]  # noqa: F405
ROOT_URLCONF = "tests.browser.urls"
MEDIA_ROOT = tempfile.mkdtemp(prefix="webapi-kit-browser-media-")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, so that the live server's thread sees the test's rows; one of
    # its own, so that this suite and the example project's never share it.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get("BROWSER_TEST_DB_NAME", os.path.join(tempfile.gettempdir(), f"webapi-kit-browser-{os.getpid()}.sqlite3"))
    }
