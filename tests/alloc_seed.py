"""Children fed to Midway with dates only (no IRO allocations, no recommendations), for the
allocations and recommendations tests: W1 alone, S1 and S2 siblings (group G1), all waiting for an
IRO; two IROs; a held review for W1 with no recommendations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from services.persistence import models as m
from services.persistence.unit_of_work import unit_of_work

AS_OF = dt.date(2026, 6, 24)  # Wednesday
W1_START = dt.date(2026, 1, 5)
S_START = dt.date(2026, 6, 19)  # Friday: IRO due Fri 26/06 (5 working days)
W1_REVIEW = dt.date(2026, 6, 16)  # Tuesday


def seed_dates_only(engine: Engine, shift: dt.timedelta = dt.timedelta(0)) -> dict[str, int]:
    with unit_of_work(engine, "seed") as s:
        team = m.Team(name="North Team")
        i1 = m.Staff(code="IRO01", display_name="Iris Reviewer", role="iro", fte=1.0)
        i2 = m.Staff(code="IRO02", display_name="Omar Officer", role="iro", fte=0.5)
        tm = m.Staff(code="TM01", display_name="Tara Manager", role="team_manager", team=team)
        sw = m.Staff(code="SW01", display_name="Sam Worker", role="social_worker", team=team)
        sm = m.Staff(code="SM01", display_name="Sue Manager", role="service_manager")
        s.add_all([team, i1, i2, tm, sw, sm])
        born = {"W1": dt.date(2013, 2, 1), "S1": dt.date(2015, 4, 1), "S2": dt.date(2017, 9, 1)}
        names = {"W1": "Wren Test", "S1": "Sky Test", "S2": "Sol Test"}
        for cid, dob in born.items():
            group = "G1" if cid.startswith("S") else None
            s.add(m.Child(id=cid, display_name=names[cid], date_of_birth=dob + shift, sibling_group=group))
        s.flush()
        s.add(m.PeriodOfCare(child_id="W1", start_date=W1_START + shift, observed_from=W1_START + shift))
        for cid in ("S1", "S2"):
            s.add(m.PeriodOfCare(child_id=cid, start_date=S_START + shift, observed_from=S_START + shift))
        for cid in ("W1", "S1", "S2"):
            s.add(m.Allocation(child_id=cid, role="social_worker", staff_id=sw.id, from_date=W1_START + shift))
            s.add(m.Allocation(child_id=cid, role="team", team_id=team.id, from_date=W1_START + shift))
        s.add(m.Review(child_id="W1", held_date=dt.date(2026, 2, 2) + shift))
        review = m.Review(child_id="W1", held_date=W1_REVIEW + shift)
        s.add(review)
        s.flush()
        return {"review_id": review.id}
