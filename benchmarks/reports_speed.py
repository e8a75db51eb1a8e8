"""Reports speed (issue 15): server time of the Reports figures and of a Reports page rerun for a
2,000-child authority over 12 months.

    .venv/bin/python benchmarks/reports_speed.py [--children 2000] [--runs 10]

The caseload is benchmarks/schedule.py's `synthetic_caseload(n)`, given what a council's Midway
holds beyond it (teams, named IROs, participation codes, closed escalations, checklist answers on
the midway checks). Times:
- figures cold: the engine on the period end and every figure, first call in the process;
- figures warm: every figure again on the engine result the page caches (a new filter or period);
- workbook and PDF: built on click only (deferred downloads), shown for scale;
- page: an AppTest run of the Reports page, cold (empty caches) then warm reruns (what a click that
  changes nothing, or a filter already seen, costs). AppTest runs the script in-process, so these
  are server times. The page reads the synthetic caseload instead of a database (the data layer's
  cached readers are swapped for it; the empty migrated SQLite file still answers the rest).
Target: warm rerun under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from benchmarks.schedule import AS_OF, synthetic_caseload  # noqa: E402
from benchmarks.timing import ms  # noqa: E402
from services.engine.caseload import Caseload, conform  # noqa: E402

TARGET_MS = 300
ITEMS = (
    "statutory",
    "permanence",
    "care_plan_updated",
    "direct_work",
    "parents_involved",
    "drift",
    "management_oversight",
)


def authority(n: int) -> tuple[Caseload, pl.DataFrame]:
    """The synthetic caseload with teams, named IROs, participation codes and closed escalations, and
    checklist answers for its midway checks (as services.persistence.report_facts returns them)."""
    rng = np.random.default_rng(7)
    cl = synthetic_caseload(n)
    iro = cl.allocations.with_columns(pl.concat_str(pl.lit("IRO "), pl.col("staff_code").str.slice(3)).alias("name"))
    teams = iro.with_columns(
        pl.lit("team").alias("role"),
        pl.lit(None, dtype=pl.String).alias("staff_code"),
        pl.concat_str(pl.lit("Team "), (pl.col("staff_code").str.slice(3).cast(pl.Int64) // 4).cast(pl.String)).alias(
            "name"
        ),
    )
    codes = np.array(["PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"])
    reviews = cl.reviews.with_columns(pl.Series("participation_code", codes[rng.integers(0, 8, cl.reviews.height)]))
    esc = cl.escalations
    closed = rng.random(esc.height) < 0.6
    esc = esc.with_columns(
        pl.when(pl.Series(closed)).then(pl.col("stage_started") + pl.duration(days=15)).alias("resolved_date"),
        pl.when(pl.Series(closed)).then(pl.lit("resolved")).alias("outcome"),
        pl.Series(
            "category",
            np.array(["plan_delay", "plan_disagreement", "statutory_functions"])[rng.integers(0, 3, esc.height)],
        ),
    )
    cl = replace(
        cl,
        allocations=conform("allocations", pl.concat([iro, teams])).sort("child_id", "role", "from_date"),
        reviews=conform("reviews", reviews),
        escalations=conform("escalations", esc),
    )
    checks = cl.midway_checks.select("check_id", "child_id", "check_date")
    answers = checks.join(pl.DataFrame({"item": list(ITEMS)}), how="cross").with_columns(
        pl.Series("answer", np.where(rng.random(checks.height * len(ITEMS)) < 0.2, "No", "Yes"))
    )
    return cl, answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)

    from services.engine.compute import compute
    from services.views.reports import Period, ReportInput, Selection, report_figures, report_workbook
    from services.views.reports.pack import build_pack, pack_pdf

    cl, answers = authority(args.children)
    period = Period.twelve_months_to(AS_OF)
    print(
        f"{args.children:,} children, {cl.reviews.height:,} reviews, {answers.height:,} checklist answers; "
        f"period {period.describe()}"
    )

    holder: dict = {}

    def cold() -> None:
        holder["inp"] = ReportInput(compute(cl, AS_OF), cl, answers, None, None)
        holder["figs"] = report_figures(holder["inp"], period, Selection())

    print(f"figures cold (engine + every figure): {ms(cold):7.1f} ms")
    inp, figs = holder["inp"], holder["figs"]
    warm = [ms(lambda: report_figures(inp, period, Selection())) for _ in range(args.runs)]
    print(f"figures warm (engine result reused), median of {args.runs}: {statistics.median(warm):7.1f} ms")
    team = inp.result.children["iro"].drop_nulls().sort()[0]
    one = [ms(lambda: report_figures(inp, period, Selection(iro=team))) for _ in range(args.runs)]
    print(f"figures warm for one IRO, median: {statistics.median(one):7.1f} ms")
    print(f"workbook (on click): {ms(lambda: report_workbook(figs, [('Period', period.describe())])):7.1f} ms")
    sel = Selection(iro=team)
    pack = build_pack(report_figures(inp, period, sel), inp.result, cl, period, sel)
    print(f"supervision pack PDF (on click): {ms(lambda: pack_pdf(pack)):7.1f} ms")

    # --- the page, through AppTest --------------------------------------------------------------------
    tmp = tempfile.mkdtemp(prefix="midway-reports-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
    from services.persistence import database as db

    db.migrate(db.make_engine(os.environ["DATABASE_URL"]))
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ui import report_cache, results

    results.caseload = lambda version: cl  # the synthetic caseload instead of the database
    results.is_empty = lambda version: False
    fte = pl.DataFrame(schema={"iro_code": pl.String, "fte": pl.Float64})
    formal = pl.DataFrame(schema={"escalation_id": pl.Int64, "formal_started": pl.Date})
    report_cache._facts = lambda version: (answers, formal, fte)
    st.cache_data.clear()

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["as_of"] = AS_OF.isoformat()
    at.run()
    t = time.perf_counter()
    at.switch_page("app_pages/reports.py").run()
    page_cold = (time.perf_counter() - t) * 1000
    if at.exception:
        print("page raised:", [e.value for e in at.exception])
        return 1
    print(f"page cold (engine, figures, charts): {page_cold:7.1f} ms")
    reruns = [ms(at.run) for _ in range(args.runs)]
    med = statistics.median(reruns)
    print(f"page warm rerun, median of {args.runs}: {med:7.1f} ms (min {min(reruns):.1f}, max {max(reruns):.1f})")
    t = time.perf_counter()
    at.selectbox(key="iro").select(team).run()
    print(f"page rerun after an IRO filter change (figures recomputed): {(time.perf_counter() - t) * 1000:7.1f} ms")
    print(f"target: warm rerun < {TARGET_MS} ms: {'met' if med < TARGET_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
