"""Derived facts: NSAID weeks, TNFi response, blocks, injections, RFA, imaging, phenotype."""

from __future__ import annotations

import math
from typing import Any

from guidepath.case import Case
from guidepath.engine.compiled import compiled_pack
from guidepath.engine.conditions import Range
from guidepath.engine.facts import derive_facts


def facts_of(data: dict[str, Any]) -> dict[str, Any]:
    return derive_facts(Case.model_validate(data), compiled_pack().thresholds)


def test_treatment_facts_are_unknown_without_treatments() -> None:
    facts = facts_of({})
    assert facts.get("nsaid.failed_weeks") is None
    assert facts.get("blocks.positive") is None


def test_nsaid_weeks_add_up_and_unknown_weeks_open_the_range() -> None:
    facts = facts_of(
        {
            "treatments": [
                {"type": "nsaid", "agent": "naproxen", "weeks": 4, "outcome": "inadequate"},
                {"type": "cox2_inhibitor", "agent": "celecoxib", "weeks": 2, "outcome": "partial"},
                {"type": "nsaid", "agent": "ibuprofen", "weeks": 8, "outcome": "good"},
            ]
        }
    )
    assert facts["nsaid.failed_weeks"] == 6
    assert facts["nsaid.count_failed"] == 2
    assert facts["nsaid.good"] is True
    open_ended = facts_of(
        {
            "treatments": [
                {"type": "nsaid", "weeks": 3, "outcome": "inadequate"},
                {"type": "nsaid", "outcome": "inadequate"},
            ]
        }
    )
    assert open_ended["nsaid.failed_weeks"] == Range(3, math.inf)


def test_tnfi_response_type_and_failed_mechanisms() -> None:
    facts = facts_of(
        {
            "treatments": [
                {"type": "tnfi", "agent": "adalimumab", "outcome": "primary_nonresponse"},
                {"type": "il17i", "agent": "secukinumab", "outcome": "inadequate", "current": True},
            ]
        }
    )
    assert facts["tnfi.first_outcome"] == "primary_nonresponse"
    assert facts["tnfi.nonresponse_type"] == "primary_nonresponse"
    assert facts["biologic.failed_classes"] == 2
    assert facts["biologic.current_outcome"] == "inadequate"


def test_provocation_tests_not_done_widen_the_count() -> None:
    facts = facts_of(
        {
            "exam": {
                "provocation_tests": {
                    "distraction": True,
                    "thigh_thrust": True,
                    "compression": False,
                }
            }
        }
    )
    assert facts["provocation.positive"] == Range(2, 5)
    names = ("distraction", "thigh_thrust", "compression", "sacral_thrust", "gaenslen", "faber")
    all_done = dict.fromkeys(names, True)
    assert facts_of({"exam": {"provocation_tests": all_done}})["provocation.positive"] == 6


GUIDED = {"image_guided": True}


def test_blocks_classified_by_relief() -> None:
    facts = facts_of(
        {
            "treatments": [
                {"type": "sij_injection", "purpose": "diagnostic", "relief_pct": 80, **GUIDED},
                {"type": "sij_injection", "purpose": "diagnostic", "relief_pct": 60, **GUIDED},
                {"type": "sij_injection", "purpose": "diagnostic", "relief_pct": 10, **GUIDED},
                {"type": "sij_injection", "purpose": "diagnostic", **GUIDED},
            ]
        }
    )
    assert facts["blocks.count"] == 4
    assert facts["blocks.positive"] == Range(1, 2)
    assert facts["blocks.negative"] == Range(1, 2)
    assert facts["blocks.indeterminate"] == Range(1, 2)


def test_therapeutic_injection_success_needs_relief_and_duration() -> None:
    def last(relief: float, weeks: float) -> Any:
        return facts_of(
            {
                "treatments": [
                    {
                        "type": "sij_injection",
                        "purpose": "therapeutic",
                        "relief_pct": relief,
                        "relief_weeks": weeks,
                        "months_ago": 2,
                    }
                ]
            }
        )

    assert last(60, 10)["therapeutic.last_success"] is True
    assert last(60, 2)["therapeutic.failed"] is True
    assert last(40, 20)["therapeutic.failed"] is True
    assert last(60, 10)["injections.last_12m"] == 1


def test_no_rfa_means_no_failed_rfa() -> None:
    facts = facts_of({"treatments": []})
    assert facts["rfa.failed"] is False
    assert facts["therapeutic.failed"] is False


def test_nonoperative_months_reaches_back_to_the_oldest_procedure() -> None:
    facts = facts_of(
        {
            "treatments": [
                {"type": "physical_therapy", "weeks": 8.69},
                {"type": "rfa", "months_ago": 9},
            ]
        }
    )
    assert facts["nonoperative.months"] == 9


def test_region_clear_only_when_imaged() -> None:
    facts = facts_of({"imaging": [{"modality": "mri", "region": "spine", "findings": ["normal"]}]})
    assert facts["imaging.spine_clear"] is True
    assert facts["imaging.hip_clear"] is None


def test_conditions_implied_by_diagnosis_codes() -> None:
    facts = facts_of({"diagnoses": ["K50.90"]})
    assert facts["condition.ibd"] is True
    assert "condition.psoriasis" not in facts


def test_crp_elevation_threshold() -> None:
    assert facts_of({"labs": {"crp_mg_l": 12}})["labs.crp_elevated"] is True
    assert facts_of({"labs": {"crp_mg_l": 3}})["labs.crp_elevated"] is False


def test_only_an_image_guided_block_confirms_the_joint() -> None:
    """An unguided block is not diagnostic; one whose guidance is unrecorded may not be."""
    block = {"type": "sij_injection", "purpose": "diagnostic", "relief_pct": 90}
    unguided = facts_of({"treatments": [{**block, "image_guided": False}]})
    assert unguided["blocks.count"] == 0 and unguided["blocks.positive"] == 0
    assert unguided["blocks.unguided"] == 1
    assert facts_of({"treatments": [block]})["blocks.positive"] == Range(0, 1)
    assert facts_of({"treatments": [{**block, **GUIDED}]})["blocks.positive"] == 1
