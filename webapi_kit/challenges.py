"""``WWW-Authenticate`` on a 401: every scheme a resource accepts, Basic first.

Standard clients read only some of the challenges. Python's urllib (which
RBTools installs) tries its Digest handler before its Basic one, and the
Digest handler raises ``ValueError`` when the *first* challenge is neither
Basic nor Digest; its Basic handler then looks for ``Basic`` in every
header. So Basic goes first, and each scheme gets a header of its own
(RFC 9110 allows either form; one per header is what the most clients
parse).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

__all__ = ["ChallengeResponse", "merge_challenges", "scheme_of"]


def scheme_of(challenge: str) -> str:
    """The auth scheme a challenge names, lowercased (``'Basic realm="x"'`` → ``"basic"``)."""
    return challenge.split(None, 1)[0].lower() if challenge.strip() else ""


def merge_challenges(*groups: Iterable[str]) -> tuple[str, ...]:
    """The challenges of ``groups`` in order, one per scheme (the first wins), Basic first."""
    merged: dict[str, str] = {}
    for group in groups:
        for challenge in group:
            merged.setdefault(scheme_of(challenge), challenge)
    basic = merged.pop("basic", None)
    return (basic, *merged.values()) if basic is not None else tuple(merged.values())


class ChallengeResponse(HttpResponse):
    """A response that sends each of its ``challenges`` as its own ``WWW-Authenticate`` header.

    Django keeps one value per header name; the WSGI and ASGI handlers
    send what :meth:`items` lists, so the extra headers are added there.
    ``response["WWW-Authenticate"]`` holds the first challenge.
    """

    def __init__(self, *args: Any, challenges: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.challenges = challenges
        if challenges:
            self["WWW-Authenticate"] = challenges[0]

    def items(self) -> Any:
        headers = [(key, value) for key, value in self.headers.items() if key.lower() != "www-authenticate"]
        return [*headers, *(("WWW-Authenticate", challenge) for challenge in self.challenges)]
