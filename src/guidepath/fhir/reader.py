"""A FHIR R4 Bundle (JSON) → a guidepath Case, with notes on what was skipped and why.

Each resource guidepath uses is checked against the R4B models first; resources it does not use
are only counted (checking every Claim and Encounter of a Synthea record would cost most of the
time). Reading strictly (a Bundle a user posts) makes an invalid resource bad input naming the
field; reading leniently (an EHR's prefetch) skips it with a note and uses the rest.

Example: a Bundle with a Condition coded ICD-10-CM M45.9 gives ``{"diagnoses": ["M45.9"]}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from guidepath.errors import BadInput
from guidepath.fhir import dates
from guidepath.fhir.collector import Collector
from guidepath.fhir.conditions import read_condition
from guidepath.fhir.medications import read_medication
from guidepath.fhir.observations import read_observation
from guidepath.fhir.procedures import read_procedure, read_report

Reader = Callable[[Mapping[str, Any], Collector, str], None]
READERS: dict[str, Reader] = {
    "Condition": read_condition,
    "Observation": read_observation,
    "MedicationStatement": read_medication,
    "MedicationRequest": read_medication,
    "Procedure": read_procedure,
    "DiagnosticReport": read_report,
}
INDEXED = {"Medication"}  # read only when another resource refers to them


@dataclass
class FhirReading:
    """The Case read from a Bundle, what could not be used (``unmapped``), why the record is in
    guidepath's scope, and which data the EHR could not provide."""

    case: dict[str, Any] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    age: int | None = None


def _entries(data: Any) -> list[Any]:
    if not isinstance(data, Mapping) or data.get("resourceType") != "Bundle":
        raise BadInput([("resourceType", "a FHIR Bundle is expected")])
    entries = data.get("entry", [])
    if not isinstance(entries, list):
        raise BadInput([("entry", "must be a list of Bundle entries")])
    return entries


def _index(entries: list[Any]) -> dict[str, Mapping[str, Any]]:
    """Resources by ``Type/id`` and by full URL, for references."""
    found: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if isinstance(resource, Mapping) and resource.get("id"):
            found[f"{resource.get('resourceType')}/{resource['id']}"] = resource
            if isinstance(entry.get("fullUrl"), str):
                found[entry["fullUrl"]] = resource
    return found


def _patient(resource: Mapping[str, Any], c: Collector) -> None:
    patient: dict[str, Any] = {}
    born = dates.parse(resource.get("birthDate"))
    if born is not None and len(str(resource.get("birthDate"))) >= 10:
        c.born = born
        patient["age"] = dates.age_on(born, dates.today())
    if resource.get("gender") in ("female", "male", "other"):
        patient["sex"] = resource["gender"]
    c.case["patient"] = patient


def _outcome(resource: Mapping[str, Any], c: Collector, where: str) -> None:
    issues = [
        str(i.get("diagnostics") or (i.get("details") or {}).get("text") or i.get("code"))
        for i in resource.get("issue") or []
        if isinstance(i, Mapping)
    ]
    c.unavailable.append(f"{where}: the EHR could not provide this data ({'; '.join(issues)})")


def _finish(c: Collector) -> None:
    c.finish()
    if c.onsets:  # the engine derives the age at onset from the age and this duration
        c.section("pain")["duration_weeks"] = dates.weeks_between(min(c.onsets), None)


def read_bundle(data: Any, strict: bool = True) -> FhirReading:
    """Read a Bundle by the module docstring's rules."""
    entries = _entries(data)
    index = _index(entries)
    c = Collector(
        strict=strict, resolve=lambda ref: index.get(ref) if isinstance(ref, str) else None
    )
    for number, entry in enumerate(entries):
        where = f"entry.{number}"
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(resource, Mapping) or not isinstance(resource.get("resourceType"), str):
            c.note(where, "no resource")
            continue
        kind = resource["resourceType"]
        if kind == "Patient":
            if c.valid(resource, where):
                _patient(resource, c)
        elif kind == "OperationOutcome":
            _outcome(resource, c, where)
        elif kind in READERS:
            READERS[kind](resource, c, where)
        elif kind not in INDEXED:
            c.unused_kind(kind)
    _finish(c)
    age = c.case.get("patient", {}).get("age")
    return FhirReading(c.case, c.notes, c.scope, c.unavailable, age)


def bundle_to_case(data: Any, strict: bool = True) -> FhirReading:
    """Read a Bundle; a Bundle with nothing guidepath can use is bad input."""
    reading = read_bundle(data, strict)
    if not reading.case:
        raise BadInput([("entry", "the Bundle holds nothing guidepath can use")])
    return reading
