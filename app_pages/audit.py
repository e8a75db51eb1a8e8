"""Audit (managers): who did what, when, to which record, with before and after; filtered by
person, child, date and action; exported as CSV or Excel (the export is itself audited). The log
is append-only in the database, so what this page shows cannot have been rewritten."""

import datetime as dt

import streamlit as st

from services.access import ALL as EVERY_CHILD
from services.views import audit_log
from services.views.export import to_csv, to_excel
from services.vocabulary import AUDIT_ACTION_LABELS
from ui import results
from ui.context import engine, user_with_role
from ui.downloads import download
from ui.empty import require_data

st.title("Audit log", anchor=False)
version = require_data()
actor = user_with_role(audit_log.AUDIT_ROLES, "read the audit log")

choices = results.child_choices(version, EVERY_CHILD)
today = dt.date.today()
c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
person = c1.selectbox("Person", audit_log.people(engine()), index=None, placeholder="Everyone", key="audit_person")
child = c2.selectbox(
    "Child", list(choices), format_func=choices.get, index=None, placeholder="Every child", key="audit_child"
)
start = c3.date_input(
    "From", value=today - dt.timedelta(days=30), max_value=today, key="audit_from", format="DD/MM/YYYY"
)
end = c4.date_input("To", value=today, key="audit_to", format="DD/MM/YYYY")
actions = st.multiselect(
    "Actions",
    list(AUDIT_ACTION_LABELS),
    format_func=AUDIT_ACTION_LABELS.get,
    placeholder="Every action",
    key="audit_actions",
)
chosen = audit_log.AuditFilter(person=person, child_id=child, start=start, end=end, actions=tuple(actions))
rows = audit_log.audit_rows(engine(), actor, chosen)
shown = audit_log.for_display(rows.head(audit_log.SHOWN_LIMIT))
st.caption(
    f"{rows.height:,} entries match, newest first"
    + (
        f"; the first {audit_log.SHOWN_LIMIT:,} are shown, the downloads hold all."
        if rows.height > audit_log.SHOWN_LIMIT
        else "."
    )
)
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    column_config={
        "when": "When",
        "who": "Who",
        "action": "Action",
        "record": "Record",
        "record_id": "Record id",
        "child_id": "Child",
        "before": st.column_config.TextColumn("Before", width="medium"),
        "after": st.column_config.TextColumn("After", width="medium"),
    },
    key="audit_table",
)
stub = f"midway-audit-{start.isoformat()}-to-{end.isoformat()}"
left, right = st.columns(2)
with left:
    download(
        "Download (CSV)",
        lambda: to_csv(audit_log.for_export(rows)),
        actor=actor,
        what="audit_log",
        rows=rows.height,
        child_id=child,
        file_name=f"{stub}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="audit_csv",
    )
with right:
    download(
        "Download (Excel)",
        lambda: to_excel(
            [("Audit log", "Audit log entries", audit_log.for_export(rows), "")],
            cover=[
                ("Period", f"{start:%d %b %Y} to {end:%d %b %Y}"),
                ("Person", person or "Everyone"),
                ("Child", child or "Every child"),
            ],
        ),
        actor=actor,
        what="audit_log",
        rows=rows.height,
        child_id=child,
        file_name=f"{stub}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="audit_xlsx",
    )
