"""OpenAPI 3.1 documents of webapi_kit APIs, and pages to browse them.

Built from the declarations alone: every path of the tree and its
parameters, request bodies from declared fields, responses in the API's
envelope (its own wire format for a replaceable one) with every error
status and its stable codes, links, headers and security schemes. Nothing
in webapi_kit's core imports this package.

* :func:`openapi` / :func:`openapi_json` — the document (built once per API)
* :func:`openapi_urls` — ``openapi.json`` and ``docs/`` beside an API
* :func:`describe` — what a handler's declarations cannot say
* :class:`EnvelopeShape` — how an envelope of your own describes its bodies
"""

from webapi_kit.openapi.declare import Answer, Operation, Parameter, RequestBody, describe
from webapi_kit.openapi.document import openapi, openapi_json
from webapi_kit.openapi.envelopes import EnvelopeShape, shape_for
from webapi_kit.openapi.urls import openapi_urls

__all__ = [
    "Answer",
    "EnvelopeShape",
    "Operation",
    "Parameter",
    "RequestBody",
    "describe",
    "openapi",
    "openapi_json",
    "openapi_urls",
    "shape_for",
]
