"""Overview: how many children are looked after, by team and by IRO."""

import datetime as dt

import streamlit as st

from services.allocation import allocations_on, looked_after_on
from services.caseload import load_caseload
from ui.context import data_version, engine

st.title("Overview")
as_of = dt.date.today()


@st.cache_data(show_spinner=False)
def _counts(_version: int, as_of: dt.date):
    caseload = load_caseload(engine())
    cla = looked_after_on(caseload, as_of).join(allocations_on(caseload, as_of), on="child_id", how="left")
    by_team = cla.group_by("team").len().sort("len", descending=True).rename({"len": "children"})
    by_iro = cla.group_by("iro").len().sort("len", descending=True).rename({"len": "children"})
    return cla.height, by_team, by_iro


total, by_team, by_iro = _counts(data_version(), as_of)
st.metric("Children looked after", total)
left, right = st.columns(2)
left.subheader("By team")
left.dataframe(by_team, hide_index=True)
right.subheader("By IRO")
right.dataframe(by_iro, hide_index=True)
