"""FHIR R4 (fhir.resources' R4B models) → Case. What cannot be mapped is reported, not dropped.

- Patient: age from ``birthDate``, ``gender``.
- Condition: ICD-10-CM codings directly; other codings (e.g. SNOMED CT) by their display text
  through the pack's lexicon (conditions such as IBD, uveitis, psoriasis, and diagnoses).
- Observation: LOINC 72514-3 pain NRS, 1988-5 CRP (mg/L; mg/dL converted), 4537-7 / 30341-2 ESR;
  BASDAI, ASDAS, HLA-B27 by name (no LOINC code is relied on for them).
- MedicationStatement / MedicationRequest: drug by name or RxNorm display through the lexicon,
  weeks from the effective period, outcome from the note ("primary non-response", "inadequate").
- Procedure: CPT 27096/G0260 SI joint injection, 64625 RFA, 27278/27279/27280 fusion, or by name
  (physical therapy, injections); relief from the note ("80% relief for 2 weeks").
- DiagnosticReport: modality, region and findings from the code text and conclusion.

Example: a Bundle with a Condition coded ICD-10-CM M45.9 gives ``{"diagnoses": ["M45.9"]}``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from guidepath.codes.icd10 import canonical
from guidepath.errors import BadInput, from_validation_error
from guidepath.knowledge.loader import value_sets
from guidepath.language.nlp import lexicon
from guidepath.language.patterns import (
    clause_duration_weeks,
    laterality_in,
    modality_in,
    outcome_in,
    relief_pct_in,
)

ICD10_SYSTEMS = {"http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10"}
LOINC = "http://loinc.org"


@dataclass
class FhirReading:
    """The Case read from a Bundle, and what could not be used."""

    case: dict[str, Any] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)


def texts(concept: Any) -> list[str]:
    """The human-readable names of a CodeableConcept (its text and codings' displays)."""
    if concept is None:
        return []
    found = [concept.text] if getattr(concept, "text", None) else []
    found += [c.display for c in (concept.coding or []) if c.display]
    return found


def codes(concept: Any, systems: set[str]) -> list[str]:
    """The codes of a CodeableConcept in the given code systems."""
    if concept is None:
        return []
    return [c.code for c in (concept.coding or []) if c.system in systems and c.code]


def lexicon_match(text: str, labels: set[str]) -> list[tuple[str, str, str | None]]:
    """(label, value, type) of lexicon entries whose phrase occurs in the text as whole words."""
    lowered = text.lower()
    return [
        (e.label, e.value, e.type)
        for e in lexicon()
        if e.label in labels
        and any(re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", lowered) for p in e.phrases)
    ]


def _weeks(start: Any, end: Any) -> float | None:
    if start is None:
        return None
    finish = end or dt.datetime.now(dt.UTC)
    return round((_as_date(finish) - _as_date(start)).days / 7, 1)


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _months_ago(when: Any) -> float | None:
    if when is None:
        return None
    return round((dt.date.today() - _as_date(when)).days / 30.44, 1)


def _patient(resource: Any, reading: FhirReading) -> None:
    patient: dict[str, Any] = {}
    if resource.birthDate:
        born, today = resource.birthDate, dt.date.today()
        patient["age"] = (
            today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        )
    if resource.gender in ("female", "male", "other"):
        patient["sex"] = resource.gender
    reading.case["patient"] = patient


def _add(reading: FhirReading, key: str, value: str) -> None:
    values = reading.case.setdefault(key, [])
    if value not in values:
        values.append(value)


def _condition(resource: Any, reading: FhirReading, where: str) -> None:
    status = codes(
        resource.clinicalStatus, {"http://terminology.hl7.org/CodeSystem/condition-clinical"}
    )
    if status and status[0] in ("inactive", "resolved", "remission"):
        reading.unmapped.append(f"{where}: Condition is {status[0]}, not used")
        return
    mapped = False
    for raw in codes(resource.code, ICD10_SYSTEMS):
        code = canonical(raw)
        if code:
            _add(reading, "diagnoses", code)
            mapped = True
    for text in texts(resource.code):
        for label, value, _ in lexicon_match(text, {"DIAGNOSIS", "CONDITION"}):
            if label == "CONDITION":
                _add(reading, "conditions", value)
                mapped = True
            elif not reading.case.get("diagnoses"):
                _add(reading, "diagnoses", value)
                mapped = True
    if not mapped:
        reading.unmapped.append(f"{where}: Condition {' / '.join(texts(resource.code))} not known")
    onset = getattr(resource, "onsetDateTime", None)
    if mapped and onset is not None and reading.case.get("diagnoses"):
        pain = reading.case.setdefault("pain", {})
        pain["duration_weeks"] = max(pain.get("duration_weeks", 0.0), _weeks(onset, None) or 0.0)


def _observation(resource: Any, reading: FhirReading, where: str) -> None:
    loinc = set(codes(resource.code, {LOINC}))
    name = " ".join(texts(resource.code)).lower()
    quantity = resource.valueQuantity
    value = float(quantity.value) if quantity is not None and quantity.value is not None else None
    sets = value_sets().loinc
    if loinc & set(sets.pain_nrs) and value is not None:
        reading.case.setdefault("pain", {})["nrs"] = value
    elif loinc & set(sets.crp) and value is not None:
        factor = 10.0 if (quantity.unit or "").lower() == "mg/dl" else 1.0
        reading.case.setdefault("labs", {})["crp_mg_l"] = value * factor
    elif loinc & set(sets.esr) and value is not None:
        reading.case.setdefault("labs", {})["esr_mm_h"] = value
    elif "hla-b27" in name or "hla b27" in name:
        text = " ".join(texts(resource.valueCodeableConcept)) + (resource.valueString or "")
        positive = "pos" in text.lower() or "detected" in text.lower()
        reading.case.setdefault("labs", {})["hla_b27"] = "positive" if positive else "negative"
    elif ("basdai" in name or "asdas" in name) and value is not None:
        key = "basdai" if "basdai" in name else ("asdas_esr" if "esr" in name else "asdas_crp")
        reading.case.setdefault("scores", {})[key] = value
    elif not _finding_observation(resource, name, reading):
        reading.unmapped.append(f"{where}: Observation {name or sorted(loinc)} not used")


def _yes_no(resource: Any) -> bool | None:
    if resource.valueBoolean is not None:
        return bool(resource.valueBoolean)
    text = " ".join(texts(resource.valueCodeableConcept)) + " " + (resource.valueString or "")
    lowered = text.lower()
    if re.search(r"\b(negative|absent|no|not present)\b", lowered):
        return False
    if re.search(r"\b(positive|present|yes)\b", lowered):
        return True
    return None


def _finding_observation(resource: Any, name: str, reading: FhirReading) -> bool:
    """Provocation tests, symptoms (radicular, inflammatory back pain) and red-flag screens
    ("Red flags: negative" documents that there are none) recorded by name."""
    value = _yes_no(resource)
    matches = lexicon_match(name, {"TEST", "SYMPTOM", "RED_FLAG"})
    if value is None or not matches:
        return False
    label, what, _ = matches[0]
    if label == "TEST" and what != "provocation":
        tests = reading.case.setdefault("exam", {}).setdefault("provocation_tests", {})
        tests[what] = value
        return True
    if label == "SYMPTOM" and what in ("radicular", "inflammatory_back_pain"):
        reading.case.setdefault("pain", {})[what] = value
        return True
    if label == "RED_FLAG":
        flags = reading.case.setdefault("red_flags", [])
        if value and what != "any" and what not in flags:
            flags.append(what)
        return True
    return False


def _medication(resource: Any, reading: FhirReading, where: str) -> None:
    concept = getattr(resource, "medicationCodeableConcept", None)
    matches = [m for t in texts(concept) for m in lexicon_match(t, {"DRUG"})]
    if not matches:
        reading.unmapped.append(f"{where}: medication {' / '.join(texts(concept))} not known")
        return
    _, agent, kind = matches[0]
    record: dict[str, Any] = {"type": kind}
    if agent not in ("nsaid", "tnfi", "il17i", "jaki", "biologic"):
        record["agent"] = agent
    period = getattr(resource, "effectivePeriod", None)
    weeks = _weeks(period.start, period.end) if period is not None else None
    if weeks is not None:
        record["weeks"] = weeks
    note = " ".join(n.text for n in (resource.note or []) if n.text)
    outcome = outcome_in(note) if note else None
    if outcome:
        record["outcome"] = outcome
    if resource.status == "active":
        record["current"] = True
    reading.case.setdefault("treatments", []).append(record)


def procedure_type(resource: Any) -> str | None:
    """The case treatment type of a Procedure or ServiceRequest, by CPT/HCPCS code or by name."""
    for code in codes(
        resource.code,
        {
            "http://www.ama-assn.org/go/cpt",
            "urn:oid:2.16.840.1.113883.6.12",
            "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
        },
    ):
        if code in value_sets().cpt:
            return value_sets().cpt[code]
    for text in texts(resource.code):
        for _, value, _ in lexicon_match(text, {"TREATMENT"}):
            if value != "conservative":
                return value
    return None


def _procedure(resource: Any, reading: FhirReading, where: str) -> None:
    kind = procedure_type(resource)
    if kind is None:
        reading.unmapped.append(f"{where}: Procedure {' / '.join(texts(resource.code))} not known")
        return
    note = " ".join(n.text for n in (resource.note or []) if n.text)
    text = " ".join(texts(resource.code)) + " " + note
    record: dict[str, Any] = {"type": kind}
    if kind == "sij_injection":
        record["purpose"] = "diagnostic" if "diagnostic" in text.lower() else "therapeutic"
        record["image_guided"] = not ("without imaging" in text.lower() or "blind" in text.lower())
    relief, weeks = relief_pct_in(note), clause_duration_weeks(note)
    if relief is not None:
        record["relief_pct"] = relief
    if weeks is not None:
        record["relief_weeks" if kind in ("sij_injection", "rfa") else "weeks"] = weeks
    period = getattr(resource, "performedPeriod", None)
    performed = getattr(resource, "performedDateTime", None) or (period.start if period else None)
    if kind not in ("sij_injection", "rfa") and period is not None:
        record["weeks"] = _weeks(period.start, period.end)
    months = _months_ago(performed)
    if months is not None and kind in ("sij_injection", "rfa", "prolotherapy"):
        record["months_ago"] = months
    outcome = outcome_in(note) if note else None
    if outcome and kind not in ("sij_injection", "rfa"):
        record["outcome"] = outcome
    reading.case.setdefault("treatments", []).append(record)


def _report(resource: Any, reading: FhirReading, where: str) -> None:
    title = " ".join(texts(resource.code))
    conclusion = " ".join(
        [resource.conclusion or ""] + [t for c in (resource.conclusionCode or []) for t in texts(c)]
    )
    findings = [v for _, v, _ in lexicon_match(conclusion, {"FINDING"})]
    modality = modality_in(title) or modality_in(conclusion)
    if not findings or modality is None:
        reading.unmapped.append(f"{where}: DiagnosticReport {title} had no usable finding")
        return
    lowered = title.lower()
    region = (
        "spine"
        if "spine" in lowered or "lumbar" in lowered
        else "hip"
        if "hip" in lowered
        else "pelvis"
        if "pelvis" in lowered
        else "sij"
    )
    study: dict[str, Any] = {
        "modality": modality,
        "region": region,
        "findings": sorted(set(findings)),
    }
    side = laterality_in(conclusion)
    if side:
        study["laterality"] = side
    reading.case.setdefault("imaging", []).append(study)


MAPPERS = {
    "Condition": _condition,
    "Observation": _observation,
    "MedicationStatement": _medication,
    "MedicationRequest": _medication,
    "Procedure": _procedure,
    "DiagnosticReport": _report,
}


def parse_bundle(data: dict[str, Any], field: str = "") -> Any:
    """An R4B Bundle model; invalid FHIR is bad input naming the field."""
    from fhir.resources.R4B.bundle import Bundle

    try:
        return Bundle.model_validate(data)
    except ValidationError as error:
        raise from_validation_error(error, prefix=f"{field}." if field else "") from None


def bundle_to_case(data: dict[str, Any]) -> FhirReading:
    """Read a FHIR R4 Bundle (as JSON) into a Case; invalid FHIR is bad input naming the field."""
    bundle = parse_bundle(data)
    reading = FhirReading()
    for index, entry in enumerate(bundle.entry or []):
        resource, where = entry.resource, f"entry.{index}"
        if resource is None:
            continue
        kind = resource.get_resource_type()
        if kind == "Patient":
            _patient(resource, reading)
        elif kind in MAPPERS:
            MAPPERS[kind](resource, reading, where)
        else:
            reading.unmapped.append(f"{where}: {kind} not used")
    if not reading.case:
        raise BadInput([("entry", "the Bundle holds nothing guidepath can use")])
    return reading
