"""The synthetic demo caseload: `generate` (a pure function of anchor and seed, scheduled with
the engine's own rules), `names` (invented word lists: no real names), and `load` (writes it into
a database that holds nothing else, and refuses any other).
"""
