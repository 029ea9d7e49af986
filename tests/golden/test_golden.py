"""Golden cases (tests/golden/cases.yaml): hand-written expectations for every pathway branch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from guidepath import evaluate
from tests.conftest import actions, primary_action

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text())


def test_there_are_enough_golden_cases() -> None:
    assert len(CASES) >= 30
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("golden", CASES, ids=[c["name"] for c in CASES])
def test_golden_case(golden: dict[str, Any]) -> None:
    expect = golden["expect"]
    assessment = evaluate(golden["case"])
    recommended = actions(assessment)
    avoided = [a.action for a in assessment.avoid]
    missing = [m.field for m in assessment.missing]
    warnings = [w.code for w in assessment.warnings]
    if "phenotype" in expect:
        assert assessment.phenotype == expect["phenotype"]
    if "stage" in expect:
        assert assessment.stage == expect["stage"]
    if "primary" in expect:
        assert primary_action(assessment) in expect["primary"], recommended
    for action in expect.get("includes", []):
        assert action in recommended, f"{action} not in {recommended}"
    for action in expect.get("excludes", []):
        assert action not in recommended, f"{action} recommended"
    current = [r.action for r in assessment.recommendations if r.role != "next_if_fails"]
    for action in expect.get("excludes_now", []):
        assert action not in current, f"{action} recommended for now"
    for action in expect.get("avoid", []):
        assert action in avoided, f"{action} not in avoid {avoided}"
    for field in expect.get("missing", []):
        assert field in missing, f"{field} not in missing {missing}"
    for code in expect.get("warnings", []):
        assert code in warnings, f"{code} not in warnings {warnings}"
