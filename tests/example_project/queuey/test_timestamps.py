"""Exact 100 ns times: UUID1 clocks, seven-decimal Decimals, `since` text."""

from __future__ import annotations

import json
import re
import time
import uuid
from decimal import Decimal

import pytest

from queuey.timestamps import UNITS_PER_SECOND, from_uuid1, parse_seconds, to_decimal
from webapi_kit.renderers import JSONRenderer


def _uuid1_at(units: int) -> uuid.UUID:
    clock = units + 0x01B21DD213814000
    return uuid.UUID(
        fields=(clock & 0xFFFFFFFF, (clock >> 32) & 0xFFFF, ((clock >> 48) & 0x0FFF) | 0x1000, 0x80, 0, 0x002500F0FA7C)
    )


def test_uuid1_time_is_100ns_since_the_unix_epoch() -> None:
    assert to_decimal(from_uuid1(_uuid1_at(13239739662826370))) == Decimal("1323973966.2826370")


def test_a_fresh_uuid1_is_now() -> None:
    before = time.time_ns() // 100
    units = from_uuid1(uuid.uuid1())
    assert before - UNITS_PER_SECOND < units < time.time_ns() // 100 + UNITS_PER_SECOND


@pytest.mark.parametrize(
    ("units", "text"),
    [(13239739662826370, "1323973966.2826370"), (0, "0.0000000"), (UNITS_PER_SECOND, "1.0000000"), (1, "0.0000001")],
)
def test_to_decimal_always_has_seven_decimals(units: int, text: str) -> None:
    assert str(to_decimal(units)) == text
    rendered = JSONRenderer().render({"t": to_decimal(units)})
    # Digit for digit, whichever separators the encoder in use writes ("," / ": " or ":").
    assert re.fullmatch(rb'\{"t": ?' + re.escape(text.encode()) + rb"\}", rendered), rendered
    assert json.loads(rendered, parse_float=Decimal) == {"t": Decimal(text)}


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("1323973966.2826370", 13239739662826370),
        ("1323973966.282637", 13239739662826370),
        ("1323973966", 13239739660000000),
        ("1323973966.28263701", 13239739662826371),  # beyond 100 ns rounds up: stays inclusive
        (" 1.5 ", 15000000),
    ],
)
def test_parse_seconds_is_exact(text: str, units: int) -> None:
    assert parse_seconds(text) == units


@pytest.mark.parametrize("text", ["", "abc", "-1", "1e5", "NaN", "1.2.3", "0x10"])
def test_parse_seconds_refuses_what_is_not_seconds(text: str) -> None:
    assert parse_seconds(text) is None


def test_parse_seconds_clamps_far_future_to_bigint() -> None:
    assert parse_seconds("999999999999999.9") == 2**63 - 1
