"""docs/services/datarouter.rst stays true: its sample bodies are the seed's, its
curl commands answer what it shows, and its tables say which fields are required."""

from __future__ import annotations

import copy
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.packaging.rst import code_blocks, commands

from .conftest import DR, feed_id
from .test_seed_examples import ADD_SUBSCRIBER, CREATE_FEED

PAGE = Path(__file__).resolve().parents[3] / "docs" / "services" / "datarouter.rst"
SAMPLES = {block.caption: json.loads(block.text) for block in code_blocks(PAGE) if block.language == "json" and block.caption}
_ROW = re.compile(r"^\| (\S+)\s+\|(?:[^|]*\|)*? (Y|N)\s+\|")


def _required_table(heading: str) -> dict[str, bool]:
    """``{field: required}`` from the grid table in the section ``heading``; a name may span two rows."""
    section = PAGE.read_text().split(f"\n{heading}\n")[1].split("\n-----")[0]
    table: dict[str, bool] = {}
    for row in re.split(r"\n\+[-=]", section)[1:]:
        lines = [line for line in row.splitlines() if line.startswith("| ")]
        if not lines or not (match := _ROW.match(lines[0])):
            continue
        name = match.group(1) + "".join(line.split("|")[1].strip() for line in lines[1:] if match.group(1).endswith("."))
        table[name] = match.group(2) == "Y"
    return table


def _without(body: dict[str, Any], dotted: str) -> dict[str, Any]:
    body = copy.deepcopy(body)
    *parents, last = dotted.split(".")
    target = body
    for key in parents:
        target = target[key]
    target.pop(last, None)
    return body


def test_the_samples_are_the_seeds() -> None:
    assert SAMPLES == {"createFeed.json": CREATE_FEED, "addSubscriber.json": ADD_SUBSCRIBER}


def test_the_tables_mark_the_delivery_and_authorization_fields() -> None:
    subscription = _required_table("Subscriptions")
    assert {name: subscription[name] for name in ("delivery", "delivery.url", "delivery.user", "delivery.password",
                                                  "delivery.use100", "metadataOnly")} == {
        "delivery": True, "delivery.url": True, "delivery.user": True, "delivery.password": True,
        "delivery.use100": True, "metadataOnly": False,
    }
    feed = _required_table("Feeds")
    assert feed["authorization.classification"] and feed["authorization.endpoint_ids"]
    assert not feed["authorization.endpoint_addrs"]


@pytest.mark.django_db
def test_each_field_the_feed_table_requires_is_required(dr: DR) -> None:
    for index, (name, required) in enumerate(_required_table("Feeds").items()):
        body = _without({**CREATE_FEED, "version": f"v{index}"}, name.split(" ")[0])
        response = dr.create_feed(body)
        assert response.status_code == (400 if required else 201), (name, response.content)
        if required:
            assert response.json()["error"].startswith(name.split(" ")[0]), response.content


@pytest.mark.django_db
def test_each_field_the_subscription_table_requires_is_required(dr: DR) -> None:
    fid = feed_id(dr.feed())
    for name, required in _required_table("Subscriptions").items():
        response = dr.subscribe(fid, _without(ADD_SUBSCRIBER, name))
        assert response.status_code == (400 if required else 201), (name, response.content)
        if required:
            assert response.json()["error"].startswith(name), response.content


# The page's ids start at 1, as in a new database.
@pytest.mark.django_db(transaction=True, reset_sequences=True)
@pytest.mark.slow
def test_the_pages_curl_commands_answer_as_shown(live_server: Any, tmp_path: Path) -> None:
    for caption, body in SAMPLES.items():
        (tmp_path / caption).write_text(json.dumps(body))
    host = live_server.url.removeprefix("http://")
    ran = 0
    for block in code_blocks(PAGE):
        if block.language != "console":
            continue
        for step in commands(block):
            result = subprocess.run(["bash", "-c", step.command.replace("localhost:8000", host)], cwd=tmp_path,
                                    capture_output=True, text=True, timeout=60)
            got = result.stdout.replace("\r\n", "\n").replace(host, "localhost:8000").split("\n\n")[0].splitlines()
            shown = step.output.splitlines()
            assert got[0] == shown[0], (step.command, result.stdout)
            # Every header the page shows (it leaves some out), with its value.
            assert set(shown[1:]) <= set(got[1:]), (step.command, result.stdout)
            ran += 1
    assert ran == 2
