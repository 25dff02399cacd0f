"""The seed's curl examples, replayed against a live server: each gets its documented status.

The bodies are the seed's sample bodies. The one substitution besides the
base URL: the feed used for publishing also allows 127.0.0.1 (the sample's
addresses are not this machine's); with the sample's own addresses the
publish is refused with 403, one of the documented causes.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import feed_id, sub_id

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CREATE_FEED = {
    "name": "Jettydemo", "version": "v1.0.0", "description": "Jettydemo", "business_description": "Jettydemo",
    "suspend": False, "changeowner": True,
    "authorization": {"classification": "unclassified", "endpoint_addrs": ["172.18.0.3", "192.167.3.42"],
                      "endpoint_ids": [{"password": "password", "id": "user"}]},
}
UPDATE_FEED = {**CREATE_FEED, "description": "Updated decription", "business_description": "Updated business description"}
ADD_SUBSCRIBER = {"delivery": {"url": "http://172.18.0.3:7070/", "user": "LOGIN", "password": "PASSWORD", "use100": True},
                  "metadataOnly": False, "groupid": 1, "subscriber": "subuser"}
UPDATE_SUBSCRIBER = {"delivery": {"url": "http://192.0.0.1:7070/", "user": "NEW_LOGIN", "password": "NEW_PASSWORD",
                                  "use100": True}, "metadataOnly": False, "groupid": 2, "subscriber": "subuser"}


def _local(body: dict[str, Any]) -> dict[str, Any]:
    auth = {**body["authorization"], "endpoint_addrs": [*body["authorization"]["endpoint_addrs"], "127.0.0.1"]}
    return {**body, "authorization": auth}


@pytest.fixture
def http(live_server: Any) -> Any:
    with httpx.Client(base_url=live_server.url + "/datarouter") as client:
        yield client


def test_seed_examples_with_httpx(http: httpx.Client) -> None:
    user = "jdoe"
    obo = {"X-ATT-DR-ON-BEHALF-OF": user}
    # curl -k -X POST -H "Content-Type:application/vnd.att-dr.feed" -H "X-ATT-DR-ON-BEHALF-OF:{user}"
    #      --data-ascii @createFeed.json https://{host}:{port}
    created = http.post("/", content=json.dumps(_local(CREATE_FEED)),
                        headers={"Content-Type": "application/vnd.att-dr.feed", **obo})
    assert created.status_code == 201
    fid = feed_id(created.json())
    assert created.headers["Location"] == f"{str(http.base_url).rstrip('/')}/feed/{fid}"
    # curl -k -X PUT -H "Content-Type: application/vnd.att-dr.feed" -H "X-ATT-DR-ON-BEHALF-OF: {user}"
    #      --data-ascii @updateFeed.json --location-trusted https://{host}:{port}/feed/{feedId}
    updated = http.put(f"/feed/{fid}", content=json.dumps(_local(UPDATE_FEED)),
                       headers={"Content-Type": "application/vnd.att-dr.feed", **obo})
    assert updated.status_code == 200
    assert updated.json()["description"] == "Updated decription"
    # curl -k -H "X-ATT-DR-ON-BEHALF-OF: {user}" https://{host}:{port}/feed/{feedId}
    assert http.get(f"/feed/{fid}", headers=obo).status_code == 200
    # curl -k -X POST -H "Content-Type:application/vnd.att-dr.subscription" -H "X-ATT-DR-ON-BEHALF-OF:{user}"
    #      --data-ascii @addSubscriber.json https://{host}:{port}/subscribe/{feedId}
    subscribed = http.post(f"/subscribe/{fid}", content=json.dumps(ADD_SUBSCRIBER),
                           headers={"Content-Type": "application/vnd.att-dr.subscription", **obo})
    assert subscribed.status_code == 201
    sid = sub_id(subscribed.json())
    # curl -k -X PUT -H "Content-Type:application/vnd.att-dr.subscription" -H "X-ATT-DR-ON-BEHALF-OF:{user}"
    #      --data-ascii @updateSubscriber.json https://{host}:{port}/subs/{subId}
    assert http.put(f"/subs/{sid}", content=json.dumps(UPDATE_SUBSCRIBER),
                    headers={"Content-Type": "application/vnd.att-dr.subscription", **obo}).status_code == 200
    # curl -k -H "X-ATT-DR-ON-BEHALF-OF:{user}" https://{host}:{port}/subs/{subId}
    assert http.get(f"/subs/{sid}", headers=obo).json()["delivery"]["user"] == "NEW_LOGIN"
    # curl -k -X PUT --user {user}:{password} -H "Content-Type:application/octet-stream"
    #      -H "X-ATT-DR-META:{\"filetype\":\"txt\"}" --data-binary @sampleFile.txt --post301
    #      --location-trusted https://{host}:{port}/publish/{feedId}/sampleFile
    published = http.put(f"/publish/{fid}/sampleFile", content=b"sample file\n", auth=("user", "password"),
                         headers={"Content-Type": "application/octet-stream", "X-ATT-DR-META": '{"filetype":"txt"}'})
    assert published.status_code == 204
    assert published.headers["X-ATT-DR-PUBLISH-ID"]
    # curl -k -X DELETE --user {user}:{password} --location-trusted https://{host}:{port}/publish/{feedId}/{fileId}
    assert http.delete(f"/publish/{fid}/sampleFile", auth=("user", "password")).status_code == 204
    # curl -k https://{host}:{port}/feedlog/{feedId}?statusCode=204
    feedlog = http.get(f"/feedlog/{fid}?statusCode=204")
    assert feedlog.status_code == 200
    assert [r["type"] for r in feedlog.json()] == ["pub", "pub"]
    # curl -k https://{host}:{port}/sublog/{subId}?statusCode=204
    assert http.get(f"/sublog/{sid}?statusCode=204").status_code == 200
    # curl -k -X DELETE -H "X-ATT-DR-ON-BEHALF-OF:{user}" https://{host}:{port}/subs/{subId}
    assert http.delete(f"/subs/{sid}", headers=obo).status_code == 204
    # curl -k -X DELETE -H "X-ATT-DR-ON-BEHALF-OF: {user}" https://{host}:{port}/feed/{feedId}
    assert http.delete(f"/feed/{fid}", headers=obo).status_code == 204


def test_sample_addresses_refuse_this_machine(http: httpx.Client) -> None:
    created = http.post("/", content=json.dumps(CREATE_FEED),
                        headers={"Content-Type": "application/vnd.att-dr.feed", "X-ATT-DR-ON-BEHALF-OF": "jdoe"})
    fid = feed_id(created.json())
    response = http.put(f"/publish/{fid}/sampleFile", content=b"x", auth=("user", "password"))
    assert response.status_code == 403


# The seed's commands, as written but for {placeholders} (https://{host}:{port} is the live server).
SEED_CURLS = [
    ('curl -k -X POST -H "Content-Type:application/vnd.att-dr.feed" -H "X-ATT-DR-ON-BEHALF-OF:{user}" '
     "--data-ascii @createFeed.json https://{host}:{port}", 201),
    ('curl -k -X PUT -H "Content-Type: application/vnd.att-dr.feed" -H "X-ATT-DR-ON-BEHALF-OF: {user}" '
     "--data-ascii @updateFeed.json --location-trusted https://{host}:{port}/feed/{feedId}", 200),
    ('curl -k -H "X-ATT-DR-ON-BEHALF-OF: {user}" https://{host}:{port}/feed/{feedId}', 200),
    ('curl -k -X POST -H "Content-Type:application/vnd.att-dr.subscription" -H "X-ATT-DR-ON-BEHALF-OF:{user}" '
     "--data-ascii @addSubscriber.json https://{host}:{port}/subscribe/{feedId}", 201),
    ('curl -k -X PUT -H "Content-Type:application/vnd.att-dr.subscription" -H "X-ATT-DR-ON-BEHALF-OF:{user}" '
     "--data-ascii @updateSubscriber.json https://{host}:{port}/subs/{subId}", 200),
    ('curl -k -H "X-ATT-DR-ON-BEHALF-OF:{user}" https://{host}:{port}/subs/{subId}', 200),
    ('curl -k -X PUT --user {user}:{password} -H "Content-Type:application/octet-stream" '
     '-H "X-ATT-DR-META:{\\"filetype\\":\\"txt\\"}" --data-binary @sampleFile.txt --post301 '
     "--location-trusted https://{host}:{port}/publish/{feedId}/sampleFile", 204),
    ("curl -k -X DELETE --user {user}:{password} --location-trusted https://{host}:{port}/publish/{feedId}/{fileId}",
     204),
    ("curl -k https://{host}:{port}/feedlog/{feedId}?statusCode=204", 200),
    ("curl -k https://{host}:{port}/sublog/{subId}?statusCode=204", 200),
    ('curl -k -X DELETE -H "X-ATT-DR-ON-BEHALF-OF:{user}" https://{host}:{port}/subs/{subId}', 204),
    ('curl -k -X DELETE -H "X-ATT-DR-ON-BEHALF-OF: {user}" https://{host}:{port}/feed/{feedId}', 204),
]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_seed_curl_commands_as_written(live_server: Any, tmp_path: Path) -> None:
    (tmp_path / "createFeed.json").write_text(json.dumps(_local(CREATE_FEED), indent=2))
    (tmp_path / "updateFeed.json").write_text(json.dumps(_local(UPDATE_FEED), indent=2))
    (tmp_path / "addSubscriber.json").write_text(json.dumps(ADD_SUBSCRIBER, indent=2))
    (tmp_path / "updateSubscriber.json").write_text(json.dumps(UPDATE_SUBSCRIBER, indent=2))
    (tmp_path / "sampleFile.txt").write_bytes(b"sample file\n")
    values = {"user": "user", "password": "password", "fileId": "sampleFile", "feedId": "", "subId": ""}
    base = live_server.url + "/datarouter"
    for command, expected in SEED_CURLS:
        # curl sends a bare origin (https://{host}:{port}) as path "/", i.e. the surface's root.
        line = command + " " if command.endswith("{port}") else command
        line = line.replace("https://{host}:{port} ", base + "/ ").replace("https://{host}:{port}", base).strip()
        for name, value in values.items():
            line = line.replace("{" + name + "}", value)
        args = [*shlex.split(line), "-s", "-o", "out", "-w", "%{http_code}"]
        done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=30, check=False)
        assert done.stdout == str(expected), (line, done.stdout, (tmp_path / "out").read_text())
        if expected == 201:
            key = "feedId" if "subscribe" not in line else "subId"
            values[key] = json.loads((tmp_path / "out").read_text())["links"]["self"].rsplit("/", 1)[1]
