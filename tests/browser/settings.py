"""The example project, plus the test app's authors and books at ``/testapi/``.

The browser test runs against a live server of the example project. Its
forms are exercised on the test app's tree, whose resources take Django
users today; the services' own trees are browsed by link.
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
