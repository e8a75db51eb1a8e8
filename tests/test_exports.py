"""Downloads: every CSV / Excel write path neutralises formula cells (OWASP: a cell starting with
=, +, -, @, tab or carriage return gets a leading apostrophe), read back from the bytes; every
download the pages offer is audited on click through one helper, and recording it does not move
the data version pages cache by."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.__main__ import main
from services.access import Principal
from services.importers import collect, parse_files
from services.importers import problems as pb
from services.persistence import models as m
from services.persistence.audit import record_export
from services.persistence.database import data_version, make_engine, migrate
from services.persistence.unit_of_work import unit_of_work
from services.views import audit_log
from services.views.export import audited, problems_csv, to_csv, to_excel
from tests.test_import_ssda903 import GOOD_HEADER, REVIEWS, write

ROOT = Path(__file__).resolve().parent.parent
PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]
NEUTRAL = ["'" + p for p in PAYLOADS]
MANAGER = Principal(name="Sam Manager", role="service_manager")
IRO = Principal(name="Iris Reviewer", role="iro", staff_id=1)


def _csv_column(data: bytes, column: str) -> list[str]:
    assert data.startswith(b"\xef\xbb\xbf")
    return pl.read_csv(io.BytesIO(data[3:]), infer_schema=False)[column].to_list()


def test_csv_helper_neutralises_every_payload() -> None:
    frame = pl.DataFrame({"name": [*PAYLOADS, "Plain", "-"], "n": list(range(8))})
    back = _csv_column(to_csv(frame), "name")
    assert back == [*NEUTRAL, "Plain", "'-"]
    assert pl.read_csv(io.BytesIO(to_csv(frame)[3:]))["n"].to_list() == list(range(8))  # numbers stay numbers


def test_excel_helper_neutralises_cells_and_cover_text() -> None:
    frame = pl.DataFrame({"name": PAYLOADS, "n": list(range(6))})
    book = to_excel([("Names", "Names from data", frame, "")], cover=[("Team", "=HYPERLINK(1)")])
    back = pl.read_excel(io.BytesIO(book), sheet_name="Names", read_options={"header_row": 2})
    assert back["name"].to_list() == NEUTRAL
    contents = pl.read_excel(io.BytesIO(book), sheet_name="Contents", has_header=False)
    assert "'=HYPERLINK(1)" in contents.to_series(1).to_list()


def test_import_problems_file_neutralises_rejected_values(tmp_path: Path) -> None:
    """A rejected value is whatever the uploaded file held: the problems file must not run it."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [REVIEWS.split(","), *[["C1", "01/01/2015", p, "PN1"] for p in PAYLOADS]]
    )
    folder = write(tmp_path / "in", {"header.csv": GOOD_HEADER, "reviews.csv": out.getvalue()})
    problems = parse_files(collect(folder)).problems
    values = set(pb.errors(problems).filter(pl.col("column") == "REVIEW")["value"].to_list())
    assert '=HYPERLINK("http://x","y")' in values and "@SUM(A1)" in values  # the parser kept them as typed
    back = set(_csv_column(problems_csv(problems), "value"))
    assert {"'" + v for v in values if re.match(r"[=+\-@\t\r]", v)} <= back
    assert not {v for v in back if re.match(r"[=+\-@\t\r]", v)}
    # every payload, as a value the checks could report
    frame = pb.from_records([]).vstack(
        pl.DataFrame(
            {
                "severity": ["error"] * 6,
                "file": ["reviews.csv"] * 6,
                "line": list(range(2, 8)),
                "record": [None] * 6,
                "column": ["REVIEW"] * 6,
                "value": PAYLOADS,
                "message": ["is not a date (expected dd/mm/yyyy)"] * 6,
            },
            schema=pb.SCHEMA,
        )
    )
    assert _csv_column(problems_csv(frame), "value") == NEUTRAL


def test_cli_import_problems_csv_is_neutralised(tmp_path: Path) -> None:
    lines = [REVIEWS, 'C1,01/01/2015,"=HYPERLINK(""http://x"",""y"")",PN1', "C1,01/01/2015,@SUM(A1),PN1"]
    folder = write(tmp_path / "in", {"header.csv": GOOD_HEADER, "reviews.csv": "\n".join(lines) + "\n"})
    out = tmp_path / "problems.csv"
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["import", "--input", str(folder), "--database", url, "--problems-csv", str(out)]) == 1
    values = _csv_column(out.read_bytes(), "value")
    assert """'=HYPERLINK("http://x","y")""" in values and "'@SUM(A1)" in values


def test_cli_report_neutralises_a_formula_child_id(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    engine = make_engine(url)
    migrate(engine)
    with unit_of_work(engine, "test") as s:
        for i, payload in enumerate(PAYLOADS):
            s.add(m.Child(id=payload, display_name=f"Child {i}", date_of_birth=dt.date(2014, 5, 1)))
        s.flush()
        for payload in PAYLOADS:
            s.add(m.PeriodOfCare(child_id=payload, start_date=dt.date(2026, 1, 5), observed_from=dt.date(2026, 1, 5)))
    engine.dispose()
    out = tmp_path / "report.csv"
    assert main(["report", "--as-of", "2026-11-23", "--database", url, "--out", str(out)]) == 0
    ids = pl.read_csv(out, infer_schema=False)["child_id"].to_list()
    assert sorted(ids) == sorted(NEUTRAL)


def test_audit_export_neutralises_actor_and_values(engine: Engine) -> None:
    with unit_of_work(engine, '=HYPERLINK("http://x","y")') as s:
        s.add(m.Team(name="@SUM(A1)"))
    rows = audit_log.audit_rows(engine, MANAGER, audit_log.AuditFilter())
    data = to_csv(audit_log.for_export(rows))
    assert _csv_column(data, "Who") == ["""'=HYPERLINK("http://x","y")"""]
    assert _csv_column(data, "Record") == ["Team"]


def _exports(engine: Engine) -> list[m.AuditEntry]:
    with Session(engine) as s:
        return list(s.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "export").order_by(m.AuditEntry.id)))


def test_download_is_recorded_when_built_not_when_offered(engine: Engine) -> None:
    with unit_of_work(engine, "seed") as s:
        s.add(m.Child(id="C7", display_name="Seven", date_of_birth=dt.date(2015, 1, 1)))
    version = data_version(engine)
    frame = pl.DataFrame({"child_id": ["C7"], "note": ["x"]})
    data = audited(engine, IRO, "case_note", lambda: to_csv(frame), rows=1, file_name="note_C7.csv", child_id="C7")
    assert _exports(engine) == []  # offering the download (drawing the button) records nothing
    assert data() == to_csv(frame)
    (row,) = _exports(engine)
    assert (row.actor, row.entity, row.entity_id, row.child_id) == ("Iris Reviewer", "case_note", "note_C7.csv", "C7")
    assert row.after == {"rows": 1, "file": "note_C7.csv", "role": "iro"}
    data()
    assert len(_exports(engine)) == 2  # each click is a download
    assert data_version(engine) == version  # a read: pages' caches stay valid


def test_a_download_that_cannot_be_recorded_is_not_given(engine: Engine) -> None:
    with pytest.raises(PermissionError):
        record_export(engine, " ", "iro", "work_list", rows=3, file_name="w.csv")
    nobody = audited(engine, Principal(name="", role=""), "work_list", lambda: b"x", rows=1, file_name="w.csv")
    with pytest.raises(PermissionError):
        nobody()
    assert _exports(engine) == []


def test_pages_offer_downloads_only_through_the_audited_helper() -> None:
    """No page or ui module calls st.download_button itself (ui/downloads.py is the one place)."""
    offenders = [
        str(p.relative_to(ROOT))
        for folder in ("app_pages", "ui")
        for p in sorted((ROOT / folder).rglob("*.py"))
        if "download_button(" in p.read_text(encoding="utf-8") and p.name != "downloads.py"
    ]
    assert offenders == []
    uses = sum(p.read_text(encoding="utf-8").count("download(\n") for p in (ROOT / "app_pages").rglob("*.py")) + (
        ROOT / "ui" / "report_view.py"
    ).read_text(encoding="utf-8").count("download(\n")
    assert uses >= 10  # template, problems, 2 case notes, work list, workbook, pack, drift, figure, audit x2
