"""Where Midway's data lives: SQLAlchemy models, the database and its Alembic migrations
(`database`), the append-only audit log (`audit`), the unit of work every write goes through
(`unit_of_work`), and the readers that give the engine and the Reports their frames (`caseload`,
`report_facts`). Imports the engine's frame definitions, never casework or views.
"""
