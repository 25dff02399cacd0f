"""Hypothesis profiles, the world every example starts from, and the request count.

``FUZZ_PROFILE=ci`` (the default) is bounded and derandomized, so CI runs
the same examples every time in a few minutes; ``FUZZ_PROFILE=deep`` runs
many more, random ones (``FUZZ_EXAMPLES`` overrides the count of either).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

from .delivery import Recorder
from .harness import ANSWERED, SENT
from .world import World, build

_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
           HealthCheck.filter_too_much]
# No "explain" phase: it reruns a failing example hundreds of times to annotate it.
# CI does not shrink either: a failure already shows its request and response,
# and shrinking one can take minutes; the deep profile shrinks.
_CI_PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target)
_DEEP_PHASES = (*_CI_PHASES, Phase.shrink)

settings.register_profile("ci", max_examples=int(os.environ.get("FUZZ_EXAMPLES", 150)), deadline=None,
                          derandomize=True, database=None, suppress_health_check=_HEALTH, print_blob=True,
                          phases=_CI_PHASES)
settings.register_profile("deep", max_examples=int(os.environ.get("FUZZ_EXAMPLES", 3000)), deadline=None,
                          derandomize=False, suppress_health_check=_HEALTH, print_blob=True, phases=_DEEP_PHASES)
settings.load_profile(os.environ.get("FUZZ_PROFILE", "ci"))


def examples(weight: float) -> int:
    """This test's share of examples: ``weight`` times the profile's count."""
    return max(1, int(settings.default.max_examples * weight))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SENT:
        detail = ", ".join(f"{surface} {count}" for surface, count in sorted(SENT.items()))
        profile = os.environ.get("FUZZ_PROFILE", "ci")
        terminalreporter.write_line(f"fuzz ({profile} profile): {sum(SENT.values())} requests sent ({detail})")
        statuses = ", ".join(f"{key} {count}" for key, count in sorted(ANSWERED.items()))
        terminalreporter.write_line(f"fuzz answers checked: {statuses}")


@pytest.fixture(scope="session")
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    yield server
    server.close()


@pytest.fixture
def world(db: Any, recorder: Recorder) -> World:
    return build(recorder.url)


@pytest.fixture(autouse=True)
def _quiet_request_log() -> Iterator[None]:
    # Thousands of expected 4xx warnings would only bury the failures.
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)
