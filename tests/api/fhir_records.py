"""Real-shaped FHIR R4 resources, written the way US Core servers and Synthea write them, for the
reader tests: coded Conditions with clinical and verification status, RxNorm medications (inline
or by ``medicationReference``), LOINC observations with UCUM units, coded Procedures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SYNTHEA = Path(__file__).resolve().parents[1] / "data" / "synthea"
SYNTHEA_PATIENTS = sorted(p.stem for p in SYNTHEA.glob("*.json"))
SCT = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
CPT = "http://www.ama-assn.org/go/cpt"
UCUM = "http://unitsofmeasure.org"


def synthea(name: str) -> dict[str, Any]:
    """One of the kept Synthea patients (tests/data/synthea)."""
    data: dict[str, Any] = json.loads((SYNTHEA / f"{name}.json").read_text(encoding="utf-8"))
    return data


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    """A collection Bundle of the resources."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


def concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code, **({"display": display} if display else {})}
    return {"coding": [coding], **({"text": display} if display else {})}


def patient(birth: str = "1980-04-02", gender: str = "male", pid: str = "p1") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid, "birthDate": birth, "gender": gender}


def condition(
    code: dict[str, Any],
    clinical: str = "active",
    verification: str = "confirmed",
    onset: str | None = None,
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "clinicalStatus": concept(
            "http://terminology.hl7.org/CodeSystem/condition-clinical", clinical
        ),
        "verificationStatus": concept(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status", verification
        ),
        "code": code,
        "subject": {"reference": "Patient/p1"},
    }
    if onset:
        resource["onsetDateTime"] = onset
    return resource


def low_back_pain(onset: str | None = None, **status: str) -> dict[str, Any]:
    return condition(concept(SCT, "279039007", "Low back pain (finding)"), onset=onset, **status)


def observation(
    loinc: str,
    value: float,
    unit_code: str,
    when: str = "2026-10-01",
    status: str = "final",
    comparator: str | None = None,
    unit_text: bool = True,
) -> dict[str, Any]:
    quantity: dict[str, Any] = {"value": value, "system": UCUM, "code": unit_code}
    if unit_text:
        quantity["unit"] = unit_code
    if comparator:
        quantity["comparator"] = comparator
    return {
        "resourceType": "Observation",
        "status": status,
        "code": concept(LOINC, loinc),
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": when,
        "valueQuantity": quantity,
    }


def medication_request(
    medication: dict[str, Any], status: str = "active", intent: str = "order", **more: Any
) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "status": status,
        "intent": intent,
        "subject": {"reference": "Patient/p1"},
        **medication,
        **more,
    }


def procedure(code: dict[str, Any], status: str = "completed", **more: Any) -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "status": status,
        "code": code,
        "subject": {"reference": "Patient/p1"},
        "performedDateTime": "2026-06-01",
        **more,
    }
