"""Request bodies, decoded by Content-Type for any method.

A resource lists the parsers it accepts; :func:`parse_body` picks the one
whose media type matches the request's ``Content-Type`` and returns a
:class:`ParsedBody`. Bodies are read from the request as a stream, never via
``request.body`` or ``request.POST``, so that PUT and DELETE bodies work like
POST ones and the size limit is webapi_kit's (``MAX_BODY_SIZE``), checked
before and while reading::

    body = parse_body(request, [JSONParser(), FormParser(), MultiPartParser()])
    try:
        ...  # use body.data / body.files
    finally:
        body.close()

Every problem with a body becomes an API error: 400 ``MalformedRequest`` for
input that cannot be decoded, 413 ``RequestTooLarge`` past the limit, 415
``UnsupportedMediaType`` when no parser takes the Content-Type.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO, Protocol, cast
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.files.uploadedfile import UploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict
from django.utils.http import parse_header_parameters

from .conf import api_settings
from .errors import FieldError, LengthRequired, MalformedRequest, RequestTooLarge, UnsupportedMediaType

__all__ = [
    "BodyStream",
    "FormParser",
    "JSONParser",
    "MultiPartParser",
    "ParsedBody",
    "Parser",
    "RawParser",
    "StreamParser",
    "decode_json",
    "method_override",
    "parse_body",
]

CHUNK_SIZE = 64 * 1024

# RFC 9110 section 8.3: a body without Content-Type may be treated as this.
_DEFAULT_MEDIA_TYPE = "application/octet-stream"

_OVERRIDABLE_METHODS = ("PUT", "DELETE")

# What Django's multipart parser accepts (checked here for a clearer error).
_BOUNDARY_RE = re.compile(r"[ -~]{0,200}[!-~]")


@dataclass
class ParsedBody:
    """A decoded request body.

    ``data`` holds the fields: for forms each name's last value (like
    ``QueryDict[name]``), for JSON the top-level object. ``files`` holds
    uploaded files by field name (the last one when a name repeats).
    ``form`` and ``form_files`` keep every value of a repeated form field,
    ``json`` the decoded JSON value whatever its type, ``raw`` the body as
    a file positioned at 0 when :class:`RawParser` read it, and ``stream`` the
    body still unread when :class:`StreamParser` took it.

    Call :meth:`close` when done, to release temporary files.
    """

    data: dict[str, Any] = field(default_factory=dict)
    files: dict[str, UploadedFile[Any]] = field(default_factory=dict)
    raw: BinaryIO | None = None
    media_type: str = ""
    form: QueryDict | None = None
    form_files: MultiValueDict[str, UploadedFile[Any]] | None = None
    json: Any = None
    #: The unread body, for :class:`StreamParser`.
    stream: BodyStream | None = None
    #: Files the body was read through (a spooled chunked body), closed with it.
    owned: list[IO[bytes]] = field(default_factory=list)

    def close(self) -> None:
        """Close the raw body and the uploaded files (removing temp files)."""
        for spool in self.owned:
            spool.close()
        if self.raw is not None:
            self.raw.close()
        uploads: list[UploadedFile[Any]] = list(self.files.values())
        if self.form_files is not None:
            for _name, more in self.form_files.lists():
                uploads.extend(more)
        for upload in uploads:
            upload.close()


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class BodyStream:
    """The request body as a read-once stream that enforces the size limit.

    ``length`` is the declared Content-Length (``None`` when the body is sent
    without one); more than ``max_size`` bytes raise ``RequestTooLarge`` and a
    body that ends before its declared length raises ``MalformedRequest``.
    """

    def __init__(self, source: _Readable, *, length: int | None, max_size: int) -> None:
        self._source = source
        self.length = length
        self.max_size = max_size
        self.bytes_read = 0

    def read(self, size: int | None = -1, /) -> bytes:
        """Read up to ``size`` bytes (all that is left when ``size`` is negative or None)."""
        if size is None or size < 0:
            chunks = []
            while chunk := self.read(CHUNK_SIZE):
                chunks.append(chunk)
            return b"".join(chunks)
        # Without a declared length, ask for one byte past the limit so that
        # an oversized body is noticed rather than silently cut short.
        end = self.length if self.length is not None else self.max_size + 1
        wanted = min(size, end - self.bytes_read)
        if wanted <= 0:
            return b""
        chunk = self._source.read(wanted)
        self.bytes_read += len(chunk)
        if self.bytes_read > self.max_size:
            raise RequestTooLarge(_too_large_message(self.max_size))
        if not chunk and self.length is not None:
            raise MalformedRequest(
                f"The request body ended after {self.bytes_read} of its declared {self.length} bytes"
            )
        return chunk


class Parser:
    """Decodes request bodies of the media types in ``media_types``.

    Subclasses set ``media_types`` and implement :meth:`parse`; ``"*/*"``
    matches any type. They raise ``MalformedRequest`` for input they cannot
    decode.
    """

    # Not a ClassVar: RawParser narrows it per instance.
    media_types: tuple[str, ...] = ()

    def matches(self, media_type: str) -> bool:
        """Whether this parser takes ``media_type`` (lower-case, no params)."""
        return "*/*" in self.media_types or media_type in self.media_types

    def parse(
        self,
        request: HttpRequest,
        stream: BodyStream,
        media_type: str,
        params: Mapping[str, str],
    ) -> ParsedBody:
        """Decode the body read from ``stream``; ``params`` are the Content-Type's."""
        raise NotImplementedError


class FormParser(Parser):
    """``application/x-www-form-urlencoded`` bodies; values are strings."""

    media_types = ("application/x-www-form-urlencoded",)

    def parse(
        self,
        request: HttpRequest,
        stream: BodyStream,
        media_type: str,
        params: Mapping[str, str],
    ) -> ParsedBody:
        encoding = _charset(params, request.encoding or settings.DEFAULT_CHARSET)
        body = stream.read()
        try:
            # Django's QueryDict would replace bad bytes silently; a client
            # that sends text we cannot read should hear about it. Both raw
            # bytes and %-escapes are decoded with the charset.
            text = body.decode(encoding)
            pairs = parse_qsl(
                text,
                keep_blank_values=True,
                encoding=encoding,
                errors="strict",
                max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            )
        except UnicodeDecodeError as exc:
            raise MalformedRequest(f"The form body is not valid {encoding}: {exc.reason}") from exc
        except ValueError as exc:  # parse_qsl's max_num_fields
            raise RequestTooLarge(_too_many_fields_message()) from exc
        form = QueryDict(mutable=True, encoding=encoding)
        for key, value in pairs:
            form.appendlist(key, value)
        form._mutable = False
        return ParsedBody(data=dict(form.items()), media_type=media_type, form=form)


class MultiPartParser(Parser):
    """``multipart/form-data`` bodies: fields and files.

    Files go through the request's upload handlers (Django's
    ``FILE_UPLOAD_HANDLERS``), so large ones are streamed to temporary files
    rather than held in memory.
    """

    media_types = ("multipart/form-data",)

    def parse(
        self,
        request: HttpRequest,
        stream: BodyStream,
        media_type: str,
        params: Mapping[str, str],
    ) -> ParsedBody:
        boundary = params.get("boundary", "")
        if not _BOUNDARY_RE.fullmatch(boundary):
            raise MalformedRequest("The multipart body has no valid boundary in its Content-Type")
        watched = _CloseDelimiterWatch(stream, boundary.encode("ascii"))
        # Django's parser insists on a lower-case "multipart/" prefix and
        # reads the length from META; give it what we already checked.
        meta = dict(request.META)
        quoted = boundary.replace("\\", "\\\\").replace('"', '\\"')
        meta["CONTENT_TYPE"] = f'{media_type}; boundary="{quoted}"'
        meta["CONTENT_LENGTH"] = str(stream.length if stream.length is not None else stream.max_size)
        encoding = _charset(params, request.encoding or settings.DEFAULT_CHARSET)
        # Django only ever calls read(); its stubs ask for a whole file API.
        parser = DjangoMultiPartParser(meta, cast(Any, watched), request.upload_handlers, encoding)
        try:
            form, files = parser.parse()
        except RequestDataTooBig as exc:
            raise RequestTooLarge(
                "The form fields are larger than the limit of "
                f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes"
            ) from exc
        except TooManyFieldsSent as exc:
            raise RequestTooLarge(_too_many_fields_message()) from exc
        except TooManyFilesSent as exc:
            raise RequestTooLarge(
                f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files"
            ) from exc
        except (MultiPartParserError, SuspiciousOperation) as exc:
            raise MalformedRequest(f"The multipart body could not be parsed: {exc}") from exc
        if not watched.seen:
            # Django's parser stops quietly at the end of the data, so a body
            # cut short would otherwise pass as a complete one.
            for _name, uploads in files.lists():
                for upload in uploads:
                    upload.close()
            raise MalformedRequest("The multipart body is truncated: its closing boundary is missing")
        return ParsedBody(
            data=dict(form.items()),
            files={name: uploads[-1] for name, uploads in files.lists()},
            media_type=media_type,
            form=form,
            form_files=files,
        )


class _CloseDelimiterWatch:
    """Passes reads through, noting whether ``--boundary--`` went by."""

    def __init__(self, stream: BodyStream, boundary: bytes) -> None:
        self._stream = stream
        self._marker = b"--" + boundary + b"--"
        self._tail = b""
        self.seen = False

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = self._stream.read(size)
        if not self.seen and chunk:
            # Keep enough of the previous chunk to find a marker split
            # across two reads.
            window = self._tail + chunk
            self.seen = self._marker in window
            self._tail = window[-(len(self._marker) - 1) :]
        return chunk


class JSONParser(Parser):
    """``application/json`` and any ``application/*+json`` (vendor) type.

    By default the body must be a JSON object, whose members become
    ``data``; ``JSONParser(require_object=False)`` also takes arrays and
    scalars, leaving ``data`` empty for them. ``json`` always holds the
    decoded value. NaN and Infinity are refused, and so is nesting deeper
    than ``MAX_JSON_DEPTH``.
    """

    media_types = ("application/json",)

    def __init__(self, *, require_object: bool = True) -> None:
        self.require_object = require_object

    def matches(self, media_type: str) -> bool:
        return super().matches(media_type) or (
            media_type.startswith("application/") and media_type.endswith("+json")
        )

    def parse(
        self,
        request: HttpRequest,
        stream: BodyStream,
        media_type: str,
        params: Mapping[str, str],
    ) -> ParsedBody:
        # RFC 8259 makes JSON UTF-8 only, so a charset parameter is ignored.
        try:
            value = decode_json(stream.read())
        except _TooDeep as exc:
            raise MalformedRequest(str(exc)) from exc
        except ValueError as exc:
            raise MalformedRequest(f"The request body is not valid JSON: {exc}") from exc
        if isinstance(value, dict):
            return ParsedBody(data=value, media_type=media_type, json=value)
        if self.require_object:
            raise MalformedRequest("The JSON body must be an object")
        return ParsedBody(media_type=media_type, json=value)


class RawParser(Parser):
    """Any media type, kept undecoded in ``ParsedBody.raw``.

    The body is copied to a temporary file that stays in memory up to
    ``RAW_BODY_MEMORY_LIMIT`` bytes and moves to disk past that. Pass
    ``media_types`` to accept only some types.
    """

    media_types: tuple[str, ...] = ("*/*",)

    def __init__(self, media_types: Sequence[str] | None = None) -> None:
        if media_types is not None:
            self.media_types = tuple(media_type.lower() for media_type in media_types)

    def parse(
        self,
        request: HttpRequest,
        stream: BodyStream,
        media_type: str,
        params: Mapping[str, str],
    ) -> ParsedBody:
        spool = _spool(stream)
        spool.seek(0)
        return ParsedBody(raw=cast(BinaryIO, spool), media_type=media_type)


class StreamParser(RawParser):
    """Any media type, left unread: ``ParsedBody.stream`` is the body.

    For bodies a handler copies elsewhere as they arrive, such as an upload
    written straight to storage: nothing is buffered, the size limit is
    enforced while the handler reads (``RequestTooLarge``), and a body that
    ends before its Content-Length raises ``MalformedRequest``. Nothing is
    read before the handler runs, so a refused request costs no transfer.
    """

    def parse(
        self,
        request: HttpRequest,
        stream: BodyStream,
        media_type: str,
        params: Mapping[str, str],
    ) -> ParsedBody:
        return ParsedBody(stream=stream, media_type=media_type)


class _NotJSON(ValueError):
    """A problem json.loads does not report itself."""


class _TooDeep(ValueError):
    """Valid JSON, but nested past the limit."""


def decode_json(text: str | bytes, *, max_depth: int | None = None) -> Any:
    """Decode JSON text strictly, raising ``ValueError`` with a readable message.

    Bytes must be UTF-8 (a leading byte order mark is allowed). ``NaN``,
    ``Infinity`` and numbers too large for a float are refused, as is nesting
    deeper than ``max_depth`` (default ``MAX_JSON_DEPTH``).
    """
    if isinstance(text, bytes):
        # The plain codec is C; "utf-8-sig" would run Python code per body.
        bom = len(codecs.BOM_UTF8) if text.startswith(codecs.BOM_UTF8) else 0
        try:
            text = text[bom:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _NotJSON(f"it is not UTF-8 ({exc.reason} at byte {exc.start + bom})") from exc
    limit = api_settings.MAX_JSON_DEPTH if max_depth is None else max_depth
    try:
        value = _JSON_DECODER.decode(text)
    except RecursionError as exc:
        # json's C scanner gives up near the interpreter's recursion limit;
        # anything that deep is far past any sane MAX_JSON_DEPTH.
        raise _TooDeep(_too_deep_message(limit)) from exc
    # Nesting can only go as deep as there are opening brackets: most bodies
    # need no walk at all.
    if text.count("[") + text.count("{") > limit and _depth_exceeds(value, limit):
        raise _TooDeep(_too_deep_message(limit))
    # Only a \u escape can put a lone surrogate ("\ud800") in a string:
    # valid JSON, but no database, header or UTF-8 file can keep it, so it
    # is refused here for every parser, field and service at once.
    if "\\u" in text and (surrogate := _lone_surrogate(value)) is not None:
        raise _NotJSON(f"a string holds a lone surrogate (\\u{ord(surrogate):04x}), which is not Unicode text")
    return value


def _lone_surrogate(value: Any) -> str | None:
    """The first lone surrogate in a string (or key) of ``value``, if any."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
            stack.extend(node.keys())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError as exc:
                return node[exc.start]
    return None


def _too_deep_message(limit: int) -> str:
    return f"JSON nested too deeply (the limit is {limit} levels)"


def _refuse_constant(name: str) -> Any:
    raise _NotJSON(f"{name} is not a valid JSON value")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _NotJSON(f"the number {text} is out of range")
    return number


# Built once: json.loads() with these hooks would build a decoder per body.
_JSON_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests containers more than ``limit`` deep.

    Iterative, so that a value json.loads managed to build cannot exhaust
    the stack here.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def parse_body(
    request: HttpRequest,
    parsers: Sequence[Parser],
    *,
    max_size: int | None = None,
) -> ParsedBody:
    """Decode ``request``'s body with the first of ``parsers`` that matches.

    A request without a body (no or zero Content-Length) gives an empty
    :class:`ParsedBody` whatever its Content-Type. ``max_size`` defaults to
    ``MAX_BODY_SIZE``; a body of exactly that many bytes is accepted.

    Must run before anything touches ``request.body``, ``request.POST`` or
    ``request.FILES``, which would consume the stream.
    """
    limit = api_settings.MAX_BODY_SIZE if max_size is None else max_size
    header = request.META.get("CONTENT_TYPE", "") or ""
    try:
        media_type, params = parse_header_parameters(header)
    except ValueError as exc:
        raise MalformedRequest(f"The Content-Type header could not be parsed: {exc}") from exc
    params = {str(key).lower(): str(value) for key, value in params.items()}

    length = _declared_length(request)
    if length is None and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        # Without a length, spool the body first: parsers (Django's
        # multipart one above all) need to know it.
        spool = _spool(BodyStream(_chunked_source(request), length=None, max_size=limit))
        try:
            length = spool.seek(0, 2)
            spool.seek(0)
            body = _parse(request, parsers, spool, length, limit, media_type, params)
        except BaseException:
            spool.close()
            raise
        # A StreamParser's body still reads from the spool: close it with the body.
        body.owned.append(spool)
        return body
    if length is not None and length > limit:
        raise RequestTooLarge(_too_large_message(limit))
    return _parse(request, parsers, request, length or 0, limit, media_type, params)


def _parse(
    request: HttpRequest,
    parsers: Sequence[Parser],
    source: _Readable,
    length: int,
    limit: int,
    media_type: str,
    params: Mapping[str, str],
) -> ParsedBody:
    if length == 0:
        return ParsedBody(media_type=media_type)

    effective = media_type or _DEFAULT_MEDIA_TYPE
    parser = next((parser for parser in parsers if parser.matches(effective)), None)
    if parser is None:
        accepted = ", ".join(sorted({mt for parser in parsers for mt in parser.media_types}))
        if media_type:
            msg = f'Unsupported Content-Type "{media_type}"; this resource accepts: {accepted}'
        else:
            msg = f"The request body has no Content-Type; this resource accepts: {accepted}"
        raise UnsupportedMediaType(msg)
    return parser.parse(request, BodyStream(source, length=length, max_size=limit), effective, params)


def _declared_length(request: HttpRequest) -> int | None:
    raw = request.META.get("CONTENT_LENGTH")
    if raw in (None, ""):
        return None
    try:
        length = int(raw)
    except (TypeError, ValueError):
        length = -1
    if length < 0:
        raise MalformedRequest(f'The Content-Length "{raw}" is not a valid length')
    return length


def _chunked_source(request: HttpRequest) -> _Readable:
    """Where a body sent without ``Content-Length`` can be read from."""
    if isinstance(request, WSGIRequest):
        # Django caps a WSGI body at its Content-Length, 0 when absent, so it
        # would read as empty. The raw input may be read to its end only when
        # the server promises to end it there (gunicorn does for chunked).
        if request.environ.get("wsgi.input_terminated"):
            return cast(_Readable, request.environ["wsgi.input"])
        raise LengthRequired()
    return request  # an ASGI request holds its whole body


def _spool(stream: BodyStream) -> IO[bytes]:
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=api_settings.RAW_BODY_MEMORY_LIMIT)
    try:
        while chunk := stream.read(CHUNK_SIZE):
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    return spool


def _charset(params: Mapping[str, str], default: str) -> str:
    charset = params.get("charset") or default
    try:
        codec = codecs.lookup(charset)
    except LookupError:
        raise UnsupportedMediaType(f'Unsupported charset "{charset}"') from None
    # rot13, base64, hex... are codecs but not text encodings: bytes.decode refuses them.
    if not getattr(codec, "_is_text_encoding", True):
        raise UnsupportedMediaType(f'Unsupported charset "{charset}": not a text encoding')
    return charset


def _too_large_message(limit: int) -> str:
    return f"The request body is larger than the limit of {limit} bytes"


def _too_many_fields_message() -> str:
    return f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields"


def method_override(request: HttpRequest, body: ParsedBody) -> str | None:
    """The method a POST tunnels through ``_method`` or ``X-HTTP-Method-Override``.

    Returns ``"PUT"`` or ``"DELETE"``, or ``None`` when the request is not a
    POST or asks for no override. A ``_method`` field naming another method
    is a ``FieldError`` on ``_method``; such a header is a
    ``MalformedRequest``; the two disagreeing is a ``FieldError``.
    """
    if request.method != "POST":
        return None
    from_field: str | None = None
    if "_method" in body.data:
        value = body.data["_method"]
        from_field = value.strip().upper() if isinstance(value, str) else None
        if from_field not in _OVERRIDABLE_METHODS:
            shown = f'"{value}"' if isinstance(value, str) else json.dumps(value, default=str)
            raise FieldError({"_method": [f"{shown} is not a valid method; use PUT or DELETE"]})
    header = request.META.get("HTTP_X_HTTP_METHOD_OVERRIDE")
    from_header: str | None = None
    if header is not None:
        from_header = header.strip().upper()
        if from_header not in _OVERRIDABLE_METHODS:
            raise MalformedRequest(
                f'"{header}" is not a valid X-HTTP-Method-Override; use PUT or DELETE'
            )
    if from_field and from_header and from_field != from_header:
        raise FieldError(
            {"_method": [f'"{from_field}" disagrees with the X-HTTP-Method-Override header "{from_header}"']}
        )
    return from_field or from_header
