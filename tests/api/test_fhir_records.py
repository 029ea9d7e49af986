"""Reading real-shaped FHIR records: statuses, codes, references, units and dates, each class of
mistake the reader used to make (issue 11) tested on records shaped as US Core and Synthea write
them. The reader is the real one; nothing is mocked."""

from __future__ import annotations

from typing import Any

import pytest

from guidepath.engine.pathway import evaluate
from guidepath.fhir.reader import read_bundle
from guidepath.fhir.scope import out_of_scope
from tests.api.fhir_records import (
    CPT,
    ICD,
    RXNORM,
    SCT,
    SYNTHEA_PATIENTS,
    bundle,
    concept,
    condition,
    low_back_pain,
    medication_request,
    observation,
    patient,
    procedure,
    synthea,
)

ADALIMUMAB = {"medicationCodeableConcept": concept(RXNORM, "327361", "adalimumab")}


def read(*resources: dict[str, Any]) -> dict[str, Any]:
    return read_bundle(bundle(*resources), strict=False).case


# ---- Synthea patients nobody wrote for guidepath ----


@pytest.mark.parametrize("name", SYNTHEA_PATIENTS)
def test_no_synthea_patient_is_in_scope(name: str) -> None:
    reading = read_bundle(synthea(name), strict=False)
    assert out_of_scope(reading) is not None
    assert not reading.scope


def test_contraceptive_injections_are_not_si_joint_injections() -> None:
    case = read_bundle(synthea("intramuscular-injections"), strict=False).case
    assert not any(t["type"] == "sij_injection" for t in case.get("treatments", []))


def test_synthea_facts_are_read_by_code() -> None:
    naproxen = read_bundle(synthea("naproxen"), strict=False).case
    courses = [t for t in naproxen["treatments"] if t.get("agent") == "naproxen"]
    assert len(courses) == 1 and courses[0]["type"] == "nsaid"  # renewals are one course
    cancer = read_bundle(synthea("colon-cancer"), strict=False).case
    assert "cancer_history" in cancer["red_flags"]


def test_a_child_with_back_pain_is_out_of_scope() -> None:
    reading = read_bundle(bundle(patient("2020-01-01"), low_back_pain()), strict=False)
    assert reading.scope and "under 18" in str(out_of_scope(reading))


def test_back_pain_added_to_a_synthea_record_brings_it_in_scope() -> None:
    record = synthea("naproxen")
    record["entry"].append({"resource": low_back_pain(onset="2025-01-10")})
    reading = read_bundle(record, strict=False)
    assert out_of_scope(reading) is None
    assert reading.case["pain"]["duration_weeks"] > 52


# ---- statuses ----


def test_refuted_and_entered_in_error_conditions_are_not_used() -> None:
    axspa = concept(ICD, "M45.9", "Ankylosing spondylitis")
    case = read(
        condition(axspa, verification="refuted"),
        condition(concept(ICD, "K50.9", "Crohn's disease"), verification="entered-in-error"),
    )
    assert "diagnoses" not in case and "conditions" not in case


def test_an_unconfirmed_diagnosis_is_suspected_not_established() -> None:
    case = read(
        condition(concept(ICD, "M45.9", "Ankylosing spondylitis"), verification="provisional")
    )
    assert case.get("suspected") == ["axial_spondyloarthritis"] and "diagnoses" not in case


def test_resolved_conditions_are_not_current_but_cancer_stays_history() -> None:
    case = read(
        condition(concept(SCT, "72892002", "Normal pregnancy"), clinical="resolved"),
        condition(concept(SCT, "363406005", "Malignant tumor of colon"), clinical="resolved"),
    )
    assert "conditions" not in case and case["red_flags"] == ["cancer_history"]


def test_a_tnf_inhibitor_not_taken_is_not_a_failed_tnf_inhibitor() -> None:
    statement = {
        "resourceType": "MedicationStatement",
        "status": "not-taken",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": concept(RXNORM, "327361", "adalimumab"),
        "note": [{"text": "primary non-response"}],
    }
    case = read(condition(concept(ICD, "M45.9", "Ankylosing spondylitis")), statement)
    assert "treatments" not in case
    assert evaluate(case).recommendations[0].action != "switch_to_il17i"


@pytest.mark.parametrize(
    ("status", "intent"),
    [("entered-in-error", "order"), ("active", "proposal"), ("draft", "order")],
)
def test_requests_that_were_never_given_are_not_treatments(status: str, intent: str) -> None:
    case = read(medication_request(ADALIMUMAB, status=status, intent=intent))
    assert "treatments" not in case


def test_a_procedure_not_done_does_not_count() -> None:
    injection = concept(CPT, "27096", "Injection procedure for sacroiliac joint")
    assert "treatments" not in read(procedure(injection, status="not-done"))


def test_an_entered_in_error_crp_is_not_used() -> None:
    assert "labs" not in read(observation("1988-5", 40, "mg/L", status="entered-in-error"))


# ---- codes ----


def test_hla_b27_not_detected_is_negative() -> None:
    result = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "HLA-B27 antigen [Presence] in Blood"},
        "valueCodeableConcept": concept(SCT, "260415000", "Not detected"),
    }
    assert read(result)["labs"]["hla_b27"] == "negative"


@pytest.mark.parametrize(
    "text",
    [
        "Lumbar facet joint injection",
        "Epidural steroid injection",
        "Intramuscular injection",
        "Knee joint injection",
    ],
)
def test_other_injections_are_not_si_joint_injections(text: str) -> None:
    assert "treatments" not in read(procedure({"text": text}))


def test_lumbar_fusion_is_a_condition_not_si_joint_fusion() -> None:
    case = read(procedure({"text": "Lumbar spinal fusion L4-L5"}))
    assert case == {"conditions": ["prior_lumbar_fusion"]}


def test_si_joint_injection_by_words_and_by_code() -> None:
    worded = read(procedure({"text": "Fluoroscopic sacroiliac joint injection, diagnostic"}))
    assert worded["treatments"][0] | {"months_ago": 0} == {
        "type": "sij_injection",
        "purpose": "diagnostic",
        "image_guided": True,
        "months_ago": 0,
    }
    coded = read(procedure(concept(CPT, "G0260")))
    assert coded["treatments"][0]["type"] == "sij_injection"
    assert "image_guided" not in coded["treatments"][0]  # G0260 says nothing about imaging


def test_snomed_only_conditions() -> None:
    case = read(
        condition(concept(SCT, "9631008", "Ankylosing spondylitis (disorder)")),
        condition(concept(SCT, "64766004", "Ulcerative colitis (disorder)")),
    )
    assert case["diagnoses"] == ["M45.9"] and case["conditions"] == ["ibd"]


def test_a_coded_condition_outside_the_value_sets_is_not_guessed_from_words() -> None:
    ischemic = concept(SCT, "30588004", "Ischemic colitis (disorder)")
    assert read(condition(ischemic)) == {}


# ---- medications ----


def test_rxnorm_code_without_a_display() -> None:
    case = read(medication_request({"medicationCodeableConcept": concept(RXNORM, "849574")}))
    assert case["treatments"][0]["agent"] == "naproxen"


def test_medication_reference_is_resolved_in_the_bundle() -> None:
    medication = {
        "resourceType": "Medication",
        "id": "m1",
        "code": concept(RXNORM, "0", "Humira 40 MG/0.4ML Pen"),
    }
    request = medication_request({"medicationReference": {"reference": "Medication/m1"}})
    case = read(medication, request)
    assert case["treatments"][0]["type"] == "tnfi"


def test_contained_medication_is_resolved() -> None:
    request = medication_request(
        {"medicationReference": {"reference": "#med"}},
        contained=[
            {
                "resourceType": "Medication",
                "id": "med",
                "code": concept(RXNORM, "1", "celecoxib 200 MG Oral Capsule"),
            }
        ],
    )
    assert read(request)["treatments"][0]["agent"] == "celecoxib"


def test_a_long_naproxen_prescription_is_not_told_to_start_an_nsaid() -> None:
    request = medication_request(
        {"medicationCodeableConcept": concept(RXNORM, "198014", "Naproxen 500 MG Oral Tablet")},
        authoredOn="2018-03-01",
    )
    case = read(patient(), low_back_pain(onset="2018-01-01"), request)
    course = case["treatments"][0]
    assert course["weeks"] > 400 and course["current"] is True
    assert evaluate(case).recommendations[0].action != "nsaid_trial"


def test_an_active_anticoagulant_documents_anticoagulation() -> None:
    warfarin = {
        "medicationCodeableConcept": concept(RXNORM, "855332", "Warfarin Sodium 5 MG Oral Tablet")
    }
    assert read(medication_request(warfarin))["conditions"] == ["anticoagulation"]


# ---- values and dates ----


def test_the_newest_crp_wins_whatever_the_order() -> None:
    new, old = (
        observation("1988-5", 2, "mg/L", "2026-10-01"),
        observation("1988-5", 30, "mg/L", "2024-01-01"),
    )
    assert read(new, old)["labs"]["crp_mg_l"] == 2
    assert read(old, new)["labs"]["crp_mg_l"] == 2


def test_ucum_mg_dl_without_unit_text_is_converted() -> None:
    assert read(observation("1988-5", 1.5, "mg/dL", unit_text=False))["labs"]["crp_mg_l"] == 15


def test_a_crp_bound_is_used_only_when_it_decides() -> None:
    assert "labs" not in read(observation("1988-5", 10, "mg/L", comparator="<"))
    assert read(observation("1988-5", 3, "mg/L", comparator="<"))["labs"]["crp_mg_l"] == 3


def test_only_back_pain_onset_dates_the_pain() -> None:
    crohns = condition(concept(ICD, "K50.90", "Crohn's disease"), onset="1995-05-01")
    case = read(crohns, low_back_pain(onset="2026-05-01"))
    assert case["pain"]["duration_weeks"] < 52 and case["conditions"] == ["ibd"]


def test_an_active_duodenal_ulcer_is_an_nsaid_risk() -> None:
    ulcer = condition(
        concept(ICD, "K26.3", "Acute duodenal ulcer without hemorrhage or perforation")
    )
    assert read(ulcer)["conditions"] == ["gi_bleed_risk"]


def test_an_invalid_resource_is_skipped_with_a_note_and_the_rest_used() -> None:
    broken = observation("1988-5", 12, "mg/L")
    broken["effectiveDateTime"] = "last Tuesday"
    reading = read_bundle(bundle(broken, low_back_pain()), strict=False)
    assert reading.scope and any("invalid Observation" in n for n in reading.unmapped)
    assert "labs" not in reading.case


def test_a_resource_changed_after_it_was_seen_is_validated_again() -> None:
    crp = observation("1988-5", 12, "mg/L")
    assert read(crp)["labs"]["crp_mg_l"] == 12
    assert read(crp)["labs"]["crp_mg_l"] == 12  # remembered as valid
    crp["effectiveDateTime"] = "last Tuesday"
    reading = read_bundle(bundle(crp), strict=False)
    assert "labs" not in reading.case and any("invalid" in n for n in reading.unmapped)
