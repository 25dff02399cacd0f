#!/usr/bin/env python3
"""Run webapi_kit's benchmarks: ``python benchmarks/run.py [--quick] [--only PART]``.

This script needs only the standard library. It builds two virtualenvs
under ``benchmarks/.work/`` (once; re-run when the pins below change),
runs each part inside them, and writes ``benchmarks/results/latest.md`` plus
a timestamped copy:

* ``dj52``: Django 5.2, webapi_kit (editable, from this repository), Django
  REST framework, tastypie, gunicorn, orjson;
* ``dj42``: Django 4.2 and djblets 6.1 (which pins Django 4.2), with the
  same frameworks again so the djblets column is compared with the plain
  view of the same environment.

Parts: ``inprocess`` (django.test.Client), ``http`` (gunicorn + wrk),
``services`` (the example project's retry, queuey and datarouter, with
their workers; on SQLite, and on PostgreSQL too when ``DATABASE_URL`` names
a PostgreSQL server: the run creates and drops a database of its own there) and
``profile`` (cProfile / pyinstrument of webapi_kit's list of 25, JSON and
XML, written to ``results/profile-webapi_kit.txt`` and
``results/profile-webapi_kit-list_xml.txt``).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
RESULTS = HERE / "results"

COMMON = [
    "djangorestframework>=3.15,<4",
    "djangorestframework-xml>=2,<3",
    "django-tastypie>=0.14.7,<0.16",
    "defusedxml",  # tastypie's XML serializer requires it
    "gunicorn>=22",
    "orjson>=3.9,<4",
    "dj-database-url",
    "pyinstrument",
]
ENVS: dict[str, list[str]] = {
    # The services part runs the example project with its own requirements (aiohttp, psycopg, whitenoise...).
    "dj52": ["Django>=5.2,<5.3", *COMMON, "psutil", "-r", str(REPO / "requirements" / "example.txt")],
    "dj42": ["Django>=4.2,<4.3", "djblets==6.1", *COMMON],
}
PARTS = ("inprocess", "http", "services", "profile")


def log(msg: str) -> None:
    print(f"[bench {datetime.datetime.now():%H:%M:%S}] {msg}", flush=True)


def env_python(name: str) -> Path:
    return WORK / name / "bin" / "python"


def ensure_env(name: str) -> Path:
    """Create (or refresh, when the pins changed) one virtualenv; return its python."""
    pins = ENVS[name]
    # A requirements file's contents count as pins too.
    files = [Path(pins[i + 1]).read_text() for i, pin in enumerate(pins) if pin == "-r"]
    stamp_value = hashlib.sha256(json.dumps([pins, files, sys.version]).encode()).hexdigest()
    target = WORK / name
    stamp = target / ".bench-stamp"
    python = env_python(name)
    if stamp.exists() and stamp.read_text() == stamp_value and python.exists():
        return python
    log(f"creating virtualenv {target} ({len(pins)} requirements)")
    venv.EnvBuilder(with_pip=True, clear=True).create(target)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, *pins], check=True)
    # webapi_kit itself, editable, with the other pins held (djblets pins Django 4.2).
    subprocess.run([*pip, "--no-deps", "-e", str(REPO)], check=True)
    subprocess.run([*pip, "lxml>=5,<7"], check=True)
    stamp.write_text(stamp_value)
    return python


def run_part(python: Path, module: str, args: list[str], env_extra: dict[str, str] | None = None) -> dict:
    """Run ``benchmarks/<module>.py`` in a virtualenv; it writes JSON to the file we name."""
    out = WORK / f"{module}-{python.parent.parent.name}-{os.getpid()}.json"
    env = dict(os.environ, PYTHONPATH=str(HERE) + os.pathsep + str(REPO), PYTHONDONTWRITEBYTECODE="1")
    env.update(env_extra or {})
    done = subprocess.run([str(python), str(HERE / f"{module}.py"), "--out", str(out), *args], env=env, cwd=HERE)
    if done.returncode != 0 or not out.exists():
        # Keep going: one broken part must not lose the others' results.
        log(f"{module} failed (exit {done.returncode}); see the output above")
        return {"error": f"{module}.py exited with status {done.returncode}"}
    data = json.loads(out.read_text())
    out.unlink()
    return data


def service_databases() -> dict[str, str]:
    """The databases the service part runs on: SQLite, and the server ``DATABASE_URL`` names, if PostgreSQL."""
    databases = {"services": "sqlite"}
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        databases["services_postgresql"] = url
    return databases


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_state() -> str:
    """The checkout's commit, and whether webapi_kit has uncommitted changes (read-only git)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "webapi_kit"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}{' + uncommitted changes in webapi_kit/' if dirty else ''}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer requests and shorter runs (a couple of minutes)")
    parser.add_argument("--only", choices=PARTS, action="append", help="run only this part (repeatable)")
    parser.add_argument("--setup-only", action="store_true", help="build the virtualenvs and stop")
    parser.add_argument("--env", choices=sorted(ENVS), action="append", help="only these environments")
    args = parser.parse_args()
    parts = args.only or list(PARTS)
    env_names = args.env or list(ENVS)

    WORK.mkdir(exist_ok=True)
    pythons = {name: ensure_env(name) for name in env_names}
    if args.setup_only:
        return 0

    from report import render_report  # noqa: PLC0415 - stdlib-only module next to this one

    mode = ["--quick"] if args.quick else []
    results: dict = {
        "started": datetime.datetime.now().isoformat(timespec="seconds"),
        "quick": args.quick,
        "git": git_state(),
        "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "platform": platform.platform(),
                    "load_start": loadavg()},
        "envs": {},
        "minutes": {},
    }
    for name, python in pythons.items():
        env_result: dict = {}
        results["envs"][name] = env_result

        def timed(key: str, module: str, args: list[str], env_extra: dict[str, str] | None = None) -> None:
            started = time.monotonic()
            env_result[key] = run_part(python, module, args, env_extra)
            results["minutes"][f"{name} {key}"] = round((time.monotonic() - started) / 60, 1)

        if "inprocess" in parts:
            log(f"{name}: in-process benchmark")
            timed("inprocess", "inprocess", mode)
            if name == "dj52":
                log(f"{name}: in-process, webapi_kit with orjson hidden")
                timed("inprocess_no_orjson", "inprocess", [*mode, "--frameworks", "plain,webapi_kit"],
                      {"BENCH_HIDE_ORJSON": "1"})
        if "http" in parts:
            log(f"{name}: HTTP benchmark (gunicorn + wrk)")
            timed("http", "http_bench", mode)
        if "profile" in parts and name == "dj52":
            log(f"{name}: profiling webapi_kit's list of 25 (JSON)")
            timed("profile", "profile_webapi_kit", mode)
            log(f"{name}: profiling webapi_kit's list of 25 (XML)")
            timed("profile_xml", "profile_webapi_kit", [*mode, "--endpoint", "list_xml"])
        if "services" in parts and name == "dj52":
            for key, database in service_databases().items():
                log(f"{name}: service benchmarks ({database.split('://')[0]})")
                # queuey's million-message fill is measured on SQLite only, to keep the run short.
                only = [] if database == "sqlite" else ["--only", "workers", "--only", "retry", "--only", "datarouter"]
                timed(key, "services", [*mode, "--database", database, *only])
    results["finished"] = datetime.datetime.now().isoformat(timespec="seconds")
    results["machine"]["load_end"] = loadavg()

    text = render_report(results)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    (WORK / f"{stamp}.json").write_text(json.dumps(results, indent=1))
    print(text)
    if args.quick or args.only or args.env:
        # A partial run must not stand in for the committed table.
        (WORK / f"{stamp}.md").write_text(text)
        log(f"partial run: wrote {WORK / (stamp + '.md')} (results/ left as it was)")
        return 0
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.md").write_text(text)
    (RESULTS / f"{stamp}.md").write_text(text)
    log(f"wrote {RESULTS / 'latest.md'} and {RESULTS / (stamp + '.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
