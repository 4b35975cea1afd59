"""Hundreds to hundreds of thousands of rows written without SQLAlchemy's per-row work:
COPY on PostgreSQL, one driver executemany elsewhere; ids taken from the table's sequence
in one query; a column of many rows set from two arrays in one UPDATE.

Measured in the issuing of a 500-award decision (bench/decision_list.py): the ORM's
multi-row `INSERT … RETURNING` of ~330 people and the `UPDATE … CASE` of 400 nominees
cost more in statement building and parameter conversion than in the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session


def bulk_insert(s: Session, table: str, rows: Sequence[Mapping[str, object]]) -> None:
    """One executemany straight to the driver: 100 000 rows without SQLAlchemy's per-row
    parameter processing (which cost more than the inserts). Dates and times as the
    SQLite dialect stores them; PostgreSQL's driver takes them as they are."""
    if not rows:
        return
    conn = s.connection()
    on_sqlite = conn.dialect.name == "sqlite"
    cols = list(rows[0])
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(f'"{c}"' for c in cols)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join([mark] * len(cols))})"

    if conn.dialect.name == "postgresql":
        # COPY: a tenth of the time of a pipelined executemany, in the same transaction.
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(tuple(r[c] for c in cols))
        return
    if not on_sqlite:
        conn.exec_driver_sql(sql, [tuple(r[c] for c in cols) for r in rows])
        return
    memo: dict[object, str] = {}  # the same few dates over thousands of rows

    def value(v: object) -> object:
        if not isinstance(v, date):
            return v
        shown = memo.get(v)
        if shown is None:
            shown = memo[v] = (
                v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v.isoformat()
            )
        return shown

    conn.exec_driver_sql(sql, [tuple(value(r[c]) for c in cols) for r in rows])


def new_ids(s: Session, table: str, n: int) -> list[int] | None:
    """`n` fresh ids from `table`'s id sequence (PostgreSQL), in one query, for rows then
    written with `bulk_insert`; None elsewhere (the caller inserts with RETURNING)."""
    if n <= 0:
        return []
    conn = s.connection()
    if conn.dialect.name != "postgresql":
        return None
    return list(
        s.scalars(
            text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
            ),
            {"table": table, "n": n},
        )
    )


def insert_returning_ids(s: Session, model: Any, rows: Sequence[Mapping[str, object]]) -> list[int]:
    """Insert `rows` into `model`'s table; their new ids, in the rows' order. PostgreSQL:
    the ids from the sequence, then one COPY; elsewhere one multi-row INSERT … RETURNING."""
    table = model.__tablename__
    ids = new_ids(s, table, len(rows))
    if ids is None:
        return list(
            s.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows)
        )
    bulk_insert(s, table, [{"id": i, **r} for i, r in zip(ids, rows, strict=True)])
    return ids


def set_column(s: Session, table: str, column: str, pairs: Sequence[tuple[object, object]]) -> bool:
    """`table.column` set per row id from `(id, value)` pairs in one UPDATE joined to two
    arrays (PostgreSQL); False elsewhere (the caller updates its own way). `table` and
    `column` are our own names, never input."""
    conn = s.connection()
    if conn.dialect.name != "postgresql":
        return False
    if pairs:
        s.execute(
            text(
                f'UPDATE {table} SET "{column}" = v.value '
                "FROM unnest(CAST(:ids AS bigint[]), CAST(:values AS bigint[])) AS v(id, value) "
                f"WHERE {table}.id = v.id"
            ),
            {"ids": [i for i, _ in pairs], "values": [v for _, v in pairs]},
        )
    return True
