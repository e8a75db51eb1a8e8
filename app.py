"""Midway: entry point and navigation. Kept cheap: it reruns before every page."""

import streamlit as st

from services.errors import DatabaseUnavailable
from services.persistence.database import DatabaseError
from ui import eager, navigation, present, warmup  # noqa: F401  (eager first: see ui/eager.py)
from ui.context import gate
from ui.empty import database_unreachable, restore_typed_input
from ui.feedback import callback_cut

# A local favicon: a `:material/...:` page icon makes the browser fetch it from a font server
# (STACK_NOTES §5), and the app fetches nothing at run time.
st.set_page_config(page_title="Midway", page_icon=navigation.FAVICON, layout="wide")
restore_typed_input()  # what a run during a database cut kept, shown again (ui/empty.py)
warmup.start()  # once per data version: fills the dashboard's caches in the background (ui/warmup.py)
gate()  # sign-in, or demo mode's banner and "Act as" (issue 12): before any page runs

PAGES = {
    "Dashboard": [
        st.Page("app_pages/overview.py", title="Overview", url_path="overview", default=True),
        st.Page("app_pages/heatmap.py", title="Team heatmap", url_path="heatmap"),
        st.Page("app_pages/timeline.py", title="Child timeline", url_path="timeline"),
        st.Page("app_pages/caseloads.py", title="IRO caseloads", url_path="caseloads"),
        st.Page("app_pages/reports.py", title="Reports", url_path="reports"),
    ],
    "Casework": [
        st.Page("app_pages/midway_check.py", title="Midway check", url_path="midway-check"),
        st.Page("app_pages/escalations.py", title="Escalations", url_path="escalations"),
        st.Page("app_pages/events.py", title="Significant events", url_path="events"),
        st.Page("app_pages/recommendations.py", title="Recommendations", url_path="recommendations"),
        st.Page("app_pages/allocations.py", title="Allocations", url_path="allocations"),
    ],
    "Data": [
        st.Page("app_pages/import_data.py", title="Import data", url_path="import"),
    ],
    "Administration": [
        st.Page("app_pages/settings.py", title="Settings", url_path="settings"),
        st.Page("app_pages/audit.py", title="Audit log", url_path="audit"),
    ],
}

present.style()  # the app's name, print layout and presentation mode (ui/present.py)
# Streamlit's own navigation is hidden (its list markup fails axe-core): ui.navigation draws the same
# sections from st.page_link.
page = st.navigation(PAGES, position="hidden")
navigation.draw(PAGES)
if (cut := callback_cut()) is not None:  # a form's save (a guarded callback, run before this) met a cut
    database_unreachable(cut)  # the same plain message, the page not drawn on this run, what was typed kept
else:
    try:
        page.run()
    except (DatabaseError, DatabaseUnavailable) as exc:  # a page's read or save met a cut: a plain message
        database_unreachable(exc)
