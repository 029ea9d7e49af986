"""Counts over output rows, for the summary: rows, errors, and how many by pathway stage,
primary action and determination. Tallies made in worker processes are added together."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Tally:
    """Counts of output rows."""

    rows: int = 0
    errors: int = 0
    by_stage: Counter[str] = field(default_factory=Counter)
    by_primary: Counter[str] = field(default_factory=Counter)
    by_determination: Counter[str] = field(default_factory=Counter)

    def count(self, row: dict[str, Any]) -> None:
        """Add one output row (full or compact, assessment or determination)."""
        self.rows += 1
        if row.get("error"):
            self.errors += 1
            return
        determination = row.get("determination")
        if isinstance(determination, dict):
            determination = determination.get("determination")
        if determination:
            self.by_determination[str(determination)] += 1
            return
        assessment = row.get("assessment") or row
        self.by_stage[str(assessment.get("stage"))] += 1
        primary = assessment.get("primary")
        if primary is None:
            found = [r for r in assessment.get("recommendations", []) if r.get("role") == "primary"]
            primary = found[0]["action"] if found else None
        self.by_primary[str(primary)] += 1

    def add(self, other: Tally) -> None:
        """Add another tally's counts."""
        self.rows += other.rows
        self.errors += other.errors
        self.by_stage.update(other.by_stage)
        self.by_primary.update(other.by_primary)
        self.by_determination.update(other.by_determination)
