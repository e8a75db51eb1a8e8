"""Import benchmark: a synthetic SSDA903 return into SQLite and PostgreSQL, rows per second.

    .venv/bin/python benchmarks/import_bench.py [--children 100000] [--postgres URL]

Targets (issue 4): an authority of 2,000 children under 3 s; the national file (100,000 children,
about 1,000,000 reviews) under 60 s. Synthetic data only, generated here with polars.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.importers import collect, parse_files
from services.importers import problems as pb
from services.importers.writer import import_parsed
from services.persistence.database import make_engine, migrate, reset_schema


def synthetic_903(folder: Path, children: int, reviews_per_child: int = 10, seed: int = 1) -> None:
    """Header, Episodes (2 per child: S then X1 -> open) and Reviews (every ~5 months)."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = pl.int_range(children, eager=True).alias("i")
    base = pl.DataFrame(ids).with_columns(
        pl.format("C{}", pl.col("i")).alias("CHILD"),
        (pl.lit(dt.date(2008, 1, 1)) + pl.duration(days=(pl.col("i") * 37) % 3650)).alias("dob"),
        (pl.lit(dt.date(2019, 1, 1)) + pl.duration(days=(pl.col("i") * 13) % 700)).alias("start"),
    )
    dmy = "%d/%m/%Y"
    base.select(
        "CHILD",
        pl.lit("1").alias("SEX"),
        pl.col("dob").dt.strftime(dmy).alias("DOB"),
        pl.lit("WBRI").alias("ETHNIC"),
        pl.lit(None, pl.String).alias("UPN"),
        pl.lit(None, pl.String).alias("MOTHER"),
        pl.lit(None, pl.String).alias("MC_DOB"),
    ).write_csv(folder / "header.csv")
    second = pl.col("start") + pl.duration(days=120)
    first = base.select(
        "CHILD",
        pl.col("start").dt.strftime(dmy).alias("DECOM"),
        pl.lit("S").alias("RNE"),
        pl.lit("C2").alias("LS"),
        pl.lit("N1").alias("CIN"),
        pl.lit("U4").alias("PLACE"),
        pl.lit("PR1").alias("PLACE_PROVIDER"),
        second.dt.strftime(dmy).alias("DEC"),
        pl.lit("X1").alias("REC"),
    )
    nxt = base.select(
        "CHILD",
        second.dt.strftime(dmy).alias("DECOM"),
        pl.lit("L").alias("RNE"),
        pl.lit("E1").alias("LS"),
        pl.lit("N1").alias("CIN"),
        pl.lit("U4").alias("PLACE"),
        pl.lit("PR1").alias("PLACE_PROVIDER"),
        pl.lit(None, pl.String).alias("DEC"),
        pl.lit(None, pl.String).alias("REC"),
    )
    extra = {c: pl.lit(None, pl.String).alias(c) for c in ("REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN")}
    pl.concat([first, nxt]).with_columns(**extra).write_csv(folder / "episodes.csv")
    n = pl.DataFrame({"k": list(range(reviews_per_child))})
    base.join(n, how="cross").select(
        "CHILD",
        pl.col("dob").dt.strftime(dmy).alias("DOB"),
        (pl.col("start") + pl.duration(days=20 + pl.col("k") * 150)).dt.strftime(dmy).alias("REVIEW"),
        pl.lit("PN1").alias("REVIEW_CODE"),
    ).write_csv(folder / "reviews.csv")


def run(label: str, url: str, folder: Path, reset: bool) -> None:
    engine = make_engine(url)
    if reset:
        reset_schema(engine)
    else:
        migrate(engine)
    t0 = time.perf_counter()
    parsed = parse_files(collect(folder))
    t1 = time.perf_counter()
    assert not parsed.has_errors, pb.summary(parsed.problems)
    result = import_parsed(engine, parsed, "benchmark")
    t2 = time.perf_counter()
    rows = int(result.counts["added"].sum())
    again = import_parsed(engine, parse_files(collect(folder)), "benchmark", dry_run=True)
    t3 = time.perf_counter()
    assert int(again.counts["added"].sum()) == 0
    print(
        f"{label:<34} rows {rows:>9,}  parse+validate {t1 - t0:6.2f}s  write {t2 - t1:6.2f}s  "
        f"total {t2 - t0:6.2f}s  {rows / (t2 - t0):>10,.0f} rows/s   re-import dry run {t3 - t2:5.2f}s"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--postgres", help="PostgreSQL URL (its schema is reset!)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        for n in (2_000, args.children):
            folder = tmp_path / f"903_{n}"
            synthetic_903(folder, n)
            run(f"SQLite      {n:>7,} children", f"sqlite:///{tmp_path / f'bench_{n}.db'}", folder, reset=False)
            if args.postgres:
                run(f"PostgreSQL  {n:>7,} children", args.postgres, folder, reset=True)


if __name__ == "__main__":
    main()
