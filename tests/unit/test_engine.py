"""The engine's invariants on concrete cases: ordering, roles, missing, references, purity."""

from __future__ import annotations

import json
from typing import Any

import pytest

from guidepath import evaluate
from guidepath.case import Case
from guidepath.errors import BadInput

MECHANICAL: dict[str, Any] = {
    "diagnoses": ["M53.3"],
    "pain": {"nrs": 6, "duration_weeks": 20},
    "treatments": [{"type": "physical_therapy", "weeks": 8, "outcome": "inadequate"}],
    "conditions": [],
    "red_flags": [],
}


def test_recommendations_start_with_the_single_primary() -> None:
    assessment = evaluate(MECHANICAL)
    roles = [r.role for r in assessment.recommendations]
    assert roles[0] == "primary"
    assert roles.count("primary") == 1


def test_an_avoided_action_is_never_also_recommended() -> None:
    case = {
        "diagnoses": ["M45.9"],
        "pain": {"nrs": 7},
        "treatments": [{"type": "nsaid", "weeks": 6, "outcome": "inadequate"}],
        "conditions": ["heart_failure_severe"],
        "red_flags": [],
    }
    assessment = evaluate(case)
    recommended = {r.action for r in assessment.recommendations}
    assert "tnfi" in {a.action for a in assessment.avoid}
    assert not recommended & {"start_tnfi", "switch_tnfi"}


def test_missing_facts_are_reported_by_contract_field() -> None:
    fields = {m.field for m in evaluate(MECHANICAL).missing}
    assert "exam.provocation_tests" in fields


def test_documenting_a_missing_fact_removes_it_and_changes_the_advice() -> None:
    exam = {"provocation_tests": {"distraction": True, "thigh_thrust": True, "compression": True}}
    assessment = evaluate({**MECHANICAL, "exam": exam})
    assert "exam.provocation_tests" not in {m.field for m in assessment.missing}
    assert assessment.recommendations[0].action == "diagnostic_sij_block"


def test_every_cited_id_is_in_the_reference_list() -> None:
    assessment = evaluate(MECHANICAL)
    listed = {r.id for r in assessment.references}
    cited = {c for rec in assessment.recommendations for c in rec.citations}
    cited |= {c for avoid in assessment.avoid for c in avoid.citations}
    assert cited <= listed


def test_case_model_and_dict_give_the_same_assessment() -> None:
    as_dict = evaluate(MECHANICAL).model_dump(mode="json")
    as_model = evaluate(Case.model_validate(MECHANICAL)).model_dump(mode="json")
    assert as_dict == as_model


def test_evaluation_is_pure_and_repeatable() -> None:
    first = json.dumps(evaluate(MECHANICAL).model_dump(mode="json"))
    evaluate({"diagnoses": ["M45.9"]})
    assert json.dumps(evaluate(MECHANICAL).model_dump(mode="json")) == first


def test_output_round_trips_through_the_models() -> None:
    from guidepath.engine.models import Assessment

    dumped = evaluate(MECHANICAL).model_dump(mode="json")
    assert Assessment.model_validate(dumped).model_dump(mode="json") == dumped


def test_bad_input_raises_bad_input() -> None:
    with pytest.raises(BadInput):
        evaluate({"pain": {"nrs": "high"}})


def test_primary_recommendation_explains_why() -> None:
    case = {
        "diagnoses": ["M45.9"],
        "pain": {"nrs": 7},
        "treatments": [
            {"type": "nsaid", "agent": "naproxen", "weeks": 3, "outcome": "inadequate"},
            {"type": "nsaid", "agent": "etoricoxib", "weeks": 3, "outcome": "inadequate"},
        ],
        "conditions": [],
        "red_flags": [],
    }
    why = evaluate(case).recommendations[0].why
    assert any("2 NSAIDs failed" in reason for reason in why)


def test_where_sources_differ_is_shown_when_it_applies() -> None:
    """Both sides, each cited, when the advice touches a disagreement; none otherwise."""
    from guidepath import ask

    case = {
        "diagnoses": ["M45.9"],
        "pain": {"nrs": 7},
        "treatments": [
            {"type": "nsaid", "agent": "naproxen", "weeks": 4, "outcome": "inadequate"},
            {"type": "nsaid", "agent": "celecoxib", "weeks": 4, "outcome": "inadequate"},
        ],
        "conditions": [],
        "red_flags": [],
    }
    first_biologic = next(d for d in evaluate(case).disagreements if d.id == "first_biologic")
    cited = {c for side in first_biologic.sides for c in side.citations}
    assert {"acr-spartan-2019", "asas-eular-2022"} <= cited
    untreated = {**case, "treatments": []}
    assert evaluate(untreated).disagreements == []
    answer = ask("AS, naproxen then celecoxib failed over 8 weeks, pain 7/10. Which biologic?")
    section = next(s for s in answer.sections if s.heading == "Where sources differ")
    assert all(item.citations for item in section.items if "guidepath" not in item.text)
    rfa = evaluate(
        {
            "diagnoses": ["M53.3"],
            "pain": {"nrs": 7, "duration_weeks": 40, "radicular": False},
            "imaging": [{"modality": "mri", "region": "spine", "findings": ["normal"]}],
            "exam": {
                "provocation_tests": {
                    "distraction": True,
                    "thigh_thrust": True,
                    "compression": True,
                }
            },
            "treatments": [
                {"type": "physical_therapy", "weeks": 12, "outcome": "inadequate"},
                {
                    "type": "sij_injection",
                    "purpose": "diagnostic",
                    "image_guided": True,
                    "relief_pct": 85,
                },
                {
                    "type": "sij_injection",
                    "purpose": "therapeutic",
                    "image_guided": True,
                    "relief_pct": 30,
                    "relief_weeks": 2,
                },
            ],
            "conditions": [],
            "red_flags": [],
        }
    )
    assert rfa.recommendations[0].action == "rfa_lateral_branch"
    assert "rfa_evidence_vs_coverage" in {d.id for d in rfa.disagreements}


def test_shared_output_items_cannot_be_changed() -> None:
    """Recommendation, avoid and missing items are shared between assessments, so they are
    frozen: changing one for this patient would change it for every other."""
    from pydantic import ValidationError

    assessment = evaluate(MECHANICAL)
    with pytest.raises(ValidationError, match="frozen"):
        setattr(assessment.recommendations[0], "role", "adjunct")  # noqa: B010
    with pytest.raises(ValidationError, match="frozen"):
        setattr(assessment.missing[0], "why", "changed")  # noqa: B010
    assert evaluate(MECHANICAL).recommendations[0].role == "primary"


def test_shared_items_stay_within_their_limit() -> None:
    from guidepath.engine.build import SharedItems

    def label(key: str) -> str:
        return items.get(key, lambda: f"item {key}")

    items = SharedItems(limit=2)
    made = [label(key) for key in ("a", "b", "c", "a")]
    assert made == ["item a", "item b", "item c", "item a"]
    assert len(items) <= 2
