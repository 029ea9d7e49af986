"""Shared test helpers: where ../shared is, and how to read an Assessment's actions."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
# No background warm reader from the commands the suite runs (tests/unit/test_warm.py tests it).
os.environ["GUIDEPATH_WARM"] = "0"
SHARED = Path(os.environ.get("GUIDEPATH_SHARED", ROOT.parent / "shared"))


def primary_action(assessment: Any) -> str | None:
    """The first recommendation whose role is primary, as the contract's checker reads it."""
    return next((r.action for r in assessment.recommendations if r.role == "primary"), None)


def actions(assessment: Any) -> list[str]:
    """Every recommended action, in order."""
    return [r.action for r in assessment.recommendations]


needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"no shared material at {SHARED}")


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared/ folder beside the project (contract, seeds)."""
    if not SHARED.is_dir():
        pytest.skip(f"shared material not found at {SHARED}")
    return SHARED
