"""The supervision pack: one IRO's or one team's figures for the period, the children needing
attention now and their open escalations, as one printable PDF (fpdf2: pure Python, nothing
fetched at run time).

Unicode names need a Unicode font: DejaVu Sans (Debian's fonts-dejavu-core) when the machine has
it; otherwise the PDF core font Helvetica, with characters outside Latin-1 replaced, so a pack is
always produced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from services.engine.caseload import Caseload
from services.engine.compute import EngineResult
from services.views import dashboard
from services.views.reports import followup
from services.views.reports.common import Figure, Period, Selection, uk_date

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))

# which figures a supervision pack holds (the others are for the whole service)
PACK_FIGURES = (
    "reviews_in_timescale",
    "midway_by_month",
    "recommendations",
    "escalations",
    "participation",
    "checklist_by_team",
    "caseloads",
)


@dataclass(frozen=True)
class Pack:
    """What the PDF and the printable page show."""

    subject: str
    period: Period
    as_of: dt.date
    figures: dict[str, Figure]
    attention: pl.DataFrame
    escalations: pl.DataFrame


def attention_table(result: EngineResult, sel: Selection) -> pl.DataFrame:
    """Children needing attention now (services.views.dashboard.attention: most urgent first) held by
    the selection's team or IRO on as_of, with the plain reasons of their flags."""
    now = dashboard.filter_result(result, team=sel.team, iro=sel.iro)
    return dashboard.attention(now).select(
        pl.col("child_id").alias("Child"),
        pl.col("display_name").alias("Name"),
        pl.col("iro").alias("IRO"),
        pl.col("social_worker").alias("Social worker"),
        pl.col("reasons").str.replace_all("\n", "; ").alias("Why"),
    )


def build_pack(
    figures: dict[str, Figure], result: EngineResult, caseload: Caseload, period: Period, sel: Selection
) -> Pack:
    """The pack for `sel` (its figures must have been computed for the same selection)."""
    return Pack(
        subject=sel.describe(),
        period=period,
        as_of=result.as_of,
        figures={k: figures[k] for k in PACK_FIGURES if k in figures},
        attention=attention_table(result, sel),
        escalations=followup.open_escalations(caseload, result.as_of, sel, result.policy.escalation_stage_names).drop(
            "Team"
        ),
    )


def _font(pdf) -> tuple[str, bool]:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu", True
    return "Helvetica", False


def _cell_text(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, dt.date):
        return uk_date(value)
    if isinstance(value, float):
        return f"{value:,.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def pack_table(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """The columns that fit a page: counts and shares, not every share of every outcome; months
    written as months ("Nov 2026")."""
    if "Month" in frame.columns:
        frame = frame.with_columns(pl.col("Month").dt.strftime("%b %Y"))
    if key.startswith("midway_by"):
        keep = [c for c in frame.columns if not c.endswith("(%)") or c == "Done on time (%)"]
        return frame.select(keep)
    if key == "reviews_in_timescale":
        return frame.filter(pl.col("Review") == "All reviews").drop("Review")
    if key == "caseloads":
        return frame.filter(pl.col("Month end") == pl.col("Month end").max())
    return frame


def pack_pdf(pack: Pack) -> bytes:
    """The pack as an A4 landscape PDF: title, period, each figure as a table (or why the data cannot
    support it), the children needing attention and the open escalations."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_title(f"Supervision pack: {pack.subject}")
    pdf.set_creator("Midway")
    family, unicode_ok = _font(pdf)

    def text(value: object) -> str:
        s = _cell_text(value)
        return s if unicode_ok else s.replace("–", "-").encode("latin-1", "replace").decode("latin-1")

    def heading(title: str, size: int = 13) -> None:
        pdf.set_font(family, "B", size)
        pdf.multi_cell(0, 7, text(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 9)

    def para(words: str) -> None:
        pdf.set_font(family, "", 10)
        pdf.multi_cell(0, 5.5, text(words), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def fit(value: str, width: float) -> str:
        """Cut a cell's text to its column, with an ellipsis (the CSV and workbook have it whole)."""
        if pdf.get_string_width(value) <= width - 2:
            return value
        while value and pdf.get_string_width(value + "…") > width - 2:
            value = value[:-1]
        return value + "…"

    def table(frame: pl.DataFrame, wrap: str | None = None) -> None:
        """A table drawn cell by cell (fpdf2's own table wraps every cell, which cost seconds on an
        IRO's pack): fixed-height rows, text cut to its column, except the `wrap` column, which wraps;
        the header repeats on each new page."""
        size = 8 if frame.width > 7 else 9
        cols = frame.columns
        rows = [[text(v) for v in row] for row in frame.iter_rows()]
        numeric = [t.is_numeric() for t in frame.dtypes]
        chars = [max([len(c) * 0.55, 4.0] + [float(len(r[i])) for r in rows]) for i, c in enumerate(cols)]
        chars = [min(c, 70.0 if cols[i] == wrap else 34.0) for i, c in enumerate(chars)]
        widths = [c * pdf.epw / sum(chars) for c in chars]
        line = 4.4

        def header() -> None:
            pdf.set_font(family, "B", size)
            pdf.set_fill_color(230, 234, 240)
            lines = max(
                len(pdf.multi_cell(w, line, text(c), dry_run=True, output="LINES"))
                for w, c in zip(widths, cols, strict=True)
            )
            x0, y0, h = pdf.l_margin, pdf.get_y(), lines * line + 1
            x = x0
            for w, c in zip(widths, cols, strict=True):
                pdf.rect(x, y0, w, h, style="DF")
                pdf.set_xy(x, y0 + 0.5)
                pdf.multi_cell(w, line, text(c), new_x="RIGHT", new_y="TOP")
                x += w
            pdf.set_xy(x0, y0 + h)
            pdf.set_font(family, "", size)

        header()
        for row in rows:
            h = line + 1.2
            if wrap is not None:
                k = cols.index(wrap)
                h = max(h, len(pdf.multi_cell(widths[k], line, row[k], dry_run=True, output="LINES")) * line + 1.2)
            if pdf.get_y() + h > pdf.page_break_trigger:
                pdf.add_page()
                header()
            x, y = pdf.l_margin, pdf.get_y()
            for i, (w, value) in enumerate(zip(widths, row, strict=True)):
                pdf.set_xy(x, y)
                if cols[i] == wrap:
                    pdf.rect(x, y, w, h)
                    pdf.set_xy(x, y + 0.6)
                    pdf.multi_cell(w, line, value, new_x="RIGHT", new_y="TOP")
                else:
                    pdf.cell(w, h, fit(value, w), border=1, align="R" if numeric[i] else "L")
                x += w
            pdf.set_xy(pdf.l_margin, y + h)
        pdf.ln(3)

    pdf.add_page()
    heading(f"Supervision pack: {pack.subject}", 16)
    para(
        f"Period {pack.period.describe()}; children needing attention and open escalations as of "
        f"{uk_date(pack.as_of)}. Facts are counted for whoever held the child on the day (the review, the "
        "midway check's due date, the escalation)."
    )
    for fig in pack.figures.values():
        heading(fig.title, 12)
        if not fig.supported:
            para("The data cannot support this figure: " + fig.why_not)
            continue
        table(pack_table(fig.data, fig.key))
    heading(f"Children needing attention ({pack.attention.height})", 12)
    if pack.attention.is_empty():
        para("No child held by this selection has a drift flag.")
    else:
        table(pack.attention, wrap="Why")
    heading(f"Open escalations ({pack.escalations.height})", 12)
    if pack.escalations.is_empty():
        para("None open.")
    else:
        table(pack.escalations)
    return bytes(pdf.output())
