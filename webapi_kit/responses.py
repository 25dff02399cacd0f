"""What a handler may return when the default shapes do not fit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

__all__ = ["APIResponse"]


@dataclass(slots=True)
class APIResponse:
    """A success answer with a free-form payload.

    ``payload`` goes through the API's envelope (``envelope.payload``) and the
    negotiated renderer; ``None`` sends no body at all. ``content_type``
    replaces the negotiated type's name (the renderer stays the negotiated
    one), for APIs whose seed fixes a media type per answer.
    """

    payload: Any = None
    status: HTTPStatus = HTTPStatus.OK
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = None
