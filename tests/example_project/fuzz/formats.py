"""Each surface's own answer format, as a check that returns what is wrong (or ``None``).

* the ``/api/`` tree: ``{"stat": "ok"|"fail", "err": {"code", "msg"}}`` in
  JSON, or the same ``<rsp>`` document in XML, as the Accept header asked;
* retry's native surface: ``{"errors": [{"type", "message"}, ...]}``;
* queuey's native surface: ``{"status": "error", "error_msg": {key: msg}}``;
* datarouter's native surface: ``{"error": "<reason>"}``.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from lxml import etree

from .harness import Answer

__all__ = ["api_tree", "datarouter_native", "queuey_native", "retry_native"]

#: Accept headers that leave the /api/ tree one choice of format.
JSON_ONLY = frozenset({"application/json", "application/json; q=1", "*/*;q=0.1, application/json"})
XML_ONLY = frozenset({"application/xml", "text/xml;q=0.5, application/xml", "application/xml;q=0.9"})


def _no_body(answer: Answer) -> bool:
    """HEAD, 204 and 304 have no body; a successful OPTIONS may have none (its answer is the Allow header)."""
    if answer.call.method == "OPTIONS" and answer.status < HTTPStatus.BAD_REQUEST and not answer.content:
        return True
    return answer.call.method == "HEAD" or answer.status in (HTTPStatus.NO_CONTENT, HTTPStatus.NOT_MODIFIED)


def _json(answer: Answer) -> tuple[Any, str | None]:
    if answer.content_type != "application/json" and not answer.content_type.endswith("+json") \
            and not answer.content_type.startswith("application/vnd.att-dr."):
        return None, f"Content-Type {answer.headers.get('content-type')!r} is not JSON"
    try:
        return json.loads(answer.content), None
    except ValueError as exc:
        return None, f"the body is not JSON: {exc}"


def _is_xml(content_type: str) -> bool:
    return content_type in ("application/xml", "text/xml") or content_type.endswith("+xml")


def _wanted_format(answer: Answer) -> str | None:
    """"json", "xml" or "html" when the client left one choice (``?api_format=`` first, then Accept)."""
    formats = [value for key, value in parse_qsl(answer.call.query, keep_blank_values=True) if key == "api_format"]
    if formats and formats[-1] in ("json", "xml", "html"):
        return formats[-1]
    accept = answer.call.environ.get("HTTP_ACCEPT")
    if accept in JSON_ONLY:
        return "json"
    if accept in XML_ONLY:
        return "xml"
    if accept and accept.split(",")[0].split(";")[0].strip() == "text/html":
        return "html"
    return None


#: A piece of markup the fuzzer sends (strategies.SPECIAL_TEXTS); a page must show it escaped.
UNESCAPED = "<x>"


def api_tree(answer: Answer) -> str | None:
    """The stat/err envelope, in JSON or XML as Accept asks."""
    if _no_body(answer):
        return "a body where none belongs" if answer.content and answer.call.method == "HEAD" else None
    wants = _wanted_format(answer)
    failed = answer.status >= HTTPStatus.BAD_REQUEST
    if answer.content_type == "text/html":
        # The browsable API: pages for browsers, which asked for them.
        if wants != "html":
            return "an HTML page although the client did not ask for one"
        if UNESCAPED in answer.content.decode("utf-8", "replace"):
            return f"the page shows {UNESCAPED!r} unescaped"
        return None
    if wants == "html":
        return None if answer.content_type in ("application/json", "application/xml") or \
            answer.content_type.endswith(("+json", "+xml")) else f"{answer.content_type!r} for a browser"
    if _is_xml(answer.content_type):
        if wants == "json":
            return "XML although the client asked for JSON only"
        try:
            root = etree.fromstring(answer.content)
        except etree.XMLSyntaxError as exc:
            return f"the body is not XML: {exc}"
        stat = root.findtext("stat")
        if root.tag != "rsp" or stat != ("fail" if failed else "ok"):
            return f"not an <rsp> with stat {'fail' if failed else 'ok'}"
        if failed:
            code = root.findtext("err/code") or ""
            if not code.isdigit() or not root.findtext("err/msg"):
                return "<err> lacks a numeric <code> or a <msg>"
        return None
    if wants == "xml":
        return f"{answer.content_type!r} although the client asked for XML only"
    data, problem = _json(answer)
    if problem:
        return problem
    if not isinstance(data, dict) or data.get("stat") != ("fail" if failed else "ok"):
        return f"not a stat {'fail' if failed else 'ok'} envelope"
    if failed:
        err = data.get("err")
        if not isinstance(err, dict) or not isinstance(err.get("code"), int) or not isinstance(err.get("msg"), str):
            return "err lacks a numeric code or a msg"
    return None


def retry_native(answer: Answer) -> str | None:
    if _no_body(answer):
        return "a body where none belongs" if answer.content else None
    data, problem = _json(answer)
    if problem:
        return problem
    if answer.status < HTTPStatus.BAD_REQUEST:
        return None if isinstance(data, dict) else "not a JSON object"
    if not isinstance(data, dict) or set(data) != {"errors"} or not isinstance(data["errors"], list) or not data["errors"]:
        return 'not {"errors": [...]}'
    for error in data["errors"]:
        if not isinstance(error, dict) or set(error) != {"type", "message"} \
                or not all(isinstance(error[key], str) and error[key] for key in ("type", "message")):
            return f"an error that is not {{type, message}}: {error!r}"
    return None


def queuey_native(answer: Answer) -> str | None:
    if _no_body(answer):
        return "a body where none belongs" if answer.content else None
    data, problem = _json(answer)
    if problem:
        return problem
    if not isinstance(data, dict):
        return "not a JSON object"
    if answer.status < HTTPStatus.BAD_REQUEST:
        return None if data.get("status", "ok") == "ok" else f"status {data.get('status')!r} on a success"
    messages = data.get("error_msg")
    if set(data) != {"status", "error_msg"} or data["status"] != "error" or not isinstance(messages, dict) or not messages:
        return 'not {"status": "error", "error_msg": {...}}'
    if not all(isinstance(key, str) and isinstance(value, str) for key, value in messages.items()):
        return "error_msg is not a map of strings"
    return None


def datarouter_native(answer: Answer) -> str | None:
    if _no_body(answer):
        return "a body where none belongs" if answer.content else None
    data, problem = _json(answer)
    if problem:
        return problem
    if answer.status < HTTPStatus.BAD_REQUEST:
        return None
    if not isinstance(data, dict) or set(data) != {"error"} or not isinstance(data["error"], str) or not data["error"]:
        return 'not {"error": "<reason>"}'
    return None
