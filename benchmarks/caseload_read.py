"""Caseload read speed (issue 16): the whole caseload from the database into the engine's frames,
by four readers, against the engine's own time on it.

    .venv/bin/python benchmarks/caseload_read.py [--runs 9] [--postgres URL] [--children 2000]

Readers, each timed on the same selects (services.persistence.caseload's), interleaved run by run
so the machine's load hits them alike:
- ORM session rows: `Session.execute(...).all()` then a polars frame from the rows (what
  load_caseload did before issue 16);
- Core rows: `Connection.execute` rows into polars (`load_caseload(arrow=False)`);
- kept (`load_caseload()`, the default): Arrow from adbc-driver-postgresql; on SQLite, Core rows
  (ADBC's SQLite driver is not safe in this process: services/persistence/arrow_read.py says why);
- connectorx: Arrow from `polars.read_database_uri(engine="connectorx")`, where installed (not a
  dependency; on SQLite it cannot type the NULL column of the team allocations' select).
Also: the engine (services.engine.compute) on the caseload read, and the pickle round trip of
its result (what every `st.cache_data` hit of an engine result costs). Medians and maxima in ms.
The demo goes into a temp SQLite file; the authority is benchmarks/schedule.py's synthetic
caseload, written into --postgres (default postgresql://postgres@127.0.0.1:5432/test_speed_bench,
created if missing and RESET: never point it at real data).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pickle
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402
from sqlalchemy import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from benchmarks.navigation import DEFAULT_PG, prepare_authority, prepare_demo  # noqa: E402
from services.persistence import caseload as reader  # noqa: E402
from services.persistence import database as db  # noqa: E402


def orm_rows(engine: Engine) -> dict[str, pl.DataFrame]:
    """The reader before issue 16: an ORM Session's rows, one Python tuple per row."""
    statements = reader._statements(lambda stmt, _column: stmt)
    with Session(engine) as s:
        return {
            name: pl.DataFrame([tuple(r) for r in s.execute(stmt).all()], schema=schema, orient="row")
            for name, (stmt, schema) in statements.items()
        }


def connectorx_frames(engine: Engine) -> dict[str, pl.DataFrame]:
    from services.persistence.arrow_read import typed

    statements = reader._statements(lambda stmt, _column: stmt)
    url = engine.url.set(drivername=engine.url.get_backend_name()).render_as_string(hide_password=False)
    if url.startswith("sqlite:///"):
        url = "sqlite://" + url.removeprefix("sqlite:///")
    return {
        name: typed(pl.read_database_uri(reader.compiled_sql(engine, stmt), url, engine="connectorx"), schema)
        for name, (stmt, schema) in statements.items()
    }


def readers(engine: Engine) -> dict[str, Callable[[], object]]:
    out: dict[str, Callable[[], object]] = {
        "ORM session rows (before)": lambda: orm_rows(engine),
        "Core rows": lambda: reader.load_caseload(engine, arrow=False),
        "kept (ADBC on PostgreSQL)": lambda: reader.load_caseload(engine),
    }
    try:
        import connectorx  # noqa: F401
    except ImportError:
        return out
    try:
        connectorx_frames(engine)
    except RuntimeError as exc:  # on SQLite: "Cannot infer type from null" (the team rows' NULL code)
        print(f"(connectorx fails here: {exc})")
    else:
        out["connectorx Arrow"] = lambda: connectorx_frames(engine)
    return out


def ms(f: Callable[[], object]) -> float:
    t = time.perf_counter()
    f()
    return (time.perf_counter() - t) * 1000


def bench(label: str, url: str, runs: int) -> None:
    from services.casework.council_settings import stored_policy
    from services.engine.compute import compute

    engine = db.get_engine(url)
    fns = readers(engine)
    times: dict[str, list[float]] = {name: [] for name in fns}
    for f in fns.values():
        f()  # first call: connections, imports
    for _ in range(runs):
        for name, f in fns.items():
            times[name].append(ms(f))
    cl = reader.load_caseload(engine)
    policy = stored_policy(engine).policy
    today = dt.date.today()
    times["engine: compute on today"] = [ms(lambda: compute(cl, today, policy)) for _ in range(runs)]
    result = compute(cl, today, policy)
    blob = pickle.dumps(result)
    times[f"engine result pickle round trip ({len(blob) / 1e6:.1f} MB)"] = [
        ms(lambda: pickle.loads(pickle.dumps(result))) for _ in range(runs)
    ]
    rows = sum(getattr(cl, name).height for name in ("children", "periods", "reviews", "recommendations"))
    print(f"\n{label}: {cl.children.height} children, {rows} rows in the four largest tables; {runs} runs, ms")
    print(f"{'step':<52}{'median':>9}{'max':>9}")
    for name, ts in times.items():
        print(f"{name:<52}{statistics.median(ts):>9.0f}{max(ts):>9.0f}")
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--postgres", default=DEFAULT_PG)
    parser.add_argument("--children", type=int, default=2000)
    args = parser.parse_args(argv)
    load = os.getloadavg()
    print(f"load: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min), {os.cpu_count()} CPUs")
    bench("demo on SQLite", prepare_demo(Path(tempfile.mkdtemp(prefix="midway-read-"))), args.runs)
    if pg := prepare_authority(args.postgres, args.children):
        bench(f"{args.children}-child authority on PostgreSQL", pg, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
