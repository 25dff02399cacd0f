"""Message times: UUID1 clock values, exact decimals, and ``since`` parsing.

A message's time is an integer count of 100 ns units since the Unix epoch:
the resolution of a UUID1's clock. On the wire it is a decimal number of
seconds with exactly seven decimals (``1323973966.2826370``), built as a
``Decimal`` so the JSON renderer writes it digit for digit.
"""

from __future__ import annotations

import re
import time
import uuid
from decimal import Decimal

__all__ = [
    "UNITS_PER_SECOND",
    "from_uuid1",
    "now_units",
    "parse_seconds",
    "to_decimal",
]

UNITS_PER_SECOND = 10_000_000
# 100 ns intervals between the UUID epoch (1582-10-15) and the Unix epoch.
_UUID_EPOCH_OFFSET = 0x01B21DD213814000
# The largest value a BIGINT column holds: later `since` values are clamped.
_MAX_UNITS = 2**63 - 1
_SECONDS = re.compile(r"([0-9]{1,15})(?:\.([0-9]{1,30}))?")


def from_uuid1(value: uuid.UUID) -> int:
    """The time of a version-1 UUID, in 100 ns units since the Unix epoch."""
    return value.time - _UUID_EPOCH_OFFSET


def now_units() -> int:
    return time.time_ns() // 100


class Seconds(Decimal):
    """A Decimal that always prints positionally: ``0.0000001``, never ``1E-7``."""

    def __str__(self) -> str:
        return format(self, "f")


def to_decimal(units: int) -> Decimal:
    """Seconds with exactly seven decimals, e.g. ``Decimal("1323973966.2826370")``."""
    seconds, rest = divmod(units, UNITS_PER_SECOND)
    return Seconds(f"{seconds}.{rest:07d}")


def parse_seconds(text: str) -> int | None:
    """``"1323973966.2826370"`` as units, or ``None`` when it is not such a number.

    Parsed as text, never through a float. Digits past the seventh decimal
    round up, so an inclusive ``since`` never takes in an earlier message.
    """
    match = _SECONDS.fullmatch(text.strip())
    if match is None:
        return None
    whole, fraction = match.group(1), match.group(2) or ""
    units = int(whole) * UNITS_PER_SECOND + int((fraction[:7]).ljust(7, "0"))
    if fraction[7:].strip("0"):
        units += 1
    return min(units, _MAX_UNITS)
