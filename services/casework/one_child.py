"""The engine's result for one child, computed on that child's rows only.

The casework pages show one child's next review and flags. The engine works child by child, so
running it on the child's own rows gives that child the same result as the whole caseload does,
at a cost that does not grow with the council. The one rule that looks across children,
SIBLINGS_SPLIT, compares the IROs of a sibling group, so the child's siblings are read too.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from services.engine.compute import EngineResult, compute
from services.engine.policy import DEFAULT_POLICY, Policy
from services.persistence.caseload import load_caseload, with_siblings


def child_result(engine: Engine, child_id: str, as_of: dt.date, policy: Policy = DEFAULT_POLICY) -> EngineResult:
    """The engine run on `child_id` and their siblings (other children's rows are not read)."""
    return compute(load_caseload(engine, with_siblings(engine, [child_id])), as_of, policy)
