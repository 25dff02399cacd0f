"""In-process benchmark: every framework through ``django.test.Client``, round by round.

Each round sends N requests of one endpoint to one framework, then the
next framework (the order rotates every round so no one always goes first
after a pause), and so on for every endpoint. A framework's time for an
endpoint is the median of its per-round mean times; its ratio is the median
over rounds of ``plain time / framework time`` taken within the same round
(1.0 = as fast as the plain view, 0.5 = half as fast), which cancels most of
a noisy machine's drift. Many short rounds pair better than a few long ones:
a shared machine's speed changes within a second. Rows added by the create
runs are deleted after each run, outside the timed region.

After the warm-up the collector is frozen (``gc.freeze()``, as servers that
fork workers do): every framework then pays for collecting its own garbage,
and none for a full collection of everything Django loaded that happens to
fall into its turn.
"""

from __future__ import annotations

import argparse
import gc
import time
from typing import Any

from common import median, setup_django, versions, write_json


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--frameworks", help="comma-separated subset (plain is always included)")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("-n", type=int, help="requests per framework, endpoint and round")
    args = parser.parse_args()
    rounds = args.rounds or (10 if args.quick else 60)
    n = args.n or (20 if args.quick else 30)

    setup_django(args.frameworks)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchsite import db
    from benchsite.endpoints import ENDPOINTS, calls

    frameworks = list(settings.FRAMEWORKS)
    client = Client()
    table = {fw: calls(fw) for fw in frameworks}

    def send(fw: str, endpoint: str) -> Any:
        call = table[fw][endpoint]
        return client.generic(call.method, call.path, call.body, content_type=call.content_type or None,
                              HTTP_ACCEPT=call.accept)

    # Check every call answers as expected, and note its size and query count.
    checks: dict[str, dict[str, dict[str, Any]]] = {}
    for fw in frameworks:
        checks[fw] = {}
        for endpoint in ENDPOINTS:
            call = table[fw][endpoint]
            with CaptureQueriesContext(connection) as queries:
                response = send(fw, endpoint)
            if response.status_code != call.status:
                raise SystemExit(f"{fw} {endpoint}: status {response.status_code}, expected {call.status}\n"
                                 f"{response.content[:2000]!r}")
            checks[fw][endpoint] = {
                "status": response.status_code,
                "content_type": response.get("Content-Type", ""),
                "bytes": len(response.content),
                "queries": len(queries),
                "etag": response.has_header("ETag"),
                "sample": response.content[:3000].decode("utf-8", "replace"),
            }
        db.reset()

    # Warm every path (imports, caches, prepared statements) before timing.
    for fw in frameworks:
        for endpoint in ENDPOINTS:
            for _ in range(max(5, n // 10)):
                send(fw, endpoint)
        db.reset()
    gc.collect()
    gc.freeze()

    samples: dict[str, dict[str, list[float]]] = {fw: {e: [] for e in ENDPOINTS} for fw in frameworks}
    ratios: dict[str, dict[str, list[float]]] = {fw: {e: [] for e in ENDPOINTS} for fw in frameworks}
    started = time.time()
    for rnd in range(rounds):
        order = frameworks[rnd % len(frameworks):] + frameworks[: rnd % len(frameworks)]
        for endpoint in ENDPOINTS:
            this_round: dict[str, float] = {}
            for fw in order:
                call = table[fw][endpoint]
                t0 = time.perf_counter()
                wrong = 0
                for _ in range(n):
                    response = client.generic(call.method, call.path, call.body,
                                              content_type=call.content_type or None, HTTP_ACCEPT=call.accept)
                    wrong += response.status_code != call.status
                elapsed = (time.perf_counter() - t0) / n
                if wrong:
                    # A rate limit or a broken view would be timed as a fast answer: refuse.
                    raise SystemExit(f"{fw} {endpoint}: {wrong}/{n} answers were not {call.status} "
                                     f"(last: {response.status_code} {response.content[:300]!r})")
                this_round[fw] = elapsed
                samples[fw][endpoint].append(elapsed)
                if endpoint == "create":
                    db.reset()
            for fw in frameworks:
                ratios[fw][endpoint].append(this_round["plain"] / this_round[fw])
        if (rnd + 1) % 10 == 0 or rnd + 1 == rounds:
            print(f"  round {rnd + 1}/{rounds} done ({time.time() - started:.0f} s)", flush=True)

    result = {
        "rounds": rounds,
        "n": n,
        "frameworks": frameworks,
        "versions": versions(),
        "checks": checks,
        "median_us": {fw: {e: median(v) * 1e6 for e, v in per.items()} for fw, per in samples.items()},
        "ratio": {fw: {e: median(v) for e, v in per.items()} for fw, per in ratios.items()},
        "samples_us": {fw: {e: [x * 1e6 for x in v] for e, v in per.items()} for fw, per in samples.items()},
    }
    for fw in frameworks:
        cells = "  ".join(
            f"{e}={result['median_us'][fw][e]:7.0f}us x{result['ratio'][fw][e]:.2f}" for e in ENDPOINTS
        )
        print(f"  {fw:<11} {cells}", flush=True)
    write_json(args.out, result)


if __name__ == "__main__":
    main()
