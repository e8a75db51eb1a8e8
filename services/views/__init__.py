"""The read side the pages draw, as polars over the engine's result: the dashboard's numbers
(`dashboard`), one child's timeline (`timeline`), the schedule and drift report (`report`), the
Reports page's figures and supervision pack (`reports/`), the impact of a settings change
(`policy_impact`), and safe CSV / Excel downloads (`export`). Never writes.
"""
