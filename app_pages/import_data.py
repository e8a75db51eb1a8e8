"""Import data (admin): upload SSDA903 files or Midway's template, check, preview, import.

Thin: parsing, validation, the dry-run preview and the all-or-nothing write live in
services.importers (the command line uses the same code).
"""

import hashlib

import streamlit as st

from services.access import ADMIN
from services.dates import day
from services.errors import UsageError
from services.importers import InputFile, parse_files
from services.importers import problems as pb
from services.importers.template import workbook_bytes
from services.importers.writer import history, import_as
from services.views.export import problems_csv
from ui import tables
from ui.context import engine, user_with_role
from ui.downloads import download
from ui.text import md

st.title("Import data", anchor=False)
st.caption(
    "Upload your SSDA903 return (the CSV tables or the XML file; several collection years at once are fine) "
    "or Midway's own template (CSV files or one Excel workbook). Everything is checked first: if anything is "
    "wrong, nothing is written. Importing the same files again changes nothing."
)
user = user_with_role((ADMIN,), "import data")

download(
    "Download the blank template (.xlsx)",
    workbook_bytes,
    actor=user,
    what="import_template",
    rows=None,
    file_name="midway_import_template.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    help="One sheet per table with its columns and an example row, plus a sheet explaining every column.",
    icon=":material/download:",
    key="import_template",
)

uploads = st.file_uploader(
    "Files to import",
    type=["csv", "xml", "xlsx"],
    accept_multiple_files=True,
    key="import_files",
    help="SSDA903: Header, Episodes, Reviews, Missing, SWEpisodes ... tables (recognised by their columns). "
    "Template: children.csv, reviews.csv ... or one .xlsx workbook.",
)
st.caption(f"Up to {st.get_option('server.maxUploadSize')} MB per file (`server.maxUploadSize`).")

if uploads:
    files = [InputFile(u.name, u.getvalue()) for u in uploads]
    key = hashlib.sha256("".join(f.name + f.sha256 for f in files).encode()).hexdigest()
    if st.session_state.get("import_key") != key:
        st.session_state.pop("import_done", None)
        try:
            st.session_state["import_parsed"] = parse_files(files)
        except UsageError as exc:
            st.session_state["import_parsed"] = None
            st.error(md(exc), icon=":material/error:")  # names the uploaded file
        st.session_state["import_key"] = key
    parsed = st.session_state.get("import_parsed")
    if parsed is not None:
        done = st.session_state.get("import_done")
        # the dry run compares with the database first: its problems (unknown children, saved
        # casework) belong in the same list, so "No errors found" is only said when it is true
        preview = None
        if not parsed.has_errors and done is None:
            preview = import_as(engine(), parsed, user, dry_run=True)
        problems = preview.problems if preview is not None else parsed.problems
        errors, warnings = pb.errors(problems), pb.warnings(problems)
        kind = "SSDA903 return" if parsed.kind == "ssda903" else "Midway template"
        st.header(f"Checked: {kind}, {len(files)} file(s)", anchor=False)
        for note in parsed.notes:
            st.caption(md(note))
        if parsed.data_end is not None:
            st.caption(f"The data ends on {day(parsed.data_end)} (the end of the return's collection year).")
        if parsed.kind == "ssda903":
            st.caption(
                "An SSDA903 return carries no IRO or social work team allocations, review record or care-plan "
                "dates, recommendations or permanence plans: those checks are not made for its children until "
                "Midway's template supplies them. Anything already recorded in Midway is kept."
            )
        if errors.height:
            st.error(
                f"{errors.height} error(s): nothing can be imported until they are fixed. "
                "Each row below names the file, line, column and value.",
                icon=":material/error:",
            )
            tables.show(pb.for_display(errors).drop("severity"), hide_index=True, key="import_errors")
        else:
            st.success("No errors found.", icon=":material/check_circle:")
        if warnings.height:
            with st.expander(f"{warnings.height} warning(s): rows kept, with anomalies", expanded=not errors.height):
                tables.show(pb.counts_by_message(warnings).drop("severity"), hide_index=True, key="warn_kinds")
                tables.show(pb.for_display(warnings).drop("severity"), hide_index=True, key="import_warnings")
        if problems.height:
            download(
                "Download all problems (CSV)",
                lambda: problems_csv(problems),
                actor=user,
                what="import_problems",
                rows=problems.height,
                file_name="import_problems.csv",
                mime="text/csv",
                icon=":material/download:",
                key="import_problems_csv",
            )
        if not errors.height:
            if done is None and preview is not None:
                st.header("Preview: what the import would do", anchor=False)
                tables.show(preview.counts, hide_index=True, key="import_preview")
                if st.button("Import", type="primary", icon=":material/upload:", disabled=not user):
                    bar = st.progress(0.0, text="Starting import")
                    result = import_as(engine(), parsed, user, progress=lambda f, text: bar.progress(f, text=text))
                    st.session_state["import_done"] = result
                    st.rerun()
            elif done is not None and not done.written:
                st.error("Nothing was imported: the database changed since the check.", icon=":material/error:")
                tables.show(pb.for_display(pb.errors(done.problems)).drop("severity"), hide_index=True)
            elif done is not None:
                st.success(
                    f"Imported (run {done.run_id}): {int(done.counts['added'].sum())} rows added, "
                    f"{int(done.counts['updated'].sum())} updated.",
                    icon=":material/task_alt:",
                )
                tables.show(done.counts, hide_index=True, key="import_result")

st.header("Import history", anchor=False)
past = history(engine())
if past.height:
    tables.show(
        past,
        hide_index=True,
        key="import_history",
        column_config={"data ends": st.column_config.DateColumn("Data ends", format="D MMM YYYY")},
    )
else:
    st.caption("No imports yet.")
