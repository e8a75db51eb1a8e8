"""Small casework data built through the ORM (shared by the casework tests; no demo generator)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine

from services.persistence import models as m
from services.persistence.unit_of_work import unit_of_work

D = dt.date
REVIEW_DATE = D(2026, 5, 5)
CHECK_DATE = D(2026, 6, 23)
AS_OF = D(2026, 6, 24)


def seed(engine: Engine, shift: dt.timedelta = dt.timedelta(0)) -> dict[str, Any]:
    """Child C1 (aged 12) with two reviews, the second with three recommendations; child C2 (aged 8)
    with one review. Returns the ids the tests need. `shift` moves every date (page tests put AS_OF
    on today, because the pages work on today's date)."""

    def D(*ymd: int) -> dt.date:
        return dt.date(*ymd) + shift

    with unit_of_work(engine, "seed") as s:
        team = m.Team(name="North Team")
        iro = m.Staff(code="IRO01", display_name="Iris Reviewer", role="iro")
        sw = m.Staff(code="SW01", display_name="Sam Worker", role="social_worker", team=team)
        tm = m.Staff(code="TM01", display_name="Tara Manager", role="team_manager", team=team)
        sm = m.Staff(code="SM01", display_name="Sue Manager", role="service_manager")
        c1 = m.Child(id="C1", display_name="Alex Test", date_of_birth=D(2014, 5, 1))
        c2 = m.Child(id="C2", display_name="Bo Test", date_of_birth=D(2018, 3, 9))
        s.add_all([team, iro, sw, tm, sm, c1, c2])
        s.flush()
        for cid in ("C1", "C2"):
            s.add(m.PeriodOfCare(child_id=cid, start_date=D(2026, 1, 5), observed_from=D(2026, 1, 5)))
            s.add_all(
                [
                    m.Allocation(child_id=cid, role="iro", staff_id=iro.id, from_date=D(2026, 1, 6)),
                    m.Allocation(child_id=cid, role="social_worker", staff_id=sw.id, from_date=D(2026, 1, 5)),
                    m.Allocation(child_id=cid, role="team", team_id=team.id, from_date=D(2026, 1, 5)),
                ]
            )
        s.add(m.Review(child_id="C1", held_date=D(2026, 2, 2)))
        r2 = m.Review(child_id="C1", held_date=REVIEW_DATE + shift)
        r2.recommendations.extend(
            [
                m.Recommendation(seq=1, text="Hold a PEP meeting", owner="Sam Worker", target_date=D(2026, 6, 1)),
                m.Recommendation(
                    seq=2, text="Complete the health assessment", owner="Health", target_date=D(2026, 6, 15)
                ),
                m.Recommendation(seq=3, text="Start life story work", owner="Sam Worker", target_date=D(2026, 7, 31)),
            ]
        )
        s.add(r2)
        c2_review = m.Review(child_id="C2", held_date=D(2026, 2, 2))
        c2_review.recommendations.append(m.Recommendation(seq=1, text="Keep contact with gran", owner="Sam Worker"))
        s.add(c2_review)
        s.flush()
        return {
            "review_id": r2.id,
            "rec_ids": [r.id for r in r2.recommendations],
            "c2_review_id": c2_review.id,
            "c2_rec_ids": [r.id for r in c2_review.recommendations],
        }


def valid_answers(ids: dict[str, Any], shift: dt.timedelta = dt.timedelta(0)) -> dict[str, Any]:
    """A complete default-template check for C1 with outcome (b)."""

    def D(*ymd: int) -> dt.date:
        return dt.date(*ymd) + shift

    r1, r2, r3 = ids["rec_ids"]
    answers: dict[str, Any] = {
        "check_date": CHECK_DATE + shift,
        f"rec.{r1}.status": "done",
        f"rec.{r1}.update": "PEP held on 28/05/2026.",
        f"rec.{r2}.status": "delayed",
        f"rec.{r2}.update": "No appointment offered yet.",
        f"rec.{r3}.status": "on_track",
        f"rec.{r3}.update": "",
        "contact_child.date": D(2026, 6, 19),
        "contact_child.mode": "Phone",
        "contact_child.notes": "Spoke to Alex after school.",
        "child_view": "Alex is happy at placement and wants more time with his brother.",
        "contact_carer.date": D(2026, 6, 19),
        "contact_carer.mode": "Phone",
        "contact_carer.notes": "",
        "contact_sw.date": D(2026, 6, 22),
        "contact_sw.mode": "In person",
        "contact_sw.notes": "Discussed progress of the plan.",
        "concerns": "Health assessment delayed: SW to chase the health team by 30/06/2026.",
        "developments": "None",
        "iro_summary": "Plan progressing apart from the health assessment.",
        "outcome": "actions_sent",
    }
    for key in (
        "chk_statutory",
        "chk_permanence",
        "chk_care_plan_updated",
        "chk_direct_work",
        "chk_parents_involved",
        "chk_contingency",
        "chk_management_oversight",
    ):
        answers[f"{key}.answer"] = "Yes"
    answers["chk_drift.answer"] = "No"
    answers["chk_statutory.answer"] = "No"
    answers["chk_statutory.comment"] = "Health assessment outstanding."
    answers["chk_statutory.action"] = "SW to chase the health team."
    return answers
