"""IRO caseloads: children per IRO against the IRO Handbook's range, overdue work per IRO, and
what falls due in the next 4 weeks (sortable, downloadable)."""

import polars as pl
import streamlit as st

from services.access import MANAGERS
from services.dates import day
from services.views.export import to_csv
from ui import charts, plot, results, tables
from ui.context import user_with_role
from ui.downloads import download
from ui.empty import require_data
from ui.filters import sidebar_filters, timeline_url

st.title("IRO caseloads", anchor=False)
version = require_data()
user = user_with_role(MANAGERS, "see IRO caseloads")
f = sidebar_filters(version)
pol = results.policy_for(f.policy_name)
lo, hi = pol.iro_caseload_min, pol.iro_caseload_max
caseloads, work = results.caseload_data(version, f.key())

iros = caseloads.filter(pl.col("range_status") != "not an IRO")
counts = {s: iros.filter(pl.col("range_status") == s).height for s in ("below range", "within range", "above range")}
m1, m2, m3, m4 = st.columns(4)
m1.metric("IROs with children", iros.height, border=True)
m2.metric(f"Within {lo}-{hi}", counts["within range"], border=True)
m3.metric(f"Above {hi}", counts["above range"], border=True, help="Children per full-time IRO above the range.")
m4.metric(f"Below {lo}", counts["below range"], border=True)

left, right = st.columns([1, 1], gap="medium")
with left, st.container(border=True):
    st.header("Children per full-time IRO", anchor=False)
    if iros.is_empty():
        st.info("No children are allocated to an IRO in this view.")
    else:
        plot.show(charts.caseload_figure(caseloads, lo, hi), key="caseload_chart")
        st.caption(
            f"Children allocated to each IRO on {day(f.as_of)}, divided by the IRO's full-time equivalent "
            f"(1 when not recorded). The shaded band is the IRO Handbook's {lo}-{hi}; bars above it are hatched, "
            "bars below it dotted. The table beside gives the same numbers."
        )
with right, st.container(border=True):
    st.header("Caseload and overdue work per IRO", anchor=False)
    tables.show(
        caseloads.drop("iro_code"),
        hide_index=True,
        width="stretch",
        column_config={
            "iro": "IRO",
            "children": st.column_config.NumberColumn("Children", format="%d"),
            "fte": st.column_config.NumberColumn("FTE", format="%.1f"),
            "per_fte": st.column_config.NumberColumn("Per FTE", format="%.1f"),
            "range_status": "Against range",
            "reviews_overdue": st.column_config.NumberColumn("Reviews overdue", format="%d"),
            "midway_overdue": st.column_config.NumberColumn("Midway overdue", format="%d"),
            "midway_missed": st.column_config.NumberColumn("Midway missed", format="%d"),
            "recs_overdue": st.column_config.NumberColumn("Children with recs overdue", format="%d"),
            "escalations_overdue": st.column_config.NumberColumn("Escalations overdue", format="%d"),
        },
    )
    st.caption("Overdue columns count children. Click a column header to sort.")

with st.container(border=True):
    st.header(f"Due in the next {pol.work_list_days // 7} weeks", anchor=False)
    kinds = sorted(work["item"].unique().to_list())
    chosen = st.multiselect("Show", kinds, default=kinds, key="work_kinds", placeholder="All kinds of item")
    shown = work.filter(pl.col("item").is_in(chosen)) if chosen else work
    tables.show(
        shown.with_columns(timeline=timeline_url(shown["child_id"], f)).select(
            "due_date", "days_until", "item", "timeline", "display_name", "team", "iro", "social_worker", "detail"
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "due_date": st.column_config.DateColumn("Due", format="ddd D MMM YYYY"),
            "days_until": st.column_config.NumberColumn("In days", format="%d"),
            "item": "Item",
            "timeline": st.column_config.LinkColumn("Child", display_text=r"child=([^&]+)"),
            "display_name": "Name",
            "team": "Team",
            "iro": "IRO",
            "social_worker": "Social worker",
            "detail": st.column_config.TextColumn("Detail", width="large"),
        },
    )
    download(
        "Download the work list (CSV)",
        lambda: to_csv(shown),
        actor=user,
        what="work_list",
        rows=shown.height,
        file_name=f"midway-work-list-{f.as_of.isoformat()}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="work_list_csv",
    )
    st.caption(
        f"{shown.height:,} items due from {day(f.as_of)} to {pol.work_list_days} days later: next reviews, "
        "midway checks not yet done, recommendation targets not yet met, escalation stages' resolution dates."
    )
