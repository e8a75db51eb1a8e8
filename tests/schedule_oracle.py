"""A straightforward per-child Python implementation of the engine's rules (DOMAIN §2-§4, §8).

Plain per-child Python (dicts, lists and loops, `dateutil.relativedelta`, the scalar
`services.engine.workdays.add_working_days` / `is_working_day` and a day-counting `working_days_between`),
sharing no code with the vectorised engine (services.engine.compute): a test oracle (the hypothesis tests
compare the engine with it on random caseloads) and the per-row baseline of `benchmarks/schedule.py`.
Not used by the app. The rules are DOMAIN.md's; where DOMAIN leaves a choice open (the reason
sentences, which reviews' deadlines a flag looks at, which of several overdue items a reason names)
it makes the choice the engine's modules document (services.engine.schedule, midway, deadlines, flags).

- `compute_rows(caseload, as_of, policy)`: everything `services.engine.compute.EngineResult` holds, as lists
  of row dicts: children (with all 15 flag codes), flags (with the engine's reason sentences),
  reviews, intervals, deadlines and undecidable, from the data as it stood on as_of
  (`clip_to_as_of`, the plain-Python twin of `services.engine.compute.clip_to_as_of`).
- `report_rows(caseload, as_of, policy)`: the earlier, smaller oracle (schedule, the current midway
  check and the six review / midway flags only), kept because the benchmark still prints its figure
  beside the full one so the change of baseline stays visible.
"""

# ruff: noqa: B023  (the per-child closure `interval` is only called within its own loop iteration)
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta

from services.dates import day as _d
from services.engine.caseload import Caseload
from services.engine.deadlines import KIND_FACT
from services.engine.flags import CODES, FACT_FLAGS
from services.engine.policy import MIDWAY_POLICIES, Policy
from services.engine.workdays import add_working_days, is_working_day
from services.vocabulary import SIGNIFICANT_EVENT_TYPES

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
    and midway ones). The earlier, smaller oracle (see the module docstring; `compute_rows` does
    everything). `rows` may pass the frames already as row dicts (so the benchmark times the rules,
    not the conversion)."""
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


# ---------------------------------------------------------------------------------------------------
# The full oracle: everything EngineResult holds.
# ---------------------------------------------------------------------------------------------------

ONE_DAY = dt.timedelta(days=1)
FRAMES = ("children", "flags", "reviews", "intervals", "deadlines")  # the frames of EngineResult

# The vocabulary is shared with the engine (it is the specification, not a rule): the DOMAIN §8
# codes (CODES, in the order undecidable ones are listed), the flags each optional fact decides
# (FACT_FLAGS) and the fact each post-review deadline needs (KIND_FACT).


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how many working days `end` is after `start` (DOMAIN §2);
    negative when end is before start. Counted day by day."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += ONE_DAY
        if is_working_day(day):
            count += 1
    return count


def _working_days(n: int, what: str = "") -> str:
    """'12 working days overdue' / '1 working day late'."""
    text = f"{n} working day" if n == 1 else f"{n} working days"
    return f"{text} {what}" if what else text


def clip_to_as_of(rows: dict[str, list[Row]], as_of: dt.date) -> dict[str, list[Row]]:
    """The tables as they stood on as_of: rows dated after it dropped, later end / done dates
    removed (a period ending next month is still open; a record completed tomorrow is not done).
    An escalation whose current stage started after as_of keeps its row without a stage due date."""

    def known(d: dt.date | None) -> dt.date | None:
        return d if d is not None and d <= as_of else None

    def happened(d: dt.date | None) -> bool:
        return d is not None and d <= as_of

    out: dict[str, list[Row]] = {name: [] for name in rows}
    for c in rows["children"]:
        c = dict(c)
        if c["permanence_plan_date"] is not None and c["permanence_plan_date"] > as_of:
            c["permanence_plan"] = None
        c["permanence_plan_date"] = known(c["permanence_plan_date"])
        c["annual_reviews_from"] = known(c["annual_reviews_from"])
        out["children"].append(c)
    for p in rows["periods"]:
        if not happened(p["start_date"] or p["observed_from"]):
            continue
        p = dict(p)
        if not happened(p["observed_from"]):
            p["observed_from"] = p["start_date"]
        for key in ("end_date", "placement_order_date", "placed_for_adoption_date"):
            p[key] = known(p[key])
        out["periods"].append(p)
    for name, date_key, later_keys in (
        ("placements", "start_date", ("end_date",)),
        ("allocations", "from_date", ("to_date",)),
        ("reviews", "held_date", ("recommendations_sent_date", "record_completed_date", "care_plan_updated_date")),
        ("midway_checks", "check_date", ()),
        ("events", "event_date", ()),
        ("missing", "start_date", ("end_date",)),
        ("escalations", "raised_date", ("resolved_date", "formal_started")),
    ):
        for r in rows[name]:
            if not happened(r[date_key]):
                continue
            r = dict(r)
            for key in later_keys:
                r[key] = known(r[key])
            if name == "escalations" and not happened(r["stage_started"]):
                r["stage_due_date"] = None
            out[name].append(r)
    for r in rows["recommendations"]:
        out["recommendations"].append({**r, "completed_date": known(r["completed_date"])})
    return out


def deadline_status(due: dt.date | None, done: dt.date | None, as_of: dt.date, unknown: bool) -> str:
    """met / late / overdue / pending, or unknown (the source lacks the fact, or no due date)."""
    if unknown or due is None:
        return "unknown"
    if done is not None:
        return "met" if done <= due else "late"
    return "overdue" if as_of > due else "pending"


def _first_known(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _latest_on(rows: list[Row], date_key: str, end_key: str, as_of: dt.date) -> Row | None:
    """The latest-starting row running on as_of (started on or before it, not ended before it)."""
    found = None
    for r in sorted(rows, key=lambda r: r[date_key]):
        if r[date_key] <= as_of and (r[end_key] is None or r[end_key] >= as_of):
            found = r
    return found


@dataclass
class PeriodRows:
    """One period of care worked out: its held reviews, the due date and type of the review after
    each number of reviews (`due_after[k]`: after k reviews), and its output rows (deadlines in
    review order)."""

    held: list[dt.date]
    due_after: list[tuple[dt.date | None, str | None]]
    reviews: list[Row] = field(default_factory=list)
    intervals: list[Row] = field(default_factory=list)
    deadlines: list[Row] = field(default_factory=list)


def period_rows(
    child: Row,
    p: Row,
    rv: list[Row],
    bf: list[dt.date],
    chk: list[dt.date],
    recs_of_review: dict[int, list[Row]],
    as_of: dt.date,
    policy: Policy,
    unsupported: frozenset[str] | set[str],
) -> PeriodRows:
    """The reviews `rv` held in period `p`: schedule (DOMAIN §3), midway checks (§4) and post-review
    deadlines (§3 after a review). `bf`: the child's brought-forward event dates; `chk`: its midway
    check dates (both sorted)."""
    child_id = p["child_id"]
    short = bool(child.get("short_breaks"))
    annual = child.get("annual_reviews_from")
    name = child.get("midway_policy")
    mpol = name if name in MIDWAY_POLICIES else policy.midway_policy
    held = [r["held_date"] for r in rv]
    n = len(held)
    end = p["end_date"]
    # due date and type of review k + 1 after k reviews, counting what happened before it was held
    # (or by the period's end / as_of for the next one); none for short breaks (DOMAIN §3)
    due_after: list[tuple[dt.date | None, str | None]] = []
    for k in range(n + 1):
        window = held[k] if k < n else (end or as_of)
        due_after.append((None, None) if short else next_due(p, held, k, window, bf, annual, policy, with_events=True))
    out = PeriodRows(held, due_after)

    for k, r in enumerate(rv, start=1):
        review = r["held_date"]
        due, kind = due_after[k - 1]
        out.reviews.append(
            {
                "child_id": child_id,
                "period_id": p["period_id"],
                "review_id": r["review_id"],
                "held_date": review,
                "review_number": k,
                "review_type": kind,
                "due_date": due,
                "on_time": None if due is None else review <= due,
            }
        )

        # the midway check of the interval this review opens, due as the schedule stood at the review
        at_review = None if short else next_due(p, held, k, review, bf, annual, policy, with_events=False)[0]
        nxt = held[k] if k < n else None
        required = not short and (mpol == "six_weeks_after_each" or k >= 2 or p["start_date"] is None)
        mdue = None
        if required:
            if mpol == "six_weeks_after_each":
                mdue = review + dt.timedelta(days=policy.six_weeks_days)
            elif mpol == "twelve_weeks_after_second":
                mdue = review + dt.timedelta(days=policy.twelve_weeks_days)
            elif at_review is not None:
                mdue = review + dt.timedelta(days=(at_review - review).days // 2)
        # done: a check on or after the review, before the next review (or by the end of the period)
        check = next((c for c in chk if c >= review), None)
        if check is not None and nxt is not None and check >= nxt:
            check = None
        if check is not None and nxt is None and end is not None and check > end:
            check = None
        close = nxt if nxt is not None else end
        if not required or mdue is None:
            status = "not_required"
        elif check is not None:
            status = "done"
        elif close is not None:
            status = "superseded" if close <= mdue else "missed"
        elif as_of > mdue + dt.timedelta(days=policy.midway_grace_days):
            status = "overdue"
        else:
            status = "due"
        out.intervals.append(
            {
                "child_id": child_id,
                "period_id": p["period_id"],
                "review_id": r["review_id"],
                "review_date": review,
                "review_number": k,
                "next_due_at_review": at_review,
                "midway_policy": mpol,
                "midway_required": required,
                "midway_due": mdue,
                "midway_status": status,
                "check_date": check,
                "next_review_date": nxt,
            }
        )

        # post-review deadlines; the care plan's clock starts when the recommendations were sent (or
        # were due to be sent, while that is not recorded)
        to_tm = add_working_days(review, policy.recommendations_to_tm_working_days)
        sent = r["recommendations_sent_date"]
        received = sent if sent is not None else to_tm
        todo = [
            ("recommendations_to_tm", None, to_tm, sent),
            (
                "record_completed",
                None,
                add_working_days(review, policy.record_completed_working_days),
                r["record_completed_date"],
            ),
            (
                "care_plan_updated",
                None,
                add_working_days(received, policy.care_plan_update_working_days),
                r["care_plan_updated_date"],
            ),
        ]
        for rec in recs_of_review.get(r["review_id"], ()):
            todo.append(("recommendation_target", rec["rec_id"], rec["target_date"], rec["completed_date"]))
        for kind_, rec_id, ddue, done in todo:
            out.deadlines.append(
                {
                    "child_id": child_id,
                    "review_id": r["review_id"],
                    "kind": kind_,
                    "rec_id": rec_id,
                    "due_date": ddue,
                    "done_date": done,
                    "status": deadline_status(ddue, done, as_of, KIND_FACT[kind_] in unsupported),
                }
            )
    return out


def child_row(child: Row, p: Row, s: PeriodRows, allocations: list[Row], placements: list[Row], as_of: dt.date) -> Row:
    """The children frame's row of a child looked after on as_of (flags added later), with
    sibling_group and sibling_iro_exception for the siblings check."""
    n = len(s.held)
    due, kind = s.due_after[n]
    alloc: Row = {}
    for role in ("team", "iro", "social_worker"):
        a = _latest_on([a for a in allocations if a["role"] == role], "from_date", "to_date", as_of)
        alloc[role] = a["name"] if a else None
        alloc[f"{role}_code"] = a["staff_code"] if a else None
    place = _latest_on(placements, "start_date", "end_date", as_of) or {}
    dob = child.get("date_of_birth")
    age = None if dob is None else as_of.year - dob.year - ((dob.month, dob.day) > (as_of.month, as_of.day))
    return {
        "child_id": p["child_id"],
        "display_name": child.get("display_name"),
        "date_of_birth": dob,
        "age": age,
        "team": alloc["team"],
        "iro": alloc["iro"],
        "iro_code": alloc["iro_code"],
        "social_worker": alloc["social_worker"],
        "social_worker_code": alloc["social_worker_code"],
        "legal_status": _first_known(place.get("legal_status"), child.get("legal_status")),
        "placement_type": _first_known(place.get("placement_type"), child.get("placement_type")),
        "short_breaks": bool(child.get("short_breaks")),
        "period_id": p["period_id"],
        "period_start": p["start_date"],
        "period_start_known": p["start_date"] is not None,
        "reviews_in_period": n,
        "last_review_date": s.held[-1] if n else None,
        "next_review_due": due,
        "next_review_type": kind,
        "midway_due": s.intervals[-1]["midway_due"] if n else None,
        "midway_status": s.intervals[-1]["midway_status"] if n else "not_required",
        "sibling_group": child.get("sibling_group"),
        "sibling_iro_exception": bool(child.get("sibling_iro_exception")),
    }


def child_flags(
    row: Row,
    child: Row,
    p: Row,
    s: PeriodRows,
    tables: dict[str, list[Row]],
    as_of: dt.date,
    policy: Policy,
    soon: tuple[dt.date, dt.date],
) -> list[Row]:
    """The DOMAIN §8 flags of one child looked after on as_of, except SIBLINGS_SPLIT (which needs
    all the children: `sibling_flags`). `tables`: the child's allocations, events, escalations and
    missing episodes; `soon`: the last days of the review and midway "due soon" windows. Review and
    midway flags are not raised for short breaks."""
    child_id = row["child_id"]
    flags: list[Row] = []

    def flag(code: str, reason: str, due: dt.date | None = None, days: int | None = None) -> None:
        flags.append({"child_id": child_id, "code": code, "reason": reason, "due_date": due, "days_overdue": days})

    short = row["short_breaks"]
    held, n = s.held, len(s.held)
    frm = p["start_date"] or p["observed_from"]
    due = row["next_review_due"]
    midway_due, midway_status = row["midway_due"], row["midway_status"]

    # the review schedule
    note = "" if p["start_date"] is not None else "; period start unknown: reviews counted from the data"
    if not short and due is not None and due < as_of:
        late = working_days_between(due, as_of)
        flag("REVIEW_OVERDUE", f"Review was due {_d(due)}: {_working_days(late, 'overdue')}{note}", due, late)
    elif not short and due is not None and due <= soon[0]:
        when = "today" if due == as_of else "in " + _working_days(working_days_between(as_of, due))
        flag("REVIEW_DUE_SOON", f"Review is due {_d(due)}: {when}{note}", due)
    if n and s.reviews[-1]["on_time"] is False:
        last = s.reviews[-1]
        late = working_days_between(last["due_date"], last["held_date"])
        flag(
            "REVIEW_LATE",
            f"Most recent review was held {_d(last['held_date'])} but was due {_d(last['due_date'])}: "
            f"{_working_days(late, 'late')}",
            last["due_date"],
            late,
        )

    # midway checks
    if not short and midway_status == "overdue":
        late = working_days_between(midway_due, as_of)
        flag(
            "MIDWAY_OVERDUE",
            f"Midway check was due {_d(midway_due)}: {_working_days(late, 'overdue')}",
            midway_due,
            late,
        )
    if n >= 2 and s.intervals[-2]["midway_status"] == "missed":
        iv = s.intervals[-2]
        flag(
            "MIDWAY_MISSED",
            f"No midway check was recorded between the reviews of {_d(iv['review_date'])} and "
            f"{_d(iv['next_review_date'])}; it was due {_d(iv['midway_due'])}",
            iv["midway_due"],
        )
    if not short and midway_status == "due" and midway_due <= soon[1]:
        if midway_due < as_of:
            text = f"was due {_d(midway_due)} (within the grace days)"
        elif midway_due == as_of:
            text = f"is due today, {_d(midway_due)}"
        else:
            text = f"is due {_d(midway_due)}: in {_working_days(working_days_between(as_of, midway_due))}"
        flag("MIDWAY_DUE_SOON", f"Midway check {text}", midway_due)

    # post-review deadlines of the current period: overdue ones, and late ones of the most recent review
    review_of = {r["review_id"]: r for r in s.reviews}
    most_recent = s.reviews[-1]["review_id"] if n else None
    drifting = [
        d for d in s.deadlines if d["status"] == "overdue" or (d["status"] == "late" and d["review_id"] == most_recent)
    ]
    recs = [d for d in drifting if d["kind"] == "recommendation_target" and d["status"] == "overdue"]
    if recs:
        first = min(d["due_date"] for d in recs)
        what = (
            " recommendation is past its target date"
            if len(recs) == 1
            else " recommendations are past their target date"
        )
        late = working_days_between(first, as_of)
        flag(
            "REC_OVERDUE",
            f"{len(recs)}{what} and not done: the earliest was due {_d(first)}, {_working_days(late, 'overdue')}",
            first,
            late,
        )
    for kind, code, what in (
        ("record_completed", "RECORD_LATE", "Record of the review held"),
        ("care_plan_updated", "CARE_PLAN_NOT_UPDATED", "Care plan update after the review held"),
    ):
        these = [d for d in drifting if d["kind"] == kind]
        if not these:  # (short breaks too: DOMAIN §3's deadlines follow any review held)
            continue
        d = min(these, key=lambda d: d["due_date"])  # the earliest (on a tie, of the earlier review)
        if d["status"] == "late":
            late = working_days_between(d["due_date"], d["done_date"])
            text = f"done {_d(d['done_date'])}, {_working_days(late, 'late')}"
        else:
            late = working_days_between(d["due_date"], as_of)
            text = f"not done, {_working_days(late, 'overdue')}"
        flag(
            code,
            f"{what} {_d(review_of[d['review_id']]['held_date'])} was due {_d(d['due_date'])}: {text}",
            d["due_date"],
            late,
        )

    # an IRO within 5 working days of the start, and never without one after that
    if row["iro"] is None and row["iro_code"] is None:
        deadline = add_working_days(frm, policy.iro_allocation_working_days)
        if as_of > deadline:
            ended = [
                a["to_date"]
                for a in tables["allocations"]
                if a["role"] == "iro" and a["to_date"] is not None and a["to_date"] < as_of
            ]
            since = max(ended) if ended and max(ended) >= deadline else deadline
            gap = working_days_between(since, as_of)
            text = (
                f"one was due by {_d(deadline)}" if since == deadline else f"the last IRO allocation ended {_d(since)}"
            )
            flag(
                "IRO_NOT_ALLOCATED",
                f"No IRO allocated on {_d(as_of)}: {text}, {_working_days(gap, 'overdue')}",
                since,
                gap,
            )

    # a permanence plan by the 2nd review
    plan, k = child.get("permanence_plan"), policy.permanence_plan_by_review
    if not short and (plan is None or plan.strip() == ""):
        ordinal = {1: "1st", 2: "2nd", 3: "3rd"}.get(k, f"{k}th")
        if n >= k:
            flag(
                "NO_PERMANENCE_PLAN",
                f"No permanence plan recorded: the {ordinal} review was held {_d(held[k - 1])}",
                held[k - 1],
            )
        elif n == k - 1 and due is not None and due <= as_of:
            flag("NO_PERMANENCE_PLAN", f"No permanence plan recorded: the {ordinal} review was due {_d(due)}", due)

    # unresolved escalations past their stage's resolution date, or whose formal process is past the
    # national total (due the total-th working day after its first formal stage started): each from
    # the earlier of the two (the stage's on a tie); the child's earliest, then the lowest id
    total = policy.formal_process_total_working_days
    overdue = []
    for e in tables["escalations"]:
        if e["resolved_date"] is not None:
            continue
        dates = []
        if e["stage_due_date"] is not None and e["stage_due_date"] < as_of:
            dates.append((e["stage_due_date"], False))
        if e["formal_started"] is not None:
            formal_due = add_working_days(e["formal_started"], total)
            if formal_due < as_of:
                dates.append((formal_due, True))
        if dates:
            overdue.append((*min(dates), e["escalation_id"], e))
    if overdue:
        when, by_formal, _id, e = min(overdue, key=lambda x: (x[0], x[2]))
        late = working_days_between(when, as_of)
        more = f" ({len(overdue)} escalations overdue)" if len(overdue) > 1 else ""
        if by_formal:
            text = f"Formal escalation started {_d(e['formal_started'])} was due to end within {total} working days"
            text += f" in total, by {_d(when)}"
        else:
            text = f"Escalation at stage '{_first_known(e['stage_name'], '?')}' was due to be resolved by {_d(when)}"
        flag("ESCALATION_OVERDUE", f"{text}: {_working_days(late, 'overdue')}{more}", when, late)

    # missing episodes starting in the 90 days ending on as_of
    window = policy.frequent_missing_window_days
    recent = [m for m in tables["missing"] if as_of - dt.timedelta(days=window) < m["start_date"] <= as_of]
    if len(recent) >= policy.frequent_missing_count:
        flag("FREQUENT_MISSING", f"{len(recent)} missing episodes in the {window} days to {_d(as_of)}")

    # the earliest event since the review before the most recent one (in this period) that asked for a
    # review within 20 working days and got none in time
    before_last = held[-2] if n >= 2 else None
    for e in sorted(tables["events"], key=lambda e: e["event_date"]):
        when = e["event_date"]
        if short or not e["bring_forward"] or when < frm or (before_last is not None and when <= before_last):
            continue
        by = add_working_days(when, policy.brought_forward_working_days)
        held_on = next((h for h in held if h >= when), None)
        if held_on is None and by < as_of:
            late = working_days_between(by, as_of)
            text = f"none held, {_working_days(late, 'overdue')}"
        elif held_on is not None and held_on > by:
            late = working_days_between(by, held_on)
            text = f"the review was held {_d(held_on)}, {_working_days(late, 'late')}"
        else:
            continue
        what = (
            f" ({SIGNIFICANT_EVENT_TYPES.get(e['event_type'], e['event_type'])})" if e["event_type"] is not None else ""
        )
        flag(
            "REVIEW_NOT_BROUGHT_FORWARD",
            f"A significant event on {_d(when)}{what} asked for a review by {_d(by)}: {text}",
            by,
            late,
        )
        break
    return flags


def sibling_flags(looked_after: list[Row]) -> list[Row]:
    """SIBLINGS_SPLIT (DOMAIN §3: siblings share one IRO unless an exception is recorded): for each
    child, the siblings looked after with a different IRO, neither with an exception."""
    groups: dict[str, list[Row]] = defaultdict(list)
    for c in looked_after:
        if c["sibling_group"] is not None and c["iro_code"] is not None and not c["sibling_iro_exception"]:
            groups[c["sibling_group"]].append(c)
    flags = []
    for group, siblings in groups.items():
        for c in siblings:
            others = sorted(
                s["child_id"] for s in siblings if s["child_id"] != c["child_id"] and s["iro_code"] != c["iro_code"]
            )
            if others:
                reason = (
                    f"Siblings in group {group} have different IROs ({', '.join(others)}) and no exception is recorded"
                )
                flags.append(
                    {
                        "child_id": c["child_id"],
                        "code": "SIBLINGS_SPLIT",
                        "reason": reason,
                        "due_date": None,
                        "days_overdue": None,
                    }
                )
    return flags


def compute_rows(
    caseload: Caseload, as_of: dt.date, policy: Policy | None = None, rows: dict[str, list[Row]] | None = None
) -> dict[str, Any]:
    """What `services.engine.compute.compute` returns, as lists of row dicts: children, flags, reviews,
    intervals, deadlines (each with the engine's columns) and undecidable (a tuple of codes).
    `rows` may pass the frames already as row dicts (so the benchmark times the rules, not the
    conversion)."""
    policy = policy or Policy()
    t = clip_to_as_of(rows or tables_as_rows(caseload), as_of)
    # what each child's own data cannot tell (DOMAIN §8: per child, not per source)
    lacks: dict[str, set[str]] = defaultdict(set)
    for r in caseload.unknown.to_dicts():
        lacks[r["child_id"]].add(r["fact"])
    children = {c["child_id"]: c for c in t["children"]}
    per_child = {name: _group(t[name]) for name in t if name not in ("children", "recommendations")}
    recs_of_review = _group(t["recommendations"], "review_id")
    soon = (
        add_working_days(as_of, policy.review_due_soon_working_days),
        add_working_days(as_of, policy.midway_due_soon_working_days),
    )
    out: dict[str, Any] = {name: [] for name in FRAMES}
    flags: list[Row] = []
    looked_after: list[Row] = []

    for child_id, periods in sorted(per_child["periods"].items()):
        child = children.get(child_id, {})
        mine = {name: rows_.get(child_id, []) for name, rows_ in per_child.items()}
        bf = sorted(e["event_date"] for e in mine["events"] if e["bring_forward"])
        chk = sorted(c["check_date"] for c in mine["midway_checks"])
        plist = sorted(periods, key=lambda p: p["start_date"] or p["observed_from"])
        # the period open on as_of (the latest, if several are)
        current = None
        for p in plist:
            if p["end_date"] is None or p["end_date"] >= as_of:
                current = p
        # each review belongs to the latest period started on or before it, unless that one had ended
        held_in: list[list[Row]] = [[] for _ in plist]
        for r in sorted(mine["reviews"], key=lambda r: r["held_date"]):
            started = [i for i, p in enumerate(plist) if (p["start_date"] or p["observed_from"]) <= r["held_date"]]
            if started and (plist[started[-1]]["end_date"] is None or r["held_date"] <= plist[started[-1]]["end_date"]):
                held_in[started[-1]].append(r)

        for p, rv in zip(plist, held_in, strict=True):
            s = period_rows(child, p, rv, bf, chk, recs_of_review, as_of, policy, lacks[child_id])
            out["reviews"] += s.reviews
            out["intervals"] += s.intervals
            out["deadlines"] += s.deadlines
            if p is current:
                row = child_row(child, p, s, mine["allocations"], mine["placements"], as_of)
                looked_after.append(row)
                flags += child_flags(row, child, p, s, mine, as_of, policy, soon)
    flags += sibling_flags(looked_after)

    # a flag the child's data cannot decide is not raised for that child (DOMAIN §8)
    def skip(child_id: str) -> set[str]:
        return {code for fact in lacks[child_id] for code in FACT_FLAGS.get(fact, ())}

    out["flags"] = [f for f in flags if f["code"] not in skip(f["child_id"])]
    # undecidable: no child looked after can have it decided
    ids = [r["child_id"] for r in looked_after]
    out["undecidable"] = tuple(code for code in CODES if ids and all(code in skip(c) for c in ids))
    gated = [code for code in CODES if any(code in codes for codes in FACT_FLAGS.values())]
    out["coverage"] = [
        {"code": code, "children": len(ids), "supported": sum(code not in skip(c) for c in ids)} for code in gated
    ]
    codes = _group(out["flags"])
    for row in looked_after:
        del row["sibling_group"], row["sibling_iro_exception"]
        row["flags"] = sorted({f["code"] for f in codes.get(row["child_id"], ())})
    out["children"] = sorted(looked_after, key=lambda r: r["child_id"])
    return out


def sorted_rows(rows: list[Row], columns: list[str] | tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Rows as tuples of `columns`, in a fixed order: to compare the engine's frames (`.to_dicts()`)
    with the oracle's lists whatever order each produced them in."""
    return sorted((tuple(r[c] for c in columns) for r in rows), key=repr)


def tables_as_rows(caseload: Caseload) -> dict[str, list[Row]]:
    return {name: frame.to_dicts() for name, frame in caseload.tables().items()}
