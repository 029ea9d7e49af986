"""Build a FHIR R4 Bundle from a contract case, the way an EHR would record the same facts.

The mapping is independent of guidepath's reader: ICD-10-CM Conditions, LOINC Observations,
MedicationStatements with periods and a note on the response, Procedures with CPT codes and a note
on relief, DiagnosticReports with a conclusion.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

OUTCOME_NOTES = {
    "good": "good response",
    "partial": "partial response",
    "inadequate": "inadequate response",
    "primary_nonresponse": "primary non-response",
    "intolerance": "not tolerated",
    "secondary_nonresponse": "secondary non-response",
    "ongoing": "recently started",
}
CPT = {"sij_injection": "27096", "rfa": "64625", "sij_fusion": "27279"}
CONDITION_NAMES = {
    "ibd": "Crohn's disease",
    "recurrent_uveitis": "Recurrent uveitis",
    "psoriasis": "Psoriasis",
    "heart_failure_severe": "Severe heart failure",
    "latent_tb": "Latent tuberculosis",
    "gi_bleed_risk": "Peptic ulcer",
}
MODALITY = {"xray": "X-ray", "mri": "MRI", "ct": "CT"}
REGION = {"sij": "sacroiliac joints", "spine": "lumbar spine", "hip": "hip", "pelvis": "pelvis"}
FINDING = {
    "bone_marrow_edema": "bone marrow edema",
    "disc_herniation": "disc herniation",
    "hip_osteoarthritis": "hip osteoarthritis",
    "joint_space_narrowing": "joint space narrowing",
    "spinal_stenosis": "spinal stenosis",
    "normal": "unremarkable",
}
TODAY = dt.date.today()


def _concept(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _observation(loinc: str, name: str, value: float, unit: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": _concept("http://loinc.org", loinc, name),
        "valueQuantity": {"value": value, "unit": unit},
    }


def _finding(name: str, present: bool) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": name},
        "valueCodeableConcept": {"text": "positive" if present else "negative"},
    }


def _medication(item: dict[str, Any]) -> dict[str, Any]:
    name = (
        item.get("agent")
        or {"nsaid": "NSAID", "physical_therapy": "physical therapy"}[item["type"]]
    )
    start = TODAY - dt.timedelta(weeks=item.get("weeks", 0) + 1)
    end = start + dt.timedelta(weeks=item.get("weeks", 0))
    return {
        "resourceType": "MedicationStatement",
        "status": "active" if item.get("current") else "completed",
        "medicationCodeableConcept": {"text": name},
        "subject": {"reference": "Patient/p"},
        "effectivePeriod": {"start": start.isoformat(), "end": end.isoformat()},
        "note": [{"text": OUTCOME_NOTES[item["outcome"]]}] if item.get("outcome") else [],
    }


def _procedure(item: dict[str, Any]) -> dict[str, Any]:
    kind = item["type"]
    if kind in CPT:
        label = {
            "sij_injection": f"{item.get('purpose', 'therapeutic')} SI joint injection",
            "rfa": "radiofrequency ablation",
            "sij_fusion": "SI joint fusion",
        }[kind]
        code = _concept("http://www.ama-assn.org/go/cpt", CPT[kind], label)
    else:
        code = {"text": kind.replace("_", " ")}
    notes = []
    if "relief_pct" in item:
        notes.append(f"{item['relief_pct']:g}% relief for {item.get('relief_weeks', 0):g} weeks")
    if item.get("outcome"):
        notes.append(OUTCOME_NOTES[item["outcome"]])
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "status": "completed",
        "code": code,
        "subject": {"reference": "Patient/p"},
        "note": [{"text": "; ".join(notes)}] if notes else [],
    }
    if "months_ago" in item:
        resource["performedDateTime"] = (
            TODAY - dt.timedelta(days=int(item["months_ago"] * 30.44))
        ).isoformat()
    if "weeks" in item:
        start = TODAY - dt.timedelta(weeks=item["weeks"] + 1)
        resource["performedPeriod"] = {
            "start": start.isoformat(),
            "end": (start + dt.timedelta(weeks=item["weeks"])).isoformat(),
        }
    return resource


def _report(study: dict[str, Any]) -> dict[str, Any]:
    findings = ", ".join(FINDING.get(f, f) for f in study["findings"])
    side = f", {study['laterality']}" if study.get("laterality") else ""
    return {
        "resourceType": "DiagnosticReport",
        "status": "final",
        "code": {"text": f"{MODALITY[study['modality']]} {REGION[study['region']]}"},
        "conclusion": f"{findings}{side}",
    }


def case_to_bundle(case: dict[str, Any]) -> dict[str, Any]:
    """The Bundle an EHR would send for this case."""
    resources: list[dict[str, Any]] = []
    patient = case.get("patient", {})
    resources.append(
        {
            "resourceType": "Patient",
            "id": "p",
            "gender": patient.get("sex"),
            "birthDate": f"{TODAY.year - patient.get('age', 40) - 1}-01-01",
        }
    )
    pain = case.get("pain", {})
    for code in case.get("diagnoses", []):
        condition: dict[str, Any] = {
            "resourceType": "Condition",
            "subject": {"reference": "Patient/p"},
            "code": _concept("http://hl7.org/fhir/sid/icd-10-cm", code, code),
        }
        if "duration_weeks" in pain:
            onset = TODAY - dt.timedelta(weeks=pain["duration_weeks"])
            condition["onsetDateTime"] = onset.isoformat()
        resources.append(condition)
    tests = case.get("exam", {}).get("provocation_tests", {})
    resources += [
        _finding(f"{name.replace('_', ' ')} test", value)
        for name, value in tests.items()
        if value is not None
    ]
    if case.get("red_flags") == []:
        resources.append(_finding("Red flags screen", False))
    resources += [_finding(flag.replace("_", " "), True) for flag in case.get("red_flags", [])]
    for symptom, label in (
        ("radicular", "radicular pain"),
        ("inflammatory_back_pain", "inflammatory back pain"),
    ):
        if symptom in pain and pain[symptom] is not None:
            resources.append(_finding(label, pain[symptom]))
    for name in case.get("conditions", []):
        resources.append(
            {
                "resourceType": "Condition",
                "subject": {"reference": "Patient/p"},
                "code": {"text": CONDITION_NAMES[name]},
            }
        )
    labs, scores = case.get("labs", {}), case.get("scores", {})
    if "nrs" in pain:
        resources.append(_observation("72514-3", "Pain severity 0-10", pain["nrs"], "{score}"))
    if "crp_mg_l" in labs:
        resources.append(_observation("1988-5", "C reactive protein", labs["crp_mg_l"], "mg/L"))
    if "asdas_crp" in scores:
        resources.append(
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {"text": "ASDAS-CRP"},
                "valueQuantity": {"value": scores["asdas_crp"]},
            }
        )
    for item in case.get("treatments", []):
        medication = item["type"] in ("nsaid", "cox2_inhibitor", "tnfi", "il17i", "jaki")
        resources.append(_medication(item) if medication else _procedure(item))
    resources += [_report(study) for study in case.get("imaging", [])]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }
