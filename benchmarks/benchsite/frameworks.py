"""Which frameworks the benchmark knows, and which this environment has."""

from __future__ import annotations

import importlib.util
import os

#: In table order; ``plain`` is the floor every ratio is taken against.
ALL = ("plain", "webapi_kit", "drf", "tastypie", "djblets")
_MODULES = {"webapi_kit": "webapi_kit", "drf": "rest_framework", "tastypie": "tastypie", "djblets": "djblets"}


def available() -> list[str]:
    return [name for name in ALL if name not in _MODULES or importlib.util.find_spec(_MODULES[name]) is not None]


def selected_frameworks() -> list[str]:
    wanted = os.environ.get("BENCH_FRAMEWORKS")
    have = available()
    if not wanted:
        return have
    names = [name.strip() for name in wanted.split(",") if name.strip()]
    missing = [name for name in names if name not in have]
    if missing:
        raise RuntimeError(f"not installed in this environment: {', '.join(missing)}")
    return names
