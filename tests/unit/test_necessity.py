"""Medical necessity: every criterion met, not met and unknown; whole determinations."""

from __future__ import annotations

import json
from typing import Any

import pytest

from guidepath import check_necessity
from guidepath.engine.compiled import compiled_pack
from guidepath.engine.necessity import UnknownProcedure
from tests.conftest import SHARED, needs_shared

PT = {"type": "physical_therapy", "weeks": 8, "outcome": "inadequate"}


def diag(relief: float | None) -> dict[str, Any]:
    return {
        "type": "sij_injection",
        "purpose": "diagnostic",
        "relief_pct": relief,
        "image_guided": True,
    }


def ther(relief: float | None, weeks: float | None, months_ago: float | None = 2) -> dict[str, Any]:
    return {
        "type": "sij_injection",
        "purpose": "therapeutic",
        "relief_pct": relief,
        "relief_weeks": weeks,
        "months_ago": months_ago,
    }


def tnfi(outcome: str, weeks: float | None = 16) -> dict[str, Any]:
    return {"type": "tnfi", "agent": "adalimumab", "weeks": weeks, "outcome": outcome}


def spine(*findings: str) -> dict[str, Any]:
    return {"modality": "mri", "region": "spine", "findings": list(findings)}


def hip(*findings: str) -> dict[str, Any]:
    return {"modality": "xray", "region": "hip", "findings": list(findings)}


THREE_POSITIVE = {
    "provocation_tests": {"distraction": True, "thigh_thrust": True, "compression": True}
}
ONE_POSITIVE = {
    "provocation_tests": {
        "distraction": True,
        "thigh_thrust": False,
        "compression": False,
        "sacral_thrust": False,
        "gaenslen": False,
        "faber": False,
    }
}

# criterion: (procedure, met case, not-met case, unknown case)
CRITERIA: dict[str, tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]] = {
    "pain_three_months": (
        "diagnostic_sij_block",
        {"pain": {"duration_weeks": 20}},
        {"pain": {"duration_weeks": 8}},
        {},
    ),
    "pain_moderate_to_severe": (
        "diagnostic_sij_block",
        {"pain": {"nrs": 6, "sites": ["buttock"]}},
        {"pain": {"nrs": 2, "sites": ["buttock"]}},
        {"pain": {"sites": ["buttock"]}},
    ),
    "provocation_three_positive": (
        "diagnostic_sij_block",
        {"exam": THREE_POSITIVE},
        {"exam": ONE_POSITIVE},
        {"exam": {"provocation_tests": {"distraction": True, "thigh_thrust": True}}},
    ),
    "conservative_four_weeks": (
        "diagnostic_sij_block",
        {"treatments": [PT]},
        {"treatments": [{**PT, "weeks": 2}]},
        {},
    ),
    "other_sources_excluded": (
        "diagnostic_sij_block",
        {"imaging": [spine("normal")], "pain": {"radicular": False}},
        {"imaging": [spine("disc_herniation")], "pain": {"radicular": False}},
        {"pain": {"radicular": False}},
    ),
    "no_red_flags": ("diagnostic_sij_block", {"red_flags": []}, {"red_flags": ["fever"]}, {}),
    "diagnostic_sessions_limit": (
        "diagnostic_sij_block",
        {"treatments": []},
        {"treatments": [diag(80), diag(85)]},
        {},
    ),
    "positive_diagnostic_block": (
        "therapeutic_sij_injection",
        {"treatments": [diag(80)]},
        {"treatments": [diag(40)]},
        {"treatments": [diag(None)]},
    ),
    "repeat_relief_three_months": (
        "therapeutic_sij_injection",
        {"treatments": [ther(60, 14)]},
        {"treatments": [ther(60, 4)]},
        {"treatments": [ther(None, None)]},
    ),
    "sessions_per_year_limit": (
        "therapeutic_sij_injection",
        {"treatments": [ther(60, 14)]},
        {"treatments": [ther(60, 14, m) for m in (2, 4, 7, 10)]},
        {"treatments": [ther(60, 14, m) for m in (2, 4, 7, None)]},
    ),
    "dual_positive_blocks": (
        "sij_fusion_mis",
        {"treatments": [diag(80), diag(85)]},
        {"treatments": [diag(80), diag(30)]},
        {"treatments": [diag(80), diag(None)]},
    ),
    "conservative_six_weeks": (
        "diagnostic_sij_block",
        {"treatments": [{**PT, "weeks": 8}]},
        {"treatments": [{**PT, "weeks": 3}]},
        {},
    ),
    "repeat_relief_two_months": (
        "therapeutic_sij_injection",
        {"treatments": [ther(60, 10)]},
        {"treatments": [ther(60, 4)]},
        {"treatments": [ther(60, None)]},
    ),
    "nonoperative_six_months": (
        "sij_fusion_mis",
        {"treatments": [{**PT, "weeks": 30}]},
        {"treatments": [PT]},
        {},
    ),
    "physical_therapy_failed": (
        "sij_fusion_mis",
        {"treatments": [PT]},
        {"treatments": [{**PT, "weeks": 3}]},
        {},
    ),
    "interventional_failed": (
        "sij_fusion_mis",
        {"treatments": [{"type": "rfa", "relief_pct": 20, "relief_weeks": 2}]},
        {"treatments": []},
        {"treatments": [ther(None, None)]},
    ),
    "spine_and_hip_excluded": (
        "sij_fusion_mis",
        {"imaging": [spine("normal"), hip("normal")]},
        {"imaging": [spine("normal"), hip("hip_osteoarthritis")]},
        {"imaging": [spine("normal")]},
    ),
    "no_radicular_pain": (
        "sij_fusion_mis",
        {"pain": {"radicular": False}},
        {"pain": {"radicular": True}},
        {},
    ),
    "no_systemic_arthropathy": (
        "sij_fusion_mis",
        {"diagnoses": ["M53.3"]},
        {"diagnoses": ["M45.9"]},
        {},
    ),
    "axspa_diagnosis": ("start_tnfi", {"diagnoses": ["M45.9"]}, {"diagnoses": ["M53.3"]}, {}),
    "high_disease_activity": (
        "start_tnfi",
        {"scores": {"asdas_crp": 2.5}},
        {"scores": {"asdas_crp": 1.5}},
        {},
    ),
    "two_nsaids_failed": (
        "start_tnfi",
        {
            "treatments": [
                {"type": "nsaid", "agent": "a", "weeks": 4, "outcome": "inadequate"},
                {"type": "nsaid", "agent": "b", "weeks": 4, "outcome": "inadequate"},
            ]
        },
        {"treatments": []},
        {},
    ),
    "objective_inflammation": (
        "start_tnfi",
        {"labs": {"crp_mg_l": 12}},
        {
            "labs": {"crp_mg_l": 2},
            "imaging": [{"modality": "mri", "region": "sij", "findings": ["normal"]}],
        },
        {},
    ),
    "no_tnfi_contraindication": (
        "start_tnfi",
        {"conditions": []},
        {"conditions": ["heart_failure_severe"]},
        {},
    ),
    "infection_screened": ("start_tnfi", {"conditions": []}, {"conditions": ["latent_tb"]}, {}),
    "tnfi_failed": (
        "switch_to_il17i",
        {"treatments": [tnfi("primary_nonresponse")]},
        {"treatments": []},
        {},
    ),
    "tnfi_trial_twelve_weeks": (
        "switch_to_il17i",
        {"treatments": [tnfi("inadequate", 16)]},
        {"treatments": [tnfi("inadequate", 6)]},
        {"treatments": [tnfi("inadequate", None)]},
    ),
    "il17i_preferred_over_second_tnfi": (
        "switch_to_il17i",
        {"treatments": [tnfi("primary_nonresponse")], "conditions": []},
        {"treatments": [tnfi("secondary_nonresponse")], "conditions": []},
        {"treatments": [tnfi("inadequate")], "conditions": []},
    ),
    "no_ibd_for_il17i": ("switch_to_il17i", {"conditions": []}, {"conditions": ["ibd"]}, {}),
}


def test_every_criterion_of_the_pack_is_covered_here() -> None:
    assert set(CRITERIA) == set(compiled_pack().pack.criteria)


def status_of(criterion: str, procedure: str, case: dict[str, Any]) -> str:
    determination = check_necessity(procedure, case)
    return next(c.status for c in determination.criteria if c.id == criterion)


@pytest.mark.parametrize("criterion", sorted(CRITERIA))
def test_criterion_met_not_met_and_unknown(criterion: str) -> None:
    procedure, met, not_met, unknown = CRITERIA[criterion]
    assert status_of(criterion, procedure, met) == "met"
    assert status_of(criterion, procedure, not_met) == "not_met"
    assert status_of(criterion, procedure, unknown) == "unknown"


def test_repeat_criteria_apply_only_after_a_first_injection() -> None:
    ids = {
        c.id
        for c in check_necessity("therapeutic_sij_injection", {"treatments": [diag(80)]}).criteria
    }
    assert "repeat_relief_three_months" not in ids
    assert "positive_diagnostic_block" in ids


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (SHARED / "contract" / "examples" / f"{name}.case.json").read_text()
    )
    return data


DETERMINATIONS = [
    ("sij_fusion_mis", "08-fusion-candidate", "met"),
    ("sij_fusion_mis", "07-confirmed-sij-injections-failed", "not_met"),
    ("sij_fusion_mis", "05-bilateral-sclerosis-untreated", "not_met"),
    ("sij_fusion_mis", "01-sacroiliitis-failed-conservative", "not_met"),
    (
        "diagnostic_sij_block",
        "06-injection-failed-second-block-negative",
        "insufficient_information",
    ),
    ("diagnostic_sij_block", "07-confirmed-sij-injections-failed", "met"),
    ("diagnostic_sij_block", "08-fusion-candidate", "not_met"),
    ("diagnostic_sij_block", "05-bilateral-sclerosis-untreated", "not_met"),
    ("therapeutic_sij_injection", "07-confirmed-sij-injections-failed", "not_met"),
    ("therapeutic_sij_injection", "06-injection-failed-second-block-negative", "not_met"),
    ("rfa_lateral_branch", "07-confirmed-sij-injections-failed", "met"),
    ("rfa_lateral_branch", "06-injection-failed-second-block-negative", "not_met"),
    ("start_tnfi", "01-sacroiliitis-failed-conservative", "insufficient_information"),
    ("start_tnfi", "04-axspa-with-ibd", "insufficient_information"),
    ("start_tnfi", "05-bilateral-sclerosis-untreated", "not_met"),
    ("switch_to_il17i", "02-tnfi-primary-nonresponse", "met"),
    ("switch_to_il17i", "03-tnfi-secondary-nonresponse", "not_met"),
    ("switch_to_il17i", "04-axspa-with-ibd", "not_met"),
]


@needs_shared
@pytest.mark.parametrize(("procedure", "name", "expected"), DETERMINATIONS)
def test_determinations_on_contract_examples(procedure: str, name: str, expected: str) -> None:
    determination = check_necessity(procedure, example(name))
    assert determination.determination == expected
    assert determination.codes.icd10 == example(name)["diagnoses"]


FIRST_INJECTION = {
    "diagnoses": ["M53.3"],
    "pain": {"nrs": 7, "duration_weeks": 20, "radicular": False, "sites": ["buttock"]},
    "exam": THREE_POSITIVE,
    "imaging": [spine("normal")],
    "red_flags": [],
    "treatments": [PT, diag(85)],
}


def test_first_therapeutic_injection_fully_documented_is_met() -> None:
    determination = check_necessity("therapeutic_sij_injection", FIRST_INJECTION)
    assert determination.determination == "met"
    assert determination.codes.cpt == ["27096", "G0260"]


def test_repeat_injection_with_lasting_relief_is_met() -> None:
    case = {**FIRST_INJECTION, "treatments": [PT, diag(85), ther(70, 16, 5)]}
    assert check_necessity("therapeutic_sij_injection", case).determination == "met"


def test_start_tnfi_fully_documented_is_met() -> None:
    case = {
        "diagnoses": ["M45.9"],
        "scores": {"asdas_crp": 3.0},
        "labs": {"crp_mg_l": 15},
        "treatments": [
            {"type": "nsaid", "agent": "naproxen", "weeks": 4, "outcome": "inadequate"},
            {"type": "nsaid", "agent": "celecoxib", "weeks": 4, "outcome": "inadequate"},
        ],
        "conditions": [],
    }
    assert check_necessity("start_tnfi", case).determination == "met"


def test_start_tnfi_with_heart_failure_is_not_met() -> None:
    case = {"diagnoses": ["M45.9"], "conditions": ["heart_failure_severe"]}
    assert check_necessity("start_tnfi", case).determination == "not_met"


def test_rfa_coverage_note_is_reported() -> None:
    notes = check_necessity("rfa_lateral_branch", {}).notes
    assert any("do not cover" in note for note in notes)


def test_unknown_procedure() -> None:
    with pytest.raises(UnknownProcedure):
        check_necessity("acupuncture", {})


def test_every_criterion_cites_a_listed_reference() -> None:
    determination = check_necessity("sij_fusion_mis", FIRST_INJECTION)
    listed = {r.id for r in determination.references}
    assert all(set(c.citations) <= listed for c in determination.criteria)


def test_no_arthropathy_is_decidable_from_documented_negatives() -> None:
    negatives = {
        "pain": {"inflammatory_back_pain": False},
        "labs": {"crp_mg_l": 2, "hla_b27": "negative"},
    }
    assert status_of("no_systemic_arthropathy", "sij_fusion_mis", negatives) == "met"
    partly = {"pain": {"inflammatory_back_pain": False}, "labs": {"crp_mg_l": 2}}
    assert status_of("no_systemic_arthropathy", "sij_fusion_mis", partly) == "unknown"


def test_clinical_criteria_and_payer_coverage_are_kept_apart() -> None:
    """RFA meeting every clinical criterion is still not covered by the Medicare LCDs."""
    case = {
        "diagnoses": ["M53.3"],
        "pain": {"nrs": 7, "duration_weeks": 40, "radicular": False},
        "exam": {
            "provocation_tests": {"distraction": True, "thigh_thrust": True, "compression": True}
        },
        "imaging": [{"modality": "mri", "region": "spine", "findings": ["normal"]}],
        "treatments": [diag(85)],
        "red_flags": [],
    }
    determination = check_necessity("rfa_lateral_branch", case)
    assert determination.determination == "met"
    lcd = next(c for c in determination.coverage if c.policy == "lcd-sij-2023")
    assert lcd.status == "not_covered"
    repeat = {**case, "treatments": [diag(85), ther(60, 10)]}
    injection = check_necessity("therapeutic_sij_injection", repeat)
    assert injection.determination == "met"  # ≥50% for ≥2 months: clinically reasonable
    lcd = next(c for c in injection.coverage if c.policy == "lcd-sij-2023")
    assert lcd.status == "not_covered"  # the LCD asks for 3 months
    assert "repeat_relief_three_months" in lcd.criteria


@pytest.mark.parametrize("procedure", list(compiled_pack().pack.procedures))
def test_determinations_round_trip_through_the_models(procedure: str) -> None:
    """Determinations are built without re-validation; each must read back unchanged."""
    from guidepath.engine.necessity import Determination

    case = {"diagnoses": ["M46.1"], "treatments": [PT, diag(None), ther(80, 12)]}
    dumped = check_necessity(procedure, case).model_dump(mode="json")
    assert Determination.model_validate(dumped).model_dump(mode="json") == dumped
    assert {c["status"] for c in dumped["criteria"]} <= {"met", "not_met", "unknown"}
