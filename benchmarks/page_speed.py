"""Page speed: server time of a page rerun, measured with AppTest.

    .venv/bin/python benchmarks/page_speed.py [--runs 20]
    .venv/bin/python benchmarks/page_speed.py --casework [--database URL] [--authority 2000] [--runs 10]

Casework (--casework): the events, midway check and escalations pages for one child, on the demo
caseload (dated today, as those pages work on today) and on a synthetic authority
(benchmarks/schedule.py `synthetic_caseload`, written straight into the tables), on a temp SQLite
file or on --database (a PostgreSQL database that is reset: never point it at real data). The
midway check page is timed in its "just saved" state (case note and the child's flags), the state
that runs the engine for the child. Each figure is the median of --runs reruns after a first visit.

Dashboard (default):

Loads the demo caseload (anchor services.demo.generate.KNOWN_ANCHOR) into a temp SQLite file, opens each
Dashboard page through app.py, and times: the cold start (empty caches: caseload read, engine run
now and 4 weeks earlier), the first visit of each page, then reruns (what a click or a filter
already seen costs), then a rerun after a filter change (new cache key: filtering and
aggregation, engine result reused). AppTest runs the script in-process, so the figures are server
time (no browser, no network). Target: rerun < 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.timing import ms  # noqa: E402

PAGES = (
    "app_pages/overview.py",
    "app_pages/heatmap.py",
    "app_pages/timeline.py",
    "app_pages/caseloads.py",
    "app_pages/reports.py",
)
TARGET_MS = 300


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="reruns per page (default 20)")
    parser.add_argument("--casework", action="store_true", help="time the casework pages instead")
    parser.add_argument("--database", help="casework: a PostgreSQL URL to reset and use (default: temp SQLite)")
    parser.add_argument("--authority", type=int, default=2000, help="casework: synthetic children (default 2000)")
    args = parser.parse_args(argv)
    if args.casework:
        return casework(args)

    from services.demo.generate import KNOWN_ANCHOR, KNOWN_CHILD_ID
    from services.demo.load import load_demo
    from services.persistence import database as db

    tmp = tempfile.mkdtemp(prefix="midway-bench-")
    url = f"sqlite:///{tmp}/bench.db"
    eng = db.make_engine(url)
    db.migrate(eng)
    counts = load_demo(eng, KNOWN_ANCHOR, actor="benchmark")
    eng.dispose()
    os.environ["DATABASE_URL"] = url

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    print(f"demo caseload: {counts.get('children', '?')} children, anchor {KNOWN_ANCHOR}; {args.runs} reruns per page")
    print(f"{'page':<22}{'first visit':>11}{'rerun median':>14}{'rerun p90':>11}{'rerun max':>11}{'new filter':>12}")
    worst = 0.0
    for page in PAGES:
        st.cache_data.clear()
        st.cache_resource.clear()
        db.get_engine.cache_clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["as_of"] = KNOWN_ANCHOR.isoformat()
        at.query_params["child"] = KNOWN_CHILD_ID
        at.query_params["act_as"] = "SM01"  # demo mode: the service manager, who sees every page
        start = ms(at.run)  # cold: caseload read + engine now and 4 weeks earlier + overview
        if page == PAGES[0]:
            print(f"{'(cold start)':<22}{start:>9.0f}ms")

        def first(at: AppTest = at, page: str = page) -> None:
            if page != "app_pages/overview.py":
                at.switch_page(page)
            at.run()

        cold = ms(first)
        assert not at.exception, [e.value for e in at.exception]
        times = sorted(ms(at.run) for _ in range(args.runs))
        assert not at.exception
        if page == "app_pages/timeline.py":
            new_filter = ms(lambda at=at: at.selectbox(key="timeline_child").select("C00002").run())
        else:
            team = at.selectbox(key="team").options[1]
            new_filter = ms(lambda at=at, team=team: at.selectbox(key="team").select(team).run())
        assert not at.exception
        median = statistics.median(times)
        p90 = times[int(0.9 * (len(times) - 1))]
        worst = max(worst, p90)
        name = page.removeprefix("app_pages/").removesuffix(".py")
        print(f"{name:<22}{cold:>9.0f}ms{median:>12.0f}ms{p90:>9.0f}ms{times[-1]:>9.0f}ms{new_filter:>10.0f}ms")
    verdict = "OK" if worst < TARGET_MS else "SLOWER THAN TARGET"
    print(f"worst rerun p90: {worst:.0f} ms (target < {TARGET_MS} ms): {verdict}")
    return 0


# --- casework pages --------------------------------------------------------------------------------

CASEWORK_PAGES = ("app_pages/events.py", "app_pages/midway_check.py", "app_pages/escalations.py")


def _write_synthetic(engine, n: int, as_of) -> None:
    """The synthetic caseload into the tables with Core inserts (benchmark data only; one audit
    entry so the data version is non-zero, as after any real load)."""
    import polars as pl
    from sqlalchemy import insert

    from benchmarks.schedule import synthetic_caseload
    from services.persistence import models as m
    from services.persistence.audit import audit
    from services.persistence.unit_of_work import unit_of_work

    cl = synthetic_caseload(n, as_of=as_of)
    ch = cl.children
    iro_codes = sorted(set(cl.allocations["staff_code"].to_list()))
    staff = [{"id": i + 1, "code": c, "display_name": f"IRO {c}", "role": "iro"} for i, c in enumerate(iro_codes)]
    # a service manager to act as (benchmarks/navigation.py opens the pages as SM01)
    staff.append({"id": len(staff) + 1, "code": "SM01", "display_name": "Service manager", "role": "service_manager"})
    staff_id = {r["code"]: r["id"] for r in staff}
    reviews = cl.reviews.unique(["child_id", "held_date"], keep="first").sort("review_id")
    rev_ids = set(reviews["review_id"].to_list())

    def rows(frame: pl.DataFrame) -> list[dict]:
        return frame.to_dicts()

    with unit_of_work(engine, "benchmark") as s:
        s.execute(insert(m.Staff), staff)
        s.execute(
            insert(m.Child),
            rows(
                ch.select(
                    pl.col("child_id").alias("id"),
                    pl.col("child_id").alias("display_name"),
                    "date_of_birth",
                    "sibling_group",
                    "permanence_plan",
                    "short_breaks",
                )
            ),
        )
        s.execute(
            insert(m.PeriodOfCare),
            rows(
                cl.periods.select(
                    pl.col("period_id").alias("id") + 1,
                    "child_id",
                    "start_date",
                    "observed_from",
                    "placement_order_date",
                )
            ),
        )
        s.execute(
            insert(m.Allocation),
            [
                {
                    "id": i + 1,
                    "child_id": r["child_id"],
                    "role": "iro",
                    "staff_id": staff_id[r["staff_code"]],
                    "from_date": r["from_date"],
                }
                for i, r in enumerate(rows(cl.allocations))
            ],
        )
        s.execute(
            insert(m.Review),
            rows(
                reviews.select(
                    pl.col("review_id").alias("id") + 1,
                    "child_id",
                    "held_date",
                    "recommendations_sent_date",
                    "record_completed_date",
                    "care_plan_updated_date",
                )
            ),
        )
        recs = cl.recommendations.filter(pl.col("review_id").is_in(list(rev_ids)))
        s.execute(
            insert(m.Recommendation),
            rows(
                recs.select(
                    pl.col("rec_id").alias("id") + 1,
                    pl.col("review_id") + 1,
                    pl.lit(1).alias("seq"),
                    pl.lit("Keep the plan on track").alias("text"),
                    "target_date",
                    "completed_date",
                )
            ),
        )
        s.execute(
            insert(m.MidwayCheck),
            rows(
                cl.midway_checks.select(
                    pl.col("check_id").alias("id") + 1,
                    "child_id",
                    "check_date",
                    pl.lit("Benchmark IRO").alias("author"),
                    pl.lit("final").alias("status"),
                    pl.lit("default").alias("template"),
                    pl.lit("progressing").alias("outcome"),
                    pl.lit(1).alias("version"),
                )
            ),
        )
        s.execute(
            insert(m.SignificantEvent),
            rows(
                cl.events.unique(["child_id", "event_date"]).select(
                    "child_id", "event_date", pl.lit("missing").alias("event_type"), "bring_forward"
                )
            ),
        )
        s.execute(
            insert(m.MissingEpisode),
            rows(cl.missing.unique(["child_id", "start_date"]).select("child_id", "start_date")),
        )
        esc = cl.escalations
        s.execute(
            insert(m.Escalation),
            rows(
                esc.select(
                    pl.col("escalation_id").alias("id") + 1,
                    "child_id",
                    "raised_date",
                    pl.lit("plan_delay").alias("category"),
                    pl.lit("Drift").alias("concern"),
                    pl.lit(1).alias("version"),
                )
            ),
        )
        s.execute(
            insert(m.EscalationStage),
            rows(
                esc.select(
                    pl.col("escalation_id").alias("escalation_id") + 1,
                    "stage",
                    "stage_name",
                    pl.min_horizontal("raised_date", "stage_started").alias("started_date"),
                    pl.col("stage_due_date").alias("due_date"),
                )
            ),
        )
        if engine.dialect.name == "postgresql":
            from sqlalchemy import text

            for table in (
                "staff",
                "periods_of_care",
                "allocations",
                "reviews",
                "recommendations",
                "midway_checks",
                "escalations",
            ):
                s.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
                )
        audit(s, "benchmark_load", "caseload", None, {"children": n})


def _casework_child(engine) -> tuple[str, int]:
    """A child with a final midway check and open escalation if there is one (the busiest page)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from services.persistence import models as m

    with Session(engine) as s:
        row = (
            s.execute(
                select(m.MidwayCheck.child_id, m.MidwayCheck.id)
                .join(m.Escalation, m.Escalation.child_id == m.MidwayCheck.child_id)
                .join(m.Child, m.Child.sibling_group.is_not(None) & (m.Child.id == m.MidwayCheck.child_id))
                .where(m.MidwayCheck.status == "final")
                .order_by(m.MidwayCheck.id.desc())
                .limit(1)
            ).first()
            or s.execute(
                select(m.MidwayCheck.child_id, m.MidwayCheck.id).where(m.MidwayCheck.status == "final").limit(1)
            ).first()
        )
    return row[0], row[1]


def _time_casework_pages(url: str, runs: int, label: str) -> None:
    import datetime as dt

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from services.casework.midway_check.save import SavedCheck
    from services.persistence import database as db

    os.environ["DATABASE_URL"] = url
    db.get_engine.cache_clear()
    child, check_id = _casework_child(db.get_engine(url))
    for page in CASEWORK_PAGES:
        st.cache_data.clear()
        st.cache_resource.clear()
        db.get_engine.cache_clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.run()
        at.query_params["child"] = child
        at.switch_page(page)
        cold = ms(at.run)
        assert not at.exception, [e.value for e in at.exception]
        if page == "app_pages/midway_check.py":
            at.session_state["mc_saved"] = SavedCheck(check_id, 1, "final", dt.date.today())
            cold += ms(at.run)
            assert not at.exception, [e.value for e in at.exception]
            assert any("flags" in h.value for h in at.subheader), "the saved state did not render"
        times = sorted(ms(at.run) for _ in range(runs))
        assert not at.exception, [e.value for e in at.exception]
        median = statistics.median(times)
        name = page.removeprefix("app_pages/").removesuffix(".py")
        print(f"{label:<26}{name:<16}{cold:>10.0f}ms{median:>12.0f}ms{times[-1]:>10.0f}ms", flush=True)


def casework(args: argparse.Namespace) -> int:
    import datetime as dt

    from services.demo.load import load_demo
    from services.persistence import database as db

    today = dt.date.today()
    if args.database:
        backend, url = "postgresql", args.database
    else:
        backend, url = "sqlite", f"sqlite:///{tempfile.mkdtemp(prefix='midway-bench-')}/bench.db"
    print(f"casework pages on {backend}; {args.runs} reruns per page")
    print(f"{'caseload':<26}{'page':<16}{'first visit':>12}{'rerun median':>14}{'rerun max':>12}")
    for size in ("demo", args.authority):
        eng = db.make_engine(url)
        db.reset_schema(eng)
        if size == "demo":
            counts = load_demo(eng, today, actor="benchmark")
            label = f"demo ({counts['children']} children)"
        else:
            _write_synthetic(eng, size, today)
            label = f"synthetic ({size} children)"
        eng.dispose()
        _time_casework_pages(url, args.runs, label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
