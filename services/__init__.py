"""Midway's service layer: every rule and every read and write, with no Streamlit.

Packages, and what each may import (an arrow means "may import"):

- `vocabulary`: the fixed code -> label vocabularies (pure data). Imports nothing of Midway's.
- `engine`: the schedule and drift engine, pure polars over a `Caseload` (policy, working days,
  schedule, midway, deadlines, flags, allocations on a date). Imports nothing else of Midway's
  (`services.errors` only): no database, no casework.
- `persistence` → engine, vocabulary: models, the database and its migrations, the audit log, the
  unit of work, and the readers that turn rows into the engine's frames.
- `importers` → engine, persistence: SSDA903 returns and Midway's own template, validated before
  anything is written.
- `casework` → engine, persistence, vocabulary: what IROs record (midway checks, case notes, escalations,
  events, the council's settings), each save one attributed unit of work.
- `views` → engine, persistence, vocabulary: the read side the pages draw (dashboard, timeline,
  report, the Reports figures, exports).
- `demo` → engine, persistence, vocabulary: the synthetic demo caseload and its loader.
- `cli` → everything above: `python -m services ...`.

Pages (`app_pages/`) → `ui/` → `services`; never the other way round.
"""
