"""Measured reasons for rows that miss their target (the profiles are in bench/FINDINGS.md).

Keyed by row id (benchlib/rows.py). Each text says what the profile showed and what would close
the gap; it is printed under the table only when the row misses in that run.
"""

EXPLANATIONS: dict[str, str] = {}
