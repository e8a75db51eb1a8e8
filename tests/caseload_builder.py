"""Hand-made Caseload frames for the engine tests (no database, no demo data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from services.engine.caseload import SCHEMAS, Caseload, conform, unknown_frame

D = dt.date


def frame(name: str, rows: list[dict[str, Any]] | None) -> pl.DataFrame:
    """Rows as dicts; missing columns become null."""
    if not rows:
        return pl.DataFrame(schema=SCHEMAS[name])
    cols = {c: [r.get(c) for r in rows] for c in SCHEMAS[name]}
    return conform(name, pl.DataFrame(cols, schema=SCHEMAS[name]))


def caseload(
    unsupported: frozenset[str] = frozenset(),
    unknown: dict[str, frozenset[str]] | None = None,
    **tables: list[dict[str, Any]],
) -> Caseload:
    """caseload(children=[...], periods=[...], reviews=[...], ...). Children named in periods but
    not in `children` are added with defaults; review_id / period_id are numbered when absent.
    `unsupported`: facts no child's data tells; `unknown`: child_id -> facts that child's data lacks."""
    children = list(tables.pop("children", []))
    known = {c["child_id"] for c in children}
    for p in tables.get("periods", []):
        if p["child_id"] not in known:
            children.append({"child_id": p["child_id"], "date_of_birth": D(2012, 6, 1)})
            known.add(p["child_id"])
    for c in children:
        c.setdefault("date_of_birth", D(2012, 6, 1))
    for i, p in enumerate(tables.get("periods", []), start=1):
        p.setdefault("period_id", i)
        p.setdefault("observed_from", p.get("start_date"))
    for i, r in enumerate(tables.get("reviews", []), start=1):
        r.setdefault("review_id", i)
    for i, r in enumerate(tables.get("midway_checks", []), start=1):
        r.setdefault("check_id", i)
    out = {name: frame(name, tables.get(name)) for name in SCHEMAS if name != "children"}
    lacks = {c["child_id"]: set(unsupported) for c in children}
    for child_id, facts in (unknown or {}).items():
        lacks.setdefault(child_id, set()).update(facts)
    pairs = [(c, f, "not in the test data") for c, facts in sorted(lacks.items()) for f in sorted(facts)]
    frame_ = pl.DataFrame(pairs, schema=["child_id", "fact", "why"], orient="row") if pairs else None
    return Caseload(children=frame("children", children), unknown=unknown_frame(frame_), **out)


def one_child(
    start: dt.date | None,
    reviews: list[dt.date] = (),  # type: ignore[assignment]
    *,
    child: dict[str, Any] | None = None,
    period: dict[str, Any] | None = None,
    events: list[dict[str, Any]] = (),  # type: ignore[assignment]
    checks: list[dt.date] = (),  # type: ignore[assignment]
    **tables: list[dict[str, Any]],
) -> Caseload:
    """A single child C1 with one period of care starting `start` and reviews held on `reviews`."""
    p = {"child_id": "C1", "start_date": start, "observed_from": start or D(2025, 4, 1), **(period or {})}
    return caseload(
        children=[{"child_id": "C1", **(child or {})}],
        periods=[p],
        reviews=[{"child_id": "C1", "held_date": d} for d in reviews],
        events=[{"child_id": "C1", **e} for e in events],
        midway_checks=[{"child_id": "C1", "check_date": d} for d in checks],
        **tables,
    )
