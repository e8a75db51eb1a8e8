"""Midway: entry point and navigation. Kept cheap: it reruns before every page."""

import streamlit as st

st.set_page_config(page_title="Midway", page_icon=":material/timeline:", layout="wide")

PAGES = {
    "Dashboard": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
        st.Page("pages/heatmap.py", title="Team heatmap", icon=":material/grid_on:", url_path="heatmap"),
        st.Page("pages/timeline.py", title="Child timeline", icon=":material/timeline:", url_path="timeline"),
        st.Page("pages/caseloads.py", title="IRO caseloads", icon=":material/groups:", url_path="caseloads"),
        st.Page("pages/reports.py", title="Reports", icon=":material/summarize:", url_path="reports"),
    ],
    "Casework": [
        st.Page("pages/midway_check.py", title="Midway check", icon=":material/fact_check:", url_path="midway-check"),
        st.Page("pages/escalations.py", title="Escalations", icon=":material/campaign:", url_path="escalations"),
        st.Page("pages/events.py", title="Significant events", icon=":material/event_note:", url_path="events"),
    ],
    "Data": [
        st.Page("pages/import_data.py", title="Import data", icon=":material/upload_file:", url_path="import"),
    ],
}

st.navigation(PAGES).run()
