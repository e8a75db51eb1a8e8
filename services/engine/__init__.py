"""The schedule and drift engine: pure, vectorised polars over a `Caseload` on an explicit `as_of`.

`compute.compute(caseload, as_of, policy)` is the one entry point; `caseload` defines its input
frames, `policy` every number it applies (each citing DOMAIN.md), `workdays` English working days,
`schedule` / `midway` / `deadlines` / `flags` the rules of DOMAIN §3, §4, §3 and §8, `allocation`
who held a child on a date, `age` a child's age, `lazy` how queries are collected. No database code
here: the engine is the same whether the frames came from a database, a 903 return or a template.
"""
