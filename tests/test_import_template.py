"""Midway's template: blank workbook, round trip, CSV and Excel agree, row-level errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.importers import collect, parse_files
from services.importers import problems as pb
from services.importers.inputs import InputFile
from services.importers.template import export_frames, workbook_bytes, write_csv_folder
from services.importers.writer import import_parsed
from services.persistence import models as m
from services.persistence.caseload import load_caseload
from services.persistence.database import make_engine, migrate

D = dt.date

FILES = {
    "children.csv": "child_id,display_name,date_of_birth,sex,legal_status,placement_type,team,social_worker,iro,"
    "sibling_group,permanence_plan,permanence_plan_date,annual_reviews_from\n"
    "C1,Amy,2014-05-17,F,C2,U4,North Team,Sam Worker,Iris  Reviewer,S1,adoption,2025-01-10,\n"
    "C2,Ben,17/06/2016,M,v3,,South Team,,Iris Reviewer,S1,,,\n",
    "periods_of_care.csv": "child_id,start_date,end_date\nC1,2024-11-04,\nC2,2023-01-02,2023-12-31\n",
    "reviews.csv": "child_id,review_date,participation_code,recommendations_sent_date,record_completed_date,"
    "care_plan_updated_date,next_review_scheduled\n"
    "C1,2024-12-02,pn1,2024-12-06,2024-12-16,,\nC1,2025-03-01,PN1,,,,\nC2,2023-02-01,PN0,,,,\n",
    "recommendations.csv": "child_id,review_date,recommendation,owner,target_date,completed_date\n"
    "C1,2024-12-02,Arrange a PEP,SW,2025-01-31,\nC1,2024-12-02,Health assessment,SW,2025-02-28,2025-02-01\n",
    "midway_checks.csv": "child_id,check_date,iro,outcome\nC1,2025-01-20,Iris Reviewer,actions_sent\n",
    "significant_events.csv": "child_id,event_date,event_type,bring_forward\n"
    "C1,2025-02-03,missing from placement,Yes\n",
    "missing_episodes.csv": "child_id,start_date,end_date\nC1,2025-02-03,2025-02-04\n",
    "escalations.csv": "child_id,raised_date,stage,stage_due_date,resolved_date,outcome,category\n"
    "C1,2025-02-10,1,2025-02-17,,,delay in plan progress\n",
}


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _fresh(tmp_path: Path, name: str):
    eng = make_engine(f"sqlite:///{tmp_path / name}")
    migrate(eng)
    return eng


def test_template_maps_and_imports(engine, tmp_path: Path) -> None:
    parsed = parse_files(collect(write(tmp_path / "in", FILES)))
    assert pb.errors(parsed.problems).height == 0, pb.summary(parsed.problems)
    result = import_parsed(engine, parsed, "importer")
    assert result.written
    cl = load_caseload(engine)
    assert cl.children.sort("child_id")["short_breaks"].to_list() == [False, True]
    alloc = cl.allocations.filter(child_id="C1").sort("role")
    assert alloc.select("role", "staff_code", "name", "from_date").rows() == [
        ("iro", "NAME:iris reviewer", "Iris  Reviewer", D(2024, 11, 4)),
        ("social_worker", "NAME:sam worker", "Sam Worker", D(2024, 11, 4)),
        ("team", None, "North Team", D(2024, 11, 4)),
    ]
    # both children share one IRO (same code despite the doubled space)
    assert cl.allocations.filter(role="iro")["staff_code"].unique().to_list() == ["NAME:iris reviewer"]
    assert cl.recommendations.sort("rec_id")["text"].to_list() == ["Arrange a PEP", "Health assessment"]
    assert cl.events["bring_forward"].to_list() == [True]
    assert cl.escalations.select("stage", "stage_name", "stage_due_date").row(0) == (
        1,
        "Formal: Team Manager",
        D(2025, 2, 17),
    )
    with Session(engine) as s:
        check = s.scalars(select(m.MidwayCheck)).one()
        assert (check.author, check.status, check.template, check.outcome) == (
            "Iris Reviewer",
            "final",
            "imported",
            "actions_sent",
        )
    again = import_parsed(engine, parse_files(collect(tmp_path / "in")), "importer")
    assert again.counts["added"].sum() == 0 and again.counts["updated"].sum() == 0


def test_changed_value_is_an_update_and_dry_run_predicts_it(sqlite_engine, tmp_path: Path) -> None:
    import_parsed(sqlite_engine, parse_files(collect(write(tmp_path / "a", FILES))), "importer")
    changed = dict(FILES)
    changed["reviews.csv"] = FILES["reviews.csv"].replace("C1,2025-03-01,PN1", "C1,2025-03-01,PN2")
    parsed = parse_files(collect(write(tmp_path / "b", changed)))
    preview = import_parsed(sqlite_engine, parsed, "importer", dry_run=True)
    assert not preview.written
    row = preview.counts.filter(table="reviews").row(0, named=True)
    assert (row["added"], row["updated"], row["unchanged"]) == (0, 1, 2)
    assert load_caseload(sqlite_engine).reviews.filter(held_date=D(2025, 3, 1))["participation_code"].item() == "PN1"
    done = import_parsed(sqlite_engine, parsed, "importer")
    assert done.counts.equals(preview.counts)
    assert load_caseload(sqlite_engine).reviews.filter(held_date=D(2025, 3, 1))["participation_code"].item() == "PN2"


def test_round_trip_export_then_import_gives_identical_data(tmp_path: Path) -> None:
    first = _fresh(tmp_path, "a.db")
    import_parsed(first, parse_files(collect(write(tmp_path / "in", FILES))), "importer")
    exported = export_frames(first)
    folder = tmp_path / "export"
    write_csv_folder(exported, folder)
    via_csv = _fresh(tmp_path, "b.db")
    res = import_parsed(via_csv, parse_files(collect(folder)), "importer")
    assert res.written, pb.summary(res.problems)
    via_xlsx = _fresh(tmp_path, "c.db")
    res = import_parsed(via_xlsx, parse_files([InputFile("export.xlsx", workbook_bytes(exported))]), "importer")
    assert res.written, pb.summary(res.problems)
    for other in (via_csv, via_xlsx):
        again = export_frames(other)
        for table, frame in exported.items():
            assert again[table].equals(frame), table
        a, b = load_caseload(first), load_caseload(other)
        for name, frame in a.tables().items():
            assert b.tables()[name].equals(frame), name


def test_csv_and_excel_agree(tmp_path: Path) -> None:
    from_csv = parse_files(collect(write(tmp_path / "in", FILES)))
    first = _fresh(tmp_path, "a.db")
    import_parsed(first, from_csv, "importer")
    from_xlsx = parse_files([InputFile("book.xlsx", workbook_bytes(export_frames(first)))])
    assert pb.errors(from_xlsx.problems).height == 0
    for table, frame in from_csv.tables.items():
        frame = from_csv.table(table)
        assert from_xlsx.table(table).sort(frame.columns[:2]).equals(frame.sort(frame.columns[:2])), table


def test_blank_workbook_has_every_table_an_example_and_explanations() -> None:
    import fastexcel

    data = workbook_bytes()
    reader = fastexcel.read_excel(data)
    assert reader.sheet_names[-1] == "explanations"
    assert "reviews" in reader.sheet_names and "escalations" in reader.sheet_names
    parsed = parse_files([InputFile("blank.xlsx", data)])
    assert pb.errors(parsed.problems).height == 0
    assert parsed.tables["children"]["date_of_birth"].to_list() == [D(2014, 5, 17)]
    explained = reader.load_sheet_by_name("explanations").to_polars()
    assert explained.filter(table="reviews", column="review_date")["required"].item() == "yes"


MALFORMED = {
    "bad date": (
        {"reviews.csv": FILES["reviews.csv"].replace("2025-03-01", "2025-02-30")},
        'reviews.csv line 3, review_date: "2025-02-30" is not a date (expected yyyy-mm-dd or dd/mm/yyyy)',
    ),
    "unknown code": (
        {"midway_checks.csv": FILES["midway_checks.csv"].replace("actions_sent", "fine")},
        'midway_checks.csv line 2, outcome: "fine" unknown code (expected one of progressing, actions_sent, escalated)',
    ),
    "review outside every period of care": (
        {"reviews.csv": FILES["reviews.csv"] + "C2,2024-06-01,PN1,,,,\n"},
        'reviews.csv line 5, review_date: "2024-06-01" review outside every period of care',
    ),
    "duplicate": (
        {"missing_episodes.csv": FILES["missing_episodes.csv"] + "C1,03/02/2025,\n"},
        'missing_episodes.csv line 3, start_date: "2025-02-03" duplicate: same child_id and start_date as line 2',
    ),
    "child missing from children": (
        {"significant_events.csv": FILES["significant_events.csv"] + "C7,2025-02-03,complaint,no\n"},
        'significant_events.csv line 3, child_id: "C7" child missing from children',
    ),
    "required value blank": (
        {"recommendations.csv": FILES["recommendations.csv"] + "C1,2024-12-02,,SW,,\n"},
        "recommendations.csv line 4, recommendation: is blank (required)",
    ),
    "recommendation without its review": (
        {"recommendations.csv": FILES["recommendations.csv"] + "C1,2024-12-03,Call carer,SW,,\n"},
        'recommendations.csv line 4, review_date: "2024-12-03" no review of this child on this date in reviews',
    ),
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_each_malformed_template_gives_its_message_and_writes_nothing(kind, tmp_path: Path, sqlite_engine) -> None:
    files, message = MALFORMED[kind]
    parsed = parse_files(collect(write(tmp_path / "in", FILES | files)))
    assert pb.describe(pb.errors(parsed.problems)).to_list() == [message]
    assert not import_parsed(sqlite_engine, parsed, "importer").written
    assert load_caseload(sqlite_engine).children.height == 0
