"""Every timescale Midway applies, in one place.

Each number cites the DOMAIN.md section (and the seed procedure behind it) it implements, so a
council that differs changes a setting, never the engine. The defaults are DOMAIN.md's defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Literal

MidwayPolicyName = Literal["midpoint_after_second", "six_weeks_after_each", "twelve_weeks_after_second"]
MIDWAY_POLICIES: tuple[MidwayPolicyName, ...] = (
    "midpoint_after_second",  # DOMAIN §4, seed 000 (East Riding): default
    "six_weeks_after_each",  # DOMAIN §4, seed 001
    "twelve_weeks_after_second",  # DOMAIN §4, seed 002
)

# DOMAIN §6: the formal ladder's default stage names (seed 004 §11-12); stage 0 is informal.
DEFAULT_ESCALATION_STAGES: tuple[str, ...] = (
    "Informal (Team Manager)",
    "Formal: Team Manager",
    "Formal: Area Manager",
    "Formal: Service Manager",
    "Formal: Head of Children's Services",
    "Formal: Director",
    "Formal: Chief Executive",
    "Referral to CAFCASS",
)


@dataclass(frozen=True)
class Policy:
    """The deployment's rule settings. Frozen: pass a modified copy with `with_(...)`."""

    # DOMAIN §3 (seed 003 §2, seed 004 §5): statutory review schedule.
    first_review_working_days: int = 20
    second_review_months: int = 3
    subsequent_review_months: int = 6
    # DOMAIN §2 / seed 004 §5: some systems count months as fixed days.
    months_as_days: bool = False
    three_months_in_days: int = 91
    six_months_in_days: int = 183
    # DOMAIN §3: brought-forward review after a significant event (seed 003 §2).
    brought_forward_working_days: int = 20
    # DOMAIN §3: placement order review within 3 months of the order (seed 003 §2).
    placement_order_review_months: int = 3
    # DOMAIN §3: Adoption Agencies Regulations 2005 reg 36: first review 28 calendar days after placement.
    adoption_first_review_days: int = 28
    adoption_second_review_months: int = 3
    adoption_subsequent_review_months: int = 6
    # DOMAIN §3 (seed 003 §10): long-term fostering 12-monthly meetings, IRO consultation at 6 months.
    annual_review_months: int = 12

    # DOMAIN §4: midway check policy, grace days.
    midway_policy: MidwayPolicyName = "midpoint_after_second"
    midway_grace_days: int = 0
    six_weeks_days: int = 42  # DOMAIN §4, seed 001
    twelve_weeks_days: int = 84  # DOMAIN §4, seed 002
    midway_child_view_min_age: int = 10  # DOMAIN §4, seed 000: children 10+ contacted directly

    # DOMAIN §3 (seed 003 §8, §12; seed 004 §6): after a review held on D.
    recommendations_to_tm_working_days: int = 5
    record_completed_working_days: int = 15
    record_distributed_working_days: int = 20
    tm_disagree_working_days: int = 10
    care_plan_update_working_days: int = 10
    # DOMAIN §3 (seed 004 §1, §3): IRO allocated within 5 working days of becoming looked after.
    iro_allocation_working_days: int = 5
    # DOMAIN §3 (seed 003 §9): permanence plan by the 2nd review.
    permanence_plan_by_review: int = 2

    # DOMAIN §8: drift flag windows.
    review_due_soon_working_days: int = 15
    midway_due_soon_working_days: int = 10
    frequent_missing_count: int = 3
    frequent_missing_window_days: int = 90

    # DOMAIN §6: escalation ladder; each stage's default resolution time in working days.
    escalation_stage_names: tuple[str, ...] = DEFAULT_ESCALATION_STAGES
    escalation_stage_working_days: tuple[int, ...] = (10, 5, 5, 5, 5, 5, 5, 14)
    formal_process_total_working_days: int = 20  # IRO Handbook 2010 §6.2

    # DOMAIN §5 (seed 000 Appendix 1): the case note's title, in the council's wording.
    casenote_title: str = "CISRO Midway CLA Review Check"
    # DOMAIN §5: the midway form template a deployment opens with (default unites 000, 001, 002).
    midway_template: str = "default"

    # DOMAIN §9: IRO Handbook caseload range per full-time IRO.
    iro_caseload_min: int = 50
    iro_caseload_max: int = 70

    # Issue 5 (dashboard): card deltas compare with 4 weeks earlier; the work list looks 4 weeks ahead.
    dashboard_compare_days: int = 28
    work_list_days: int = 28

    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def with_(self, **changes: object) -> Policy:
        return replace(self, **changes)  # type: ignore[arg-type]


def policy_from_env(environ: dict[str, str] | None = None) -> Policy:
    """The deployment's policy: defaults, overridden by MIDWAY_POLICY / MIDWAY_GRACE_DAYS /
    MIDWAY_MONTHS_AS_DAYS environment variables (a council sets these once, in its service file)."""
    env = os.environ if environ is None else environ
    p = Policy()
    name = env.get("MIDWAY_POLICY")
    if name:
        if name not in MIDWAY_POLICIES:
            raise ValueError(f"MIDWAY_POLICY={name!r} is not one of {', '.join(MIDWAY_POLICIES)}")
        p = p.with_(midway_policy=name)
    if env.get("MIDWAY_GRACE_DAYS"):
        p = p.with_(midway_grace_days=int(env["MIDWAY_GRACE_DAYS"]))
    if env.get("MIDWAY_MONTHS_AS_DAYS", "").lower() in {"1", "true", "yes"}:
        p = p.with_(months_as_days=True)
    if env.get("MIDWAY_CASENOTE_TITLE"):
        p = p.with_(casenote_title=env["MIDWAY_CASENOTE_TITLE"])
    return p
