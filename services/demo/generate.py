"""The synthetic demo caseload every page shows a new user: a mid-size council, entirely invented.

`generate(anchor, seed)` is a pure function of (anchor, seed): one `random.Random(seed)` drives every
choice, dates are laid out relative to `anchor`, so the same pair always gives identical rows and the
demo never "ages" (reload it with a later `--as-of` and the council moves with it). It gives about 600
children looked after on the anchor date plus about 220 who left care in the three years before it,
8 teams, 10 IROs, sibling groups, re-admissions, placement orders and adoptions, missing episodes,
reviews on the statutory schedule, recommendations, midway checks, significant events and escalations.
Due dates and midway check dates come from the engine's own rules (`services.engine.schedule.next_review`,
`services.engine.midway.check_required` / `check_due`, with the generator's `Policy`), so the demo never
disagrees with the pages that show it.

Why the drift is planted rather than random: realistic councils have most children on track, and the
drift concentrates on a minority. History (earlier reviews, earlier intervals) carries realistic
noise (reviews held late, midway checks missed, records late), but what the flags look at today
(the latest review, the last closed interval, the current interval, open recommendations) is clean
except for small sets of children picked to show each flag. `DemoData.scenario` lists those child
ids by flag code, so tests and pages can name them.

Ids are assigned here so foreign keys line up when `services.demo.load.load_demo` writes the rows.

Names are built from invented word lists (services.demo.names, e.g. "Juniper Quillfeather"): nothing
resembles a real person. Child ids are "C00001" ...

Known child for page tests (`KNOWN_CHILD_ID` = "C00001", generated at `KNOWN_ANCHOR` = 2026-11-23 with
the default seed; tests/test_demo.py checks this stays true): Teasel Mossbottom, born 2008-12-06,
s20 (V2) in a children's home (K2), Harbour Team, IRO "Sprocket Tapestry" (IRO09), looked after since
2022-04-19 (one period of care, no flags on the anchor). Ten reviews (`KNOWN_CHILD_REVIEWS`):
2022-05-18, 2022-07-29, 2023-01-26, 2023-07-18, 2024-01-10, 2024-07-10, 2025-01-02, 2025-07-14 (held
late: due 2025-07-02), 2026-01-12, 2026-07-10; next review due 2027-01-10 (subsequent). Midway checks
done in every interval from the 2nd review on except the one opened on 2025-07-14 (missed); the
current one (due 2026-10-10) was done on 2026-10-06.

Loading into a database: services.demo.load; command line: services.cli.demo.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta

from services.demo.names import (
    CONCERNS,
    EVENT_NOTES,
    FIRST_NAMES,
    GOOD_PRACTICE,
    RECOMMENDATIONS,
    STAFF_SURNAMES,
    SURNAMES,
    TEAM_NAMES,
)
from services.engine.age import age_on
from services.engine.midway import check_due, check_required
from services.engine.policy import Policy
from services.engine.schedule import NextReview, next_review
from services.engine.workdays import add_working_days, is_working_day
from services.vocabulary import CAFCASS_DOCUMENTS, ESCALATION_CATEGORIES, SIGNIFICANT_EVENT_TYPES

D = dt.date
DEFAULT_SEED = 2026
KNOWN_ANCHOR = D(2026, 11, 23)
KNOWN_CHILD_ID = "C00001"
KNOWN_CHILD_REVIEWS: tuple[dt.date, ...] = (
    D(2022, 5, 18), D(2022, 7, 29), D(2023, 1, 26), D(2023, 7, 18), D(2024, 1, 10),
    D(2024, 7, 10), D(2025, 1, 2), D(2025, 7, 14), D(2026, 1, 12), D(2026, 7, 10),
)  # fmt: skip

# --- scale and drift rates (tuned against services.engine.compute: see tests/test_demo.py) ---------------
LOOKED_AFTER_TARGET = 600
LEAVERS_TARGET = 220
SHORT_BREAK_CHILDREN = 6
SIBLING_SHARE = 0.15  # share of looked-after children in sibling groups of 2-3
READMISSION_SHARE = 0.05  # share of looked-after children with an earlier period of care
EVENT_SHARE = 0.10
MISSING_SHARE = 0.05
HISTORIC_REVIEW_LATE = 0.065  # reviews held late, 1-30 days, where the flags cannot see them
HISTORIC_CHECK_MISSED = 0.12  # earlier intervals closed without their midway check
HISTORIC_ADMIN_LATE = 0.06  # records / care plans late on earlier reviews
ESCALATED_CHECK_SHARE = 0.004
# children picked to show each flag today (counts of looked-after children)
PLANTED = {
    "REVIEW_OVERDUE": 10,
    "REVIEW_LATE": 12,
    "MIDWAY_OVERDUE": 16,
    "MIDWAY_MISSED": 12,
    "REC_OVERDUE": 18,
    "RECORD_LATE": 5,
    "CARE_PLAN_NOT_UPDATED": 5,
    "NO_PERMANENCE_PLAN": 5,
    "IRO_NOT_ALLOCATED": 3,  # no IRO at all (recent entrants); two more are allocated late
    "ESCALATION_OVERDUE": 3,
    "FREQUENT_MISSING": 3,
    "REVIEW_NOT_BROUGHT_FORWARD": 2,
    "SIBLINGS_SPLIT": 2,  # groups
}

MIDWAY_OUTCOME_WEIGHTS = (("progressing", 0.80), ("actions_sent", 0.20))
PARTICIPATION = (("PN1", 45), ("PN2", 10), ("PN3", 3), ("PN4", 3), ("PN5", 12), ("PN6", 15), ("PN7", 12))
AGE_BANDS = ((0, 1, 5), (1, 5, 14), (5, 10, 18), (10, 16, 38), (16, 18, 25))  # (from, to, % of children)
# England-like legal status mix at the anchor (DfE: care orders the majority, s20 about a sixth)
FINAL_STATUS = (("C2", 60), ("C1", 12), ("V2", 19), ("E1", 7), ("J1", 1))
LEAVING = (
    ("E4A", 34), ("E13", 5), ("E41", 4), ("E45", 4), ("E46", 3), ("E47", 4), ("E48", 2), ("E11", 8),
    ("E12", 2), ("E17", 12), ("E5", 5), ("E6", 3), ("E3", 3), ("E4B", 3), ("E8", 3),
)  # fmt: skip
AGED_OUT = {"E17", "E5", "E6"}
ADOPTED = {"E11", "E12"}
KINSHIP_END = {"E45", "E47", "E41"}

# the tables in foreign-key order (services.demo.load inserts them in this order)
TABLES: tuple[str, ...] = (
    "teams",
    "staff",
    "children",
    "periods_of_care",
    "placements",
    "allocations",
    "reviews",
    "recommendations",
    "midway_checks",
    "escalations",
    "escalation_stages",
    "good_practice",
    "significant_events",
    "missing_episodes",
)


@dataclass
class DemoData:
    """Row lists per table (in foreign-key order) and the planted scenario: child ids per flag code
    (plus "IRO_ALLOCATED_LATE", "SIBLING_EXCEPTION", "SHORT_BREAKS", "READMITTED", "ANNUAL_REVIEWS")."""

    tables: dict[str, list[dict[str, Any]]]
    scenario: dict[str, list[str]]

    def __getitem__(self, table: str) -> list[dict[str, Any]]:
        return self.tables[table]

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables.items()}


# --- internal plan ---------------------------------------------------------------------------------


@dataclass
class _Period:
    start: dt.date
    end: dt.date | None = None
    end_reason: str | None = None
    po: dt.date | None = None
    adopt: dt.date | None = None
    episodes: list[tuple[dt.date, str, str, str]] = field(default_factory=list)  # (start, ls, place, rne)
    events: list[tuple[dt.date, str, bool]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)  # held, due, type
    team: int = 0
    sws: list[tuple[dt.date, dt.date | None, int]] = field(default_factory=list)  # from, to, staff index
    iros: list[tuple[dt.date, dt.date | None, int]] = field(default_factory=list)


@dataclass
class _Child:
    id: str
    name: str
    dob: dt.date
    sex: str
    looked_after: bool
    periods: list[_Period] = field(default_factory=list)
    group: str | None = None
    sibling_exception: bool = False
    short_breaks: bool = False
    annual: bool = False
    annual_from: dt.date | None = None
    plan: str | None = None
    plan_date: dt.date | None = None
    missing: list[tuple[dt.date, dt.date | None, str]] = field(default_factory=list)


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, float], ...]) -> Any:
    values = [v for v, _ in pairs]
    return rng.choices(values, weights=[w for _, w in pairs], k=1)[0]


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _working_on_or_before(d: dt.date) -> dt.date:
    while not is_working_day(d):
        d -= _days(1)
    return d


def _working_on_or_after(d: dt.date) -> dt.date:
    while not is_working_day(d):
        d += _days(1)
    return d


# --- the schedule (DOMAIN §3: the engine's own rules, services.engine.schedule.next_review) --------


def _next_review(p: _Period, held: list[dt.date], policy: Policy, *, as_set_at_review: bool = False) -> NextReview:
    """The period's next review by the engine's rules, counting every fact laid out for the period
    (or, `as_set_at_review`, only those known on the last review's day)."""
    return next_review(
        p.start,
        held,
        policy,
        placement_order=p.po,
        placed_for_adoption=p.adopt,
        bring_forward=[e for e, _t, b in p.events if b],
        as_set_at_review=as_set_at_review,
    )


def _schedule(rng: random.Random, p: _Period, anchor: dt.date, policy: Policy) -> None:
    """Hold reviews on the schedule until the anchor or the period's end. Mostly a few days early;
    a few late, but only where a later review follows (the flags see only the latest)."""
    limit = p.end or anchor
    held: list[dt.date] = []
    while True:
        nxt = _next_review(p, held, policy)
        due, kind, trigger = nxt.due, nxt.type, nxt.counts_from
        lower = max(p.start + _days(8), trigger + _days(1), (held[-1] + _days(14)) if held else p.start)
        late = due + _days(rng.randint(1, 30))
        if rng.random() < HISTORIC_REVIEW_LATE and late + _days(200) < limit:
            day = _working_on_or_after(late)
        else:
            early = _weighted(rng, ((0, 30), (1, 15), (2, 12), (3, 10), (5, 12), (8, 10), (12, 7), (18, 4)))
            day = _working_on_or_before(due - _days(early))
        if day < lower:
            day = _working_on_or_after(lower)
            if day > due:
                day = lower
        if day > anchor or (p.end is not None and day >= p.end):
            break
        held.append(day)
        p.reviews.append({"held": day, "due": due, "type": kind})


# --- people --------------------------------------------------------------------------------------


DEMO_EMAIL_DOMAIN = "example.invalid"  # RFC 2606: reserved, never delivered, never a real person's


def _staff(rng: random.Random) -> tuple[list[dict[str, Any]], dict[str, list[int]], list[float]]:
    """Staff rows (ids 1..n) and the index lists: 'iro' (staff ids), 'sw:<team>' per team, 'tm', 'sm'.
    Also the IROs' caseload weights: fte-like, with one IRO carrying more than the Handbook range."""
    names = [f"{f} {s}" for s in STAFF_SURNAMES for f in FIRST_NAMES]
    rng.shuffle(names)
    rows: list[dict[str, Any]] = []
    index: dict[str, list[int]] = {"iro": [], "tm": [], "sm": []}

    def add(code: str, role: str, team_id: int | None, fte: float, key: str) -> None:
        rows.append(
            {
                "id": len(rows) + 1,
                "code": code,
                "display_name": names[len(rows)],
                "role": role,
                "team_id": team_id,
                "fte": fte,
                "active": True,
                "email": f"{code.lower()}@{DEMO_EMAIL_DOMAIN}",
            }
        )
        index.setdefault(key, []).append(len(rows))

    iro_fte = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.6]
    for i, fte in enumerate(iro_fte, start=1):
        add(f"IRO{i:02d}", "iro", None, fte, "iro")
    for i in range(1, 3):
        add(f"SM{i:02d}", "service_manager", None, 1.0, "sm")
    for t in range(1, len(TEAM_NAMES) + 1):
        add(f"TM{t:02d}", "team_manager", t, 1.0, "tm")
    n = 0
    for t in range(1, len(TEAM_NAMES) + 1):
        for _ in range(rng.randint(5, 7)):
            n += 1
            add(f"SW{n:03d}", "social_worker", t, rng.choice((1.0, 1.0, 1.0, 0.8)), f"sw:{t}")
    add("ADM01", "admin", None, 1.0, "admin")  # last, so the other staff ids stay as they were
    weights = [1.2, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.75]
    return rows, index, weights


def _placement(rng: random.Random, age: int, ls: str, first: bool) -> str:
    if ls in ("J1", "L2"):
        return _weighted(rng, (("U6", 60), ("K2", 40)))
    if age >= 16:
        return _weighted(rng, (("U4", 35), ("U6", 15), ("K2", 20), ("H5", 20), ("U1", 10)))
    if age >= 12:
        opts = (("U6", 35), ("U4", 25), ("K2", 25), ("U3", 8), ("U1", 5), ("R1", 2))
        return _weighted(rng, opts)
    if first:
        opts = (("U6", 62), ("U3", 22), ("P1", 6 if ls in ("C1", "C2") else 0), ("R1", 2), ("U4", 8))
        return _weighted(rng, opts)
    return _weighted(rng, (("U4", 45), ("U1", 20), ("U6", 25), ("P1", 5 if ls == "C2" else 0), ("U3", 5)))


def _episodes(rng: random.Random, p: _Period, dob: dt.date, final_ls: str, horizon: dt.date, moves: int) -> None:
    """Episodes of the period (SSDA903: a new one at each change of legal status or placement):
    legal status path to `final_ls`, placement order (LS E1), placement for adoption (A5/A6), moves."""
    changes: dict[dt.date, dict[str, str]] = {}
    if final_ls in ("V2", "J1", "L2", "V3", "V4"):
        ls0 = final_ls
    elif final_ls == "C1":
        ls0 = "C1"
    else:
        ls0 = _weighted(rng, (("C1", 75), ("V2", 25)))
        c2 = p.start + _days(rng.randint(120, 330))
        if c2 < horizon - _days(5) and (p.po is None or c2 < p.po - _days(20)):
            changes.setdefault(c2, {})["ls"] = "C2"
    if p.po:
        changes.setdefault(p.po, {})["ls"] = "E1"
    if p.adopt:
        changes.setdefault(p.adopt, {})["place"] = _weighted(rng, (("A5", 30), ("A6", 70)))
    for _ in range(moves):
        if len(changes) >= 3:
            break
        lo = p.start + _days(25)
        hi = (p.adopt or horizon) - _days(10)
        if hi <= lo:
            break
        day = lo + _days(rng.randint(0, (hi - lo).days))
        if day not in changes and day != p.start:
            changes.setdefault(day, {})["place"] = ""
    place0 = _placement(rng, age_on(dob, p.start), ls0, True)
    eps = [(p.start, ls0, place0, "S")]
    ls, place = ls0, place0
    for day in sorted(changes):
        ch = changes[day]
        new_ls = ch.get("ls", ls)
        if "place" in ch:
            new_place = ch["place"] or _placement(rng, age_on(dob, day), new_ls, False)
            if new_place == place:
                new_place = "U4" if place != "U4" else "U6"
            rne = "B" if "ls" in ch else "P"
        else:
            new_place, rne = place, "L"
        eps.append((day, new_ls, new_place, rne))
        ls, place = new_ls, new_place
    p.episodes = eps


# --- generation ----------------------------------------------------------------------------------


def _age_band(rng: random.Random) -> tuple[int, int]:
    lo, hi, _ = _weighted(rng, tuple((b, b[2]) for b in AGE_BANDS))
    return lo, hi


def _dob_for_age(rng: random.Random, on: dt.date, lo: int, hi: int) -> dt.date:
    """A date of birth giving an age in [lo, hi) years on `on`."""
    newest = on - relativedelta(years=lo) - _days(1)
    oldest = on - relativedelta(years=hi) + _days(1)
    return oldest + _days(rng.randint(0, (newest - oldest).days))


def generate(anchor: dt.date, seed: int = DEFAULT_SEED, policy: Policy | None = None) -> DemoData:
    """The demo caseload as row dicts per table, a pure function of (anchor, seed)."""
    return _Generator(anchor, seed, policy or Policy()).run()


class _Generator:
    """Holds the state of one generation run (rng, staff, running counters); `run` is the recipe."""

    def __init__(self, anchor: dt.date, seed: int, policy: Policy) -> None:
        self.anchor = anchor
        self.policy = policy
        self.rng = random.Random(seed)
        self.children: list[_Child] = []
        self.scenario: dict[str, list[str]] = {}
        names = [(f, s) for s in SURNAMES for f in FIRST_NAMES]
        self.rng.shuffle(names)
        self.name_pool = names
        self.used_names: set[str] = set()
        self.staff, self.index, self.iro_weights = _staff(self.rng)
        self.iro_load = [0] * len(self.index["iro"])

    # names
    def _name(self, surname: str | None = None) -> str:
        while True:
            f, s = self.name_pool.pop()
            name = f"{f} {surname or s}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name
            if not self.name_pool:  # pragma: no cover - pool is 2,300 names for ~830 children
                raise RuntimeError("name pool exhausted")

    def _surname(self) -> str:
        return self.rng.choice(SURNAMES)

    def _new_child(self, dob: dt.date, looked_after: bool, surname: str | None = None) -> _Child:
        cid = f"C{len(self.children) + 1:05d}"
        child = _Child(id=cid, name=self._name(surname), dob=dob, sex=self.rng.choice("MF"), looked_after=looked_after)
        self.children.append(child)
        return child

    # allocation helpers
    def _pick_iro(self) -> int:
        """The IRO with the lowest load for their weight (ties broken at random): caseloads stay
        roughly proportional to the weights, as a service manager would allocate."""
        ratios = [(self.iro_load[i] / self.iro_weights[i], self.rng.random(), i) for i in range(len(self.iro_load))]
        ratios.sort()
        return ratios[0][2] if self.rng.random() < 0.85 else ratios[1][2]

    def _allocate(self, p: _Period, team: int, iro: int, counted: bool, iro_change: bool, sw_change: bool) -> None:
        rng = self.rng
        p.team = team
        sws = self.index[f"sw:{team}"]
        end = p.end
        horizon = end or self.anchor
        sw = rng.choice(sws)
        if sw_change and (horizon - p.start).days > 120:
            change = p.start + _days(rng.randint(60, (horizon - p.start).days - 30))
            other = rng.choice([s for s in sws if s != sw])
            p.sws = [(p.start, change - _days(1), other), (change, end, sw)]
        else:
            p.sws = [(p.start, end, sw)]
        iro_from = add_working_days(p.start, rng.randint(0, self.policy.iro_allocation_working_days)) - _days(
            rng.randint(0, 1)
        )
        iro_from = max(p.start, iro_from)
        iro_staff = self.index["iro"][iro]
        if iro_change and (horizon - iro_from).days > 150:
            change = iro_from + _days(rng.randint(90, (horizon - iro_from).days - 30))
            other = rng.choice([s for s in self.index["iro"] if s != iro_staff])
            p.iros = [(iro_from, change - _days(1), other), (change, end, iro_staff)]
        else:
            p.iros = [(iro_from, end, iro_staff)]
        if counted:
            self.iro_load[iro] += 1

    # families
    def _lac_family(self, size: int, *, new_entrant: bool = False, annual: bool = False) -> list[_Child]:
        rng, anchor = self.rng, self.anchor
        final = _weighted(rng, FINAL_STATUS)
        if annual:
            final = "C2"
        young = final == "E1"
        # ages on the anchor; siblings 1-4 years apart
        if young:
            lo, hi = rng.choice(((1, 3), (2, 5), (3, 8)))
        elif final in ("J1", "L2"):
            lo, hi = 13, 18
        else:
            lo, hi = _age_band(rng)
        if size > 1:
            lo, hi = max(lo, size + 1), max(hi, size + 2)
        dob0 = _dob_for_age(rng, anchor, lo, min(hi, 18))
        dobs = [dob0]
        for _ in range(size - 1):
            dobs.append(dobs[-1] + _days(rng.randint(330, 1500)))
        youngest = max(dobs)
        if youngest > anchor - _days(40):
            dobs = [d for d in dobs if d <= anchor - _days(40)] or [anchor - _days(60)]
            youngest = max(dobs)
        # period start
        if new_entrant:
            start = anchor - _days(rng.randint(9, 25))
        elif annual:
            start = anchor - _days(rng.randint(4 * 365, 7 * 365))
        else:
            r = rng.random()
            if young:
                d = rng.randint(240, 900)
            elif final == "C1":
                d = rng.randint(10, 420)
            elif final == "C2":  # a full care order takes months of proceedings
                d = rng.randint(300, 1095) if r < 0.68 else rng.randint(1095, 3650)
            elif r < 0.35:
                d = rng.randint(10, 365)
            elif r < 0.68:
                d = rng.randint(365, 1095)
            else:
                d = rng.randint(1095, 3650)
            start = anchor - _days(d)
        earliest = youngest + _days(rng.randint(2, 60))
        if start < earliest:
            start = earliest + _days(rng.randint(0, max(0, (anchor - earliest).days - 30)))
        if start > anchor - _days(5):
            start = anchor - _days(5)
        if new_entrant:
            start = anchor - _days(rng.randint(9, 25))
            dobs = [min(d, start - _days(30)) for d in dobs]
        p = _Period(start=start)
        if final == "E1" and (anchor - start).days > 200:
            p.po = start + _days(rng.randint(150, min(420, (anchor - start).days - 20)))
            if rng.random() < 0.4 and (anchor - p.po).days > 70:
                p.adopt = p.po + _days(rng.randint(45, min(240, (anchor - p.po).days - 10)))
        elif final == "E1":
            final = "C2"
        if final == "C2" and (anchor - start).days < 150:
            final = "C1"
        moves = 0 if annual else _weighted(rng, ((0, 45), (1, 35), (2, 20)))
        _episodes(rng, p, min(dobs), final, anchor, moves)
        if annual:  # long-term fostering: one matched placement throughout
            p.episodes = [(d, ls, "U4", "S" if i == 0 else "L") for i, (d, ls, _pl, _r) in enumerate(p.episodes)]
        _dedupe_episodes(p)
        surname = self._surname() if len(dobs) > 1 else None
        group = f"SG{len({c.group for c in self.children if c.group}) + 1:03d}" if len(dobs) > 1 else None
        team = rng.randint(1, len(TEAM_NAMES))
        iro = self._pick_iro()
        sw_change = rng.random() < 0.3
        iro_change = size == 1 and rng.random() < 0.12
        family = []
        for dob in dobs:
            child = self._new_child(dob, True, surname)
            child.group = group
            child.annual = annual
            period = _Period(start=p.start, po=p.po, adopt=p.adopt, episodes=list(p.episodes))
            child.periods.append(period)
            self._allocate(period, team, iro, True, iro_change, sw_change)
            _schedule(rng, period, anchor, self.policy)
            family.append(child)
        if not new_entrant and size == 1 and rng.random() < READMISSION_SHARE * 1.6:
            self._earlier_period(family[0])
        return family

    def _earlier_period(self, child: _Child) -> None:
        """A previous period of care that ended with a return home: the child came back later."""
        rng = self.rng
        cur = child.periods[0]
        prev_end = cur.start - _days(rng.randint(45, 500))
        prev_start = prev_end - _days(rng.randint(60, 700))
        if prev_start < child.dob + _days(30) or prev_start < self.anchor - _days(8 * 365):
            return
        p = _Period(start=prev_start, end=prev_end, end_reason=_weighted(rng, (("E4A", 70), ("E13", 20), ("E4B", 10))))
        _episodes(rng, p, child.dob, _weighted(rng, (("V2", 60), ("C1", 40))), prev_end, rng.randint(0, 1))
        _dedupe_episodes(p)
        self._allocate(p, cur.team, rng.randrange(len(self.iro_load)), False, False, False)
        _schedule(rng, p, self.anchor, self.policy)
        child.periods.insert(0, p)

    def _leaver(self) -> None:
        rng, anchor = self.rng, self.anchor
        reason = _weighted(rng, LEAVING)
        end = anchor - _days(rng.randint(1, 3 * 365))
        if reason in AGED_OUT:
            dob = end - relativedelta(years=18)
            start = end - _days(rng.randint(300, 6 * 365))
            final = _weighted(rng, (("C2", 70), ("V2", 30)))
        elif reason in ADOPTED:
            start = end - _days(rng.randint(540, 1100))
            dob = start - _days(rng.randint(3, 3 * 365))
            final = "E1"
        else:
            start = end - _days(
                _weighted(rng, ((rng.randint(30, 200), 45), (rng.randint(200, 900), 40), (rng.randint(900, 2500), 15)))
            )
            dob = (
                _dob_for_age(rng, end, 0, 17)
                if reason not in ("E41", "E45", "E46", "E47", "E48")
                else (_dob_for_age(rng, end, 1, 12))
            )
            dob = min(dob, start - _days(3))
            final = _weighted(rng, (("C2", 45), ("V2", 35), ("C1", 20)))
        p = _Period(start=start, end=end, end_reason=reason)
        if final == "E1":
            p.po = start + _days(rng.randint(150, 300))
            p.adopt = p.po + _days(rng.randint(40, 150))
            if p.adopt >= end - _days(60):
                p.adopt = end - _days(rng.randint(90, 150))
                p.po = min(p.po, p.adopt - _days(30))
        _episodes(rng, p, dob, final, end, rng.randint(0, 2))
        if reason in KINSHIP_END and p.episodes[-1][2] not in ("U1", "U3"):
            d, ls, _pl, rne = p.episodes[-1]
            if len(p.episodes) == 1:
                p.episodes[-1] = (d, ls, "U3", rne)
            else:
                p.episodes[-1] = (d, ls, "U1", rne)
        _dedupe_episodes(p)
        child = self._new_child(dob, False)
        child.periods.append(p)
        self._allocate(
            p, rng.randint(1, len(TEAM_NAMES)), rng.randrange(len(self.iro_load)), False, False, rng.random() < 0.3
        )
        _schedule(rng, p, anchor, self.policy)

    def _short_breaks(self) -> None:
        rng = self.rng
        dob = _dob_for_age(rng, self.anchor, 6, 17)
        start = self.anchor - _days(rng.randint(100, 700))
        p = _Period(start=start, episodes=[(start, rng.choice(("V3", "V4")), rng.choice(("U6", "K2")), "S")])
        child = self._new_child(dob, True)
        child.short_breaks = True
        child.periods.append(p)
        self._allocate(p, rng.randint(1, len(TEAM_NAMES)), self._pick_iro(), True, False, False)

    def run(self) -> DemoData:
        rng = self.rng
        self._lac_family(1)  # C00001: a plain case, the known child
        for _ in range(PLANTED["IRO_NOT_ALLOCATED"] + 2):
            self._lac_family(1, new_entrant=True)
        for _ in range(5):
            self._lac_family(1, annual=True)
        while sum(c.looked_after and not c.short_breaks for c in self.children) < LOOKED_AFTER_TARGET:
            in_groups = sum(1 for c in self.children if c.group)
            size = 1
            if in_groups < SIBLING_SHARE * LOOKED_AFTER_TARGET and rng.random() < 0.12:
                size = _weighted(rng, ((2, 70), (3, 30)))
            self._lac_family(size)
        for _ in range(SHORT_BREAK_CHILDREN):
            self._short_breaks()
        for _ in range(LEAVERS_TARGET):
            self._leaver()
        self._plant_annual()
        self._plant_siblings()
        self._plant_iro_allocation()
        self._events_and_missing()
        self._plant_review_drift()
        return self._rows()

    # --- planted scenarios (DOMAIN §8 flags) -------------------------------------------------
    def _current(self) -> list[_Child]:
        return [c for c in self.children if c.looked_after and not c.short_breaks]

    def _note(self, code: str, ids: list[str]) -> None:
        self.scenario.setdefault(code, []).extend(ids)

    def _plant_annual(self) -> None:
        for c in self.children:
            if c.annual:
                p = c.periods[-1]
                later = [r["held"] for r in p.reviews[2:] if r["held"] >= p.start + relativedelta(years=1)]
                if later:
                    c.annual_from = later[0]
                    self._note("ANNUAL_REVIEWS", [c.id])

    def _plant_siblings(self) -> None:
        """Sibling groups share one IRO (DOMAIN §3); split some groups: without a recorded
        exception (SIBLINGS_SPLIT) and one with it (no flag)."""
        rng = self.rng
        groups: dict[str, list[_Child]] = {}
        for c in self.children:
            if c.group:
                groups.setdefault(c.group, []).append(c)
        names = sorted(groups)
        picked = rng.sample(names, PLANTED["SIBLINGS_SPLIT"] + 1)
        for i, g in enumerate(picked):
            kids = groups[g]
            last = kids[-1]
            p = last.periods[-1]
            current = p.iros[-1][2]
            other = rng.choice([s for s in self.index["iro"] if s != current])
            p.iros[-1] = (p.iros[-1][0], p.iros[-1][1], other)
            self.iro_load[self.index["iro"].index(current)] -= 1
            self.iro_load[self.index["iro"].index(other)] += 1
            if i == len(picked) - 1:
                for k in kids:
                    k.sibling_exception = True
                self._note("SIBLING_EXCEPTION", [k.id for k in kids])
            else:
                self._note("SIBLINGS_SPLIT", [k.id for k in kids])

    def _plant_iro_allocation(self) -> None:
        """Recent entrants without an IRO past 5 working days (IRO_NOT_ALLOCATED), and two who got
        one late."""
        entrants = [c for c in self._current() if c.periods[-1].start >= self.anchor - _days(25)]
        entrants = [c for c in entrants if not c.group][: PLANTED["IRO_NOT_ALLOCATED"] + 2]
        for i, c in enumerate(entrants):
            p = c.periods[-1]
            if i < PLANTED["IRO_NOT_ALLOCATED"]:
                staff = p.iros[0][2]
                self.iro_load[self.index["iro"].index(staff)] -= 1
                p.iros = []
                self._note("IRO_NOT_ALLOCATED", [c.id])
            else:
                late = add_working_days(p.start, self.policy.iro_allocation_working_days + self.rng.randint(1, 3))
                if late <= self.anchor:
                    p.iros = [(late, None, p.iros[-1][2])]
                    self._note("IRO_ALLOCATED_LATE", [c.id])

    def _events_and_missing(self) -> None:
        """Significant events (some bringing the review forward), missing episodes, frequent
        missing. Events are laid before the reviews are re-scheduled for the children they touch."""
        rng, anchor = self.rng, self.anchor
        codes = sorted(SIGNIFICANT_EVENT_TYPES)
        current = self._current()
        with_events = rng.sample(current, int(EVENT_SHARE * len(current)))
        for c in sorted(with_events, key=lambda c: c.id):
            p = c.periods[-1]
            span = (anchor - p.start).days - 40
            if span < 20:
                continue
            days = sorted(set(rng.sample(range(20, span), k=min(rng.randint(1, 3), span - 20))))
            bf_any = False
            for d in days:
                bf = rng.random() < 0.3
                bf_any = bf_any or bf
                code = rng.choice(codes)
                p.events.append((p.start + _days(d), code, bf))
            if bf_any:  # re-lay the schedule: the brought-forward reviews follow their events
                p.reviews = []
                _schedule(rng, p, anchor, self.policy)
                self._note("BROUGHT_FORWARD", [c.id])
        older = [c for c in current if age_on(c.dob, anchor) >= 11 and c.periods[-1].start <= anchor - _days(60)]
        frequent = rng.sample(older, PLANTED["FREQUENT_MISSING"])
        for c in sorted(frequent, key=lambda c: c.id):
            p = c.periods[-1]
            lo = max(p.start, anchor - _days(80))
            days = sorted(rng.sample(range(0, (anchor - lo).days - 1), k=rng.randint(3, 5)))
            c.missing = [(lo + _days(d), lo + _days(d + rng.randint(0, 1)), rng.choice("MMA")) for d in days]
            self._note("FREQUENT_MISSING", [c.id])
        taken = {c.id for c in frequent}
        others = [c for c in older if c.id not in taken]
        for c in rng.sample(others, int(MISSING_SHARE * len(current))):
            p = c.periods[-1]
            span = (anchor - p.start).days - 2
            if span < 10:
                continue
            days = sorted(rng.sample(range(1, span), k=min(rng.randint(1, 4), span - 1)))
            recent = [d for d in days if p.start + _days(d) > anchor - _days(self.policy.frequent_missing_window_days)]
            if len(recent) >= self.policy.frequent_missing_count:
                days = [d for d in days if d not in recent[2:]]
            c.missing = [(p.start + _days(d), p.start + _days(d + rng.randint(0, 2)), rng.choice("MMMA")) for d in days]

    def _plant_review_drift(self) -> None:
        """REVIEW_OVERDUE (latest due review not held), REVIEW_LATE (latest held late),
        REVIEW_NOT_BROUGHT_FORWARD (an event asked for a review that did not happen)."""
        rng, anchor = self.rng, self.anchor
        current = [c for c in self._current() if c.periods[-1].iros]
        no_events = [c for c in current if not c.periods[-1].events]
        eligible = [
            c
            for c in no_events
            if len(c.periods[-1].reviews) >= 2
            and anchor - _days(40) <= c.periods[-1].reviews[-1]["due"] <= anchor - _days(3)
            and c.periods[-1].reviews[-2]["held"] <= c.periods[-1].reviews[-2]["due"]  # no REVIEW_LATE then
        ]
        overdue = rng.sample(eligible, min(PLANTED["REVIEW_OVERDUE"], len(eligible)))
        for c in overdue:
            c.periods[-1].reviews.pop()
        self._note("REVIEW_OVERDUE", sorted(c.id for c in overdue))
        taken = {c.id for c in overdue}
        eligible = [
            c
            for c in no_events
            if c.id not in taken
            and len(c.periods[-1].reviews) >= 2
            and c.periods[-1].reviews[-1]["due"] + _days(25) <= anchor
        ]
        late = rng.sample(eligible, min(PLANTED["REVIEW_LATE"], len(eligible)))
        for c in late:
            r = c.periods[-1].reviews[-1]
            r["held"] = _working_on_or_after(r["due"] + _days(rng.randint(2, 20)))
        self._note("REVIEW_LATE", sorted(c.id for c in late))
        taken |= {c.id for c in late}
        eligible = []
        for c in no_events:
            p = c.periods[-1]
            if c.id in taken or len(p.reviews) < 2:
                continue
            last = p.reviews[-1]["held"]
            held = [r["held"] for r in p.reviews]
            normal_due = _next_review(p, held, self.policy, as_set_at_review=True).due
            event = anchor - _days(rng.randint(32, 45))
            if event > last + _days(10) and normal_due > anchor + _days(10):
                eligible.append((c, event))
        for c, event in rng.sample(eligible, min(PLANTED["REVIEW_NOT_BROUGHT_FORWARD"], len(eligible))):
            c.periods[-1].events.append((event, "safeguarding_s47", True))
            self._note("REVIEW_NOT_BROUGHT_FORWARD", [c.id])
            self._note("REVIEW_OVERDUE", [c.id])  # the brought-forward review is overdue too

    # --- rows ------------------------------------------------------------------------------------
    def _rows(self) -> DemoData:
        rng, anchor = self.rng, self.anchor
        t: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
        t["teams"] = [{"id": i, "name": n} for i, n in enumerate(TEAM_NAMES, start=1)]
        t["staff"] = self.staff
        name_of = {s["id"]: s["display_name"] for s in self.staff}
        current = self._current()
        current_ids = {c.id for c in current}

        # which children show which "today" flag (drawn before rows, from eligible children)
        info = {c.id: self._intervals(c) for c in current}
        planted_overdue = set(self.scenario.get("REVIEW_OVERDUE", []))

        def pick(code: str, pool: list[str]) -> set[str]:
            chosen = sorted(rng.sample(sorted(pool), min(PLANTED[code], len(pool))))
            self._note(code, chosen)
            return set(chosen)

        midway_overdue = pick("MIDWAY_OVERDUE", [cid for cid, i in info.items() if i["current_due_passed"]])
        midway_missed = pick("MIDWAY_MISSED", [cid for cid, i in info.items() if i["last_closed_required"]])
        rec_overdue = pick(
            "REC_OVERDUE", [cid for cid, i in info.items() if i["last_held"] and i["last_held"] < anchor - _days(60)]
        )
        old_enough = [
            cid
            for cid, i in info.items()
            if i["last_held"] and i["last_held"] < anchor - _days(30) and cid not in planted_overdue
        ]
        record_late = pick("RECORD_LATE", old_enough)
        care_plan_late = pick("CARE_PLAN_NOT_UPDATED", [cid for cid in old_enough if cid not in record_late])
        no_plan = pick("NO_PERMANENCE_PLAN", [cid for cid, i in info.items() if i["n"] >= 2])

        ids = {k: 0 for k in TABLES}

        def nid(table: str) -> int:
            ids[table] += 1
            return ids[table]

        escalated_checks: list[tuple[_Child, dict[str, Any]]] = []
        for c in self.children:
            cur = c.id in current_ids
            last_period = c.periods[-1]
            eps_last = last_period.episodes[-1]
            for pi, p in enumerate(c.periods):
                is_current = cur and pi == len(c.periods) - 1
                t["periods_of_care"].append(
                    {
                        "id": nid("periods_of_care"),
                        "child_id": c.id,
                        "start_date": p.start,
                        "observed_from": p.start,
                        "end_date": p.end,
                        "placement_order_date": p.po,
                        "placed_for_adoption_date": p.adopt,
                        "end_reason": p.end_reason,
                    }
                )
                for k, (start, ls, place, rne) in enumerate(p.episodes):
                    nxt = p.episodes[k + 1][0] if k + 1 < len(p.episodes) else p.end
                    ceased = "X1" if k + 1 < len(p.episodes) else p.end_reason
                    t["placements"].append(
                        {
                            "id": nid("placements"),
                            "child_id": c.id,
                            "start_date": start,
                            "end_date": nxt,
                            "legal_status": ls,
                            "placement_type": place,
                            "reason_new_episode": rne,
                            "reason_ceased": ceased,
                        }
                    )
                t["allocations"].append(
                    {
                        "id": nid("allocations"),
                        "child_id": c.id,
                        "role": "team",
                        "staff_id": None,
                        "team_id": p.team,
                        "from_date": p.start,
                        "to_date": p.end,
                    }
                )
                for role, rows in (("social_worker", p.sws), ("iro", p.iros)):
                    for frm, to, staff_id in rows:
                        t["allocations"].append(
                            {
                                "id": nid("allocations"),
                                "child_id": c.id,
                                "role": role,
                                "staff_id": staff_id,
                                "team_id": None,
                                "from_date": frm,
                                "to_date": to,
                            }
                        )
                for d, code, bf in sorted(p.events):
                    t["significant_events"].append(
                        {
                            "id": nid("significant_events"),
                            "child_id": c.id,
                            "event_date": d,
                            "event_type": code,
                            "bring_forward": bf,
                            "decided_by": name_of[p.iros[-1][2]] if (bf and p.iros) else None,
                            "notes": EVENT_NOTES,
                        }
                    )
                flags = {
                    "midway_overdue": is_current and c.id in midway_overdue,
                    "midway_missed": is_current and c.id in midway_missed,
                    "rec_overdue": is_current and c.id in rec_overdue,
                    "record_late": is_current and c.id in record_late,
                    "care_plan_late": is_current and c.id in care_plan_late,
                    "clean_latest": is_current,
                    "ended": p.end is not None,
                }
                self._review_rows(t, c, p, flags, nid, name_of, escalated_checks)
            # permanence plan by the 2nd review (DOMAIN §3)
            reviews = last_period.reviews
            if reviews and c.id not in no_plan and not c.short_breaks:
                c.plan = self._plan(c, last_period)
                latest = reviews[1]["held"] if len(reviews) > 1 else anchor
                first = reviews[0]["held"]
                c.plan_date = first + _days(rng.randint(0, max(0, min(60, (latest - first).days - 1))))
            t["children"].append(
                {
                    "id": c.id,
                    "display_name": c.name,
                    "date_of_birth": c.dob,
                    "sex": c.sex,
                    "legal_status": eps_last[1],
                    "placement_type": eps_last[2],
                    "sibling_group": c.group,
                    "sibling_iro_exception": c.sibling_exception,
                    "permanence_plan": c.plan,
                    "permanence_plan_date": c.plan_date,
                    "annual_reviews_from": c.annual_from,
                    "midway_policy": None,
                    "short_breaks": c.short_breaks,
                }
            )
            for start, end, kind in c.missing:
                t["missing_episodes"].append(
                    {
                        "id": nid("missing_episodes"),
                        "child_id": c.id,
                        "start_date": start,
                        "end_date": min(end, anchor) if end else None,
                        "missing_type": kind,
                    }
                )
        self._escalations(t, escalated_checks, nid, name_of, current_ids)
        self._good_practice(t, current, nid, name_of)
        for code in self.scenario:
            self.scenario[code] = sorted(set(self.scenario[code]))
        return DemoData(tables=t, scenario=dict(sorted(self.scenario.items())))

    def _plan(self, c: _Child, p: _Period) -> str:
        ls, place = p.episodes[-1][1], p.episodes[-1][2]
        age = age_on(c.dob, self.anchor)
        if ls == "E1":
            return "Adoption"
        if age >= 16:
            return "Staying put / independence"
        if place in ("U1", "U3"):
            return "Special guardianship"
        if ls == "V2" or place == "P1":
            return _weighted(self.rng, (("Return home", 60), ("Long-term fostering", 40)))
        return _weighted(self.rng, (("Long-term fostering", 70), ("Return home", 12), ("Special guardianship", 18)))

    def _intervals(self, c: _Child) -> dict[str, Any]:
        """What the flags see for a looked-after child: the latest review, the last closed interval
        and the current one (default policy midpoint_after_second: reviews 2, 3 ... open one)."""
        p = c.periods[-1]
        held = [r["held"] for r in p.reviews]
        n = len(held)
        out: dict[str, Any] = {"n": n, "last_held": held[-1] if held else None}
        out["current_due_passed"] = False
        out["last_closed_required"] = False
        if n >= 1 and check_required(n, self.policy.midway_policy):
            due = self._midway_due(p, held)
            out["current_due_passed"] = due < self.anchor - _days(2)
        if n >= 2 and check_required(n - 1, self.policy.midway_policy):
            due = self._midway_due(p, held[:-1])
            out["last_closed_required"] = held[-1] > due + _days(3)
        return out

    def _midway_due(self, p: _Period, held: list[dt.date]) -> dt.date:
        """The check opened by the last review in `held`, by the engine's rule (DOMAIN §4)."""
        at_review = _next_review(p, held, self.policy, as_set_at_review=True).due
        return check_due(held[-1], at_review, self.policy.midway_policy, self.policy)

    def _review_rows(self, t, c, p, flags, nid, name_of, escalated_checks) -> None:  # type: ignore[no-untyped-def]
        rng, anchor, policy = self.rng, self.anchor, self.policy
        held = [r["held"] for r in p.reviews]
        n = len(held)

        def iro_on(day: dt.date) -> int | None:
            for frm, to, staff in p.iros:
                if frm <= day and (to is None or day <= to):
                    return staff
            return p.iros[0][2] if p.iros and day < p.iros[0][0] else None

        for k, r in enumerate(p.reviews):
            latest = k == n - 1
            day = r["held"]
            rid = nid("reviews")
            age = age_on(c.dob, day)
            code = "PN0" if age < 4 else _weighted(rng, PARTICIPATION)
            iro = iro_on(day)
            admin_noise = not (latest and flags["clean_latest"])

            def deadline(base: dt.date, n_wd: int, *, late: bool, noisy: bool) -> dt.date | None:
                if late:
                    d = add_working_days(base, n_wd + rng.randint(2, 12))
                    return d if d <= anchor - _days(2) and rng.random() < 0.5 else None
                if noisy and rng.random() < HISTORIC_ADMIN_LATE:
                    d = add_working_days(base, n_wd + rng.randint(1, 10))
                else:
                    d = add_working_days(base, rng.randint(max(1, n_wd // 3), n_wd))
                return d if d <= anchor else None

            sent = deadline(day, policy.recommendations_to_tm_working_days, late=False, noisy=admin_noise)
            record = deadline(
                day, policy.record_completed_working_days, late=latest and flags["record_late"], noisy=admin_noise
            )
            plan = (
                deadline(
                    sent,
                    policy.care_plan_update_working_days,
                    late=latest and flags["care_plan_late"],
                    noisy=admin_noise,
                )
                if sent
                else None
            )
            if flags["ended"]:
                record = record or add_working_days(day, policy.record_completed_working_days)
            t["reviews"].append(
                {
                    "id": rid,
                    "child_id": c.id,
                    "held_date": day,
                    "scheduled_date": r["due"],
                    "participation_code": code,
                    "recommendations_sent_date": sent,
                    "record_completed_date": record,
                    "care_plan_updated_date": plan,
                    "iro_id": iro,
                }
            )
            # recommendations: 2-6, owners, targets 4-12 weeks on
            overdue_here = latest and flags["rec_overdue"]
            texts = rng.sample(RECOMMENDATIONS, rng.randint(2, 6))
            left_open = (
                set(rng.sample(range(len(texts)), k=min(len(texts), rng.randint(1, 2)))) if overdue_here else set()
            )
            for seq, (txt, owner) in enumerate(texts, start=1):
                target = day + _days(7 * rng.randint(4, 12))
                if seq - 1 in left_open:
                    target = min(target, anchor - _days(rng.randint(3, 25)))
                    done = None
                else:
                    u = rng.random()
                    if u < 0.86:
                        done = day + _days(rng.randint(5, (target - day).days))
                    elif u < 0.95:
                        done = target + _days(rng.randint(1, 25))
                    else:
                        done = None
                    if done is not None and done > anchor:
                        done = None
                    if done is None and (target < anchor or flags["ended"]):
                        # nothing left overdue outside the planted children
                        done = min(anchor, p.end or anchor, target + _days(rng.randint(1, 20)))
                        done = max(done, day + _days(1))
                status = "done" if done else ("delayed" if target < anchor else rng.choice(("on_track", "not_started")))
                t["recommendations"].append(
                    {
                        "id": nid("recommendations"),
                        "review_id": rid,
                        "seq": seq,
                        "text": txt,
                        "owner": owner,
                        "target_date": target,
                        "completed_date": done,
                        "status": status,
                        "last_update": "Completed."
                        if done
                        else ("Delayed: chased by the IRO." if status == "delayed" else "In progress."),
                    }
                )
            # midway check of the interval this review opens (default policy: reviews 2, 3 ...)
            if not check_required(k + 1, policy.midway_policy):
                continue
            due = self._midway_due(p, held[: k + 1])
            nxt = held[k + 1] if k + 1 < n else None
            if nxt is not None and nxt <= due:
                continue  # superseded
            last_closed = nxt is not None and k + 1 == n - 1
            if nxt is None:  # current interval
                if flags["midway_overdue"] and due < anchor:
                    continue
                if due > anchor and rng.random() > 0.15:
                    continue
                if flags["ended"] and p.end is not None and due > p.end:
                    continue
            elif last_closed and flags["clean_latest"]:
                if flags["midway_missed"]:
                    continue
            elif rng.random() < HISTORIC_CHECK_MISSED:
                continue
            hi = min(x for x in (nxt - _days(1) if nxt else None, anchor, p.end) if x is not None)
            check = _working_on_or_before(due + _days(rng.randint(-6, 5)))
            check = max(day + _days(1), min(check, hi))
            if check > hi:
                continue
            author = iro_on(check) or iro
            outcome = _weighted(rng, MIDWAY_OUTCOME_WEIGHTS)
            if rng.random() < ESCALATED_CHECK_SHARE:
                outcome = "escalated"
            row = {
                "id": nid("midway_checks"),
                "child_id": c.id,
                "review_id": rid,
                "check_date": check,
                "author_id": author,
                "author": name_of.get(author) if author else None,
                "template": "default",
                "answers": self._answers(c, check, outcome),
                "outcome": outcome,
                "status": "final",
                "version": 1,
            }
            t["midway_checks"].append(row)
            escalated_checks.append((c, row))

    def _answers(self, c: _Child, check: dt.date, outcome: str) -> dict[str, Any]:
        rng = self.rng
        older = age_on(c.dob, check) >= self.policy.midway_child_view_min_age
        return {
            "contact_with_child": rng.choice(("In person", "Phone", "Video call")) if older else "Not applicable",
            "contact_with_carer": rng.choice(("Phone", "In person", "Email")),
            "contact_with_sw": rng.choice(("Phone", "Email", "In person")),
            "concerns": "" if outcome == "progressing" else rng.choice(CONCERNS),
            "informal_drp_needed": outcome == "escalated",
            "formal_drp_needed": False,
        }

    def _escalations(self, t, checks, nid, name_of, current_ids) -> None:  # type: ignore[no-untyped-def]
        """~20 escalations: every escalated midway check starts one (historic ones resolved or
        withdrawn), plus planted open ones on recent checks: some past their stage's due date
        (ESCALATION_OVERDUE), some still in time, one referred to CAFCASS."""
        rng, anchor, policy = self.rng, self.anchor, self.policy
        names, days = policy.escalation_stage_names, policy.escalation_stage_working_days
        cats = sorted(ESCALATION_CATEGORIES)

        def recent(lo: int, hi: int, exclude: set[str]) -> list[tuple[_Child, dict[str, Any]]]:
            pool = [
                (c, row)
                for c, row in checks
                if c.id in current_ids
                and c.id not in exclude
                and row["outcome"] != "escalated"
                and anchor - _days(hi) <= row["check_date"] <= anchor - _days(lo)
            ]
            return pool

        plan: list[tuple[_Child | None, dict[str, Any] | None, str]] = []
        for c, row in checks:
            if row["outcome"] == "escalated":
                plan.append((c, row, "history"))
        used: set[str] = {c.id for c, _r, _s in plan}
        for state, n, lo, hi in (
            ("overdue", PLANTED["ESCALATION_OVERDUE"], 22, 45),
            ("open", 3, 3, 12),
            ("cafcass", 1, 55, 90),
        ):
            pool = recent(lo, hi, used)
            for c, row in rng.sample(pool, min(n, len(pool))):
                row["outcome"] = "escalated"
                row["answers"]["informal_drp_needed"] = True
                row["answers"]["concerns"] = rng.choice(CONCERNS)
                plan.append((c, row, state))
                used.add(c.id)
        plan.sort(key=lambda x: x[1]["check_date"])  # type: ignore[index]
        for c, row, state in plan:
            assert c is not None and row is not None
            raised = row["check_date"]
            eid = nid("escalations")
            stages: list[dict[str, Any]] = []

            def stage(s: int, start: dt.date, eid: int = eid, stages: list = stages) -> dict[str, Any]:
                st = {
                    "id": nid("escalation_stages"),
                    "escalation_id": eid,
                    "stage": s,
                    "stage_name": names[s],
                    "started_date": start,
                    "due_date": add_working_days(start, days[s]),
                    "ended_date": None,
                    "response": None,
                }
                stages.append(st)
                return st

            resolved = outcome = notes = checklist = None
            if state == "history" or state == "open":
                top = _weighted(rng, ((0, 50), (1, 30), (2, 15), (3, 5))) if state == "history" else rng.randint(0, 1)
                cur = stage(0, raised)
                for s in range(1, top + 1):
                    nxt_start = cur["due_date"]
                    if nxt_start >= anchor:
                        break
                    cur["ended_date"] = nxt_start
                    cur["response"] = "Not resolved: moved to the next stage."
                    cur = stage(s, nxt_start)
                if state == "history":
                    end = cur["started_date"] + _days(rng.randint(1, (cur["due_date"] - cur["started_date"]).days))
                    if end <= anchor:
                        cur["ended_date"] = resolved = end
                        outcome = "withdrawn" if rng.random() < 0.1 else "resolved"
                        cur["response"] = "Actions agreed and completed." if outcome == "resolved" else None
                        notes = f"{'Resolved' if outcome == 'resolved' else 'Withdrawn'} at stage {cur['stage']} "
                        notes += f"({cur['stage_name']})."
            elif state == "overdue":
                cur = stage(0, raised)
                while rng.random() < 0.4 and cur["stage"] < 2:
                    nxt_start = cur["due_date"]
                    if add_working_days(nxt_start, days[cur["stage"] + 1]) >= anchor:
                        break
                    cur["ended_date"] = nxt_start
                    cur["response"] = "No response by the due date."
                    cur = stage(cur["stage"] + 1, nxt_start)
                self._note("ESCALATION_OVERDUE", [c.id])
            else:  # cafcass: the local stages ran out; the IRO referred (and may do so at any stage)
                cur = stage(0, raised)
                for s in (1, 2, 3):
                    cur["ended_date"] = cur["due_date"]
                    cur["response"] = "Not resolved: moved to the next stage."
                    cur = stage(s, cur["ended_date"])
                # the referral is recent: CAFCASS decides within 14 days of the full documents
                start = max(cur["due_date"], anchor - _days(rng.randint(3, 10)))
                cur["ended_date"] = start
                cur["response"] = "Not resolved: referred to CAFCASS."
                stage(len(names) - 1, start)
                checklist = {doc: True for doc in CAFCASS_DOCUMENTS}
                self._note("CAFCASS_REFERRAL", [c.id])
            iro_name = row["author"]
            t["escalations"].append(
                {
                    "id": eid,
                    "child_id": c.id,
                    "midway_check_id": row["id"],
                    "raised_date": raised,
                    "raised_by": iro_name,
                    "category": rng.choice(cats),
                    "concern": row["answers"]["concerns"] or rng.choice(CONCERNS),
                    "evidence": "Midway check record and case notes.",
                    "actions_requested": "Team manager to confirm a plan and date for the outstanding actions.",
                    "resolved_date": resolved,
                    "outcome": outcome,
                    "outcome_notes": notes,
                    "cafcass_checklist": checklist,
                    "version": 1,
                }
            )
            t["escalation_stages"].extend(stages)

    def _good_practice(self, t, current, nid, name_of) -> None:  # type: ignore[no-untyped-def]
        rng, anchor = self.rng, self.anchor
        for c in sorted(rng.sample(current, 30), key=lambda c: c.id):
            p = c.periods[-1]
            if not p.iros or (anchor - p.start).days < 40:
                continue
            noted = anchor - _days(rng.randint(1, min(540, (anchor - p.start).days - 1)))
            t["good_practice"].append(
                {
                    "id": nid("good_practice"),
                    "child_id": c.id,
                    "noted_date": noted,
                    "author": name_of[p.iros[-1][2]],
                    "text": rng.choice(GOOD_PRACTICE),
                }
            )


def _dedupe_episodes(p: _Period) -> None:
    """Episodes must start on distinct days after the period start (SSDA903: an episode cannot
    start and end on the same day); drop any that collide."""
    seen: set[dt.date] = set()
    out = []
    for ep in sorted(p.episodes, key=lambda e: e[0]):
        if ep[0] in seen or (p.end is not None and ep[0] >= p.end):
            continue
        seen.add(ep[0])
        out.append(ep)
    p.episodes = out
