"""SSDA903 return files (CSV tables or the EXPSSDA903 XML) -> Midway's tables, with problems.

Decisions (shared/SSDA903.md is the format reference):
- A CSV is recognised by its column set, not its name: the table whose columns are all present,
  the largest such (extra columns, e.g. LIIA's LA / YEAR, are ignored with a warning).
- Several collection years at once: each file's year is the first `20xx` in its name (else the
  order given, after dated files of the same table); tables are stacked and duplicates on the
  table's key (Episodes: CHILD + DECOM, Reviews: CHILD + REVIEW, ...) resolved by the later year.
  Within one file a repeated key is a warning and the later line is kept.
- Dates are strict dd/mm/yyyy; codes are trimmed and upper-cased. Unknown codes that steer the
  schedule (RNE, LS, PLACE, REC, REVIEW_CODE) are errors; others (SEX, MISSING, SW_REASON) warnings.
- A CHILD missing from Header (when a Header table is given) is an error in Episodes and Reviews
  (schedule data for an unknown child) and a warning, row skipped, in Missing, SWEpisodes and
  PlacedAdoption. Without any Header table children come from the DOB in the other tables.
- Periods of care: per child, episodes by DECOM; a period starts at the child's first episode and
  after any episode whose REC is not X1; it ends at that REC (end_date = DEC). Its start is known
  when the opening episode has RNE = S or follows a closed period; else start_date is null,
  observed_from = that DECOM, and a warning says "period start unknown".
- placement_order_date = DECOM of the period's first LS = E1 episode; placed_for_adoption_date =
  the earlier of the first PLACE A3-A6 episode's DECOM and a PlacedAdoption DATE_PLACED inside the
  period (the adoption agency's own record of the placement can predate the episode coding).
- Reviews outside every period of care (or of a child with no episodes) are kept, attached to the
  child, with a warning: the 903 is longitudinal and a single year often lacks the episodes.
- Short breaks: children whose episodes are all LS V3/V4 (kept, flagged `short_breaks`).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.sax
from typing import Any

import defusedxml.sax
import polars as pl
from defusedxml import DefusedXmlException

from services.importers import problems as pb
from services.importers.bundle import WHERE, Parsed, shape
from services.importers.checks import birth_problems
from services.importers.inputs import InputFile, date_problems, parse_dmy, read_csv, tidy

TABLES: dict[str, tuple[str, ...]] = {
    "Header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "Episodes": (
        "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
        "HOME_POST", "PL_POST", "URN",
    ),
    "Reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "UASC": ("CHILD", "SEX", "DOB", "DUC"),
    "OC2": (
        "CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK",
        "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED",
    ),
    "OC3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "AD1": ("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
    "PlacedAdoption": ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
    "PrevPerm": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "Missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "SWEpisodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
    "DoLo": ("CHILD", "DOB", "DOLO_START", "DOLO_END"),
}  # fmt: skip
IMPORTED = ("Header", "Episodes", "Reviews", "Missing", "SWEpisodes", "PlacedAdoption")
# the key that identifies one row across collection years (later year wins)
KEYS = {
    "Header": ("CHILD",),
    "Episodes": ("CHILD", "DECOM"),
    "Reviews": ("CHILD", "REVIEW"),
    "Missing": ("CHILD", "MIS_START"),
    "SWEpisodes": ("CHILD", "SW_DECOM"),
    "PlacedAdoption": ("CHILD", "DATE_PLACED"),
}
DATES = {
    "Header": ("DOB", "MC_DOB"),
    "Episodes": ("DECOM", "DEC"),
    "Reviews": ("DOB", "REVIEW"),
    "Missing": ("DOB", "MIS_START", "MIS_END"),
    "SWEpisodes": ("DOB", "SW_DECOM", "SW_DEC"),
    "PlacedAdoption": ("DOB", "DATE_PLACED", "DATE_PLACED_CEASED"),
}
REQUIRED = {
    "Header": ("CHILD", "DOB"),
    # LS steers the schedule: a blank one once read as short breaks, taking the child off it
    "Episodes": ("CHILD", "DECOM", "LS"),
    "Reviews": ("CHILD", "REVIEW"),
    "Missing": ("CHILD", "MIS_START"),
    "SWEpisodes": ("CHILD", "SW_ID", "SW_DECOM"),
    "PlacedAdoption": ("CHILD", "DATE_PLACED"),
}
CODE_COLUMNS = ("SEX", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "REVIEW_CODE", "MISSING", "SW_REASON")

RNE = ("S", "P", "L", "T", "U", "B")
LS = ("C1", "C2", "D1", "E1", "V2", "V3", "V4", "J1", "J2", "J3", "L1", "L2", "L3")
# every year's valid list (2022/23 to 2026/27): a file of any of those years is accepted
PLACE = (
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "K3", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1", "T0", "T1",
    "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1", "Z11", "Z12", "Z13", "Z14",
)  # fmt: skip
ADOPTION_PLACE = ("A3", "A4", "A5", "A6")
REC = (
    "X1", "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48", "E5", "E6", "E7", "E9",
    "E14", "E15", "E16", "E17", "E8",
)  # fmt: skip
REVIEW_CODE = ("PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7")
SEX = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U"}
MISSING = ("M", "A")
SW_REASON = ("MANAGE", "FCONTA", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN", "SWDIED", "OTHERS")
# (table, column) -> (valid codes, severity)
CODES: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("Episodes", "RNE"): (RNE, pb.ERROR),
    ("Episodes", "LS"): (LS, pb.ERROR),
    ("Episodes", "PLACE"): (PLACE, pb.ERROR),
    ("Episodes", "REC"): (REC, pb.ERROR),
    ("Reviews", "REVIEW_CODE"): (REVIEW_CODE, pb.ERROR),
    ("Header", "SEX"): (tuple(SEX), pb.WARNING),
    ("Missing", "MISSING"): (MISSING, pb.WARNING),
    ("SWEpisodes", "SW_REASON"): (SW_REASON, pb.WARNING),
}
SHORT_BREAK_LS = ("V3", "V4")

# What the 903 cannot carry is services.engine.caseload.SSDA903_LACKS: every row this importer
# writes is marked `source = "ssda903"` (filled only where the database has no source yet), and a
# child first recorded from a 903 return lacks those facts until another source supplies them.
SOURCE = "ssda903"

YEAR = re.compile(r"(20\d{2})")


def identify(columns: list[str]) -> tuple[str | None, list[str]]:
    """The 903 table a CSV holds, by its column set; and the extra columns that will be ignored."""
    cols = {c.strip().upper() for c in columns}
    fits = [(len(spec), name) for name, spec in TABLES.items() if set(spec) <= cols]
    if not fits:
        return None, []
    name = max(fits)[1]
    return name, sorted(cols - set(TABLES[name]))


def looks_like_903(columns: list[str]) -> bool:
    return identify(columns)[0] is not None


def collection_year(name: str) -> int | None:
    m = YEAR.search(name)
    return int(m.group(1)) if m else None


# --- reading -----------------------------------------------------------------------------------


class _XmlHandler(xml.sax.ContentHandler):
    """EXPSSDA903 -> rows per table, with the line of each record's start tag."""

    RECORDS = {"HEADER": "Header", "EPISODE": "Episodes", "AREVIEW": "Reviews", "AMISSING": "Missing"}
    RECORDS |= {"AD_PLACED": "PlacedAdoption", "SWEPISODE": "SWEpisodes", "SW_EPISODE": "SWEpisodes"}
    RENAME = {"CHILDID": "CHILD", "PL": "PLACE"}

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[dict[str, Any]]] = {t: [] for t in set(self.RECORDS.values())}
        self.stack: list[dict[str, Any]] = []  # open records
        self.child_records: list[tuple[str, dict[str, Any]]] = []
        self.text: list[str] = []
        self.locator: Any = None

    def setDocumentLocator(self, locator: Any) -> None:
        self.locator = locator

    def startElement(self, name: str, attrs: Any) -> None:
        self.text = []
        if name == "CHILD":
            self.child_records = []
        elif name in self.RECORDS:
            rec: dict[str, Any] = {"_line": self.locator.getLineNumber(), "_element": name}
            self.stack.append(rec)
            self.child_records.append((self.RECORDS[name], rec))

    def characters(self, content: str) -> None:
        self.text.append(content)

    def endElement(self, name: str) -> None:
        if name in self.RECORDS:
            self.stack.pop()
        elif name == "CHILD":
            header = next((r for t, r in self.child_records if t == "Header"), {})
            child, dob = header.get("CHILD"), header.get("DOB")
            seen: dict[str, int] = {}
            for table, rec in self.child_records:
                rec.setdefault("CHILD", child)
                if table != "Episodes":
                    rec.setdefault("DOB", dob)
                # the record's place: an XML return is often on one line, so a line number alone is useless
                element = rec.pop("_element")
                seen[element] = seen.get(element, 0) + 1
                rec["_record"] = f"CHILD {rec.get('CHILD') or '?'}, {element} {seen[element]}"
                self.rows[table].append(rec)
            self.child_records = []
        elif self.stack:
            value = "".join(self.text).strip()
            self.stack[-1][self.RENAME.get(name, name)] = value or None
        self.text = []


def _read_xml(file: InputFile) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    handler = _XmlHandler()
    try:  # defusedxml: a return never needs a DTD, so entity expansion and external fetches are refused
        with file.open() as stream:  # SAX reads the file in chunks
            defusedxml.sax.parse(stream, handler, forbid_dtd=True)
    except DefusedXmlException:
        msg = "has a DTD (<!DOCTYPE ...>): refused, as an SSDA903 return never needs one (entities could expand it)"
        return {}, pb.from_records([pb.Problem(file.name, None, None, None, msg)])
    except xml.sax.SAXParseException as exc:
        msg = f"not well-formed XML: {exc.getMessage()}"
        return {}, pb.from_records([pb.Problem(file.name, exc.getLineNumber(), None, None, msg)])
    out = {}
    for table, rows in handler.rows.items():
        if not rows:
            continue
        cols = [c for c in TABLES[table] if c != "_line"]
        frame = pl.DataFrame(
            {c: [r.get(c) for r in rows] for c in cols}
            | {"_line": [r["_line"] for r in rows], "_record": [r["_record"] for r in rows]},
            schema={c: pl.String for c in cols} | {"_line": pl.Int64, "_record": pl.String},
        )
        lines, records = frame["_line"], frame["_record"]
        frame = tidy(frame.drop("_line", "_record"), file.name).with_columns(
            lines.alias("_line"), records.alias("_record")
        )
        out[table] = frame
    if not out:
        msg = "no CHILD records found (expected an EXPSSDA903 file)"
        return {}, pb.from_records([pb.Problem(file.name, None, None, None, msg)])
    return out, pb.empty()


def read_tables(files: list[InputFile]) -> tuple[dict[str, pl.DataFrame], list[dict], pl.DataFrame, list[str]]:
    """Read every file, recognise its table(s) and stack several years per table."""
    problems: list[pl.DataFrame] = []
    pieces: dict[str, list[pl.DataFrame]] = {}
    file_info: list[dict] = []
    notes: list[str] = []
    for order, file in enumerate(files):
        year = collection_year(file.name)
        rank = (year or 0) * 1000 + order
        if file.suffix == ".xml":
            tables, probs = _read_xml(file)
            problems.append(probs)
        else:
            frame, probs = read_csv(file)
            problems.append(probs)
            tables = {}
            if frame is not None:
                frame = frame.rename({c: c.upper() for c in frame.columns if not c.startswith("_")})
                name, extra = identify([c for c in frame.columns if not c.startswith("_")])
                if name is None:
                    cols = ", ".join(c for c in frame.columns if not c.startswith("_"))
                    msg = f"columns match no SSDA903 table (found: {cols})"
                    problems.append(pb.from_records([pb.Problem(file.name, 1, None, None, msg)]))
                else:
                    for col in extra:
                        msg = f"column not in the 903 {name} table: ignored"
                        problems.append(pb.from_records([pb.Problem(file.name, 1, col, None, msg, pb.WARNING)]))
                    tables = {
                        name: frame.select(*TABLES[name], "_file", "_line").with_columns(
                            pl.lit(None, dtype=pl.String).alias("_record")
                        )
                    }
        rows = {t: f.height for t, f in tables.items()}
        file_info.append({"name": file.name, "sha256": file.sha256, "tables": sorted(rows), "rows": sum(rows.values())})
        for table, frame in tables.items():
            if table not in IMPORTED:
                notes.append(f"{file.name}: {table} table recognised, not used by Midway ({frame.height} rows)")
                continue
            pieces.setdefault(table, []).append(frame.with_columns(pl.lit(rank, dtype=pl.Int64).alias("_rank")))
    stacked = {t: pl.concat(fs, how="vertical") for t, fs in pieces.items()}
    return stacked, file_info, pb.combine(problems), notes


# --- validation --------------------------------------------------------------------------------


def _normalise(table: str, raw: pl.DataFrame) -> pl.DataFrame:
    """Codes upper-cased, CHILD trimmed (and upper-cased as the DfE validator does), dates parsed."""
    exprs = [pl.col("CHILD").str.to_uppercase()]
    exprs += [pl.col(c).str.to_uppercase() for c in CODE_COLUMNS if c in raw.columns]
    out = raw.with_columns(exprs)
    return out.with_columns([parse_dmy(c) for c in DATES.get(table, ()) if c in raw.columns])


def _check(table: str, raw: pl.DataFrame, parsed: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Problems of one stacked table, and the rows fit to use (required fields and dates valid)."""
    probs = [date_problems(raw, parsed, list(DATES.get(table, ())), "dd/mm/yyyy")]
    ok = pl.lit(True)
    for col in REQUIRED.get(table, ()):
        probs.append(pb.rows(raw, pl.col(col).is_null(), file=pl.col("_file"), column=col, message="is blank"))
        ok = ok & pl.col(col).is_not_null()
    blanks = [raw[c].is_null().alias(f"_blank_{c}") for c in DATES.get(table, ()) if c in raw.columns]
    parsed = parsed.with_columns(blanks)
    for col in DATES.get(table, ()):
        ok = ok & (pl.col(col).is_not_null() | pl.col(f"_blank_{col}"))
    for (t, col), (valid, severity) in CODES.items():
        if t != table:
            continue
        bad = pl.col(col).is_not_null() & ~pl.col(col).is_in(valid)
        message = f"unknown {col} code (expected one of {', '.join(valid)})"
        if severity == pb.WARNING:
            message += ": kept, read as blank"
        probs.append(pb.rows(parsed, bad, file=pl.col("_file"), column=col, message=message, severity=severity))
        if severity == pb.ERROR:
            ok = ok & ~bad.fill_null(False)
    if table == "Episodes":
        probs.append(
            pb.rows(
                parsed,
                pl.col("DEC") < pl.col("DECOM"),
                file=pl.col("_file"),
                column="DEC",
                value=pl.col("DEC").dt.strftime("%d/%m/%Y"),
                message=pl.format("episode ends before it starts (DECOM {})", pl.col("DECOM").dt.strftime("%d/%m/%Y")),
            )
        )
        ok = ok & ~(pl.col("DEC") < pl.col("DECOM")).fill_null(False)
    # null-safe: columns tested above are parsed already
    good = parsed.filter(ok.fill_null(False)).drop([b.name for b in blanks])
    for (t, col), (valid, severity) in CODES.items():
        if t == table and severity == pb.WARNING:
            good = good.with_columns(pl.when(pl.col(col).is_in(valid)).then(pl.col(col)).alias(col))
    return good, pb.combine(probs)


def _dedupe(table: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Within a file: exact repeats and repeated keys are warnings (the later line is kept).
    Across files: the later collection year's row wins silently (that is what stacking means).
    Only the rows whose key repeats are examined row by row: the common case is a cheap group-by."""
    keys = list(KEYS[table])
    data_cols = [c for c in frame.columns if not c.startswith("_")]
    repeated = frame.group_by(keys).agg(pl.len().alias("_n")).filter(pl.col("_n") > 1).drop("_n")
    if repeated.height == 0:
        return frame, pb.empty(), 0
    dup = frame.join(repeated, on=keys, how="semi").sort("_rank", "_line")
    exact = ~pl.struct(*data_cols, "_rank").is_first_distinct()
    repeats = pb.rows(
        dup,
        exact,
        file=pl.col("_file"),
        column=None,
        message="repeats an earlier line exactly: kept once",
        severity=pb.WARNING,
    )
    dup = dup.filter(~exact)
    last_in_file = pl.int_range(pl.len()).over([*keys, "_rank"]) == pl.len().over([*keys, "_rank"]) - 1
    dup = dup.with_columns(last_in_file.alias("_last"))
    key_text = " and ".join(keys)
    dupes = pb.rows(
        dup,
        ~pl.col("_last"),
        file=pl.col("_file"),
        column=keys[-1],
        value=pl.col(keys[-1]).cast(pl.String) if table == "Header" else pl.col(keys[-1]).dt.strftime("%d/%m/%Y"),
        message=f"duplicate: a later line of this file has the same {key_text}; the later line is kept",
        severity=pb.WARNING,
    )
    dup = dup.filter(pl.col("_last")).drop("_last")
    latest = pl.col("_rank") == pl.col("_rank").max().over(keys)
    replaced = dup.filter(~latest).height
    keep = dup.filter(latest)
    out = pl.concat([frame.join(repeated, on=keys, how="anti"), keep], how="vertical")
    return out, pb.combine([repeats, dupes]), replaced


def _not_in_header(table: str, frame: pl.DataFrame, header_ids: pl.Series) -> tuple[pl.DataFrame, pl.DataFrame]:
    missing = ~pl.col("CHILD").is_in(header_ids.implode())
    if table in ("Episodes", "Reviews"):
        prob = pb.rows(frame, missing, file=pl.col("_file"), column="CHILD", message="child missing from Header")
        return frame.filter(~missing), prob
    prob = pb.rows(
        frame,
        missing,
        file=pl.col("_file"),
        column="CHILD",
        message="child missing from Header: row skipped",
        severity=pb.WARNING,
    )
    return frame.filter(~missing), prob


# --- mapping -----------------------------------------------------------------------------------


def _periods(ep: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Episodes -> (episodes with period number, periods, warnings). See the module docstring."""
    open_rec = pl.col("REC").is_not_null() & pl.col("DEC").is_null()
    open_warn = pb.rows(
        ep,
        open_rec,
        file=pl.col("_file"),
        column="REC",
        severity=pb.WARNING,
        message="REC given but DEC is blank: the episode is treated as open and its REC ignored",
    )
    ep = ep.with_columns(pl.when(~open_rec).then(pl.col("REC")).alias("REC")).sort("CHILD", "DECOM")
    prev_rec = pl.col("REC").shift(1).over("CHILD")
    prev_dec = pl.col("DEC").shift(1).over("CHILD")
    first = pl.int_range(pl.len()).over("CHILD") == 0
    ep = ep.with_columns(prev_rec.alias("_prev_rec"), prev_dec.alias("_prev_dec"), first.alias("_first")).with_columns(
        (pl.col("_first") | (pl.col("_prev_rec").is_not_null() & (pl.col("_prev_rec") != "X1"))).alias("_new")
    )
    ep = ep.with_columns(pl.col("_new").cast(pl.Int64).cum_sum().over("CHILD").alias("_period"))
    f = pl.col("_file")
    dmy = "%d/%m/%Y"
    warn = [
        pb.rows(
            ep,
            pl.col("_first") & (pl.col("RNE").ne_missing("S")),
            file=f,
            column="RNE",
            message="period start unknown: the child's first episode in the data does not have RNE = S, "
            "so the period of care is counted from this DECOM",
            severity=pb.WARNING,
        ),
        pb.rows(
            ep,
            pl.col("_new") & ~pl.col("_first") & pl.col("RNE").ne_missing("S"),
            file=f,
            column="RNE",
            value=pl.format("{} (previous REC {})", pl.col("RNE"), pl.col("_prev_rec")),
            message="the previous episode ended the period of care, so this one starts a new period, "
            "but its RNE is not S",
            severity=pb.WARNING,
        ),
        pb.rows(
            ep,
            ~pl.col("_new") & pl.col("_prev_rec").is_null(),
            file=f,
            column="DECOM",
            value=pl.col("DECOM").dt.strftime(dmy),
            message="the previous episode is open (no DEC / REC) but this later episode follows: "
            "treated as the same period of care",
            severity=pb.WARNING,
        ),
        pb.rows(
            ep,
            ~pl.col("_new") & pl.col("_prev_rec").eq("X1") & pl.col("_prev_dec").ne(pl.col("DECOM")),
            file=f,
            column="DECOM",
            value=pl.format(
                "{} (previous DEC {})", pl.col("DECOM").dt.strftime(dmy), pl.col("_prev_dec").dt.strftime(dmy)
            ),
            message="gap or overlap: the previous episode (REC X1) did not end on this DECOM; "
            "treated as the same period of care",
            severity=pb.WARNING,
        ),
        open_warn,
    ]
    is_s = pl.col("RNE").first().eq_missing("S") | (pl.col("_period").first() > 1)
    last_rec = pl.col("REC").last()
    closed = last_rec.is_not_null() & (last_rec != "X1")
    periods = ep.group_by("CHILD", "_period").agg(
        pl.col("DECOM").first().alias("observed_from"),
        pl.when(is_s).then(pl.col("DECOM").first()).alias("start_date"),
        pl.when(closed).then(pl.col("DEC").last()).alias("end_date"),
        pl.when(closed).then(last_rec).alias("end_reason"),
        pl.col("DECOM").filter(pl.col("LS") == "E1").min().alias("placement_order_date"),
        pl.col("DECOM").filter(pl.col("PLACE").is_in(ADOPTION_PLACE)).min().alias("placed_for_adoption_date"),
    )
    return ep, periods.sort("CHILD", "_period"), pb.combine(warn)


def _in_period(frame: pl.DataFrame, date_col: str, periods: pl.DataFrame) -> pl.Series:
    """For each row of `frame` (CHILD, date_col): does a period of care of that child contain it?
    A first period with an unknown start reaches back without limit."""
    p = periods.select("CHILD", "_period", "start_date", "end_date")
    hits = (
        frame.select("CHILD", date_col, pl.int_range(pl.len()).alias("_row"))
        .join(p, on="CHILD", how="inner")
        .filter(
            (pl.col("start_date").is_null() & (pl.col("_period") == 1)) | (pl.col(date_col) >= pl.col("start_date")),
            pl.col("end_date").is_null() | (pl.col(date_col) <= pl.col("end_date")),
        )
        .select("_row")
        .unique()
    )
    return pl.int_range(frame.height, eager=True).is_in(hits["_row"].implode())


def parse(files: list[InputFile]) -> Parsed:
    stacked, file_info, read_probs, notes = read_tables(files)
    probs = [read_probs]
    good: dict[str, pl.DataFrame] = {}
    for table in IMPORTED:
        if table not in stacked:
            continue
        raw = stacked[table]
        parsed = _normalise(table, raw)
        ok, p = _check(table, raw, parsed)
        probs.append(p)
        ok, p, replaced = _dedupe(table, ok)
        probs.append(p)
        if replaced:
            notes.append(f"{table}: {replaced} row(s) replaced by a later collection year's row")
        good[table] = ok
    if not good:
        problem = pb.Problem(", ".join(f.name for f in files), None, None, None, "no SSDA903 table found")
        probs.append(pb.from_records([problem]))

    end = data_end(files, good.get("Episodes"))
    with_dob = ["Header"] if "Header" in good else [t for t in good if "DOB" in good[t].columns]
    probs += [birth_problems(good[t], "DOB", end, dt.date.today()) for t in with_dob]

    # children: Header, or (without one) the DOB given in the other tables
    if "Header" in good:
        header = good["Header"]
        for table in ("Episodes", "Reviews", "Missing", "SWEpisodes", "PlacedAdoption"):
            if table in good:
                good[table], p = _not_in_header(table, good[table], header["CHILD"])
                probs.append(p)
        children = header.select(
            pl.col("CHILD").alias("id"),
            pl.col("DOB").alias("date_of_birth"),
            pl.col("SEX").replace_strict(SEX, default=None).alias("sex"),
            *WHERE,
        )
    else:
        with_dob = [good[t].select("CHILD", "DOB", "_rank") for t in good if "DOB" in good[t].columns]
        ids = [good[t].select("CHILD", "_file", "_line") for t in good]
        all_ids = pl.concat(ids).unique("CHILD", keep="first", maintain_order=True) if ids else None
        dob = (
            pl.concat(with_dob).filter(pl.col("DOB").is_not_null()).sort("_rank").group_by("CHILD").last()
            if with_dob
            else pl.DataFrame(schema={"CHILD": pl.String, "DOB": pl.Date})
        )
        children = pl.DataFrame(schema={"id": pl.String, "date_of_birth": pl.Date, "sex": pl.String})
        if all_ids is not None:
            joined = all_ids.join(dob.select("CHILD", "DOB"), on="CHILD", how="left")
            probs.append(
                pb.rows(
                    joined,
                    pl.col("DOB").is_null(),
                    file=pl.col("_file"),
                    column="CHILD",
                    message="no date of birth for this child: add the Header table",
                )
            )
            children = joined.filter(pl.col("DOB").is_not_null()).select(
                pl.col("CHILD").alias("id"), pl.col("DOB").alias("date_of_birth"), pl.lit(None, pl.String).alias("sex")
            )
        notes.append("no Header table: children were taken from the CHILD and DOB columns of the other tables")

    tables: dict[str, pl.DataFrame] = {}
    ep = good.get("Episodes")
    if ep is not None and ep.height:
        ep, periods, p = _periods(ep)
        probs.append(p)
        if "PlacedAdoption" in good and good["PlacedAdoption"].height:
            pa = good["PlacedAdoption"]
            inside = _in_period(pa, "DATE_PLACED", periods)
            probs.append(
                pb.rows(
                    pa.with_columns(inside.alias("_in")),
                    ~pl.col("_in"),
                    file=pl.col("_file"),
                    column="DATE_PLACED",
                    value=pl.col("DATE_PLACED").dt.strftime("%d/%m/%Y"),
                    message="date placed for adoption is outside every period of care: not used",
                    severity=pb.WARNING,
                )
            )
            pa_period = (
                pa.select("CHILD", "DATE_PLACED")
                .join(periods.select("CHILD", "_period", "start_date", "observed_from", "end_date"), on="CHILD")
                .filter(
                    (pl.col("DATE_PLACED") >= pl.coalesce("start_date", "observed_from"))
                    | (pl.col("start_date").is_null() & (pl.col("_period") == 1)),
                    pl.col("end_date").is_null() | (pl.col("DATE_PLACED") <= pl.col("end_date")),
                )
                .group_by("CHILD", "_period")
                .agg(pl.col("DATE_PLACED").min())
            )
            periods = (
                periods.join(pa_period, on=["CHILD", "_period"], how="left")
                .with_columns(
                    pl.min_horizontal("placed_for_adoption_date", "DATE_PLACED").alias("placed_for_adoption_date")
                )
                .drop("DATE_PLACED")
            )
        tables["periods_of_care"] = shape(
            "periods_of_care", periods.rename({"CHILD": "child_id"}).with_columns(pl.lit(SOURCE).alias("source"))
        )
        tables["placements"] = shape(
            "placements",
            ep.select(
                pl.col("CHILD").alias("child_id"),
                pl.col("DECOM").alias("start_date"),
                pl.col("DEC").alias("end_date"),
                pl.col("LS").alias("legal_status"),
                pl.col("PLACE").alias("placement_type"),
                pl.col("RNE").alias("reason_new_episode"),
                pl.col("REC").alias("reason_ceased"),
                *WHERE,
            ),
        )
        latest = ep.group_by("CHILD").agg(
            pl.col("LS").last().alias("legal_status"),
            pl.col("PLACE").last().alias("placement_type"),
            pl.col("LS").is_in(SHORT_BREAK_LS).all().alias("short_breaks"),
        )
        children = children.join(latest, left_on="id", right_on="CHILD", how="left")
    else:
        periods = None
    children = children.with_columns(
        *[pl.lit(None, pl.String).alias(c) for c in ("legal_status", "placement_type") if c not in children.columns]
    )
    children = children.with_columns(
        (pl.col("short_breaks") if "short_breaks" in children.columns else pl.lit(None, pl.Boolean))
        .fill_null(False)
        .alias("short_breaks")
    )
    tables["children"] = shape("children", children.with_columns(pl.lit(SOURCE).alias("source")))
    n_short = int(children["short_breaks"].sum())
    if n_short:
        notes.append(f"{n_short} child(ren) with short breaks only (LS V3/V4): kept, off the statutory schedule")

    rv = good.get("Reviews")
    if rv is not None and rv.height:
        if periods is not None:
            has_ep = pl.col("CHILD").is_in(periods["CHILD"].unique().implode())
            rv = rv.with_columns(_in_period(rv, "REVIEW", periods).alias("_in"))
        else:
            has_ep = pl.lit(False)
            rv = rv.with_columns(pl.lit(False).alias("_in"))
        value = pl.col("REVIEW").dt.strftime("%d/%m/%Y")
        probs.append(
            pb.rows(
                rv,
                ~has_ep,
                file=pl.col("_file"),
                column="REVIEW",
                value=value,
                severity=pb.WARNING,
                message="child has no episodes: review kept, outside every period of care",
            )
        )
        probs.append(
            pb.rows(
                rv,
                has_ep & ~pl.col("_in"),
                file=pl.col("_file"),
                column="REVIEW",
                value=value,
                severity=pb.WARNING,
                message="review outside every period of care: kept, counted in no period",
            )
        )
        if "Header" in good:
            dob = good["Header"].select("CHILD", pl.col("DOB").alias("_hdob"))
            both = rv.join(dob, on="CHILD", how="left")
            probs.append(
                pb.rows(
                    both,
                    pl.col("DOB").is_not_null() & pl.col("_hdob").is_not_null() & (pl.col("DOB") != pl.col("_hdob")),
                    file=pl.col("_file"),
                    column="DOB",
                    value=pl.format(
                        "{} (Header {})", pl.col("DOB").dt.strftime("%d/%m/%Y"), pl.col("_hdob").dt.strftime("%d/%m/%Y")
                    ),
                    message="differs from the child's DOB in Header: Header used",
                    severity=pb.WARNING,
                )
            )
        tables["reviews"] = shape(
            "reviews",
            rv.select(
                pl.col("CHILD").alias("child_id"),
                pl.col("REVIEW").alias("held_date"),
                pl.col("REVIEW_CODE").alias("participation_code"),
                pl.lit(SOURCE).alias("source"),
                *WHERE,
            ),
        )
    ms = good.get("Missing")
    if ms is not None and ms.height:
        tables["missing_episodes"] = shape(
            "missing_episodes",
            ms.select(
                pl.col("CHILD").alias("child_id"),
                pl.col("MIS_START").alias("start_date"),
                pl.col("MIS_END").alias("end_date"),
                pl.col("MISSING").alias("missing_type"),
                *WHERE,
            ),
        )
    sw = good.get("SWEpisodes")
    if sw is not None and sw.height:
        tables["staff"] = shape(
            "staff",
            sw.select(
                pl.col("SW_ID").alias("code"),
                pl.col("SW_ID").alias("display_name"),
                pl.lit("social_worker").alias("role"),
            ).unique("code", keep="first", maintain_order=True),
        )
        tables["allocations"] = shape(
            "allocations",
            sw.select(
                pl.col("CHILD").alias("child_id"),
                pl.lit("social_worker").alias("role"),
                pl.col("SW_DECOM").alias("from_date"),
                pl.col("SW_DEC").alias("to_date"),
                pl.col("SW_ID").alias("staff_code"),
                pl.lit(None, pl.String).alias("team_name"),
                pl.lit(SOURCE).alias("source"),
                *WHERE,
            ),
        )
    return Parsed(
        kind="ssda903",
        files=file_info,
        tables=tables,
        problems=pb.combine(probs),
        notes=notes,
        data_end=end,
    )


def data_end(files: list[InputFile], episodes: pl.DataFrame | None) -> dt.date | None:
    """The last day the return covers: 31 March of its collection year (SSDA903.md §1.4: a year
    runs 1 April to 31 March). The year is the latest `20xx` in the file names (the validator's and
    LIIA's convention); without one, the collection year of the latest episode start (a return
    holds no episode starting after its year ends; DEC and review dates are not used: test files
    carry episodes ended the day after the year and reviews dated years ahead)."""
    years = [y for y in (collection_year(f.name) for f in files) if y is not None]
    if years:
        return dt.date(max(years), 3, 31)
    if episodes is None or episodes.height == 0:
        return None
    latest = episodes["DECOM"].max()
    if latest is None:
        return None
    return dt.date(latest.year + (1 if latest.month >= 4 else 0), 3, 31)
