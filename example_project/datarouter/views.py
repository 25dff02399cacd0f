"""``PUT|DELETE /publish/{feed_id}/{file_id}``: a plain view, so bodies of any size stream to storage.

webapi_kit's resources read bodies through a parser into a spooled file
bounded by ``MAX_BODY_SIZE`` and do not hand the raw body to handlers; a
publish may be gigabytes, so this view copies the request stream to storage
in 64 KiB chunks itself.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from webapi_kit.errors import MalformedRequest, MethodNotAllowed, WebAPIError

from . import media, publishing, storage
from .native import error_body

__all__ = ["publish_view"]

_ALLOWED = ("PUT", "DELETE")


def _error(error: WebAPIError) -> HttpResponse:
    response = HttpResponse(json.dumps(error_body(error)), status=error.status, content_type="application/json")
    for name, value in error.headers.items():
        response[name] = value
    return response


def _content_length(request: HttpRequest) -> int:
    raw = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(raw)
    except ValueError:
        length = -1
    if length < 0:
        raise MalformedRequest(f'The Content-Length "{raw}" is not a valid length')
    return length


@csrf_exempt
def publish_view(request: HttpRequest, feed_id: str, file_id: str) -> HttpResponse:
    try:
        return _publish(request, feed_id, file_id)
    except WebAPIError as error:
        return _error(error)


def _publish(request: HttpRequest, feed_id: str, file_id: str) -> HttpResponse:
    method = (request.method or "").upper()
    if method not in _ALLOWED:
        raise MethodNotAllowed(_ALLOWED)
    feed = publishing.feed_for_publish(feed_id)
    source_ip = request.META.get("REMOTE_ADDR", "")
    endpoint_id = publishing.authorize(feed, request.META.get("HTTP_AUTHORIZATION"), source_ip)
    meta = publishing.check_meta(media.header(request, "META"))
    publish = publishing.Publish(
        feed=feed,
        file_id=file_id,
        method=method,
        endpoint_id=endpoint_id,
        source_ip=source_ip,
        content_type=request.META.get("CONTENT_TYPE", "") if method == "PUT" else "",
        meta=meta,
        request_uri=request.build_absolute_uri(),
    )
    storage_name = ""
    length = 0
    if method == "PUT":
        declared = _content_length(request)
        reader = storage.CountingReader(request, declared)
        storage_name = storage.save_stream(reader)
        length = reader.count
        if length != declared:
            storage.delete(storage_name)
            raise MalformedRequest(f"The request body ended after {length} of its declared {declared} bytes")
    try:
        publication = publishing.record(publish, storage_name, length)
    except BaseException:
        storage.delete(storage_name)
        raise
    response = HttpResponse(status=HTTPStatus.NO_CONTENT)
    response["X-ATT-DR-PUBLISH-ID"] = publication.publish_id
    return response
