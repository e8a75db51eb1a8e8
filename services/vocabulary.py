"""Fixed vocabularies of the casework forms, as data (DOMAIN.md §5-7).

Codes are what the database stores (stable, never reworded); labels are what people read. A council
that words a label differently changes it here, never in a page. Each vocabulary is declared once,
code -> label: `services.persistence.models` takes its code lists from these dicts, so a code cannot
be added to the database's vocabulary without a label, nor a label without its code. Pure data,
importing nothing of Midway's, so persistence, casework, views, the demo and pages may all use it.
"""

from __future__ import annotations

# DOMAIN §7 (seed 003 §2, seed 004 §13): events the social worker must report to the IRO.
SIGNIFICANT_EVENT_TYPES: dict[str, str] = {
    "care_plan_change": "Change of care plan",
    "s20_discharge": "Discharge from section 20 by a parent",
    "review_decisions_late": "Review decisions not done in time",
    "contact_change": "Major change in contact",
    "sw_change": "Change of social worker",
    "safeguarding_s47": "Safeguarding concern / section 47 enquiry",
    "complaint": "Complaint from or for the child, parent or carer",
    "unplanned_placement_change": "Unplanned placement change",
    "family_birth_marriage_death": "Birth, marriage or death in the family",
    "charged_offence": "Charged with an offence",
    "school_exclusion": "Excluded from school",
    "missing": "Missing from placement",
    "health_event": "Significant health event",
    "permanence_panel": "Panel decision on permanence",
    "placement_at_distance": "Placement at a distance",
    "other": "Other event the IRO considers significant",
}

# DOMAIN §6 (seed 003 §14): what an escalation is about.
ESCALATION_CATEGORIES: dict[str, str] = {
    "plan_disagreement": "Disagreement with the care or permanence plan",
    "plan_delay": "Delay in care or permanence plan progress",
    "care_arrangements": "Care arrangements unsuitable",
    "statutory_functions": "Statutory functions not met",
    "services_not_provided": "Services or interventions not provided",
}

# An escalation raised from a drift flag (DOMAIN §8) starts in the category the flag points to.
FLAG_ESCALATION_CATEGORY: dict[str, str] = {
    "REVIEW_OVERDUE": "statutory_functions",
    "REVIEW_LATE": "statutory_functions",
    "REVIEW_DUE_SOON": "statutory_functions",
    "MIDWAY_OVERDUE": "statutory_functions",
    "MIDWAY_MISSED": "statutory_functions",
    "MIDWAY_DUE_SOON": "statutory_functions",
    "REC_OVERDUE": "plan_delay",
    "RECORD_LATE": "statutory_functions",
    "CARE_PLAN_NOT_UPDATED": "statutory_functions",
    "IRO_NOT_ALLOCATED": "statutory_functions",
    "SIBLINGS_SPLIT": "statutory_functions",
    "NO_PERMANENCE_PLAN": "plan_delay",
    "ESCALATION_OVERDUE": "plan_delay",
    "FREQUENT_MISSING": "care_arrangements",
    "REVIEW_NOT_BROUGHT_FORWARD": "statutory_functions",
}

# DOMAIN §8: each drift flag as people read it on a card, a chart or a link (short: they sit in a
# side panel and in "Escalate: ..." links; the flag's reason says the rest).
FLAG_LABELS: dict[str, str] = {
    "REVIEW_OVERDUE": "Review overdue",
    "REVIEW_DUE_SOON": "Review due soon",
    "REVIEW_LATE": "Last review late",
    "MIDWAY_OVERDUE": "Midway check overdue",
    "MIDWAY_MISSED": "Midway check missed",
    "MIDWAY_DUE_SOON": "Midway check due soon",
    "REC_OVERDUE": "Recommendation overdue",
    "RECORD_LATE": "Review record late",
    "CARE_PLAN_NOT_UPDATED": "Care plan not updated",
    "IRO_NOT_ALLOCATED": "No IRO allocated",
    "SIBLINGS_SPLIT": "Siblings with different IROs",
    "NO_PERMANENCE_PLAN": "No permanence plan",
    "ESCALATION_OVERDUE": "Escalation overdue",
    "FREQUENT_MISSING": "Frequently missing",
    "REVIEW_NOT_BROUGHT_FORWARD": "Review not brought forward",
}

# DOMAIN §6: how an escalation ends.
ESCALATION_OUTCOMES: dict[str, str] = {
    "resolved": "Resolved",
    "referred_to_cafcass": "Referred to CAFCASS",
    "withdrawn": "Withdrawn",
}

# DOMAIN §6, seed 004 §12: documents the IRO provides with a referral to CAFCASS.
CAFCASS_DOCUMENTS: dict[str, str] = {
    "care_order_and_plan": "Copies of the original Care Order and Care Plan",
    "guardian_report": "The report of the Children's Guardian immediately preceding any care order",
    "review_documents": "All subsequent review documents",
    "iro_referral_report": "IRO report: why the matter is referred and the steps taken to resolve it locally",
    "child_wishes_report": "IRO report on the child's wishes and feelings (where of sufficient age and understanding)",
    "other_documents": (
        "Other relevant documents: chronology, statement of issues, important people in the child's life"
    ),
}

# DOMAIN §5 (seed 000): the three outcomes of a midway check.
MIDWAY_OUTCOME_LABELS: dict[str, str] = {
    "progressing": "(a) Care plan and decisions progressing - no notification required",
    "actions_sent": "(b) Actions or concerns sent to the social worker and team manager",
    "escalated": "(c) Drift significant - start the informal or formal dispute process",
}

RECOMMENDATION_STATUS_LABELS: dict[str, str] = {
    "done": "Done",
    "on_track": "On track",
    "delayed": "Delayed",
    "not_started": "Not started",
}

# DOMAIN §3: every recommendation of a review has an owner (who carries it out).
RECOMMENDATION_OWNERS: dict[str, str] = {
    "social_worker": "Social worker",
    "team_manager": "Team manager",
    "iro": "IRO",
    "other": "Other",
}

# DOMAIN §3: the team manager agrees, or disagrees within 10 working days of receiving them.
TM_RESPONSES: dict[str, str] = {
    "agreed": "Agreed",
    "disagreed": "Disagreed",
}

# Who the staff table holds (DOMAIN §1).
STAFF_ROLE_LABELS: dict[str, str] = {
    "iro": "Independent Reviewing Officer",
    "social_worker": "Social worker",
    "team_manager": "Team manager",
    "service_manager": "Service manager",
    "admin": "Administrator",
}

# What a child is allocated to: a person (IRO, social worker) or a team.
ALLOCATION_ROLE_LABELS: dict[str, str] = {
    "iro": "IRO",
    "social_worker": "Social worker",
    "team": "Team",
}

# DOMAIN §10: where a row was first recorded.
SOURCE_LABELS: dict[str, str] = {
    "ssda903": "SSDA903 return",
    "template": "Midway's import template",
    "midway": "Recorded in Midway",
}

# DOMAIN §3 (long-term fostering): a review held as a meeting, or the IRO consultation between
# 12-monthly meetings.
REVIEW_KIND_LABELS: dict[str, str] = {
    "meeting": "Review meeting",
    "consultation": "IRO consultation",
}

# seed 000: "direct contact, phone or letter"; "No contact" asks why.
CONTACT_MODES: tuple[str, ...] = ("In person", "Phone", "Video call", "Letter", "Email", "Text message", "No contact")

# The audit log's actions (services.persistence.audit): writes, bulk writes, and reads recorded
# for accountability (a download; a view of a child's record).
AUDIT_ACTION_LABELS: dict[str, str] = {
    "insert": "Added",
    "update": "Changed",
    "delete": "Removed",
    "import": "Import (counts)",
    "import_add": "Import: added",
    "import_update": "Import: updated",
    "import_remove": "Import: removed",
    "demo_load": "Demo caseload loaded",
    "export": "Downloaded",
    "view": "Viewed",
}
# Audit actions that read rather than write: they do not change the data version pages cache by.
AUDIT_READ_ACTIONS: tuple[str, ...] = ("export", "view")

# What an audit row is about: a table, or for a download the file offered.
AUDIT_ENTITY_LABELS: dict[str, str] = {
    "teams": "Team",
    "staff": "Staff member",
    "children": "Child",
    "child_facts": "Child's data facts",
    "periods_of_care": "Period of care",
    "placements": "Placement",
    "allocations": "Allocation",
    "reviews": "Review",
    "recommendations": "Recommendation",
    "midway_checks": "Midway check",
    "escalations": "Escalation",
    "escalation_stages": "Escalation stage",
    "good_practice": "Good practice",
    "significant_events": "Significant event",
    "missing_episodes": "Missing episode",
    "import_runs": "Import run",
    "council_settings": "Council settings",
    "cover_grants": "Cover grant",
    "demo_mark": "Demo caseload mark",
    "caseload": "Caseload",
    "report_workbook": "Reports workbook (Excel)",
    "report_figure": "Report table (CSV)",
    "drift_report": "Schedule and drift report (CSV)",
    "supervision_pack": "Supervision pack (PDF)",
    "work_list": "Work list (CSV)",
    "import_problems": "Import problems (CSV)",
    "import_template": "Import template (Excel)",
    "case_note": "Case note",
    "audit_log": "Audit log",
}

# Every code -> label vocabulary, by name (tests check each code has a label).
VOCABULARIES: dict[str, dict[str, str]] = {
    "significant_event_types": SIGNIFICANT_EVENT_TYPES,
    "escalation_categories": ESCALATION_CATEGORIES,
    "escalation_outcomes": ESCALATION_OUTCOMES,
    "cafcass_documents": CAFCASS_DOCUMENTS,
    "midway_outcomes": MIDWAY_OUTCOME_LABELS,
    "recommendation_statuses": RECOMMENDATION_STATUS_LABELS,
    "recommendation_owners": RECOMMENDATION_OWNERS,
    "tm_responses": TM_RESPONSES,
    "staff_roles": STAFF_ROLE_LABELS,
    "allocation_roles": ALLOCATION_ROLE_LABELS,
    "sources": SOURCE_LABELS,
    "review_kinds": REVIEW_KIND_LABELS,
    "audit_actions": AUDIT_ACTION_LABELS,
    "audit_entities": AUDIT_ENTITY_LABELS,
    "flags": FLAG_LABELS,
}
