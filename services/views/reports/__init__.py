"""The Reports page's figures (issue 15): what an IRO service reports to its Corporate Parenting
Board every year (IRO Handbook ch. 7; seeds 003 §8 and §13) and looks at in supervision every month.

Every figure is computed here, in polars, from the engine's frames (`compute(caseload, period.end)`)
over a chosen period, for a team or IRO (who held the child on each fact's own date: see
services.views.reports.common). Each comes back as a `Figure`: its table with human column names
(the same on screen, in the CSV, the workbook and the PDF), and, when the data cannot support it,
why (DOMAIN §10) instead of a zero.

    figures = report_figures(ReportInput(result, caseload, answers, fte), period, selection)
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from services.engine.caseload import Caseload
from services.engine.compute import EngineResult
from services.views.export import to_excel
from services.views.reports import caseloads, followup, midway, reviews
from services.views.reports.common import Figure, Period, Selection, uk_date


@dataclass(frozen=True)
class ReportInput:
    """The engine's result on the period end, the caseload it came from, and the facts the
    Caseload does not carry (services.persistence.report_facts; None when not available)."""

    result: EngineResult
    caseload: Caseload
    answers: pl.DataFrame | None = None
    fte: pl.DataFrame | None = None


# each figure's sheet in the workbook (Excel allows 31 characters)
SHEETS: dict[str, str] = {
    "reviews_in_timescale": "Reviews in timescale",
    "midway_by_month": "Midway by month",
    "midway_by_team": "Midway by team",
    "midway_by_iro": "Midway by IRO",
    "recommendations": "Recommendations",
    "escalations": "Escalations by team",
    "escalations_breakdown": "Escalations breakdown",
    "participation": "Participation",
    "checklist_by_team": "Checklist gaps by team",
    "checklist_by_month": "Checklist gaps by month",
    "caseloads": "IRO caseloads",
}


def report_workbook(figures: dict[str, Figure], cover: list[tuple[str, str]]) -> bytes:
    """Every figure in one Excel workbook, a sheet per figure (SHEETS), in page order."""
    return to_excel(
        [(SHEETS.get(k, k), f.title, f.data if f.supported else None, f.why_not) for k, f in figures.items()], cover
    )


def report_figures(inp: ReportInput, period: Period, sel: Selection) -> dict[str, Figure]:
    """Every figure of the Reports page, in page order, keyed by Figure.key."""
    r, cl, pol = inp.result, inp.caseload, inp.result.policy
    figs = [
        reviews.reviews_in_timescale(r, cl, period, sel),
        midway.midway_checks(r, cl, period, sel, "Month"),
        midway.midway_checks(r, cl, period, sel, "Team"),
        midway.midway_checks(r, cl, period, sel, "IRO"),
        followup.recommendations(r, cl, period, sel),
        followup.escalations(cl, period, sel, pol.formal_process_total_working_days),
        followup.escalation_breakdown(
            cl, period, sel, pol.escalation_stage_names, pol.formal_process_total_working_days
        ),
        reviews.participation(r, cl, period, sel),
        midway.checklist(inp.answers, cl, period, sel, "Team"),
        midway.checklist(inp.answers, cl, period, sel, "Month"),
        caseloads.caseloads_over_time(cl, period, sel, pol, inp.fte),
    ]
    return {f.key: f for f in figs}


__all__ = ["SHEETS", "Figure", "Period", "ReportInput", "Selection", "report_figures", "report_workbook", "uk_date"]
