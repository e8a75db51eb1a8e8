"""SSDA903 import: the public fake files, hand-made cases for periods of care, malformed files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.importers import collect, parse_files, read_caseload
from services.importers import problems as pb
from services.importers.inputs import InputFile
from services.importers.writer import import_parsed
from services.persistence import models as m
from services.views.export import problems_csv
from tests.conftest import FAKE_903

D = dt.date
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
REVIEWS = "CHILD,DOB,REVIEW,REVIEW_CODE"


def ep(child: str, decom: str, rne: str, ls: str, place: str, dec: str = "", rec: str = "") -> str:
    return f"{child},{decom},{rne},{ls},N1,{place},PR1,{dec},{rec},,,,"


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    return folder


def table_counts(engine) -> dict[str, int]:
    with Session(engine) as s:
        return {
            t.__tablename__: s.scalar(select(func.count()).select_from(t))
            for t in (m.Child, m.PeriodOfCare, m.Placement, m.Review, m.MissingEpisode, m.ImportRun)
        }


# --- the public fake files ---------------------------------------------------------------------

FAKE_WARNINGS = {
    ("episodes.csv", "RNE", "period start unknown"): 1856,
    ("episodes.csv", "REC", "REC given but DEC is blank"): 1413,
    ("episodes.csv", "DECOM", "gap or overlap"): 12,
    ("episodes.csv", "DECOM", "the previous episode is open"): 10,
    ("episodes.csv", "RNE", "the previous episode ended the period of care"): 5,
    ("placed_for_adoption.csv", "DATE_PLACED", "date placed for adoption is outside"): 6,
    ("reviews.csv", "REVIEW", "child has no episodes"): 3063,
    ("reviews.csv", "REVIEW", "review outside every period of care"): 139,
    ("reviews.csv", "REVIEW", "duplicate: a later line"): 12,
    ("reviews.csv", None, "repeats an earlier line exactly"): 2,
    ("sw_episodes.csv", "CHILD", "child missing from Header: row skipped"): 1,
    ("sw_episodes.csv", "SW_REASON", "unknown SW_REASON code"): 1,
}


def test_fake_files_parse_with_exact_warning_counts() -> None:
    parsed = parse_files(collect(FAKE_903))
    assert pb.errors(parsed.problems).height == 0
    kinds = pb.counts_by_message(parsed.problems).to_dicts()
    got = {}
    for (file, column, start), _n in FAKE_WARNINGS.items():
        got[(file, column, start)] = sum(
            k["rows"] for k in kinds if k["file"] == file and k["column"] == column and k["message"].startswith(start)
        )
    assert got == FAKE_WARNINGS
    assert sum(FAKE_WARNINGS.values()) == pb.warnings(parsed.problems).height
    assert parsed.tables["children"].height == 2675
    assert parsed.tables["reviews"].height == 12582 - 2 - 12
    assert parsed.tables["placements"].height == 5050
    assert int(parsed.tables["children"]["short_breaks"].sum()) == 227
    assert set(parsed.tables["children"]["source"]) == {"ssda903"}
    assert parsed.data_end == dt.date(2018, 3, 31)  # the latest episode date, 31/03/2018
    # every warning names a file and a line
    assert parsed.problems.filter(pl.col("line").is_null()).height == 0


def test_fake_files_import_and_reimport_changes_nothing(engine) -> None:
    parsed = parse_files(collect(FAKE_903))
    first = import_parsed(engine, parsed, "importer")
    assert first.written and first.run_id == 1
    counts = table_counts(engine)
    assert counts == {
        "children": 2675,
        "periods_of_care": 2227,
        "placements": 5050,
        "reviews": 12568,
        "missing_episodes": 43,
        "import_runs": 1,
    }
    again = import_parsed(engine, parse_files(collect(FAKE_903)), "importer")
    assert again.counts["added"].sum() == 0 and again.counts["updated"].sum() == 0
    assert again.counts["removed"].sum() == 0
    assert table_counts(engine) | {"import_runs": 1} == counts
    with Session(engine) as s:
        run = s.get(m.ImportRun, 1)
        assert run.actor == "importer" and run.kind == "ssda903"
        assert {f["name"] for f in run.files} >= {"header.csv", "episodes.csv", "reviews.csv"}
        assert all(len(f["sha256"]) == 64 for f in run.files)
        assert run.counts["reviews"]["added"] == 12568
        audit = s.scalars(select(m.AuditEntry).where(m.AuditEntry.entity == "reviews")).all()
        assert [a.after["added"] for a in audit if a.action == "import"] == [12568]
        rows = [a for a in audit if a.action == "import_add"]
        assert len(rows) == 12568 and {a.actor for a in rows} == {"importer"}
        first = min(rows, key=lambda a: a.id)
        assert first.before is None and first.after["source"] == "ssda903" and "|" in first.entity_id


# --- hand-made periods of care -----------------------------------------------------------------


def _hand_made(folder: Path) -> Path:
    return write(
        folder,
        {
            "header.csv": "\n".join(
                [HEADER, "A1,1,01/01/2015,WBRI,,,", "B2,2,02/02/2012,WBRI,,,", "C3,1,03/03/2010,WBRI,,,"]
            ),
            "episodes.csv": "\n".join(
                [
                    EPISODES,
                    ep("A1", "01/04/2020", "S", "C2", "U4", "01/06/2020", "X1"),
                    ep("A1", "01/06/2020", "L", "E1", "U4", "01/09/2020", "X1"),
                    ep("A1", "01/09/2020", "P", "E1", "A5", "01/03/2021", "E11"),
                    ep("A1", "01/06/2022", "S", "v2 ", "u4"),  # lower case and padding are normalised
                    ep("B2", "15/05/2019", "P", "C2", "K2", "20/05/2020", "X1"),
                    ep("B2", "20/05/2020", "T", "C2", "K2"),
                    ep("C3", "01/02/2021", "S", "V3", "R2", "03/02/2021", "E8"),
                ]
            ),
            "reviews.csv": "\n".join(
                [
                    REVIEWS,
                    "A1,01/01/2015,28/04/2020,PN0",
                    "B2,02/02/2012,10/03/2019,pn1",
                    "A1,01/01/2015,01/01/2022,PN1",
                ]
            ),
            "placed_for_adoption.csv": "CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED\n"
            "A1,01/01/2015,25/08/2020,,",
        },
    )


def test_periods_placement_orders_and_adoption_placements(tmp_path: Path) -> None:
    parsed = parse_files(collect(_hand_made(tmp_path / "in")))
    assert pb.errors(parsed.problems).height == 0
    periods = parsed.table("periods_of_care").drop("source").sort("child_id", "observed_from")
    assert periods.to_dicts() == [
        {"child_id": "A1", "observed_from": D(2020, 4, 1), "start_date": D(2020, 4, 1), "end_date": D(2021, 3, 1),
         "placement_order_date": D(2020, 6, 1), "placed_for_adoption_date": D(2020, 8, 25), "end_reason": "E11"},
        {"child_id": "A1", "observed_from": D(2022, 6, 1), "start_date": D(2022, 6, 1), "end_date": None,
         "placement_order_date": None, "placed_for_adoption_date": None, "end_reason": None},
        {"child_id": "B2", "observed_from": D(2019, 5, 15), "start_date": None, "end_date": None,
         "placement_order_date": None, "placed_for_adoption_date": None, "end_reason": None},
        {"child_id": "C3", "observed_from": D(2021, 2, 1), "start_date": D(2021, 2, 1), "end_date": D(2021, 2, 3),
         "placement_order_date": None, "placed_for_adoption_date": None, "end_reason": "E8"},
    ]  # fmt: skip
    children = parsed.tables["children"].sort("id")
    assert children.select("id", "sex", "legal_status", "placement_type", "short_breaks").rows() == [
        ("A1", "M", "V2", "U4", False),
        ("B2", "F", "C2", "K2", False),
        ("C3", "M", "V3", "R2", True),
    ]
    warnings = pb.describe(pb.warnings(parsed.problems)).to_list()
    assert any(w.startswith('episodes.csv line 6, RNE: "P" period start unknown') for w in warnings)
    assert (
        'reviews.csv line 4, REVIEW: "01/01/2022" review outside every period of care: kept, counted in no period'
        in warnings
    )
    # the review before B2's unknown start is inside its period (the period reaches back)
    assert not any("10/03/2019" in w for w in warnings)
    assert parsed.tables["reviews"].filter(child_id="B2")["participation_code"].to_list() == ["PN1"]


def test_adoption_placement_from_place_code_when_no_placed_adoption_row(tmp_path: Path) -> None:
    folder = _hand_made(tmp_path / "in")
    (folder / "placed_for_adoption.csv").unlink()
    parsed = parse_files(collect(folder))
    a1 = parsed.tables["periods_of_care"].filter(child_id="A1").sort("observed_from")
    assert a1["placed_for_adoption_date"].to_list() == [D(2020, 9, 1), None]


def test_several_years_stacked_later_year_wins(tmp_path: Path) -> None:
    """The 2020 file lacks the RNE = S episode of 2019; together they give the real start."""
    y2019 = _write_year(tmp_path, 2019, [ep("K9", "10/10/2018", "S", "C1", "U6")])
    y2020 = _write_year(
        tmp_path,
        2020,
        [ep("K9", "10/10/2018", "S", "C2", "U6", "01/07/2019", "X1"), ep("K9", "01/07/2019", "L", "E1", "U6")],
    )
    alone = parse_files([InputFile(p.name, p.read_bytes()) for p in y2020[1:]] + [_file(y2020[0])])
    assert alone.tables["periods_of_care"]["start_date"].to_list() == [D(2018, 10, 10)]
    only_later = parse_files([_file(y2020[0]), _file(y2020[1])])
    assert only_later.tables["periods_of_care"]["placement_order_date"].to_list() == [D(2019, 7, 1)]
    both = parse_files([_file(p) for p in y2020 + y2019])  # order given does not matter: years do
    placements = both.tables["placements"].sort("start_date")
    assert placements["legal_status"].to_list() == ["C2", "E1"]  # 2020's row replaced 2019's open one
    assert both.tables["periods_of_care"].select("start_date", "placement_order_date").row(0) == (
        D(2018, 10, 10),
        D(2019, 7, 1),
    )
    assert any("replaced by a later collection year" in n for n in both.notes)


def _write_year(tmp: Path, year: int, episodes: list[str]) -> list[Path]:
    folder = write(
        tmp / str(year),
        {
            f"header_{year}.csv": f"{HEADER}\nK9,1,01/01/2016,WBRI,,,",
            f"SSDA903_{year}_episodes.csv": "\n".join([EPISODES, *episodes]),
        },
    )
    return [folder / f"header_{year}.csv", folder / f"SSDA903_{year}_episodes.csv"]


def _file(p: Path) -> InputFile:
    return InputFile(p.name, p.read_bytes())


def test_xml_variant_gives_the_same_tables_as_csv(tmp_path: Path) -> None:
    xml = """<?xml version="1.0" encoding="utf-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>A1</CHILDID><SEX>1</SEX><DOB>01/01/2015</DOB><ETHNIC>WBRI</ETHNIC>
      <AREVIEW><REVIEW>28/04/2020</REVIEW><REVIEW_CODE>PN0</REVIEW_CODE></AREVIEW>
    </HEADER>
    <EPISODE><DECOM>01/04/2020</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U4</PL>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC>01/06/2020</DEC><REC>X1</REC></EPISODE>
    <EPISODE><DECOM>01/06/2020</DECOM><RNE>L</RNE><LS>E1</LS><CIN>N1</CIN><PL>U4</PL>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER></EPISODE>
  </CHILD>
</EXPSSDA903>
"""
    from_xml = parse_files([InputFile("return.xml", xml.encode())])
    csv = write(
        tmp_path / "csv",
        {
            "h.csv": f"{HEADER}\nA1,1,01/01/2015,WBRI,,,",
            "e.csv": "\n".join(
                [
                    EPISODES,
                    ep("A1", "01/04/2020", "S", "C2", "U4", "01/06/2020", "X1"),
                    ep("A1", "01/06/2020", "L", "E1", "U4"),
                ]
            ),
            "r.csv": f"{REVIEWS}\nA1,01/01/2015,28/04/2020,PN0",
        },
    )
    from_csv = parse_files(collect(csv))
    assert pb.errors(from_xml.problems).height == 0
    for table in ("children", "periods_of_care", "placements", "reviews"):
        assert from_xml.table(table).equals(from_csv.table(table)), table
    assert from_xml.problems.height == 0


def test_read_caseload_for_the_report_command(tmp_path: Path) -> None:
    caseload = read_caseload(_hand_made(tmp_path / "in"))
    assert caseload.children.height == 3
    assert caseload.periods.filter(child_id="A1")["period_id"].to_list() == [1, 2]
    assert caseload.reviews.height == 3
    lacks = caseload.unknown.group_by("child_id").agg(pl.col("fact").sort())
    assert lacks.height == 3
    assert all("care_plan_updated_date" in facts for facts in lacks["fact"].to_list())
    assert set(caseload.unknown["why"]) == {"not in the 903 return"}


# --- one malformed file per kind of problem: exact message, nothing written ----------------------

GOOD_HEADER = f"{HEADER}\nA1,1,01/01/2015,WBRI,,,\n"
GOOD_EPISODES = f"{EPISODES}\n{ep('A1', '01/04/2020', 'S', 'C2', 'U4')}\n"

MALFORMED = {
    "bad date": (
        {"reviews.csv": f"{REVIEWS}\nA1,01/01/2015,01/05/2020,PN1\nA1,01/01/2015,38/04/2021,PN1\n"},
        'reviews.csv line 3, REVIEW: "38/04/2021" is not a date (expected dd/mm/yyyy)',
    ),
    "two-digit year": (
        {"reviews.csv": f"{REVIEWS}\nA1,01/01/2015,01/01/21,PN1\n"},
        'reviews.csv line 2, REVIEW: "01/01/21" is not a date (expected dd/mm/yyyy)',
    ),
    "unknown code": (
        {"reviews.csv": f"{REVIEWS}\nA1,01/01/2015,01/05/2020,PN9\n"},
        'reviews.csv line 2, REVIEW_CODE: "PN9" unknown REVIEW_CODE code (expected one of PN0, PN1, PN2, PN3, PN4, '
        "PN5, PN6, PN7)",
    ),
    "child missing from Header": (
        {"reviews.csv": f"{REVIEWS}\nZ9,01/01/2015,01/05/2020,PN1\n"},
        'reviews.csv line 2, CHILD: "Z9" child missing from Header',
    ),
    "blank required field": (
        {"episodes.csv": f"{EPISODES}\n{ep('A1', '', 'S', 'C2', 'U4')}\n"},
        "episodes.csv line 2, DECOM: is blank",
    ),
    "episode ends before it starts": (
        {"episodes.csv": f"{EPISODES}\n{ep('A1', '01/04/2020', 'S', 'C2', 'U4', '01/03/2020', 'E8')}\n"},
        'episodes.csv line 2, DEC: "01/03/2020" episode ends before it starts (DECOM 01/04/2020)',
    ),
    "not UTF-8": (
        {"reviews.csv": f"{REVIEWS}\nA1,01/01/2015,01/05/2020,PN1\n".encode("utf-16")},
        "reviews.csv: file is UTF-16 text; save it again as CSV UTF-8",
    ),
    "unrecognised columns": (
        {"notes.csv": "CHILD,WHATEVER\nA1,x\n"},
        "notes.csv line 1: columns match no SSDA903 table (found: CHILD, WHATEVER)",
    ),
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_each_malformed_file_gives_its_message_and_writes_nothing(kind: str, tmp_path: Path, sqlite_engine) -> None:
    files, message = MALFORMED[kind]
    base = {"header.csv": GOOD_HEADER, "episodes.csv": GOOD_EPISODES}
    parsed = parse_files(collect(write(tmp_path / "in", base | files)))
    errors = pb.describe(pb.errors(parsed.problems)).to_list()
    assert errors == [message]
    result = import_parsed(sqlite_engine, parsed, "importer")
    assert not result.written
    assert table_counts(sqlite_engine) == dict.fromkeys(table_counts(sqlite_engine), 0)


def test_problems_csv_download_has_every_column(tmp_path: Path) -> None:
    files, _ = MALFORMED["bad date"]
    parsed = parse_files(collect(write(tmp_path / "in", {"header.csv": GOOD_HEADER} | files)))
    data = problems_csv(parsed.problems)
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pl.read_csv(data[3:])
    assert frame.columns == ["severity", "file", "line", "column", "value", "message"]
    assert frame.filter(pl.col("severity") == "error").row(0) == (
        "error",
        "reviews.csv",
        3,
        "REVIEW",
        "38/04/2021",
        "is not a date (expected dd/mm/yyyy)",
    )


def test_bom_and_lower_case_headers_and_codes_are_accepted(tmp_path: Path) -> None:
    header = b"\xef\xbb\xbf" + HEADER.lower().encode() + b"\n a1 ,1,01/01/2015,wbri,,,\n"
    parsed = parse_files(collect(write(tmp_path / "in", {"header.csv": header, "episodes.csv": GOOD_EPISODES})))
    assert pb.errors(parsed.problems).height == 0
    assert parsed.tables["children"]["id"].to_list() == ["A1"]
