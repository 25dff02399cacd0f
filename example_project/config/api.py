"""The project's one API root, ``/api/``, in webapi_kit's default dialect.

Each service contributes its top-level resources; everything is reachable
from the root by links. Django users log in with HTTP Basic, an API token
(``/api/api-tokens/``) or the browser's session; Basic and tokens start an
API login session (a cookie, as RBTools expects), which ``DELETE
/api/session/`` ends.
"""

from __future__ import annotations

from config.identity import USER_AUTHENTICATION
from webapi_kit.api import API
from webapi_kit.tokens.resources import APITokenResource

import datarouter.api
import queuey.api
import retry.api

api = API(
    [*retry.api.resources(), *queuey.api.resources(), *datarouter.api.resources(), APITokenResource()],
    mimetype_vendor="webapi-kit.example",
    authentication_classes=USER_AUTHENTICATION,
    login_sessions=True,
)
