"""Whole-table reads as Arrow from PostgreSQL, for the caseload the dashboard caches per data
version: adbc-driver-postgresql (libpq's binary COPY straight into Arrow columns) instead of a
Python object per value through SQLAlchemy (benchmarks/caseload_read.py measures both).
One connection per read, opened from the engine's URL and closed after it: the read happens once
per data version, so a pool would only hold a connection idle.

SQLite is read through SQLAlchemy rows (its C date processors are as fast as any other path
measured). Not ADBC's SQLite driver: it links a second copy of the SQLite library into the
process, and two copies in one process do not see each other's locks (a WAL database was read
stale here, and SQLite's "How To Corrupt" lists it as a way to corrupt a database).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
from sqlalchemy import Engine

Reader = Callable[[list[str]], list[pl.DataFrame]]


def reader(engine: Engine) -> Reader | None:
    """A function reading a list of SQL selects (one transaction) as frames, or None when the
    database is not PostgreSQL."""
    if engine.url.get_backend_name() != "postgresql":
        return None
    import adbc_driver_postgresql.dbapi as driver

    target = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def read(sqls: list[str]) -> list[pl.DataFrame]:
        with driver.connect(target) as conn, conn.cursor() as cur:
            out = []
            for sql in sqls:
                cur.execute(sql)
                out.append(pl.from_arrow(cur.fetch_arrow_table()))
            conn.rollback()  # read only: end the transaction ADBC opened
            return out  # type: ignore[return-value]

    return read


def typed(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """`frame`'s columns, by position, named and cast as `schema` says (int4 ids to Int64)."""
    frame = frame.rename(dict(zip(frame.columns, schema, strict=True)))
    return frame.select(pl.col(name).cast(dtype) for name, dtype in schema.items())
