"""Hostile import files (issue 13): every import format, a valid set with one cell (or the whole
file) replaced by something hostile — wrong types, impossible dates (31/02, 1900, 2200: outside
the working-day span 1950-2100), empty and very long strings, NUL bytes, unicode, formula text —
and XML with entity expansion or external entities. Each input is parsed and imported for real;
the only accepted endings are a written import or a refusal (problems listed, nothing written):
0 crashes, 0 partial writes (fuzz_support.Tally)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from xml.sax.saxutils import escape

import polars as pl
import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from services.engine.compute import compute
from services.engine.policy import Policy
from services.errors import UsageError
from services.importers import parse_files
from services.importers import problems as pb
from services.importers.inputs import InputFile
from services.importers.writer import import_parsed
from services.persistence.caseload import load_caseload
from tests.fuzz_support import FUZZ, Tally, hostile_text
from tests.test_import_ssda903 import EPISODES, HEADER, REVIEWS, ep
from tests.test_import_template import FILES as TEMPLATE

SSDA903 = {
    "header.csv": f"{HEADER}\nA1,1,01/01/2015,WBRI,,,\nB2,2,03/05/2012,WBRI,,,\n",
    "episodes.csv": "\n".join(
        [
            EPISODES,
            ep("A1", "01/04/2020", "S", "C2", "U4", "01/06/2020", "X1"),
            ep("A1", "01/06/2020", "L", "E1", "U4"),
            ep("B2", "10/10/2021", "S", "C2", "U1"),
        ]
    )
    + "\n",
    "reviews.csv": f"{REVIEWS}\nA1,01/01/2015,28/04/2020,PN0\nB2,03/05/2012,01/12/2021,PN1\n",
    "missing.csv": "CHILD,SEX,DOB,MISSING,MIS_START,MIS_END\nB2,2,03/05/2012,M,02/02/2022,03/02/2022\n",
}
XML_FIELDS = {"CHILDID": "A1", "SEX": "1", "DOB": "01/01/2015", "ETHNIC": "WBRI", "REVIEW": "28/04/2020"}
XML_FIELDS |= {"REVIEW_CODE": "PN0", "DECOM": "01/04/2020", "RNE": "S", "LS": "C2", "CIN": "N1", "PL": "U4"}
XML_FIELDS |= {"PLACE_PROVIDER": "PR1", "DEC": "01/06/2020", "REC": "X1"}
HOSTILE_XML = [
    # billion laughs: nested entities expanding to gigabytes
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + "]><EXPSSDA903><CHILD><HEADER><CHILDID>&lol9;</CHILDID></HEADER></CHILD></EXPSSDA903>",
    # an external entity reading a local file
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<EXPSSDA903><CHILD><HEADER><CHILDID>&xxe;</CHILDID></HEADER></CHILD></EXPSSDA903>",
    # an external DTD fetched from the network
    '<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd"><EXPSSDA903/>',
    # a parameter entity
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><EXPSSDA903/>',
    "<EXPSSDA903><CHILD><HEADER><CHILDID>A1</CHILDID>",  # cut short
    "",
]
ACTOR = "Fuzz Importer"
AS_OF = dt.date(2026, 11, 23)


def _xml(fields: dict[str, str]) -> str:
    f = {k: escape(v) for k, v in fields.items()}
    return (
        '<?xml version="1.0" encoding="utf-8"?><EXPSSDA903><CHILD><HEADER>'
        f"<CHILDID>{f['CHILDID']}</CHILDID><SEX>{f['SEX']}</SEX><DOB>{f['DOB']}</DOB><ETHNIC>{f['ETHNIC']}</ETHNIC>"
        f"<AREVIEW><REVIEW>{f['REVIEW']}</REVIEW><REVIEW_CODE>{f['REVIEW_CODE']}</REVIEW_CODE></AREVIEW></HEADER>"
        f"<EPISODE><DECOM>{f['DECOM']}</DECOM><RNE>{f['RNE']}</RNE><LS>{f['LS']}</LS><CIN>{f['CIN']}</CIN>"
        f"<PL>{f['PL']}</PL><PLACE_PROVIDER>{f['PLACE_PROVIDER']}</PLACE_PROVIDER><DEC>{f['DEC']}</DEC>"
        f"<REC>{f['REC']}</REC></EPISODE></CHILD></EXPSSDA903>"
    )


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8", errors="surrogatepass")


def _xlsx(tables: dict[str, list[list[str]]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    for name, rows in tables.items():
        sheet = book.add_worksheet(name.removesuffix(".csv"))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write_string(r, c, value[:32767])  # Excel's own cell limit
    book.close()
    return out.getvalue()


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, str]) -> dict[str, list[list[str]]]:
    """The base tables with one cell, row or header replaced by hostile text."""
    tables = {name: _rows(text) for name, text in base.items()}
    name = draw(st.sampled_from(sorted(tables)))
    rows = tables[name]
    how = draw(st.sampled_from(["cell", "cell", "cell", "cell", "header", "extra_row", "short_row", "drop_column"]))
    r = draw(st.integers(1, len(rows) - 1))
    c = draw(st.integers(0, len(rows[0]) - 1))
    value = draw(hostile_text)
    if how == "cell":
        rows[r][c] = value
    elif how == "header":
        rows[0][c] = value
    elif how == "extra_row":
        rows.append([value] * len(rows[0]))
    elif how == "short_row":
        rows[r] = rows[r][:c]
    else:
        for row in rows:
            del row[c : c + 1]
    return tables


def _import(engine, files: list[InputFile]) -> bool:
    parsed = parse_files(files)
    result = import_parsed(engine, parsed, ACTOR)
    if not result.written:
        assert parsed.has_errors or pb.errors(result.database_problems).height  # refused: it says why
    else:  # what was accepted, the engine computes from (a date it cannot handle is refused above)
        compute(load_caseload(engine), AS_OF, Policy())
    return result.written


def _run(engine, tally: Tally, files: list[InputFile]) -> None:
    tally.attempt(engine, lambda: _import(engine, files), (UsageError,))


def test_fuzz_template_csv(engine) -> None:
    tally = Tally(f"template CSV [{engine.dialect.name}]")

    @FUZZ
    @given(mutated(TEMPLATE))
    def one(tables: dict[str, list[list[str]]]) -> None:
        _run(engine, tally, [InputFile(name, _csv(rows)) for name, rows in tables.items()])

    one()
    tally.check()


def test_fuzz_template_excel(engine) -> None:
    tally = Tally(f"template Excel [{engine.dialect.name}]")

    @FUZZ
    @given(mutated(TEMPLATE))
    def one(tables: dict[str, list[list[str]]]) -> None:
        _run(engine, tally, [InputFile("midway.xlsx", _xlsx(tables))])

    one()
    tally.check()


def test_fuzz_ssda903_csv(engine) -> None:
    tally = Tally(f"SSDA903 CSV [{engine.dialect.name}]")

    @FUZZ
    @given(mutated(SSDA903))
    def one(tables: dict[str, list[list[str]]]) -> None:
        _run(engine, tally, [InputFile(name, _csv(rows)) for name, rows in tables.items()])

    one()
    tally.check()


def test_fuzz_ssda903_xml(engine) -> None:
    tally = Tally(f"SSDA903 XML [{engine.dialect.name}]")

    @FUZZ
    @given(st.sampled_from(sorted(XML_FIELDS)), hostile_text)
    def one(key: str, value: str) -> None:
        _run(engine, tally, [InputFile("return.xml", _xml(XML_FIELDS | {key: value}).encode(errors="surrogatepass"))])

    one()
    for doc in HOSTILE_XML:
        _run(engine, tally, [InputFile("hostile.xml", doc.encode())])
    tally.check()


def test_fuzz_whole_files(engine) -> None:
    """Not a table at all: random bytes, a valid file cut short, under every accepted file name."""
    tally = Tally(f"whole files [{engine.dialect.name}]")
    valid = {"episodes.csv": SSDA903["episodes.csv"].encode(), "children.csv": TEMPLATE["children.csv"].encode()}
    valid["midway.xlsx"] = _xlsx({n: _rows(t) for n, t in TEMPLATE.items()})
    valid["return.xml"] = _xml(XML_FIELDS).encode()

    @FUZZ
    @given(st.sampled_from(sorted(valid)), st.one_of(st.binary(max_size=2000), st.floats(0, 1)))
    def one(name: str, body: bytes | float) -> None:
        data = valid[name][: int(len(valid[name]) * body)] if isinstance(body, float) else body
        _run(engine, tally, [InputFile(name, data)])

    one()
    tally.check()


def test_entity_expansion_is_refused_plainly(sqlite_engine) -> None:
    for doc in HOSTILE_XML[:4]:
        parsed = parse_files([InputFile("hostile.xml", doc.encode())])
        messages = pb.errors(parsed.problems).get_column("message").to_list()
        assert messages[0].startswith("has a DTD (<!DOCTYPE ...>): refused"), messages
        assert "root:" not in str(parsed.problems.to_dicts())  # /etc/passwd was never read


@pytest.mark.parametrize("year", [1900, 1949, 2101, 2200])
def test_a_date_outside_the_working_day_span_is_refused_naming_file_line_and_column(year: int) -> None:
    files = dict(TEMPLATE)
    files["reviews.csv"] = files["reviews.csv"].replace("C1,2025-03-01,", f"C1,{year}-03-01,")
    files["missing_episodes.csv"] = files["missing_episodes.csv"].replace("2025-02-04", f"{year}-02-04")
    parsed = parse_files([InputFile(name, text.encode()) for name, text in files.items()])
    span = pb.errors(parsed.problems).filter(pl.col("message").str.contains("1950-2100"))
    assert span.select("file", "line", "column", "value").rows() == [
        ("missing_episodes.csv", 2, "end_date", f"04/02/{year}"),
        ("reviews.csv", 3, "held_date", f"01/03/{year}"),
    ]
