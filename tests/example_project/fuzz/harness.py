"""Sending one generated request and judging its answer.

:class:`Fuzzer` sends a :class:`Call` through Django's test client (in
process), counts it, and checks what every surface owes every caller:

* never a 5xx;
* an error in the surface's own format (:mod:`.formats`);
* no traceback, secret or filesystem path in the body;
* nothing stored changes when the request is refused (a checksum of every
  table before and after);
* the other owner's rows never change, whatever the answer.

Each example runs inside a savepoint that is rolled back afterwards
(:meth:`Fuzzer.example`), so every example starts from the same world.
"""

from __future__ import annotations

import hashlib
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import models, transaction
from django.test import Client

#: Every request the suite sent, by surface; printed at the end of the session.
SENT: Counter[str] = Counter()
#: Answers by surface and status class ("retry 2xx"), to show how much was accepted.
ANSWERED: Counter[str] = Counter()

#: Tables whose rows a request never changes and that are large or irrelevant.
_SKIPPED_MODELS = {"contenttypes.contenttype", "auth.permission", "admin.logentry"}


@dataclass
class Call:
    """One request: method, path, raw query, body and WSGI environ entries (``HTTP_*``)."""

    method: str
    path: str
    query: str = ""
    body: bytes = b""
    content_type: str | None = None
    environ: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        lines = [f"{self.method} {self.path}" + (f"?{self.query}" if self.query else "")]
        if self.content_type is not None:
            lines.append(f"CONTENT_TYPE: {self.content_type!r}")
        lines += [f"{key}: {value!r}" for key, value in sorted(self.environ.items())]
        lines.append(f"body ({len(self.body)} bytes): {self.body[:600]!r}")
        return "\n".join(lines)


@dataclass
class Answer:
    call: Call
    status: int
    headers: dict[str, str]
    content: bytes
    exception: str = ""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def describe(self) -> str:
        shown = "\n".join(f"{key}: {value}" for key, value in self.headers.items())
        text = f"--- request\n{self.call.describe()}\n--- response {self.status}\n{shown}\n\n{self.content[:1500]!r}"
        if self.exception:
            text += f"\n--- server exception\n{self.exception}"
        return text


class FuzzFailure(AssertionError):
    pass


def fail(answer: Answer, why: str) -> None:
    raise FuzzFailure(f"{why}\n{answer.describe()}")


# ----------------------------------------------------------------------
# What is stored.


def _row_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.label_lower not in _SKIPPED_MODELS]


def _digest(querysets: Iterator[tuple[str, Any]]) -> dict[str, tuple[int, str]]:
    digest: dict[str, tuple[int, str]] = {}
    for label, queryset in querysets:
        rows = [
            tuple(bytes(value) if isinstance(value, memoryview) else value for value in row)
            for row in queryset.order_by("pk").values_list()
        ]
        digest[label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return digest


def snapshot() -> dict[str, tuple[int, str]]:
    """A count and checksum of every table's rows."""
    return _digest((m._meta.label_lower, m._default_manager.all()) for m in _row_models())


def changed(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    return sorted(label for label in after if before.get(label) != after[label])


# ----------------------------------------------------------------------
# What a body may never contain.


def _forbidden_texts() -> list[str]:
    base = Path(settings.BASE_DIR)
    texts = [
        "Traceback (most recent call last)",
        'File "/',
        "site-packages",
        str(base),
        str(Path(sys.prefix)),
        str(settings.SECRET_KEY),
        str(settings.MEDIA_ROOT),
    ]
    return [text for text in texts if text and text != "/"]


_EXCEPTIONS: list[str] = []


def _record_exception(sender: Any, request: Any = None, **kwargs: Any) -> None:
    _EXCEPTIONS.append(traceback.format_exc())


got_request_exception.connect(_record_exception, dispatch_uid="fuzz-record-exception")


# ----------------------------------------------------------------------
# The fuzzer.


class Fuzzer:
    """Sends calls and checks the invariants every answer owes.

    ``secrets`` never appear in any body; ``private`` are the other owner's
    texts, never shown to this caller; ``others_rows`` gives the querysets of
    the other owner's rows, which no call may change.
    """

    def __init__(
        self,
        surface: str,
        *,
        error_format: Callable[[Answer], str | None],
        secrets: list[str],
        private: list[str],
        others_rows: Callable[[], Iterator[tuple[str, Any]]],
    ) -> None:
        self.surface = surface
        self.client = Client(raise_request_exception=False)
        self.error_format = error_format
        self.forbidden = _forbidden_texts() + [s for s in secrets if s]
        self.private = [p for p in private if p]
        self.others_rows = others_rows
        # Every example starts from the same rows (each is rolled back), so the
        # "before" of a request is known without reading every table again.
        self._baseline: dict[str, tuple[int, str]] | None = None
        self._known: dict[str, tuple[int, str]] | None = None
        self._theirs: dict[str, tuple[int, str]] | None = None

    @contextmanager
    def example(self) -> Iterator[None]:
        """One example: a fresh cache, and every stored change rolled back afterwards."""
        cache.clear()
        if self._baseline is None:
            self._baseline = snapshot()
        self._known = self._baseline
        try:
            with transaction.atomic():
                yield
                transaction.set_rollback(True)
        finally:
            self._known = self._baseline

    def raw(self, call: Call) -> Answer:
        """Send ``call`` and return the answer, without judging it (read-backs)."""
        SENT[self.surface] += 1
        environ = dict(call.environ)
        environ["QUERY_STRING"] = call.query
        if call.content_type is not None:
            environ["CONTENT_TYPE"] = call.content_type
        _EXCEPTIONS.clear()
        response = self.client.generic(
            call.method, call.path, call.body, content_type=call.content_type or "", **environ
        )
        content = b"".join(response.streaming_content) if response.streaming else response.content
        headers = {key.lower(): value for key, value in response.items()}
        return Answer(call, response.status_code, headers, content, "\n".join(_EXCEPTIONS))

    def send(self, call: Call) -> Answer:
        """Send ``call`` and check every invariant; returns the answer for further checks."""
        before = self._known if self._known is not None else snapshot()
        if self._theirs is None:
            self._theirs = _digest(self.others_rows())
        answer = self.raw(call)
        ANSWERED[f"{self.surface} {answer.status // 100}xx"] += 1
        self._known = None
        if answer.status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            fail(answer, f"{answer.status} on {self.surface}")
        if answer.exception:
            fail(answer, "the server logged an exception")
        text = answer.content.decode("utf-8", "replace")
        for forbidden in self.forbidden:
            if forbidden in text:
                fail(answer, f"the body shows {forbidden!r}")
        for private in self.private:
            if private in text:
                fail(answer, f"the body shows the other owner's {private!r}")
        problem = self.error_format(answer)
        if problem:
            fail(answer, f"wrong format on {self.surface}: {problem}")
        if answer.status >= HTTPStatus.BAD_REQUEST:
            after = snapshot()
            moved = changed(before, after)
            if moved:
                fail(answer, f"a refused request changed stored rows: {moved}")
            self._known = after  # and so the other owner's rows did not change either
        else:
            moved = changed(self._theirs, _digest(self.others_rows()))
            if moved:
                fail(answer, f"the other owner's rows changed: {moved}")
        return answer
