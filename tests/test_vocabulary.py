"""Each vocabulary is one code -> label declaration: every code has a label, and the codes the
data model stores are exactly the vocabulary's keys."""

from __future__ import annotations

import pytest

from services import vocabulary as v
from services.persistence import models as m

EXPECTED = {
    "significant_event_types",
    "escalation_categories",
    "escalation_outcomes",
    "cafcass_documents",
    "midway_outcomes",
    "recommendation_statuses",
    "staff_roles",
    "allocation_roles",
    "sources",
    "review_kinds",
    "recommendation_owners",
    "tm_responses",
    "audit_actions",
    "audit_entities",
    "flags",
}


def test_every_vocabulary_is_registered() -> None:
    assert set(v.VOCABULARIES) == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_code_has_a_non_empty_label(name: str) -> None:
    vocab = v.VOCABULARIES[name]
    assert vocab, f"{name} is empty"
    for code, label in vocab.items():
        assert isinstance(code, str) and code.strip() == code and code, (name, code)
        assert isinstance(label, str) and label.strip(), (name, code)
    assert len(set(vocab.values())) == len(vocab), f"{name}: two codes share a label"


@pytest.mark.parametrize(
    ("codes", "vocab"),
    [
        (m.STAFF_ROLES, v.STAFF_ROLE_LABELS),
        (m.ALLOCATION_ROLES, v.ALLOCATION_ROLE_LABELS),
        (m.SOURCES, v.SOURCE_LABELS),
        (m.REVIEW_KINDS, v.REVIEW_KIND_LABELS),
        (m.MIDWAY_OUTCOMES, v.MIDWAY_OUTCOME_LABELS),
        (m.RECOMMENDATION_STATUSES, v.RECOMMENDATION_STATUS_LABELS),
    ],
)
def test_model_codes_are_the_vocabulary_keys(codes: tuple[str, ...], vocab: dict[str, str]) -> None:
    assert codes == tuple(vocab)


def test_stored_codes_unchanged() -> None:
    """The codes are stored data and the importers' accepted values: renaming one is a migration."""
    assert m.STAFF_ROLES == ("iro", "social_worker", "team_manager", "service_manager", "admin")
    assert m.ALLOCATION_ROLES == ("iro", "social_worker", "team")
    assert m.MIDWAY_OUTCOMES == ("progressing", "actions_sent", "escalated")
    assert m.RECOMMENDATION_STATUSES == ("done", "on_track", "delayed", "not_started")


def test_every_midway_policy_has_a_label() -> None:
    """Midway policies are the engine's codes (DOMAIN §4): declared with their labels in the policy."""
    from services.engine.policy import MIDWAY_POLICIES, MIDWAY_POLICY_LABELS

    assert MIDWAY_POLICIES == ("midpoint_after_second", "six_weeks_after_each", "twelve_weeks_after_second")
    assert all(MIDWAY_POLICY_LABELS[code].strip() for code in MIDWAY_POLICIES)
    assert len(set(MIDWAY_POLICY_LABELS.values())) == len(MIDWAY_POLICIES)


def test_every_table_has_an_audit_label() -> None:
    """The Audit page names what each row is about: every table the ORM writes has a label."""
    assert set(m.Base.metadata.tables) <= set(v.AUDIT_ENTITY_LABELS)
    assert set(v.AUDIT_READ_ACTIONS) <= set(v.AUDIT_ACTION_LABELS)


def test_every_drift_flag_the_engine_raises_has_a_label() -> None:
    from services.engine.flags import CODES

    assert list(v.FLAG_LABELS) == list(CODES)
    assert v.FLAG_LABELS["IRO_NOT_ALLOCATED"] == "No IRO allocated"
