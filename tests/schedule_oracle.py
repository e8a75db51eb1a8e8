"""A straightforward per-child Python implementation of the schedule and midway rules.

Written independently of the vectorised engine, straight from DOMAIN §3-§4 with
`dateutil.relativedelta` and the scalar `services.workdays.add_working_days`: a test oracle (the
hypothesis tests compare the engine with it on random caseloads) and the per-row baseline of
`benchmarks/schedule.py`. Not used by the app.
"""

# ruff: noqa: B023  (the per-child closure `interval` is only called within its own loop iteration)
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from dateutil.relativedelta import relativedelta

from services.caseload import Caseload
from services.policy import MIDWAY_POLICIES, Policy
from services.workdays import add_working_days

Row = dict[str, Any]


def plus_months(d: dt.date, months: int, policy: Policy) -> dt.date:
    if policy.months_as_days:
        days = {3: policy.three_months_in_days, 6: policy.six_months_in_days}.get(months, round(months * 365 / 12))
        return d + dt.timedelta(days=days)
    return d + relativedelta(months=months)


def next_due(
    period: Row,
    held: list[dt.date],
    n: int,
    window: dt.date,
    bf_events: list[dt.date],
    annual_from: dt.date | None,
    policy: Policy,
    *,
    with_events: bool,
) -> tuple[dt.date | None, str | None]:
    """Due date and type of review n + 1, given reviews held[0:n], counting what happened by `window`."""
    start = period["start_date"]
    last = held[n - 1] if n else None
    if n == 0 and start is None:
        return None, None
    cands: list[tuple[dt.date, str]] = []
    a = period["placed_for_adoption_date"]
    if a is not None and a <= window:
        m = sum(1 for d in held[:n] if d >= a)
        if m == 0:
            cands.append((a + dt.timedelta(days=policy.adoption_first_review_days), "adoption_first"))
        elif m == 1:
            cands.append((plus_months(last, policy.adoption_second_review_months, policy), "adoption_second"))
        else:
            cands.append((plus_months(last, policy.adoption_subsequent_review_months, policy), "adoption_subsequent"))
    po = period["placement_order_date"]
    if po is not None and (last is None or po > last) and po <= window:
        cands.append((plus_months(po, policy.placement_order_review_months, policy), "placement_order"))
    if with_events:
        lower = last if last is not None else (start or period["observed_from"]) - dt.timedelta(days=1)
        later = [e for e in bf_events if lower < e <= window]
        if later:
            cands.append((add_working_days(min(later), policy.brought_forward_working_days), "brought_forward"))
    if n == 0:
        normal = (add_working_days(start, policy.first_review_working_days), "first")
    elif annual_from is not None and annual_from <= last and n >= 2:
        normal = (plus_months(last, policy.subsequent_review_months, policy), "annual")
    elif n == 1:
        normal = (plus_months(last, policy.second_review_months, policy), "second")
    else:
        normal = (plus_months(last, policy.subsequent_review_months, policy), "subsequent")
    best = normal
    for due, kind in cands:  # specific rules win ties (listed in priority order)
        if due <= best[0] and (due < best[0] or best is normal):
            best = (due, kind)
    return best


def _group(rows: list[Row], key: str = "child_id") -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        out[r[key]].append(r)
    return out


def report_rows(
    caseload: Caseload, as_of: dt.date, policy: Policy | None = None, rows: dict[str, list[Row]] | None = None
) -> dict[str, Row]:
    """child_id -> the report's fields for each child looked after on as_of (flags: only the review
    and midway ones). `rows` may pass the frames already as row dicts (so the benchmark times the
    rules, not the conversion)."""
    policy = policy or Policy()
    rows = rows or tables_as_rows(caseload)
    children = {c["child_id"]: c for c in rows["children"]}
    periods = _group(rows["periods"])
    reviews = _group(rows["reviews"])
    checks = _group(rows["midway_checks"])
    events = _group(rows["events"])
    soon_review = add_working_days(as_of, policy.review_due_soon_working_days)
    soon_midway = add_working_days(as_of, policy.midway_due_soon_working_days)
    out: dict[str, Row] = {}
    for child_id, plist in periods.items():
        child = children.get(child_id, {})
        current = None
        for p in sorted(plist, key=lambda p: p["start_date"] or p["observed_from"]):
            frm = p["start_date"] or p["observed_from"]
            if frm <= as_of and (p["end_date"] is None or p["end_date"] >= as_of):
                current = p
        if current is None:
            continue
        p = dict(current)
        for k in ("placement_order_date", "placed_for_adoption_date"):
            if p[k] is not None and p[k] > as_of:
                p[k] = None
        frm = p["start_date"] or p["observed_from"]
        # reviews of the current period: on or after its start, on or before as_of
        held = sorted(
            r["held_date"]
            for r in reviews.get(child_id, ())
            if r["held_date"] is not None and frm <= r["held_date"] <= as_of
        )
        bf = sorted(
            e["event_date"] for e in events.get(child_id, ()) if e["bring_forward"] and e["event_date"] <= as_of
        )
        chk = sorted(c["check_date"] for c in checks.get(child_id, ()) if c["check_date"] <= as_of)
        annual = child.get("annual_reviews_from")
        if annual is not None and annual > as_of:
            annual = None
        short = bool(child.get("short_breaks"))
        n = len(held)
        flags: list[str] = []
        if short:
            due, kind = None, None
        else:
            due, kind = next_due(p, held, n, as_of, bf, annual, policy, with_events=True)
        if due is not None:
            if due < as_of:
                flags.append("REVIEW_OVERDUE")
            elif due <= soon_review:
                flags.append("REVIEW_DUE_SOON")
        if n and not short:
            prev_due, _ = next_due(p, held, n - 1, held[-1], bf, annual, policy, with_events=True)
            if prev_due is not None and held[-1] > prev_due:
                flags.append("REVIEW_LATE")
        name = child.get("midway_policy")
        mpol = name if name in MIDWAY_POLICIES else policy.midway_policy

        def interval(k: int) -> tuple[dt.date | None, str]:
            """Midway due and status of the interval opened by review k (1-based)."""
            review = held[k - 1]
            # the last interval is closed by the period's end when that is known by as_of (DOMAIN §4:
            # a check becomes unnecessary once the child leaves care), like a review held that day;
            # a check on the leaving day itself still counts
            end = p["end_date"] if p["end_date"] is not None and p["end_date"] <= as_of else None
            nxt = held[k] if k < n else end
            required = not short and (mpol == "six_weeks_after_each" or k >= 2 or p["start_date"] is None)
            if not required:
                return None, "not_required"
            if mpol == "six_weeks_after_each":
                mdue = review + dt.timedelta(days=policy.six_weeks_days)
            elif mpol == "twelve_weeks_after_second":
                mdue = review + dt.timedelta(days=policy.twelve_weeks_days)
            else:
                at_review, _ = next_due(p, held, k, review, bf, annual, policy, with_events=False)
                mdue = review + dt.timedelta(days=(at_review - review).days // 2)
            if any(review <= c and (c < held[k] if k < n else (end is None or c <= end)) for c in chk):
                return mdue, "done"
            if nxt is not None:
                return mdue, "superseded" if nxt <= mdue else "missed"
            if as_of > mdue + dt.timedelta(days=policy.midway_grace_days):
                return mdue, "overdue"
            return mdue, "due"

        mdue, status = interval(n) if n else (None, "not_required")
        if status == "overdue":
            flags.append("MIDWAY_OVERDUE")
        if status == "due" and mdue <= soon_midway:
            flags.append("MIDWAY_DUE_SOON")
        if n >= 2 and interval(n - 1)[1] == "missed":
            flags.append("MIDWAY_MISSED")
        out[child_id] = {
            "child_id": child_id,
            "period_start": p["start_date"],
            "reviews_in_period": n,
            "last_review_date": held[-1] if n else None,
            "next_review_due": due,
            "next_review_type": kind,
            "midway_due": mdue,
            "midway_status": status,
            "flags": sorted(flags),
        }
    return out


def tables_as_rows(caseload: Caseload) -> dict[str, list[Row]]:
    return {name: frame.to_dicts() for name, frame in caseload.tables().items()}
