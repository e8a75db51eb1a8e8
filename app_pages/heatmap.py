"""Team heatmap: overdue or missed midway checks by team (or IRO) and week (or month).

A click on a cell lists its children. The same choice is offered with two selectboxes (keyboard
users, screen readers, and AppTest, which cannot click a chart): the chart's click only fills them.
"""

import html

import streamlit as st

from services.access import MANAGERS
from services.views.dashboard import NO_IRO, NO_TEAM, highest_cell
from ui import charts, plot, provenance, results, tables
from ui.context import user_with_role
from ui.empty import require_data
from ui.filters import sidebar_filters, timeline_url
from ui.text import md

ROW_LABEL = {"team": "Team", "iro": "IRO"}
ROW_NAME = {"team": "team", "iro": "IRO"}
ROW_CHOICE = {"team": "a team", "iro": "an IRO"}  # "choose a iro" read badly
PERIOD_LABEL = {"week": "Weeks", "month": "Months"}
VALUE_LABEL = {"count": "Count", "rate": "Rate"}

st.title("Team heatmap", anchor=False)
version = require_data()
user_with_role(MANAGERS, "see the team heatmap")
f = sidebar_filters(version)

c1, c2, c3 = st.columns(3)
by = c1.radio("Rows", list(ROW_LABEL), format_func=ROW_LABEL.get, horizontal=True, key="hm_by", bind="query-params")
gran = c2.radio(
    "Columns", list(PERIOD_LABEL), format_func=PERIOD_LABEL.get, horizontal=True, key="hm_period", bind="query-params"
)
value = c3.radio(
    "Cell value",
    list(VALUE_LABEL),
    format_func=VALUE_LABEL.get,
    horizontal=True,
    key="hm_value",
    bind="query-params",
    help="Count: overdue or missed checks. Rate: those as a share of the checks that fell due.",
)

provenance.allocation_note(results.filtered_result(version, *f.key()).coverage)
cells = results.heatmap_data(version, f.key(), by, gran, results.HEATMAP_BUCKETS)
if cells.is_empty():
    st.info("No children match these filters.", icon=":material/filter_alt_off:")
    st.stop()

labels = dict(zip(cells["label"], cells["bucket"], strict=False))
rows = cells["row"].unique(maintain_order=True).to_list()


def _on_cell() -> None:
    """A click on a square fills the two selectboxes below (the single source of the chosen cell)."""
    point = plot.clicked("hm_chart")
    if point:
        y = point.get("y")
        st.session_state["hm_row"] = None if y is None else html.unescape(y)  # the chart's rows are escaped
        st.session_state["hm_col"] = point.get("x")


unit = "weeks (week commencing Monday)" if gran == "week" else "months"
with st.container(border=True):
    st.header(f"Overdue or missed midway checks by {ROW_NAME[by]}, last {results.HEATMAP_BUCKETS} {unit}", anchor=False)
    fig = charts.heatmap_figure(cells, value, ROW_LABEL[by])
    plot.show(fig, key="hm_chart", on_click=_on_cell)
    total = int(cells["count"].sum())
    worst = highest_cell(cells, value)
    st.caption(
        f"Each square is one {ROW_NAME[by]} in one {gran}: the number of midway checks that fell due then "
        f"and are, {md(f.describe())}, still overdue or were missed (the next review came first). Rate = that number "
        "divided by the checks that fell due (checks made unnecessary by an earlier review are left out; a dash "
        "means none fell due). Darker squares are worse; grey squares have none. "
        + (
            f"In total {total} checks overdue or missed; the highest cell is {md(worst['row'])}, {worst['label']} "
            + (
                f"({worst['rate']:.0%}: {worst['count']} of {worst['required']} checks due)."
                if value == "rate"
                else f"({worst['count']} checks)."
            )
            if worst
            else "No overdue or missed checks in this period."
        )
    )

st.header("Which children?", anchor=False)
s1, s2 = st.columns(2)
row = s1.selectbox(
    ROW_LABEL[by], rows, index=None, key="hm_row", placeholder=f"Click a square or choose {ROW_CHOICE[by]}"
)
col = s2.selectbox(
    "Week" if gran == "week" else "Month", list(labels), index=None, key="hm_col", placeholder="Choose a period"
)
if row is None or col is None:
    st.caption("Click a square in the chart, or choose both a row and a period here, to list its children.")
else:
    kids = results.heatmap_children(version, f.key(), by, gran, results.HEATMAP_BUCKETS, row, labels[col])
    if kids.is_empty():
        st.info(f"{md(row)}, {col}: no overdue or missed midway checks.", icon=":material/check_circle:")
    else:
        st.markdown(f"**{md(row)}, {col}: {kids.height} overdue or missed midway check(s)**")
        tables.show(
            kids.with_columns(timeline=timeline_url(kids["child_id"], f)).select(
                "timeline",
                "display_name",
                "team",
                "iro",
                "social_worker",
                "review_date",
                "midway_due",
                "midway_status",
            ),
            key="hm_children",
            hide_index=True,
            width="stretch",
            column_config={
                "timeline": st.column_config.LinkColumn("Child", display_text=r"child=([^&]+)"),
                "display_name": "Name",
                "team": "Team",
                "iro": "IRO",
                "social_worker": "Social worker",
                "review_date": st.column_config.DateColumn("After review of", format="D MMM YYYY"),
                "midway_due": st.column_config.DateColumn("Check was due", format="D MMM YYYY"),
                "midway_status": "Status",
            },
        )

# drawn once opened (a rerun): a page's first table was about 0.2 s of the browser's time
table_box = st.expander("The heatmap as a table", key="hm_table", on_change="rerun")
with table_box:
    if table_box.open:
        table = cells.sort("bucket").pivot(on="label", index="row", values=value, sort_columns=False)
        number = st.column_config.NumberColumn(format="percent" if value == "rate" else "%d")
        tables.show(
            table.rename({"row": ROW_LABEL[by]}),
            hide_index=True,
            width="stretch",
            column_config={c: number for c in table.columns if c != "row"},
        )
        st.caption(
            "Share of the checks due that are overdue or missed; blank: no check fell due."
            if value == "rate"
            else "Midway checks overdue or missed."
        )
    st.caption(f"Rows without a team or IRO are shown as '{NO_TEAM}' / '{NO_IRO}'.")
