"""A large publish streams to storage: the server's memory does not grow with the file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings

from datarouter.models import Publication

from .conftest import feed_body

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SIZE = 256 * 1024 * 1024
CHUNK = b"0123456789abcdef" * 4096  # 64 KiB


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):  # peak resident set size
            return int(line.split()[1])
    pytest.skip("no /proc/self/status")


def _body() -> Iterator[bytes]:
    for _ in range(SIZE // len(CHUNK)):
        yield CHUNK


def test_256_mib_publish_does_not_grow_memory(live_server: Any) -> None:
    with httpx.Client(base_url=live_server.url + "/datarouter", timeout=120) as http:
        body = feed_body()
        created = http.post("/", content=json.dumps(body), headers={
            "Content-Type": "application/vnd.att-dr.feed", "X-ATT-DR-ON-BEHALF-OF": "jdoe"})
        fid = created.json()["links"]["self"].rsplit("/", 1)[1]
        http.post(f"/subscribe/{fid}", content=json.dumps({"delivery": {
            "url": "http://127.0.0.1:9/", "user": "u", "password": "p", "use100": False}}),
            headers={"Content-Type": "application/vnd.att-dr.subscription", "X-ATT-DR-ON-BEHALF-OF": "jdoe"})
        before = _rss_kib()
        response = http.put(f"/publish/{fid}/big", content=_body(), auth=("user", "password"),
                            headers={"Content-Length": str(SIZE), "Content-Type": "application/octet-stream"})
        grown = _rss_kib() - before
    assert response.status_code == 204
    publication = Publication.objects.get()
    assert publication.content_length == SIZE
    assert (Path(settings.MEDIA_ROOT) / publication.storage_name).stat().st_size == SIZE
    # Peak memory of the whole process (client and server threads) grows by a few MiB at most.
    assert grown < 16 * 1024, f"peak RSS grew by {grown} KiB"
