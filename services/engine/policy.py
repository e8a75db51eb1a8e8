"""Every timescale Midway applies, in one place.

Each number cites the DOMAIN.md section (and the seed procedure behind it) it implements, so a
council that differs changes a setting, never the engine. The defaults are DOMAIN.md's defaults.
The council's own values are stored in the database and edited on the Settings page
(`services.casework.council_settings`); this module only knows the rules and their checks, so the
engine, the CLI and the tests can build a policy without a database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

MidwayPolicyName = Literal["midpoint_after_second", "six_weeks_after_each", "twelve_weeks_after_second"]
# DOMAIN §4: each midway policy's code with the label people read (one declaration of both).
MIDWAY_POLICY_LABELS: dict[MidwayPolicyName, str] = {
    "midpoint_after_second": "Halfway between reviews, from the 2nd review",  # seed 000 (East Riding): default
    "six_weeks_after_each": "6 weeks after every review",  # seed 001
    "twelve_weeks_after_second": "12 weeks after each review, from the 2nd",  # seed 002
}
MIDWAY_POLICIES: tuple[MidwayPolicyName, ...] = tuple(MIDWAY_POLICY_LABELS)

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
    """The council's rule settings (stored per council, edited on the Settings page). Frozen: pass a
    modified copy with `with_(...)`; `validate()` before storing one."""

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

    # DOMAIN §5 (seed 000 Appendix 1): the case note's title, in the council's wording, and its
    # layout: `appendix` keeps a blank line between the Appendix's blocks; `compact` drops them, for
    # case systems whose note field collapses blank lines.
    casenote_title: str = "CISRO Midway CLA Review Check"
    casenote_format: CaseNoteFormat = "appendix"
    # DOMAIN §5: the midway form template a deployment opens with (default unites 000, 001, 002).
    midway_template: str = "default"

    # DOMAIN §9: IRO Handbook caseload range per full-time IRO.
    iro_caseload_min: int = 50
    iro_caseload_max: int = 70

    # DOMAIN §10: the role codes that name an IRO in a case-system extract (SSD `ssd_involvements`:
    # SystemC lookup code, Mosaic PROF_REL_TYPE_CODE, Eclipse RELATIONSHIPCLASSCODE differ).
    iro_role_codes: tuple[str, ...] = ("IRO",)

    # Issue 5 (dashboard): card deltas compare with 4 weeks earlier; the work list looks 4 weeks ahead.
    dashboard_compare_days: int = 28
    work_list_days: int = 28

    def with_(self, **changes: object) -> Policy:
        return replace(self, **changes)  # type: ignore[arg-type]

    def errors(self) -> list[PolicyError]:
        """Every value that breaks a rule, each naming its field (the Settings page shows each
        message next to its input; nothing is saved while any is left)."""
        return _errors(self)

    def validate(self) -> Policy:
        """This policy, or `PolicyInvalid` listing every bad value."""
        errs = self.errors()
        if errs:
            raise PolicyInvalid(errs)
        return self

    def to_json(self) -> dict[str, Any]:
        """The values as JSON (tuples as lists): what the settings table stores."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> Policy:
        """A policy from stored values. Keys this version does not know are ignored and missing
        keys take the default, so rows saved by an older or newer Midway still load."""
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            if key in known:
                kwargs[key] = tuple(value) if isinstance(value, list) else value
        return cls(**kwargs)


DEFAULT_POLICY = Policy()  # the statutory defaults; frozen, so safe as a shared default argument

CaseNoteFormat = Literal["appendix", "compact"]
CASENOTE_FORMATS: tuple[CaseNoteFormat, ...] = ("appendix", "compact")
MIDWAY_TEMPLATES: tuple[str, ...] = ("default", "east_riding_000", "monitoring_001", "checklist_002")  # DOMAIN §5


class PolicyError(ValueError):
    """One bad setting: which field, the value given, and why it is refused."""

    def __init__(self, field: str, value: object, message: str) -> None:
        super().__init__(f"{field}={value!r}: {message}")
        self.field, self.value, self.message = field, value, message


class PolicyInvalid(ValueError):
    """A policy with one or more bad settings (`errors`, each a `PolicyError`)."""

    def __init__(self, errors: list[PolicyError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


# fields that count days (calendar or working) or reviews: whole numbers, at least the minimum
_AT_LEAST_ONE = (
    "first_review_working_days",
    "second_review_months",
    "subsequent_review_months",
    "three_months_in_days",
    "six_months_in_days",
    "brought_forward_working_days",
    "placement_order_review_months",
    "adoption_first_review_days",
    "adoption_second_review_months",
    "adoption_subsequent_review_months",
    "annual_review_months",
    "six_weeks_days",
    "twelve_weeks_days",
    "recommendations_to_tm_working_days",
    "record_completed_working_days",
    "record_distributed_working_days",
    "tm_disagree_working_days",
    "care_plan_update_working_days",
    "iro_allocation_working_days",
    "permanence_plan_by_review",
    "frequent_missing_count",
    "frequent_missing_window_days",
    "formal_process_total_working_days",
    "iro_caseload_min",
    "iro_caseload_max",
    "dashboard_compare_days",
    "work_list_days",
)
_AT_LEAST_ZERO = (
    "midway_grace_days",
    "midway_child_view_min_age",
    "review_due_soon_working_days",
    "midway_due_soon_working_days",
)
_UPPER = {"midway_child_view_min_age": 18, "midway_grace_days": 365, "frequent_missing_window_days": 366}


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _errors(p: Policy) -> list[PolicyError]:
    out: list[PolicyError] = []

    def bad(name: str, message: str) -> None:
        out.append(PolicyError(name, getattr(p, name), message))

    for name in (*_AT_LEAST_ONE, *_AT_LEAST_ZERO):
        value, low = getattr(p, name), 1 if name in _AT_LEAST_ONE else 0
        if not _whole(value):
            bad(name, "must be a whole number")
        elif value < low:
            bad(name, "must be 1 or more" if low else "must not be negative")
        elif name in _UPPER and value > _UPPER[name]:
            bad(name, f"must be {_UPPER[name]} or less")
    if p.midway_policy not in MIDWAY_POLICIES:
        bad("midway_policy", f"must be one of {', '.join(MIDWAY_POLICIES)}")
    if not isinstance(p.months_as_days, bool):
        bad("months_as_days", "must be true or false")
    if _whole(p.iro_caseload_min) and _whole(p.iro_caseload_max) and p.iro_caseload_min > p.iro_caseload_max:
        bad("iro_caseload_max", "must not be below the minimum")
    names, days = p.escalation_stage_names, p.escalation_stage_working_days
    if len(names) < 3:
        bad("escalation_stage_names", "needs an informal stage, at least one formal stage and CAFCASS")
    elif any(not isinstance(n, str) or not n.strip() for n in names):
        bad("escalation_stage_names", "a stage name is empty")
    elif len({n.strip().casefold() for n in names}) < len(names):
        bad("escalation_stage_names", "two stages have the same name")
    elif any(len(n) > 80 for n in names):
        bad("escalation_stage_names", "a stage name is longer than 80 characters")
    if len(days) != len(names):
        bad("escalation_stage_working_days", "needs one resolution time per stage")
    elif any(not _whole(d) or d < 1 for d in days):
        bad("escalation_stage_working_days", "each stage needs 1 working day or more")
    if not isinstance(p.casenote_title, str) or not p.casenote_title.strip():
        bad("casenote_title", "must not be empty")
    elif len(p.casenote_title) > 120 or "\n" in p.casenote_title:
        bad("casenote_title", "must be one line of at most 120 characters")
    if p.casenote_format not in CASENOTE_FORMATS:
        bad("casenote_format", f"must be one of {', '.join(CASENOTE_FORMATS)}")
    if p.midway_template not in MIDWAY_TEMPLATES:
        bad("midway_template", f"must be one of {', '.join(MIDWAY_TEMPLATES)}")
    codes = p.iro_role_codes
    if not codes:
        bad("iro_role_codes", "needs at least one role code")
    elif any(not isinstance(c, str) or not c.strip() for c in codes):
        bad("iro_role_codes", "a role code is empty")
    return out
