"""InputFile on disk (the CLI's files, the page's spooled uploads): hashed and checked in chunks,
with the same results and messages as for bytes in memory."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from services.importers import inputs, parse_files
from services.importers.inputs import InputFile, read_csv

CSV = "child_id,date_of_birth\nC1,2014-05-17\nC2,2016-06-17\n"


@pytest.mark.parametrize("chunk", [1, 3, 7, 1 << 20])
def test_a_file_on_disk_reads_hashes_and_reports_bad_bytes_like_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(inputs, "CHUNK", chunk)  # the UTF-8 check must not lose its place at a chunk edge
    good = ("\ufeff" + CSV + "C3,Zoë\n").encode()
    bad = CSV.encode() + "C3,é".encode() + b"\xff\n"
    for data in (good, bad):
        path = tmp_path / "children.csv"
        path.write_bytes(data)
        on_disk, in_memory = InputFile.from_path(path), InputFile("children.csv", data)
        assert on_disk.sha256 == in_memory.sha256 == hashlib.sha256(data).hexdigest()
        (f1, p1), (f2, p2) = read_csv(on_disk), read_csv(in_memory)
        assert p1.to_dicts() == p2.to_dicts()
        assert (f1 is None) == (f2 is None) and (f1 is None or f1.equals(f2))
    assert f1 is None
    assert p1["message"].to_list() == [f"file is not UTF-8 text (byte {len(bad) - 2}); save it again as CSV UTF-8"]


def test_utf16_and_blank_files_are_named(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes("child_id\n".encode("utf-16"))
    (tmp_path / "b.csv").write_bytes(b" \n\n")
    assert read_csv(InputFile.from_path(tmp_path / "a.csv"))[1]["message"][0].startswith("file is UTF-16 text")
    assert read_csv(InputFile.from_path(tmp_path / "b.csv"))[1]["message"].to_list() == ["file is empty"]


def test_the_upload_name_not_the_temporary_name_is_in_messages(tmp_path: Path) -> None:
    path = tmp_path / "tmpx8k2.csv"
    path.write_text("child_id,date_of_birth\nC1,31/02/2014\n")
    parsed = parse_files([InputFile.from_path(path, "children.csv")])
    assert parsed.files[0]["name"] == "children.csv"
    assert parsed.problems.select("file", "line", "column", "value").to_dicts() == [
        {"file": "children.csv", "line": 2, "column": "date_of_birth", "value": "31/02/2014"}
    ]


def test_an_input_file_holds_bytes_or_a_path() -> None:
    with pytest.raises(ValueError):
        InputFile("x.csv")
    with pytest.raises(ValueError):
        InputFile("x.csv", b"a", Path("x.csv"))
