"""Read the djblets 6.1 request/response captures kept beside this module.

A capture file looks like::

    # optional notes
    >>> GET /api/authors/1/
    >>> Accept: application/json
    >>>
    >>> request body lines (when there is a body)

    <<< HTTP 200 OK
    <<< Content-Type: application/vnd.example.org.author+json

    # (body pretty-printed below; raw body follows)
    {...}
    # raw:
    {"author": ...}

The recorder appended one newline after every body; :func:`load` removes
it and checks the result against ``Content-Length`` so that a loader bug
cannot hide a difference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

CAPTURE_DIR = Path(__file__).with_name("djblets_captures")

_PRETTY_MARKER = "# (body pretty-printed below; raw body follows)\n"
_RAW_MARKER = "# raw:\n"


@dataclass
class Capture:
    file: str
    notes: list[str]
    method: str
    path: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def django_headers(self) -> dict[str, str]:
        """The request headers as ``django.test.Client`` keyword arguments."""
        return {
            "HTTP_" + name.upper().replace("-", "_"): value
            for name, value in self.request_headers.items()
            if name.lower() != "content-type"
        }


def index() -> list[dict[str, object]]:
    return json.loads((CAPTURE_DIR / "index.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def load(file: str) -> Capture:
    text = (CAPTURE_DIR / file).read_text(encoding="utf-8")
    request_part, _, response_part = text.partition("\n<<< HTTP ")
    notes: list[str] = []
    request_lines: list[str] = []
    for line in request_part.splitlines():
        if line.startswith(">>>"):
            request_lines.append(line[4:] if line.startswith(">>> ") else line[3:])
        elif line.startswith("#"):
            notes.append(line[1:].strip())
    method, path = request_lines[0].split(" ", 1)
    request_headers: dict[str, str] = {}
    body_lines: list[str] | None = None
    for line in request_lines[1:]:
        if body_lines is not None:
            body_lines.append(line)
        elif line == "":
            body_lines = []
        else:
            name, _, value = line.partition(":")
            request_headers[name.strip()] = value.strip()

    head, _, body_text = response_part.partition("\n\n")
    head_lines = head.splitlines()
    status = int(head_lines[0].split(" ", 1)[0])
    headers: dict[str, str] = {}
    for line in head_lines[1:]:
        name, _, value = line[4:].partition(":")
        headers[name.strip()] = value.strip()

    if body_text.startswith(_PRETTY_MARKER):
        body_text = body_text.split(_RAW_MARKER, 1)[1]
    if body_text.endswith("\n"):
        body_text = body_text[:-1]
    body = body_text.encode("utf-8")
    declared = headers.get("Content-Length")
    # djblets' 204 declares the length of a body the recorder never received.
    if declared is not None and status != 204:
        assert len(body) == int(declared), f"{file}: loader read {len(body)} bytes, Content-Length is {declared}"
    return Capture(
        file=file,
        notes=notes,
        method=method,
        path=path,
        request_headers=request_headers,
        request_body="\n".join(body_lines) if body_lines is not None else None,
        status=status,
        headers=headers,
        body=body,
    )
