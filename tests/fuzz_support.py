"""What the fuzz tests share (issue 13, hostile and huge input): the hostile values, the settings,
and the tally every fuzz test keeps and prints.

A crash is any exception other than the refusals a user is meant to see (an importer's problem
report, a casework `Refused`, a `UsageError`); a partial write is a refused input after which a
table's row count changed. Both are counted over every input, not stopped at the first, so the
printed figures are exact; each test then asserts both are 0 (the first crash's traceback is in the
failure message). `FUZZ_EXAMPLES` sets the inputs per test (CI default below; `benchmarks/fuzz.py`
runs the long count).
"""

from __future__ import annotations

import datetime as dt
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from services.persistence import models as m
from services.vocabulary import AUDIT_READ_ACTIONS

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("FUZZ_RANDOM") is None,  # CI: the same inputs every run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

LONG = "x" * 100_000
IMPOSSIBLE_DATES = [
    "31/02/2026", "2026-02-31", "30/02/2024", "00/01/2026", "32/01/2026", "01/13/2026",
    "01/01/1900", "1900-01-01", "31/12/1899", "01/01/2200", "2200-12-31", "01/01/0001", "9999-12-31",
    "2026-06-01 00:00:00", "45000", "1/1/26", "2026/06/01",
]  # fmt: skip
NASTY = [
    "", " ", "\x00", "a\x00b", "\t\r\n", "\ufeff", "\u202eevil", "Zoë 🧒🏽", "名前", "\U0010ffff", "\ud7ff",
    "=HYPERLINK(\"http://x\")", "@SUM(1)", "+1", "-1", "0", "1e309", "NaN", "-0", "9" * 40, "null", "None",
    "<b>x</b>", "[x](http://e)", "'; DROP TABLE children; --", "\\", '"', "x" * 121, "x" * 4001, LONG,
]  # fmt: skip

hostile_text = st.one_of(
    st.sampled_from(NASTY + IMPOSSIBLE_DATES),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=50),
)
hostile_date = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.sampled_from([dt.date(1900, 1, 1), dt.date(2200, 1, 1), dt.date(1949, 12, 31), dt.date(2101, 1, 1)]),
)
wrong_type = st.one_of(
    st.none(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.booleans(),
    st.binary(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.datetimes(),
)
anything = st.one_of(hostile_text, hostile_date, wrong_type)


def row_counts(engine: Engine) -> dict[str, int]:
    """Every table's row count (the partial-write check). The audit log's read rows (a view of
    the form the call reads first, an export) are not writes: only its change rows count."""
    with Session(engine) as s:
        counts = {t.name: s.scalar(select(func.count()).select_from(t)) for t in m.Base.metadata.sorted_tables}
        counts["audit_log"] = s.scalar(
            select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.action.not_in(AUDIT_READ_ACTIONS))
        )
    return counts


@dataclass
class Tally:
    """Inputs tried, how each ended, and the first crash's traceback."""

    name: str
    inputs: int = 0
    accepted: int = 0
    refused: int = 0
    crashes: int = 0
    partial_writes: int = 0
    first_crash: str = ""
    kinds: dict[str, int] = field(default_factory=dict)

    def attempt(self, engine: Engine, action: Callable[[], bool], refusals: tuple[type[BaseException], ...]) -> None:
        """Run `action` (True: it wrote, False: it refused by its result); a `refusals` exception is
        a refusal too. After a refusal every table must hold the rows it held before."""
        self.inputs += 1
        before = row_counts(engine)
        try:
            wrote = action()
        except refusals:
            wrote = False
        except Exception as exc:
            self.crashes += 1
            name = type(exc).__name__
            self.kinds[name] = self.kinds.get(name, 0) + 1
            self.first_crash = self.first_crash or "".join(traceback.format_exception(exc))[-3000:]
            wrote = False
        if wrote:
            self.accepted += 1
            return
        self.refused += 1
        if row_counts(engine) != before:
            self.partial_writes += 1

    def report(self) -> str:
        line = (
            f"fuzz {self.name}: {self.inputs} inputs, {self.accepted} accepted, {self.refused} refused, "
            f"{self.crashes} crashes, {self.partial_writes} partial writes"
        )
        print(line + (f" {self.kinds}" if self.kinds else ""))
        return line

    def check(self) -> None:
        line = self.report()
        assert self.crashes == 0 and self.partial_writes == 0, f"{line}\n{self.first_crash}"
