"""`python -m services import`: exit codes, printed problems, dry run, writes."""

from __future__ import annotations

from pathlib import Path

from services.__main__ import main
from services.persistence.caseload import load_caseload
from services.persistence.database import make_engine
from tests.conftest import FAKE_903
from tests.test_import_ssda903 import GOOD_HEADER, MALFORMED, write


def test_import_fake_files_then_dry_run_reports_unchanged(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["import", "--input", str(FAKE_903), "--database", url, "--actor", "cli-test"]) == 0
    out = capsys.readouterr().out
    assert "0 error(s), 6520 warning(s)" in out
    assert "imported as run 1 by cli-test" in out
    assert load_caseload(make_engine(url)).reviews.height == 12568
    assert main(["import", "--input", str(FAKE_903), "--database", url, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run: nothing written" in out
    assert "12568" in out  # reviews unchanged


def test_errors_exit_1_print_the_row_and_write_nothing(tmp_path: Path, capsys) -> None:
    files, message = MALFORMED["bad date"]
    folder = write(tmp_path / "in", {"header.csv": GOOD_HEADER} | files)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    problems = tmp_path / "problems.csv"
    code = main(["import", "--input", str(folder), "--database", url, "--problems-csv", str(problems)])
    assert code == 1
    captured = capsys.readouterr()
    assert message in captured.out
    assert "nothing was imported" in captured.err
    assert b"38/04/2021" in problems.read_bytes()
    assert not (tmp_path / "cli.db").exists()


def test_bad_arguments_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["import", "--input", str(tmp_path / "nowhere")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["import"]) == 2


def test_blank_template_is_written(tmp_path: Path) -> None:
    target = tmp_path / "blank.xlsx"
    assert main(["import", "--blank-template", str(target)]) == 0
    assert target.read_bytes()[:2] == b"PK"
