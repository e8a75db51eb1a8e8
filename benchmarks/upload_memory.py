"""Peak memory of the app server for the largest accepted upload (issue 13: one 190 MB upload once
took the server to 2.4 GB).

    .venv/bin/python benchmarks/upload_memory.py [--mb 49] [--keep]

Writes a valid Midway template `children.csv` of about --mb MB (the limit is `server.maxUploadSize`
= 50 MB in .streamlit/config.toml), starts `streamlit run app.py` on a free loopback port over an
empty SQLite database, uploads the file on the Import data page in Debian's chromium (Playwright),
waits for the check and preview, clicks Import and waits for the result. The server's resident
memory is read from /proc/<pid>/status: VmRSS before the upload, VmHWM (the peak) after the check
and after the import, and VmRSS once it is done. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_browser import CHROMIUM, demo_server_process  # noqa: E402

ROW = "C{i:07d},Child {i},2014-05-17,F,C2,U4,North Team,Sam Worker,Iris Reviewer,S{g},,,\n"
HEADER = (
    "child_id,display_name,date_of_birth,sex,legal_status,placement_type,team,social_worker,iro,"
    "sibling_group,permanence_plan,permanence_plan_date,annual_reviews_from\n"
)


def _write(path: Path, mb: float) -> int:
    """The children table of about `mb` MB; returns its rows."""
    size, rows = len(HEADER), 0
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        chunk = []
        while size < mb * 1_000_000:
            line = ROW.format(i=rows, g=rows // 3)
            chunk.append(line)
            size += len(line)
            rows += 1
            if len(chunk) == 10_000:
                out.write("".join(chunk))
                chunk = []
        out.write("".join(chunk))
    return rows


def _kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=49.0)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    # a pilot: once imported the data is not the demo's, and demo mode would refuse it (app.py)
    os.environ["DEMO_MODE_ON_REAL_DATA"] = "true"
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        upload = tmp_path / "children.csv"
        rows = _write(upload, args.mb)
        print(f"upload: {upload.stat().st_size / 1e6:.1f} MB, {rows} children")
        with demo_server_process(tmp_path, demo=False) as (base, proc), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
            page = browser.new_page()
            page.goto(f"{base}/import?act_as=demo-admin", wait_until="networkidle")  # demo mode: the admin
            page.get_by_text("Files to import").wait_for(timeout=60_000)
            before = _kb(proc.pid, "VmRSS")
            t0 = time.monotonic()
            page.locator("input[type=file]").set_input_files(str(upload))
            page.get_by_text("Checked: Midway template").wait_for(timeout=600_000)
            button = page.get_by_role("button").filter(has_text=re.compile(r"^(upload\s*)?Import$"))  # icon: "upload"
            # the rest of the run arrives after the heading: wait for the Import button or the errors
            button.or_(page.get_by_text("nothing can be imported until they are fixed")).wait_for(timeout=600_000)
            checked = time.monotonic() - t0
            peak_check = _kb(proc.pid, "VmHWM")
            imported = None
            if button.count():
                t1 = time.monotonic()
                button.click()
                page.get_by_text("Imported (run").wait_for(timeout=900_000)
                imported = time.monotonic() - t1
            peak_import = _kb(proc.pid, "VmHWM")
            time.sleep(2)
            after = _kb(proc.pid, "VmRSS")
            browser.close()
    print(f"server RSS before the upload: {before / 1024:.0f} MB")
    print(f"server peak RSS through the check and preview: {peak_check / 1024:.0f} MB ({checked:.1f} s)")
    if imported is None:
        print("import: not offered (the check found errors)")
    else:
        print(f"server peak RSS through the import: {peak_import / 1024:.0f} MB ({imported:.1f} s)")
    print(f"server RSS after: {after / 1024:.0f} MB")


if __name__ == "__main__":
    main()
