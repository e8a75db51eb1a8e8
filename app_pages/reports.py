"""Reports (issue 15): the figures an IRO service reports to its Corporate Parenting Board and looks at
in supervision, for a chosen period, team or IRO; one Excel workbook and a CSV per figure; the
supervision pack (printable page and PDF); and the schedule and drift report (CSV) below, with per
check how many children the data supports. Every number comes from services.views; this page only
draws them."""

from functools import partial

import polars as pl
import streamlit as st

from services.access import MANAGERS
from services.views.export import to_csv
from services.views.reports import Period, report_workbook, uk_date
from services.views.reports.pack import pack_pdf, pack_table
from ui import provenance, report_cache, report_charts, report_view, results, tables
from ui.context import user_with_role
from ui.downloads import download
from ui.empty import require_data
from ui.filters import POLICY_LABELS, sidebar_filters
from ui.report_view import PRINT_CSS, PRINTABLE_CSS, TAB_KEY, TABS, table


def _pc(value: object) -> str:
    return "–" if value is None else f"{value:g}%"


st.html(PRINT_CSS)  # a fixed style sheet, no data in it
st.title("Reports", anchor=False)
version = require_data()
actor = user_with_role(MANAGERS, "see reports")
f = sidebar_filters(version)

default = Period.twelve_months_to(f.as_of)
c1, c2, c3 = st.columns([1, 1, 2])
end = c2.date_input("To", value=f.as_of, max_value=f.as_of, key=f"report_to_{f.as_of}", format="DD/MM/YYYY")
start = c1.date_input(
    "From",
    value=default.start,
    max_value=end,
    key=f"report_from_{f.as_of}",
    format="DD/MM/YYYY",
    help="The reporting period; the default is the 12 months to the as-of date.",
)
if start > end:
    st.warning("The period starts after it ends: choose a start date on or before the end date.")
    st.stop()
period = Period(start, end)
who = (
    ", ".join(v for v in (f.team, f.iro, f.legal_status and f"legal status {f.legal_status}") if v)
    or "all teams and IROs"
)
c3.text(f"Period {period.describe()}\nfor {who}")
args = (start, end, f.policy_name, f.team, f.iro, f.legal_status)
figs = report_cache.figures(version, *args)
stub = f"midway-{start.isoformat()}-to-{end.isoformat()}"
section = partial(report_view.section, actor=actor)  # every figure's CSV download is audited
view = (version, *args)  # what each chart is cached by

printable = st.toggle(
    "Printable page: the supervision pack only, without the sidebar",
    key="report_printable",
    help="Then use the browser's Print (Ctrl+P).",
)

rv, mw, rc, es = (figs[k] for k in ("reviews_in_timescale", "midway_by_month", "recommendations", "escalations"))


# --- the tabs' contents: only the open tab's function runs (the lazy tabs below) ------------------
def reviews() -> None:
    """Reviews held in timescale, by month and kind of review."""
    if rv.supported:
        byt = rv.summary["by_type"]
        rv_caption = (
            "Each line is one kind of review: the share held on or before its due date, month by month (a gap "
            "means no review of that kind was held that month). Over the period: "
            + "; ".join(
                f"{k} {_pc(v['In timescale (%)'])} of {v['In timescale'] + v['Late']:,}" for k, v in byt.items()
            )
            + ". Reviews whose due date cannot be known are left out of the share."
        )
    section(
        rv,
        lambda: report_charts.trend_lines(rv.data, "Month", "In timescale (%)", "Review", "% held in timescale"),
        rv_caption if rv.supported else "",
        stub,
        view,
    )


def midway_checks() -> None:
    """Midway checks by month, team and IRO."""
    outcomes = ["Done on time", "Done late", "Missed", "Superseded", "Overdue", "Not yet due"]
    if mw.supported:
        s = mw.summary
        mw_caption = (
            "Each bar is the midway checks that fell due that month, split by what became of them as of "
            f"{uk_date(end)}: the segments' patterns and the legend name them, the numbers are counts. Over the "
            f"period {s['Due']:,} were due: {_pc(s['Done on time (%)'])} done on time, {_pc(s['Done late (%)'])} "
            f"late, {_pc(s['Missed (%)'])} missed, {_pc(s['Superseded (%)'])} superseded by an early review."
        )
    section(
        mw,
        lambda: report_charts.stacked_bars(mw.data, "Month", outcomes, months=True),
        mw_caption if mw.supported else "",
        stub,
        view,
    )
    for key, who_col in (("midway_by_team", "Team"), ("midway_by_iro", "IRO")):
        fig = figs[key]
        section(
            fig,
            lambda fig=fig, who_col=who_col: report_charts.stacked_bars(fig.data, who_col, outcomes, horizontal=True),
            f"One bar per {who_col if who_col == 'IRO' else 'team'} who held the child on the check's due date, "
            "longest first; segments as above. The table adds each outcome's share of the checks due.",
            stub,
            view,
        )


def recommendations_and_escalations() -> None:
    """Recommendations by month; escalations by team, category, stage and outcome."""
    # --- recommendations and escalations -----------------------------------------------------------
    if rc.supported:
        s = rc.summary
        rc_caption = (
            "Each bar is the recommendations made at the reviews held that month, split by where they stood on "
            f"{uk_date(end)}. Over the period {s['Made']:,} were made: {s['Done by target date']:,} done by their "
            f"target date ({_pc(s['Done by target date (%)'])}), {s['Done late']:,} done late (median "
            f"{s['Median working days late (done late)'] or '–'} working days late), {s['Overdue']:,} overdue."
        )
    rec_parts = ["Done by target date", "Done late", "Overdue", "Not yet due", "No target date"]
    section(
        rc,
        lambda: report_charts.stacked_bars(rc.data, "Month", rec_parts, months=True),
        rc_caption if rc.supported else "",
        stub,
        view,
    )
    total_days = results.policy_for(f.policy_name).formal_process_total_working_days
    if es.supported:
        s = es.summary
        within = s[f"Within {total_days} working days (%)"]
        formal_closed = s["Closed after a formal stage"]
        es_caption = (
            f"Each bar is a team's escalations raised in the period: closed by {uk_date(end)} or still open. In all "
            f"{s['Raised']:,} raised, {s['Closed']:,} closed (median {s['Median working days to resolution'] or '–'} "
            "working days from raised to closed). "
            + (
                f"Of the {formal_closed:,} closed after reaching a formal stage, {_pc(within)} closed within the "
                f"national total of {total_days} working days."
                if formal_closed
                else f"None closed after reaching a formal stage, so the share within the national total of "
                f"{total_days} working days cannot be given yet."
            )
        )
    section(
        es,
        lambda: report_charts.stacked_bars(
            es.data.filter(pl.col("Team") != "All teams"), "Team", ["Closed", "Open"], horizontal=True
        ),
        es_caption if es.supported else "",
        stub,
        view,
    )
    eb = figs["escalations_breakdown"]
    section(
        eb,
        lambda: report_charts.labelled_bars(eb.data, "Value", "Escalations", "Share (%)", group="Breakdown"),
        "One bar per category, stage reached (the stage each escalation was at on the period end) and outcome, "
        "each with its count and its share of the escalations raised in the period.",
        stub,
        view,
    )


def participation_checklist_caseloads() -> None:
    """How children took part; checklist gaps by team and month; IRO caseloads."""
    # --- participation, checklist, caseloads -------------------------------------------------------
    pn = figs["participation"]
    section(
        pn,
        lambda: report_charts.labelled_bars(pn.data, "Participation", "Reviews", "Share (%)"),
        "How children took part in the reviews held in the period (SSDA903 codes PN0-PN7): one bar per way, "
        f"with its count and share of the {pn.summary.get('reviews', 0):,} reviews.",
        stub,
        view,
    )
    for key, by in (("checklist_by_team", "Team"), ("checklist_by_month", "Month")):
        fig = figs[key]
        section(
            fig,
            lambda fig=fig, by=by: report_charts.gap_grid(
                fig.data, by, "Question", "Gaps (%)", "Answered", months=by == "Month"
            ),
            "Each square is one checklist question for one "
            + ("team" if by == "Team" else "month")
            + ": the share of midway checks that answered it with a gap (No; for the drift question, Yes), written "
            "in the square; darker squares are larger shares, a dash means no answers. Read across a row for a gap "
            "that recurs.",
            stub,
            view,
        )
    cs_fig = figs["caseloads"]
    pol = results.policy_for(f.policy_name)
    if cs_fig.supported:
        s = cs_fig.summary
        cs_caption = (
            f"One line per IRO: children looked after and allocated to them on each month end, per full-time "
            f"equivalent. The shaded band is the IRO Handbook's {s['lo']}-{s['hi']}. On {uk_date(s['month_end'])}: "
            f"{s['Within range']} IROs within, {s['Above range']} above, {s['Below range']} below."
        )
    section(
        cs_fig,
        lambda: report_charts.caseload_lines(cs_fig.data, pol.iro_caseload_min, pol.iro_caseload_max),
        cs_caption if cs_fig.supported else "",
        stub,
        view,
    )


def supervision_pack() -> None:
    """One IRO's or team's pack: the figures as tables, who needs attention, open escalations; PDF."""
    with st.container(border=True):
        st.header("Supervision pack", anchor=False)
        opts = report_cache.pack_choices(version, end, f.policy_name)
        k1, k2 = st.columns([1, 2])
        kind = k1.radio("Pack for", ["IRO", "Team"], horizontal=True, key="pack_kind")
        names = opts["iro" if kind == "IRO" else "team"]
        if not names:
            st.info(f"No child is allocated to {'an IRO' if kind == 'IRO' else 'a team'} on {uk_date(end)}.")
        else:
            default_name = (
                f.iro
                if kind == "IRO" and f.iro in names
                else f.team
                if kind == "Team" and f.team in names
                else names[0]
            )
            name = k2.selectbox(kind, names, index=names.index(default_name), key=f"pack_{kind}")
            team, iro = (None, name) if kind == "IRO" else (name, None)
            pk = report_cache.pack(version, start, end, f.policy_name, team, iro)
            download(
                "Download the supervision pack (PDF)",
                lambda: pack_pdf(pk),
                actor=actor,
                what="supervision_pack",
                rows=pk.attention.height + pk.escalations.height,
                file_name=f"supervision-pack-{name.lower().replace(' ', '-')}-{end.isoformat()}.pdf",
                mime="application/pdf",
                icon=":material/picture_as_pdf:",
                type="primary",
                key="pack_pdf",
            )
            st.text(
                f"Supervision pack: {pk.subject}\nPeriod {period.describe()}; "
                f"attention and escalations as of {uk_date(end)}"
            )
            for fig in pk.figures.values():
                st.markdown(f"**{fig.title}**")
                if fig.supported:
                    shown = pack_table(fig.data, fig.key)
                    table(shown, height=min(38 + 35 * shown.height, 320))
                else:
                    st.info("The data cannot support this figure. " + fig.why_not, icon=":material/info:")
            st.markdown(f"**Children needing attention ({pk.attention.height})**")
            table(pk.attention)
            st.markdown(f"**Open escalations ({pk.escalations.height})**")
            table(pk.escalations)


def schedule_and_drift_report() -> None:
    """The command line's report, one row per child, and what the data can tell per check."""
    report, coverage = results.report_data(version, f.key())
    with st.container(border=True):
        st.header("Schedule and drift report", anchor=False)
        flagged = report.filter(pl.col("flags").fill_null("") != "").height
        st.caption(
            f"One row per child looked after {f.describe()}: {report.height:,} children, {flagged:,} with at least "
            "one flag. Flags are DOMAIN §8 codes, separated by ';'. The CSV has the same columns as the command "
            "line report."
        )
        tables.show(
            report,
            hide_index=True,
            width="stretch",
            column_config={
                "child_id": "Child",
                "period_start": st.column_config.DateColumn("Period start", format="D MMM YYYY"),
                "reviews_in_period": st.column_config.NumberColumn("Reviews", format="%d"),
                "last_review_date": st.column_config.DateColumn("Last review", format="D MMM YYYY"),
                "next_review_due": st.column_config.DateColumn("Next review due", format="D MMM YYYY"),
                "next_review_type": "Next review type",
                "midway_due": st.column_config.DateColumn("Midway due", format="D MMM YYYY"),
                "midway_status": "Midway status",
                "flags": st.column_config.TextColumn("Flags", width="large"),
            },
        )
        download(
            "Download the report (CSV)",
            lambda: to_csv(report),
            actor=actor,
            what="drift_report",
            rows=report.height,
            file_name=f"midway-report-{f.as_of.isoformat()}.csv",
            mime="text/csv",
            icon=":material/download:",
            type="primary",
            key="drift_csv",
        )

    with st.container(border=True):
        st.header("What the data can tell, check by check", anchor=False)
        provenance.coverage_table(coverage, "report_coverage")


if printable:  # the supervision pack alone, without the sidebar, for the browser's Print
    st.html(PRINTABLE_CSS)  # fixed style sheet, no data
    supervision_pack()
    st.stop()

# --- headline numbers ----------------------------------------------------------------------------
m1, m2, m3, m4 = st.columns(4)
allrev = rv.summary["by_type"]["All reviews"] if rv.supported else None
m1.metric("Reviews in timescale", _pc(allrev["In timescale (%)"]) if allrev else "Not supported", border=True)
m2.metric(
    "Midway checks done on time",
    _pc(mw.summary.get("Done on time (%)")) if mw.supported else "Not supported",
    border=True,
)
rec_pc = _pc(rc.summary.get("Done by target date (%)")) if rc.supported else "Not supported"
m3.metric("Recommendations done by target", rec_pc, border=True)
m4.metric("Escalations raised", f"{es.summary['Raised']:,}" if es.supported else "None / not supported", border=True)
download(
    "Download every figure (Excel workbook, a sheet per figure)",
    lambda: report_workbook(
        figs,
        [
            ("Period", period.describe()),
            ("Selection", who),
            ("Midway policy", POLICY_LABELS.get(f.policy_name, f.policy_name)),
        ],
    ),
    actor=actor,
    what="report_workbook",
    rows=sum(fig.data.height for fig in figs.values() if fig.supported),
    file_name=f"{stub}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    type="primary",
    key="excel",
)

# Lazy tabs: only the open tab runs and is drawn (a dozen plotly charts at once took the page over
# a second in the browser; each chart is about 100 ms of drawing, so the opening tab has one), and
# the open tab is in the URL (?report_tab=...), so a link opens it.
DRAW = (
    reviews,
    midway_checks,
    recommendations_and_escalations,
    participation_checklist_caseloads,
    supervision_pack,
    schedule_and_drift_report,
)
for tab, draw in zip(st.tabs(TABS, key=TAB_KEY, bind="query-params"), DRAW, strict=True):
    if tab.open:
        with tab:
            draw()
