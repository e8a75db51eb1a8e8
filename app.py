"""Midway: entry point and navigation. Kept cheap: it reruns before every page."""

# Imported once at start-up, before any session runs: concurrent first visitors of a fresh server
# otherwise race through plotly's lazy imports and get "partially initialized module 'pandas'"
# (STACK_NOTES §5).
import numpy  # noqa: F401
import pandas  # noqa: F401
import plotly
import plotly.express
import plotly.graph_objects  # noqa: F401
import streamlit as st

from ui.context import gate

st.set_page_config(page_title="Midway", page_icon=":material/timeline:", layout="wide")
gate()  # sign-in, or demo mode's banner and "Act as" (issue 12): before any page runs

PAGES = {
    "Dashboard": [
        st.Page(
            "app_pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True
        ),
        st.Page("app_pages/heatmap.py", title="Team heatmap", icon=":material/grid_on:", url_path="heatmap"),
        st.Page("app_pages/timeline.py", title="Child timeline", icon=":material/timeline:", url_path="timeline"),
        st.Page("app_pages/caseloads.py", title="IRO caseloads", icon=":material/groups:", url_path="caseloads"),
        st.Page("app_pages/reports.py", title="Reports", icon=":material/summarize:", url_path="reports"),
    ],
    "Casework": [
        st.Page(
            "app_pages/midway_check.py", title="Midway check", icon=":material/fact_check:", url_path="midway-check"
        ),
        st.Page("app_pages/escalations.py", title="Escalations", icon=":material/campaign:", url_path="escalations"),
        st.Page("app_pages/events.py", title="Significant events", icon=":material/event_note:", url_path="events"),
        st.Page(
            "app_pages/recommendations.py",
            title="Recommendations",
            icon=":material/checklist:",
            url_path="recommendations",
        ),  # fmt: skip
        st.Page("app_pages/allocations.py", title="Allocations", icon=":material/how_to_reg:", url_path="allocations"),
    ],
    "Data": [
        st.Page("app_pages/import_data.py", title="Import data", icon=":material/upload_file:", url_path="import"),
    ],
    "Administration": [
        st.Page("app_pages/settings.py", title="Settings", icon=":material/settings:", url_path="settings"),
    ],
}

st.navigation(PAGES).run()
