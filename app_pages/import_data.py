"""Import data (admin): upload SSDA903 files or Midway's template, check, preview, import.

Thin: parsing, validation, the dry-run preview and the all-or-nothing write live in
services.importers (the command line uses the same code).
"""

import streamlit as st

from services.access import ADMIN
from services.dates import day
from services.errors import UsageError
from services.importers import problems as pb
from services.importers import upload
from services.importers.template import workbook_bytes
from services.importers.upload import Spool
from services.importers.writer import history
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


def _forget_upload() -> None:
    """Drop the last upload's check and result, and remove its spooled files."""
    old = st.session_state.pop("import_checked", None)
    if old is not None:
        old.spool.close()
    for k in ("import_key", "import_error", "import_done"):
        st.session_state.pop(k, None)


if not uploads:
    _forget_upload()  # the upload was removed: its temporary files go with it
else:
    # Streamlit gives every uploaded file a new id: the key changes when the upload does, without
    # reading (or copying) the files on every rerun
    key = "|".join(f"{u.file_id}:{u.name}" for u in uploads)
    if st.session_state.get("import_key") != key:
        _forget_upload()
        spool = Spool()
        for u in uploads:
            spool.add(u.name, u)
        try:  # parsed and dry-run once per upload; the session keeps the problems and counts only
            st.session_state["import_checked"] = upload.check(engine(), spool, user)
        except UsageError as exc:
            spool.close()
            st.session_state["import_error"] = str(exc)
        except BaseException:  # e.g. the database is unreachable: app.py says so; no file is left behind
            spool.close()
            raise
        st.session_state["import_key"] = key
    if "import_error" in st.session_state:
        st.error(md(st.session_state["import_error"]), icon=":material/error:")  # names the uploaded file
    checked = st.session_state.get("import_checked")
    if checked is not None:
        done = st.session_state.get("import_done")
        problems = checked.problems
        errors, warnings = pb.errors(problems), pb.warnings(problems)
        kind = "SSDA903 return" if checked.kind == "ssda903" else "Midway template"
        st.header(f"Checked: {kind}, {len(uploads)} file(s)", anchor=False)
        for note in checked.notes:
            st.caption(md(note))
        if checked.data_end is not None:
            st.caption(f"The data ends on {day(checked.data_end)} (the end of the return's collection year).")
        if checked.kind == "ssda903":
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
            if done is None and checked.counts is not None:
                st.header("Preview: what the import would do", anchor=False)
                tables.show(checked.counts, hide_index=True, key="import_preview")
                if st.button("Import", type="primary", icon=":material/upload:", disabled=not user):
                    bar = st.progress(0.0, text="Starting import")
                    result = upload.write(engine(), checked, user, progress=lambda f, text: bar.progress(f, text=text))
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
