"""webapi_kit: hypermedia REST APIs for Django, in the Review Board dialect.

The names most code needs are importable from here; every module's own
``__all__`` lists the rest. The package layout follows the documentation:

* :mod:`webapi_kit.api` — :class:`API` and its root resource
* :mod:`webapi_kit.resource` — :class:`WebAPIResource`, the request pipeline
* :mod:`webapi_kit.declarations`, :mod:`webapi_kit.serialization`,
  :mod:`webapi_kit.modelhandlers` — the parts a resource is made of
* :mod:`webapi_kit.context` — :class:`RequestContext`, what a handler knows of its request
* :mod:`webapi_kit.negotiation`, :mod:`webapi_kit.formats` — Accept matching
* :mod:`webapi_kit.renderers`, :mod:`webapi_kit.envelopes` — what goes on the wire
* :mod:`webapi_kit.rows` — pages kept as field values until they are rendered
* :mod:`webapi_kit.parsers`, :mod:`webapi_kit.fields` — what comes in
* :mod:`webapi_kit.links`, :mod:`webapi_kit.relations` — hypermedia
* :mod:`webapi_kit.pagination`, :mod:`webapi_kit.conditional` — lists and caching
* :mod:`webapi_kit.authentication`, :mod:`webapi_kit.permissions`,
  :mod:`webapi_kit.throttling` — who may do what, how often
* :mod:`webapi_kit.errors` — every error and its status, code and type
* :mod:`webapi_kit.conf` — the ``WEBAPI_KIT`` settings
* :mod:`webapi_kit.browsable` — the browsable HTML API, a package of its own
  that the core reaches only through the ``RENDERER_CLASSES`` setting
"""

from webapi_kit.api import API, RootResource
from webapi_kit.envelopes import BareEnvelope, Envelope, ErrorListEnvelope, StatEnvelope, StatusEnvelope
from webapi_kit.errors import (
    Conflict,
    DoesNotExist,
    FieldError,
    InternalError,
    LengthRequired,
    LoginFailed,
    MalformedRequest,
    MethodNotAllowed,
    NotAcceptable,
    NotLoggedIn,
    NotSupported,
    PermissionDenied,
    PreconditionFailed,
    RateLimitExceeded,
    RequestTooLarge,
    ServiceUnavailable,
    UnsupportedMediaType,
    WebAPIError,
)
from webapi_kit.fields import request_fields
from webapi_kit.links import Link
from webapi_kit.negotiation import negotiate
from webapi_kit.pagination import Page, paginate
from webapi_kit.relations import Related
from webapi_kit.resource import RequestContext, WebAPIResource, request_context
from webapi_kit.responses import APIResponse

__version__ = "0.1.0"

__all__ = [
    "API",
    "APIResponse",
    "BareEnvelope",
    "Conflict",
    "DoesNotExist",
    "Envelope",
    "ErrorListEnvelope",
    "FieldError",
    "InternalError",
    "LengthRequired",
    "Link",
    "LoginFailed",
    "MalformedRequest",
    "MethodNotAllowed",
    "NotAcceptable",
    "NotLoggedIn",
    "NotSupported",
    "Page",
    "PermissionDenied",
    "PreconditionFailed",
    "RateLimitExceeded",
    "Related",
    "RequestContext",
    "RequestTooLarge",
    "RootResource",
    "ServiceUnavailable",
    "StatEnvelope",
    "StatusEnvelope",
    "UnsupportedMediaType",
    "WebAPIError",
    "WebAPIResource",
    "negotiate",
    "paginate",
    "request_context",
    "request_fields",
]
