"""Midway: entry point and navigation. Kept cheap: it reruns before every page."""

import streamlit as st

st.set_page_config(page_title="Midway", page_icon=":material/timeline:", layout="wide")

PAGES = {
    "Dashboard": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
    ],
}

st.navigation(PAGES).run()
