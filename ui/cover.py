"""The Allocations page's cover section: a service manager lets an IRO act for another IRO's
children, or for one child, until an end date (services.access.cover)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from services.access import Principal
from services.access.cover import cover_grants, grant_cover
from services.casework.errors import Refused
from ui.context import engine
from ui.feedback import Feedback, guarded

FOR_IRO, FOR_CHILD = "All of another IRO's children", "One child"


@guarded  # a database cut: app.py's plain message, the typed grant kept
def _grant(who: Principal, iros: dict[str, str], feedback: Feedback) -> None:
    s = st.session_state
    whole = s.get("cov_kind") == FOR_IRO
    try:
        grant_cover(
            engine(),
            who,
            iro_code=s.get("cov_iro"),
            of_iro_code=s.get("cov_of") if whole else None,
            child_id=s.get("cov_child") if not whole else None,
            from_date=s.get("cov_from") or dt.date.today(),
            to_date=s.get("cov_to"),
            reason=s.get("cov_reason"),
        )
    except Refused as exc:
        feedback.refused(exc)
        return
    feedback.record(
        "success", f"Cover granted to {iros.get(s.get('cov_iro') or '', 'the IRO')} until {s['cov_to']:%d %b %Y}."
    )
    s["cov_iro"], s["cov_of"], s["cov_child"], s["cov_to"], s["cov_reason"] = None, None, None, None, ""


def cover_section(who: Principal, iros: pl.DataFrame, children: dict[str, str]) -> None:
    """The grant form and the cover in force; `iros` from services.casework.allocations.iros."""
    names = dict(zip(iros.get_column("iro_code").to_list(), iros.get_column("iro").to_list(), strict=True))
    feedback = Feedback("cov")
    with st.expander("Cover: let an IRO act for a colleague's children until a date"):
        feedback.show()
        kind = st.radio("Cover for", [FOR_IRO, FOR_CHILD], horizontal=True, key="cov_kind")
        with st.form("cover_form", enter_to_submit=False):
            st.selectbox("IRO who covers", list(names), format_func=names.get, index=None, key="cov_iro")
            feedback.field("iro")
            if kind == FOR_IRO:
                st.selectbox(
                    "IRO whose children are covered", list(names), format_func=names.get, index=None, key="cov_of"
                )
            else:
                st.selectbox("Child", list(children), format_func=children.get, index=None, key="cov_child")
            feedback.field("target")
            st.date_input("From", value=dt.date.today(), key="cov_from", format="DD/MM/YYYY")
            st.date_input("Until (required)", value=None, key="cov_to", format="DD/MM/YYYY")
            feedback.field("to_date")
            st.text_input("Reason", key="cov_reason")
            st.form_submit_button("Grant cover", on_click=_grant, args=(who, names, feedback), key="cov_submit")
        grants = cover_grants(engine(), who)
        if grants.is_empty():
            st.caption("No cover in force.")
        else:
            st.dataframe(
                grants,
                hide_index=True,
                column_config={
                    "covering_iro": "Covering IRO",
                    "for_iro": "For IRO",
                    "child_id": "For child",
                    "from_date": st.column_config.DateColumn("From", format="D MMM YYYY"),
                    "to_date": st.column_config.DateColumn("Until", format="D MMM YYYY"),
                    "granted_by": "Granted by",
                    "reason": "Reason",
                },
            )
