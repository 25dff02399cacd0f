"""Runs under RBTools' own Python (not the project's): browse, write and log out with RBClient.

``python rbtools_client.py '<json>'`` with ``url`` (the site), ``username``
and ``password`` or ``api_token``, and ``application`` (a queuey
application the user owns). Prints a JSON report of what it saw and did;
the test checks it against the server's database.

RBClient.get_root() only accepts Review Board's root media type, so the
root is read with get_url(): every other step is RBClient's own link
following, create(), update() and delete().
"""

from __future__ import annotations

import json
import sys
from typing import Any

from rbtools.api.client import RBClient
from rbtools.api.errors import APIError
from rbtools.api.resource import ListResource

#: Bounds the walk: the example data is small, a loop would not be.
MAX_FETCHES = 200


def get_links(resource: Any) -> dict[str, dict[str, str]]:
    links: dict[str, dict[str, str]] = resource._links
    return links


#: Root links to documents for people and tools (the OpenAPI schema, its
#: HTML docs pages), not resources of the dialect.
DOCUMENTS = frozenset({"openapi", "docs"})


def walk(client: RBClient, start: str) -> dict[str, Any]:
    """Follow every GET link from ``start`` (pages through next), reading every list and item;
    what the user may not read (the staff-only status resources) is reported as refused."""
    seen: set[str] = set()
    lists: dict[str, int] = {}
    refused: dict[str, list[int]] = {}
    items = 0
    other: set[str] = set()
    todo = [start]
    while todo:
        href = todo.pop(0)
        if href in seen or "?" in href:  # page links are followed by all_items
            continue
        if not href.endswith("/"):
            # Not a resource of the dialect (a document such as a schema):
            # RBClient.get_url() would add a slash to it.
            other.add(href)
            continue
        if len(seen) >= MAX_FETCHES:
            raise RuntimeError(f"more than {MAX_FETCHES} resources: a loop?")
        seen.add(href)
        try:
            resource = client.get_url(href)
        except APIError as error:
            if error.http_status != 403:
                raise
            refused[href] = [error.http_status, error.error_code]
            continue
        if isinstance(resource, ListResource):
            found = list(resource.all_items)
            lists[href] = len(found)
            for item in found:
                todo.extend(link["href"] for name, link in get_links(item).items() if link["method"] == "GET")
        else:
            items += 1
        for name, link in get_links(resource).items():
            if name in DOCUMENTS:
                other.add(link["href"])
            elif link["method"] == "GET" and name not in ("next", "prev"):
                todo.append(link["href"])
    return {"lists": lists, "items": items, "fetched": len(seen), "other": sorted(other), "refused": refused}


def main() -> None:
    cfg = json.loads(sys.argv[1])
    site = cfg["url"]
    api = site + "api/"
    options: dict[str, Any] = {"allow_caching": False, "save_cookies": False}
    report: dict[str, Any] = {}

    # Without credentials: a 401 that RBTools reports (urllib's handlers
    # raise ValueError if Basic is not the first challenge).
    try:
        RBClient(site, **options).get_url(api + "retry/requests/")
    except APIError as error:
        report["anonymous"] = [error.http_status, error.error_code]

    if "api_token" in cfg:
        client = RBClient(site, api_token=cfg["api_token"], **options)
    else:
        client = RBClient(site, username=cfg["username"], password=cfg["password"], **options)

    root = client.get_url(api)
    report["root_links"] = sorted(get_links(root))
    session = root.get_session()
    report["session"] = {"username": session.username, "login_session": session.login_session}
    report["before"] = walk(client, api)

    # retry: create, cancel (DELETE). Its API has no update.
    requests = root.get_retry_requests()
    created = requests.create(
        request=json.dumps({"url": "http://target.example/rbtools", "method": "POST", "body": "x"}),
        intervals="[3600]",
    )
    report["retry"] = {"created": created.id, "state": created.state}
    created.delete()

    # queuey: a queue of the user's application, updated; a message; deleted.
    application = None
    for app in root.get_queuey_applications().all_items:
        if app.name == cfg["application"]:
            application = app
    queues = application.get_queuey_queues()
    queue = queues.create(name=cfg["queue"], partitions=1)
    queue = queue.update(partitions=2)
    message = queue.get_queuey_messages().create(body="hello from RBTools")
    report["queuey"] = {"queue": queue.name, "partitions": queue.partitions, "message": message.body}

    # datarouter: a feed, updated.
    authorization = {"classification": "unclassified", "endpoint_addrs": [],
                     "endpoint_ids": [{"id": "pub", "password": "secret-pw"}]}
    feed = root.get_datarouter_feeds().create(
        name=cfg["feed"], version="1", description="made by RBTools", business_description="test",
        authorization=json.dumps(authorization),
    )
    authorization["endpoint_ids"] = [{"id": "pub"}]
    feed = feed.update(description="updated by RBTools", business_description="test",
                       authorization=json.dumps(authorization))
    report["datarouter"] = {"feed": feed.id, "description": feed.description, "publisher": feed.publisher}

    # API tokens: made, renamed, revoked; one more kept for the token run.
    tokens = root.get_api_tokens()
    token = tokens.create(note="rbtools")
    token = token.update(note="rbtools renamed")
    report["token_note"] = token.note
    token.delete()
    if cfg.get("make_token"):
        report["kept_token"] = tokens.create(note="for the token run").token

    report["after"] = walk(client, api)

    # The rest of the objects go; queuey's queue last (its messages with it).
    message.delete()
    queue.delete()
    feed.delete()

    client.logout()
    try:
        client.get_url(api + "retry/requests/")
        report["after_logout"] = "still logged in"
    except APIError as error:
        report["after_logout"] = [error.http_status, error.error_code]
    print(json.dumps(report))


if __name__ == "__main__":
    main()
