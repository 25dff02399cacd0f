"""Helpers shared by the parts that run inside the benchmark virtualenvs."""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def setup_django(frameworks: str | None = None) -> None:
    """Configure the benchmark site (optionally only some frameworks) and prepare its database."""
    if frameworks:
        os.environ["BENCH_FRAMEWORKS"] = frameworks
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
    sys.path.insert(0, str(HERE))
    import django

    django.setup()
    from benchsite import db

    db.prepare()


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so ``finally`` blocks stop the servers we started."""
    import signal

    def _raise(signum: int, frame: object) -> None:
        raise SystemExit(f"terminated by signal {signum}")

    signal.signal(signal.SIGTERM, _raise)


def versions() -> dict[str, str]:
    """Python and the version of every framework importable here."""
    from importlib import metadata

    found = {"python": sys.version.split()[0]}
    for dist in ("Django", "webapi_kit", "djangorestframework", "djangorestframework-xml", "django-tastypie",
                 "djblets", "gunicorn", "orjson", "lxml"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return found


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def write_json(path: str, data: Any) -> None:
    Path(path).write_text(json.dumps(data, indent=1, sort_keys=True))


def status_kib(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` figure in KiB (``VmRSS``, ``VmHWM``), 0 when absent."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0
