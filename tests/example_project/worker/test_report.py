"""The lines ``runworker`` prints, as an operator reads them."""

from __future__ import annotations

import datetime

import pytest

from worker.registry import Registration
from worker.report import Columns, duration, status_line, summary_line
from worker.status import Backlog, Progress

NOW = datetime.datetime(2026, 12, 2, 10, 40, 1, tzinfo=datetime.timezone.utc)


def _ago(seconds: float) -> datetime.datetime:
    return NOW - datetime.timedelta(seconds=seconds)


def _registration(verb: str) -> Registration:
    return Registration(factory=Progress, backlog=lambda: Backlog(0, 0, None), verb=verb)


#: The three services side by side: their columns line up.
COLUMNS = Columns.fitting({"retry": _registration("sent"), "datarouter": _registration("delivered"),
                           "queuey": _registration("purged")})


@pytest.mark.parametrize(("name", "verb", "progress", "per_second", "backlog", "line"), [
    ("retry", "sent", Progress(412, 9), 987.4, Backlog(3120, 500, _ago(0.8)),
     "retry       in flight   412  sent        987/s  due   3 120  leased   500  oldest 0.8 s late"),
    ("datarouter", "delivered", Progress(40, 0), 212, Backlog(0, 40, None),
     "datarouter  in flight    40  delivered   212/s  due       0  leased    40"),
    ("queuey", "purged", Progress(1000, 0), 0.44, Backlog(1_234_567, 0, _ago(600)),
     "queuey      in flight 1 000  purged      0.4/s  due 1 234 567  leased     0  oldest 10 min late"),
    ("queuey", "purged", Progress(0, 0), 0, OSError("connection refused\nis the server running?"),
     "queuey      in flight     0  purged        0/s  backlog unavailable (OSError: connection refused)"),
    ("retry", "sent", Progress(0, 0), 12_000.4, TimeoutError(),
     "retry       in flight     0  sent      12 000/s  backlog unavailable (TimeoutError)"),
])
def test_status_lines(name: str, verb: str, progress: Progress, per_second: float,
                      backlog: Backlog | BaseException, line: str) -> None:
    assert status_line(name, verb, progress, per_second, backlog, NOW, COLUMNS) == line


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0.0 s"), (0.84, "0.8 s"), (9.94, "9.9 s"), (42.4, "42 s"), (119, "119 s"),
    (120, "2 min"), (3599, "60 min"), (7199, "120 min"), (7200, "2.0 h"), (90_000, "25.0 h"),
])
def test_durations(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_summary_lines() -> None:
    assert summary_line("queuey", "purged", 25, 0.3) == "queuey      purged 25 in 0.3 s (83/s)"
    assert summary_line("retry", "sent", 0, 0) == "retry       sent 0 in 0.0 s (0/s)"
    assert summary_line("datarouter", "delivered", 12_345, 600, COLUMNS) == "datarouter  delivered 12 345 in 10 min (21/s)"
    assert summary_line("queuey", "purged", 100_000, 2.4) == "queuey      purged 100 000 in 2.4 s (41 667/s)"


def test_columns_fit_long_names_and_verbs() -> None:
    columns = Columns.fitting({"a-very-long-loop": _registration("acknowledged")})
    assert (columns.name, columns.verb) == (16, 12)
    assert Columns.fitting({}) == Columns()
