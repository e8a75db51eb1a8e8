"""Overview: the caseload's headline numbers against 4 weeks earlier, and who needs attention now."""

import streamlit as st

from services.access import DASHBOARD_ROLES
from services.dates import day
from services.views.dashboard import attention_order
from ui import present, provenance, results, tables
from ui.actions import action_links
from ui.context import user_with_role
from ui.empty import require_data
from ui.filters import sidebar_filters, timeline_url
from ui.text import md

st.title("Overview", anchor=False)
st.caption(present.TAGLINE)
version = require_data()
user_with_role(DASHBOARD_ROLES, "see the overview")
f = sidebar_filters(version)
data = results.overview_data(version, *f.key())
now, then = data["now"], data["then"]
st.caption(f"Children looked after {md(f.describe())}. Arrows compare with {day(data['earlier'])} (4 weeks earlier).")

# Short labels that say what they count (they wrap, never cut, at 1280 px); the help says the rest.
CARDS = (
    ("children", "Children looked after", "normal", "Children in a period of care on the as-of date."),
    (
        "reviews_overdue",
        "Children: review overdue",
        "inverse",
        "Children whose next statutory review is past its due date.",
    ),
    (
        "midway_overdue_missed",
        "Children: midway check late",
        "inverse",
        "Children with a midway check past due and not done (overdue), or whose interval closed without one (missed).",
    ),
    (
        "recommendations_overdue",
        "Recommend\u00adations overdue",  # a soft hyphen: the one word too long for a card at 1280 px
        "inverse",
        "Review recommendations past their target date and not done (each recommendation counts once).",
    ),
    ("open_escalations", "Open escalations", "inverse", "Escalations (DRP) raised and not yet resolved."),
)
# a count the data cannot make (no recommendations in an SSDA903 return) is not shown as a reassuring 0
rec_supported = data["coverage"].filter(code="REC_OVERDUE")["supported"].sum()
for col, (key, label, colour, help_text) in zip(st.columns(len(CARDS)), CARDS, strict=True):
    if key == "recommendations_overdue" and not rec_supported and now["children"]:
        col.metric(
            label,
            "—",
            delta="not in the data",
            delta_color="off",
            delta_arrow="off",
            help=f"{help_text} The data holds no recommendations (an SSDA903 return carries none).",
            border=True,
        )
        continue
    delta = now[key] - then[key]
    col.metric(
        label,
        f"{now[key]:,}",
        delta=f"{delta:+,}" if delta else "no change",
        delta_color=colour if delta else "off",
        delta_arrow="auto" if delta else "off",
        help=f"{help_text} Four weeks earlier: {then[key]:,}.",
        border=True,
    )
both = f" ({now['midway_both']:,} with both)" if now["midway_both"] else ""
st.caption(
    f"Of the {now['midway_overdue_missed']:,} children with a midway check late: {now['midway_overdue']:,} with "
    f"a check overdue, {now['midway_missed']:,} with a check missed{both}. "
    "For counts where up is worse, an upward arrow is shown in the warning colour."
)

attention = data["attention"]
st.header("Children needing attention now", anchor=False)
if attention.is_empty():
    st.success("No child has a drift flag for this view.", icon=":material/task_alt:")
else:
    st.caption(f"{attention.height:,} children with at least one flag, {attention_order()}.")
    top = attention.head(6)
    grid = st.columns(3)
    for i, row in enumerate(top.iter_rows(named=True)):
        with grid[i % 3].container(border=True):
            name = row["display_name"] or row["child_id"]
            st.markdown(f"**{i + 1}. {md(name)}** · {md(row['child_id'])} · age {row['age']}")
            iro = md(row["iro"]) or ("not allocated" if row["iro_known"] else "not in the data")
            st.caption(f"{md(row['team']) or 'Team not in the data'} · IRO {iro}")
            st.markdown("\n".join(f"- {md(r)}" for r in row["reasons"].split("\n")))
            st.page_link(
                "app_pages/timeline.py",
                label="Open timeline",
                icon=":material/timeline:",
                query_params={"child": row["child_id"]},
            )
            with st.popover("Act on this", icon=":material/bolt:", key=f"act_{row['child_id']}"):
                action_links(row["child_id"], row["codes"], escalate_each=False)
    # lazy: the table of every flagged child (hundreds of rows) is sent and drawn only once opened
    with st.expander(
        f"All {attention.height:,} children with flags", key="overview_all_flagged", on_change="rerun"
    ) as all_flagged:
        if all_flagged.open:
            table = attention.with_columns(
                timeline=timeline_url(attention["child_id"], f),
                reasons=attention["reasons"].str.replace_all("\n", "; "),
            ).select("timeline", "display_name", "age", "team", "iro", "social_worker", "max_days_overdue", "reasons")
            tables.show(
                table,
                hide_index=True,
                width="stretch",
                column_config={
                    "timeline": st.column_config.LinkColumn(
                        "Child", display_text=r"child=([^&]+)", help="Open the child's timeline"
                    ),
                    "display_name": "Name",
                    "age": st.column_config.NumberColumn("Age", format="%d"),
                    "team": "Team",
                    "iro": "IRO",
                    "social_worker": "Social worker",
                    "max_days_overdue": st.column_config.NumberColumn(
                        "Most days overdue", help="Working days", format="%d"
                    ),
                    "reasons": st.column_config.TextColumn("Reasons", width="large"),
                },
            )
st.header("What the data can tell", anchor=False)
provenance.coverage_table(data["coverage"], "overview_coverage")
