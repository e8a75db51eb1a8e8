"""`python -m services report`: exact CSV from a real (temporary SQLite) database; exit 2 on bad arguments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from services.__main__ import main
from services.persistence import models as m
from services.persistence.unit_of_work import unit_of_work

D = dt.date
HEADER = (
    "child_id,period_start,reviews_in_period,last_review_date,next_review_due,next_review_type,"
    "midway_due,midway_status,flags"
)


def _seed(engine: Engine) -> None:
    with unit_of_work(engine, "test") as s:
        iro = m.Staff(code="IRO1", display_name="Iro One", role="iro")
        s.add(iro)
        s.add_all(
            [
                m.Child(id="C1", display_name="Child One", date_of_birth=D(2014, 5, 1), permanence_plan="adoption"),
                m.Child(id="C2", display_name="Child Two", date_of_birth=D(2011, 9, 1), permanence_plan="ltf"),
                m.Child(id="C3", display_name="Child Three", date_of_birth=D(2010, 1, 1)),
            ]
        )
        s.flush()
        s.add_all(
            [
                m.PeriodOfCare(child_id="C1", start_date=D(2026, 11, 2), observed_from=D(2026, 11, 2)),
                m.PeriodOfCare(child_id="C2", start_date=D(2026, 1, 5), observed_from=D(2026, 1, 5)),
                m.PeriodOfCare(
                    child_id="C3", start_date=D(2025, 1, 6), observed_from=D(2025, 1, 6), end_date=D(2025, 6, 1)
                ),
                m.Allocation(child_id="C1", role="iro", staff_id=iro.id, from_date=D(2026, 11, 3)),
                m.Allocation(child_id="C2", role="iro", staff_id=iro.id, from_date=D(2026, 1, 6)),
            ]
        )
        for held in (D(2026, 1, 30), D(2026, 4, 28)):
            s.add(
                m.Review(
                    child_id="C2",
                    held_date=held,
                    recommendations_sent_date=held,
                    record_completed_date=held,
                    care_plan_updated_date=held,
                )
            )
        s.add(m.MidwayCheck(child_id="C2", check_date=D(2026, 6, 15), answers={}))


def test_report_csv_exact(sqlite_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _seed(sqlite_engine)
    out = tmp_path / "report.csv"
    url = sqlite_engine.url.render_as_string(hide_password=False)
    assert main(["report", "--as-of", "2026-12-16", "--database", url, "--out", str(out)]) == 0
    assert out.read_text().splitlines() == [
        HEADER,
        "C1,2026-11-02,0,,2026-11-30,first,,not_required,REVIEW_OVERDUE",
        "C2,2026-01-05,2,2026-04-28,2026-10-28,subsequent,2026-07-28,done,REVIEW_OVERDUE",
    ]
    assert "wrote 2 children" in capsys.readouterr().out
    # another policy, and 4 weeks earlier
    assert (
        main(
            [
                "report",
                "--as-of",
                "2026-11-18",
                "--policy",
                "twelve_weeks_after_second",
                "--database",
                url,
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_text().splitlines()[1:] == [
        "C1,2026-11-02,0,,2026-11-30,first,,not_required,REVIEW_DUE_SOON",
        "C2,2026-01-05,2,2026-04-28,2026-10-28,subsequent,2026-07-21,done,REVIEW_OVERDUE",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-13-01"], "is not a date"),
        (["--as-of", "16/12/2026"], "is not a date"),
        (["--as-of", "2026-12-16", "--policy", "monthly"], "is not one of"),
        (["--as-of", "2026-12-16", "--database", "sqlite:///x.db", "--input", "."], "not both"),
    ],
)
def test_bad_arguments_exit_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", *args, "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert not (tmp_path / "r.csv").exists()


def test_missing_required_argument_exits_2(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["report", "--out", str(tmp_path / "r.csv")])
    assert exc.value.code == 2
