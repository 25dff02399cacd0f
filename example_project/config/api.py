"""The project's one API root, ``/api/``, in webapi_kit's default dialect.

Each service contributes its top-level resources; everything is reachable
from the root by links.
"""

from __future__ import annotations

from webapi_kit.api import API

import datarouter.api
import queuey.api
import retry.api

api = API(
    [*retry.api.resources(), *queuey.api.resources(), *datarouter.api.resources()],
    mimetype_vendor="webapi-kit.example",
)
