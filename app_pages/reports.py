"""Reports: the engine's schedule and drift report (the same columns as `python -m services report`)
for the filtered caseload, downloadable as CSV, and per check how many children the data supports."""

import polars as pl
import streamlit as st

from ui import provenance, results
from ui.empty import require_data
from ui.filters import sidebar_filters

st.title("Reports")
version = require_data()
f = sidebar_filters(version)
report, coverage = results.report_data(version, f.key())

with st.container(border=True):
    st.subheader("Schedule and drift report")
    flagged = report.filter(pl.col("flags").fill_null("") != "").height
    st.caption(
        f"One row per child looked after {f.describe()}: {report.height:,} children, {flagged:,} with at least "
        "one flag. Flags are DOMAIN §8 codes, separated by ';'. The CSV has the same columns as the command "
        "line report."
    )
    st.dataframe(
        report,
        hide_index=True,
        width="stretch",
        column_config={
            "child_id": "Child",
            "period_start": st.column_config.DateColumn("Period start", format="D MMM YYYY"),
            "reviews_in_period": st.column_config.NumberColumn("Reviews", format="%d"),
            "last_review_date": st.column_config.DateColumn("Last review", format="D MMM YYYY"),
            "next_review_due": st.column_config.DateColumn("Next review due", format="D MMM YYYY"),
            "next_review_type": "Next review type",
            "midway_due": st.column_config.DateColumn("Midway due", format="D MMM YYYY"),
            "midway_status": "Midway status",
            "flags": st.column_config.TextColumn("Flags", width="large"),
        },
    )
    st.download_button(
        "Download the report (CSV)",
        report.write_csv(date_format="%Y-%m-%d"),
        file_name=f"midway-report-{f.as_of.isoformat()}.csv",
        mime="text/csv",
        icon=":material/download:",
        type="primary",
    )

with st.container(border=True):
    st.subheader("What the data can tell, check by check")
    provenance.coverage_table(coverage, "report_coverage")
