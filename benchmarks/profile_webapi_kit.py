"""Where webapi_kit spends a list-of-25 JSON request: cProfile (and pyinstrument if installed).

Writes ``results/profile-webapi_kit.txt``: the top functions by own time
and by cumulative time over N requests through ``django.test.Client``,
the same restricted to webapi_kit's own code, and a pyinstrument tree.
The plain view's time for the same page is printed as the yardstick.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time

from common import HERE, setup_django, versions, write_json


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--endpoint", default="list_json")
    parser.add_argument("-n", type=int)
    args = parser.parse_args()
    n = args.n or (500 if args.quick else 2000)

    setup_django("plain,webapi_kit")
    from django.test import Client

    from benchsite.endpoints import calls

    client = Client()
    call = calls("webapi_kit")[args.endpoint]
    plain = calls("plain")[args.endpoint]

    def send(c=call):  # type: ignore[no-untyped-def]
        return client.generic(c.method, c.path, c.body, content_type=c.content_type or None, HTTP_ACCEPT=c.accept)

    for _ in range(200):
        send()
        send(plain)

    timings = {}
    for label, c in (("plain", plain), ("webapi_kit", call)):
        t0 = time.perf_counter()
        for _ in range(n):
            send(c)
        timings[label] = (time.perf_counter() - t0) / n * 1e6

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        send()
    profiler.disable()

    report = io.StringIO()
    report.write(f"webapi_kit profile: {call.method} {call.path} (Accept: {call.accept}), {n} requests "
                 f"through django.test.Client\n")
    report.write(f"versions: {versions()}\n")
    report.write(f"unprofiled: plain view {timings['plain']:.0f} µs/request, webapi_kit {timings['webapi_kit']:.0f} "
                 f"µs/request (ratio {timings['plain'] / timings['webapi_kit']:.2f})\n\n")
    for title, sort, restrict in (
        ("Top 40 by own time (tottime), all code", "tottime", 40),
        ("Top 40 by cumulative time, all code", "cumulative", 40),
        ("webapi_kit's own functions by cumulative time", "cumulative", "webapi_kit/"),
    ):
        report.write(f"=== {title} ===\n")
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats(sort).print_stats(restrict)
        text = stream.getvalue()
        # Drop pstats' header lines; keep the table.
        report.write(text[text.find("   ncalls"):] if "   ncalls" in text else text)
        report.write("\n")

    try:
        from pyinstrument import Profiler
    except ImportError:
        report.write("(pyinstrument not installed)\n")
    else:
        sampler = Profiler(interval=0.0002)
        sampler.start()
        for _ in range(n):
            send()
        sampler.stop()
        report.write("=== pyinstrument (wall clock, sampled) ===\n")
        report.write(sampler.output_text(unicode=True, color=False, show_all=False))

    import sysconfig

    text = (
        report.getvalue()
        .replace(sysconfig.get_paths()["purelib"] + "/", "site-packages/")
        .replace(sysconfig.get_paths()["stdlib"] + "/", "stdlib/")
        .replace(str(HERE.parent) + "/", "")
    )
    target = HERE / "results" / f"profile-webapi_kit{'' if args.endpoint == 'list_json' else '-' + args.endpoint}.txt"
    target.write_text(text)
    print(f"  wrote {target}", flush=True)
    write_json(args.out, {"timings_us": timings, "n": n, "file": str(target)})


if __name__ == "__main__":
    main()
