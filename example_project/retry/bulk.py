"""Updating many rows, each to values of its own, in one round trip.

Django's ``bulk_update`` writes one ``CASE WHEN`` per field per row and cannot
add a condition per row (the worker's "only if this claim is still held").
Here PostgreSQL gets one ``UPDATE ... FROM (VALUES ...)``; other databases
(SQLite) one statement run for every row with ``executemany``, which loops in
the driver, not in Python, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

__all__ = ["update_many"]


def update_many(
    model: type[Model],
    match: Sequence[str],
    assign: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    constants: Mapping[str, Any] | None = None,
    only_if: Mapping[str, Any] | None = None,
) -> None:
    """Update ``model``'s rows: each of ``rows`` is the values of ``match`` then of ``assign``.

    A row is changed only where every ``match`` field equals its value and
    every ``only_if`` field its value; ``assign`` fields take the row's
    values and ``constants`` fields the same value everywhere. Values are
    Python values, prepared as the fields prepare them.
    """
    if not rows:
        return
    constants, only_if = constants or {}, only_if or {}
    opts = model._meta
    quote = connection.ops.quote_name
    fields = [opts.get_field(name) for name in (*match, *assign)]
    prepared = [
        [field.get_db_prep_value(value, connection) for field, value in zip(fields, row, strict=True)]  # type: ignore[union-attr]
        for row in rows
    ]
    setting = [(quote(opts.get_field(name).column), value) for name, value in constants.items()]
    setting_params = [opts.get_field(name).get_db_prep_value(value, connection) for name, value in constants.items()]  # type: ignore[union-attr]
    conditions = [quote(opts.get_field(name).column) for name in only_if]
    condition_params = [opts.get_field(name).get_db_prep_value(value, connection) for name, value in only_if.items()]  # type: ignore[union-attr]
    table = quote(opts.db_table)
    columns = [quote(field.column) for field in fields]  # type: ignore[union-attr]
    matched, assigned = columns[: len(match)], columns[len(match) :]

    if connection.vendor == "postgresql":
        # Casts give the VALUES columns their types (parameters arrive untyped).
        casts = [field.cast_db_type(connection) for field in fields]  # type: ignore[union-attr]
        row_sql = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
        sets = [f"{column} = v.{column}" for column in assigned] + [f"{column} = %s" for column, _ in setting]
        where = [f"{table}.{column} = v.{column}" for column in matched] + [f"{table}.{c} = %s" for c in conditions]
        sql = (
            f"UPDATE {table} SET {', '.join(sets)} FROM (VALUES {', '.join([row_sql] * len(prepared))})"
            f" AS v ({', '.join(columns)}) WHERE {' AND '.join(where)}"
        )
        params = [*setting_params, *(value for row in prepared for value in row), *condition_params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return

    sets = [f"{column} = %s" for column in assigned] + [f"{column} = %s" for column, _ in setting]
    where = [f"{column} = %s" for column in (*matched, *conditions)]
    sql = f"UPDATE {table} SET {', '.join(sets)} WHERE {' AND '.join(where)}"
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [[*row[len(match) :], *setting_params, *row[: len(match)], *condition_params] for row in prepared],
        )
