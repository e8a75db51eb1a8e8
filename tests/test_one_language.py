"""Issue 16, "one language": every page of the demo, walked in AppTest, shows no code or column name
(snake_case or FLAG_CODE), no "None", no ISO date and no "00:00:00", in its text, widget labels
and options, metric cards, links and table headings; every date column of every table carries the
app's one date format (services.dates), and empty cells are blank (placeholder "")."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from services.dates import COLUMN_DATE, COLUMN_DATE_TIME
from services.demo.generate import KNOWN_CHILD_ID
from tests.demo_pages import open_page
from ui.report_view import TAB_KEY, TABS

SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9]\b")
CODE = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]\b")
NONE = re.compile(r"\bNone\b")
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b00:00:00\b")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
ARTICLE = re.compile(r"\ba (?:IRO|iro)\b")  # "choose a iro"

PAGES = {
    "app_pages/overview.py": {},
    "app_pages/heatmap.py": {},
    "app_pages/timeline.py": {"child": KNOWN_CHILD_ID},
    "app_pages/caseloads.py": {},
    "app_pages/reports.py": {},
    "app_pages/midway_check.py": {"child": KNOWN_CHILD_ID},
    "app_pages/escalations.py": {},
    "app_pages/events.py": {},
    "app_pages/recommendations.py": {"child": KNOWN_CHILD_ID},
    "app_pages/allocations.py": {},
    "app_pages/import_data.py": {},
    "app_pages/settings.py": {},
}
TEXT_TYPES = ("title", "header", "subheader", "markdown", "caption", "text", "info", "success", "warning", "error")
WIDGET_TYPES = (
    "selectbox",
    "radio",
    "multiselect",
    "text_input",
    "text_area",
    "date_input",
    "number_input",
    "checkbox",
    "toggle",
    "button",
    "download_button",
    "expander",
    "tab",
)


def problems(text: str) -> list[str]:
    """What in `text` is not the app's language (Markdown escapes and link targets ignored)."""
    seen = LINK_TARGET.sub("]", str(text)).replace("\\", "")
    return [m.group(0) for rx in (SNAKE, CODE, NONE, ISO, ARTICLE) for m in rx.finditer(seen)]


def _visible(at: AppTest) -> Iterator[tuple[str, str]]:
    for kind in TEXT_TYPES:
        for el in at.get(kind):
            yield kind, getattr(el, "value", "") or getattr(el, "body", "")
    for el in at.get("metric"):
        yield "metric", f"{el.label} {el.value} {el.proto.delta}"
    for kind in WIDGET_TYPES:
        for el in at.get(kind):
            yield kind, getattr(el, "label", "") or getattr(el.proto, "label", "")
            for option in getattr(el, "options", []) or []:
                yield f"{kind} option", option
            placeholder = getattr(el.proto, "placeholder", "")
            if placeholder:
                yield f"{kind} placeholder", placeholder
    for el in at.get("page_link"):
        yield "page link", el.proto.label


def _tables(at: AppTest) -> Iterator[tuple[str, dict, object]]:
    for kind in ("dataframe", "arrow_data_frame"):
        for el in at.get(kind):
            yield kind, json.loads(el.proto.columns or "{}"), el


# every page, and each of the Reports page's lazy tabs (only the open one is drawn)
OPENINGS = [(page, params) for page, params in PAGES.items()] + [
    ("app_pages/reports.py", {TAB_KEY: tab}) for tab in TABS[1:]
]


@pytest.mark.parametrize(
    ("page", "params"),
    OPENINGS,
    ids=[p.split("/")[-1][:-3] + "".join(f"-{v}" for v in q.values()) for p, q in OPENINGS],
)
def test_every_page_speaks_one_language(demo_db: str, page: str, params: dict[str, str]) -> None:
    at = open_page(page, **params)
    bad = [(kind, found, text[:120]) for kind, text in _visible(at) for found in problems(text)]
    tables = list(_tables(at))
    for _, config, el in tables:
        frame = el.value
        assert el.proto.placeholder == "", "empty cells show 'None' unless the placeholder is ''"
        for col in frame.columns:
            entry = config.get(str(col), {})
            label = entry.get("label") or str(col)
            bad += [("table heading", found, label) for found in problems(label)]
            kind = str(frame[col].dtype)
            if kind.startswith(("datetime", "date")) or (entry.get("type_config") or {}).get("type") in (
                "date",
                "datetime",
            ):
                assert (entry.get("type_config") or {}).get("format") in (COLUMN_DATE, COLUMN_DATE_TIME), (
                    page,
                    col,
                    entry,
                )
            elif kind == "object" and (entry.get("type_config") or {}).get("type") != "link":
                for value in frame[col].dropna().astype(str).unique()[:200]:
                    bad += [(f"cell of {label}", found, value[:80]) for found in problems(value)]
    assert bad == [], page


def test_the_check_catches_what_the_issue_saw() -> None:
    assert problems("escalation_id") == ["escalation_id"]
    assert problems("Safeguarding concern (safeguarding\\_s47)") == ["safeguarding_s47"]
    assert problems("Escalate REVIEW_OVERDUE") == ["REVIEW_OVERDUE"]
    assert problems("None") == ["None"]
    assert problems("Click a square or choose a iro") == ["a iro"]
    assert problems("2026-11-02 00:00:00") == ["2026-11-02", "00:00:00"]
    assert problems("[Open](timeline?child=C1&as_of=2026-11-23) due 13 Nov 2026") == []


def test_table_config_labels_every_column_and_dates_each_date_column() -> None:
    import datetime as dt

    import polars as pl

    from ui.tables import config, words

    frame = pl.DataFrame(
        {
            "escalation_id": [1],
            "raised_date": [dt.date(2026, 11, 13)],
            "saved_at": [dt.datetime(2026, 11, 13, 14, 5)],
            "imported": [dt.datetime(2026, 11, 2)],
            "iro_code": ["I1"],
        }
    )
    got = config(frame, {"escalation_id": "No."})
    assert {k: v if isinstance(v, str) else v["label"] for k, v in got.items()} == {
        "escalation_id": "No.",
        "raised_date": "Raised date",
        "saved_at": "Saved at",
        "imported": "Imported",
        "iro_code": "IRO code",
    }
    assert got["raised_date"]["type_config"]["format"] == COLUMN_DATE
    assert got["saved_at"]["type_config"]["format"] == COLUMN_DATE_TIME
    assert got["imported"]["type_config"]["format"] == COLUMN_DATE  # midnight: "2026-11-02 00:00:00" as a date
    assert words("social_worker") == "Social worker"
