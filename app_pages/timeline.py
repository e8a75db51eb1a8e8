"""Child timeline: one child's care, reviews, midway checks, recommendations, events, missing
episodes and escalations on one chart, with the current flags and who holds the case beside it.

The child comes from the URL (`?child=<id>`), so the overview and the heatmap can link here.
"""

import polars as pl
import streamlit as st

from services.access import DASHBOARD_ROLES, NotAllowed
from services.dates import day
from services.vocabulary import FLAG_LABELS
from ui import charts, plot, results, tables
from ui.actions import action_links
from ui.child_picker import pick_child
from ui.context import refuse, user_with_role
from ui.empty import require_data
from ui.filters import sidebar_filters
from ui.text import md

st.title("Child timeline", anchor=False)
version = require_data()
user = user_with_role(DASHBOARD_ROLES, "see children's timelines")
f = sidebar_filters(version, people=False)
choices = results.child_choices(version, f.visible)

child = pick_child(choices, "timeline_child", "see their timeline")
if child is None:
    st.stop()

try:
    events, profile = results.timeline_data(version, f.as_of, f.policy_name, child, user)
except NotAllowed as exc:
    refuse(exc)
left, right = st.columns([3, 1], gap="medium")

with right, st.container(border=True):
    st.header(md(profile["display_name"] or child), anchor=False)  # no URL fragment from a name
    age = f", age {profile['age']}" if profile["age"] is not None else ""
    st.caption(f"Child id {md(child)}{age}")
    if not profile["looked_after"]:
        st.info(f"Not looked after on {day(f.as_of)}: no current schedule.", icon=":material/info:")
    facts = {
        "Team": profile["team"],
        "IRO": profile["iro"]
        or ("not in the data" if "IRO_NOT_ALLOCATED" in profile["undecided_codes"] else "not allocated"),
        "Social worker": profile["social_worker"],
        "Legal status": profile["legal_status"],
        "Placement": profile["placement_type"],
    }
    if profile["next_review_due"]:
        kind = (profile["next_review_type"] or "").replace("_", " ")
        facts["Next review"] = f"{day(profile['next_review_due'])} ({kind})"
    if profile["midway_due"]:
        facts["Midway check"] = f"{day(profile['midway_due'])}: {profile['midway_status']}"
    st.markdown("\n".join(f"- **{k}:** {md(v) or 'not recorded'}" for k, v in facts.items()))
    flags: pl.DataFrame = profile["flags"]
    st.markdown(f"**Flags ({flags.height})**")
    if flags.is_empty():
        st.caption("No drift flags on this date.")
    for r in flags.iter_rows(named=True):
        st.warning(f"**{FLAG_LABELS.get(r['code'], r['code'])}**: {md(r['reason'])}", icon=":material/flag:")
    if profile["undecided"]:
        st.markdown("**Checks the data cannot make for this child**")
        st.text("\n".join(profile["undecided"]))
    if st.button("Record a midway check", icon=":material/edit_note:", type="primary", width="stretch"):
        st.switch_page("app_pages/midway_check.py", query_params={"child": child})

with left:
    if events.is_empty():
        st.info("Nothing is recorded for this child up to this date.")
    else:
        with st.container(border=True):
            plot.show(charts.timeline_figure(events, f.as_of), key="timeline_chart")
            held = events.filter(pl.col("kind") == "review_held")
            late = held.filter(pl.col("status") == "late").height
            st.caption(
                f"Timeline up to {day(f.as_of)} (dotted line) and what falls due after it. Bars: periods of care, "
                f"placements, missing episodes, escalations. Symbols: {held.height} reviews held ({late} late), "
                "midway checks, recommendation targets and significant events; the legend names each symbol. "
                "The table below lists every item."
            )
        with st.expander("Every item as a table"):
            tables.show(
                events.select("lane", "start", "end", "status", "hover"),
                hide_index=True,
                width="stretch",
                column_config={
                    "lane": "What",
                    "start": st.column_config.DateColumn("Date", format="D MMM YYYY"),
                    "end": st.column_config.DateColumn("Until", format="D MMM YYYY"),
                    "status": "Status",
                    "hover": st.column_config.TextColumn("Details", width="large"),
                },
            )
    with st.container(border=True, key="timeline_actions"):
        st.markdown("**Act on this child**")
        with st.container(horizontal=True):
            action_links(child, flags.get_column("code").to_list(), midway=False)
