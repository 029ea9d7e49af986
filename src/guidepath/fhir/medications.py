"""MedicationStatement / MedicationRequest → treatment courses and drug-documented conditions.

- The drug: ``medicationCodeableConcept`` or the Medication that ``medicationReference`` names
  (in the Bundle, or contained), by RxNorm code from the pack or by its RxNorm name.
- Status: not-taken, intended and entered-in-error statements, draft, cancelled and
  entered-in-error requests, and proposals or plans are skipped: they say nothing was taken.
- Duration from the effective period (statements) or the dosage bounds, dispense validity or
  authored date (requests); an active one runs to today. Several records of one drug are one
  course (their weeks added up). The outcome is read from the notes and the status reason.
- An anticoagulant on an active record documents ``anticoagulation``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from guidepath.fhir import dates
from guidepath.fhir.collector import Collector
from guidepath.fhir.concepts import drug_of, lexicon_match, name, texts
from guidepath.knowledge.loader import value_sets
from guidepath.language.patterns import outcome_in

CLASS_AGENTS = {"nsaid", "tnfi", "il17i", "jaki", "biologic"}


Resolve = Callable[[Any], Mapping[str, Any] | None]


def medication_concept(
    resource: Mapping[str, Any], resolve: Resolve = lambda reference: None
) -> Mapping[str, Any] | None:
    """The drug of a medication resource: inline, or the code of the Medication its
    ``medicationReference`` names (contained, else found by ``resolve``)."""
    concept = resource.get("medicationCodeableConcept")
    if isinstance(concept, Mapping):
        return concept
    reference = (resource.get("medicationReference") or {}).get("reference")
    medication = _contained(resource, reference) or resolve(reference)
    return medication.get("code") if medication else None


def _contained(resource: Mapping[str, Any], reference: Any) -> Mapping[str, Any] | None:
    if not isinstance(reference, str) or not reference.startswith("#"):
        return None
    for item in resource.get("contained") or []:
        if isinstance(item, Mapping) and item.get("id") == reference[1:]:
            return item
    return None


def _skipped(resource: Mapping[str, Any]) -> str | None:
    rules = value_sets().fhir
    status = resource.get("status")
    if resource.get("resourceType") == "MedicationStatement":
        return status if status in rules.medication_statement_skip else None
    if status in rules.medication_request_skip:
        return str(status)
    intent = resource.get("intent")
    return f"a {intent}" if intent in rules.medication_request_intent_skip else None


def _span(resource: Mapping[str, Any]) -> tuple[Any, Any]:
    if resource.get("resourceType") == "MedicationStatement":
        period = resource.get("effectivePeriod") or {}
        start = dates.parse(period.get("start") or resource.get("effectiveDateTime"))
        return start, dates.parse(period.get("end"))
    for dosage in resource.get("dosageInstruction") or []:
        bounds = ((dosage.get("timing") or {}).get("repeat") or {}).get("boundsPeriod") or {}
        if bounds.get("start"):
            return dates.parse(bounds["start"]), dates.parse(bounds.get("end"))
    validity = (resource.get("dispenseRequest") or {}).get("validityPeriod") or {}
    start = dates.parse(validity.get("start") or resource.get("authoredOn"))
    return start, dates.parse(validity.get("end"))


def _weeks(resource: Mapping[str, Any]) -> float | None:
    start, end = _span(resource)
    if end is None and resource.get("status") != "active":
        return None  # stopped or completed without an end date: the length is not documented
    return dates.weeks_between(start, end)


def _outcome(resource: Mapping[str, Any]) -> str | None:
    written = [n.get("text", "") for n in resource.get("note") or [] if isinstance(n, Mapping)]
    for reason in (
        resource.get("statusReason") or []
        if isinstance(resource.get("statusReason"), list)
        else [resource.get("statusReason")]
    ):
        written += texts(reason)
    text = " ".join(str(w) for w in written if w)
    return outcome_in(text) if text else None


def read_medication(resource: Mapping[str, Any], c: Collector, where: str) -> None:
    """Read one MedicationStatement or MedicationRequest into the collector."""
    concept = medication_concept(resource, c.resolve)
    drug = drug_of(concept)
    anticoagulant = any(
        v == "anticoagulation" for _, v, _ in lexicon_match(" ".join(texts(concept)), {"CONDITION"})
    )
    if drug is None and not anticoagulant:
        c.unused_kind(str(resource.get("resourceType")))
        return
    skipped = _skipped(resource)
    if skipped:
        c.note(where, f"{resource.get('resourceType')} {name(concept)} is {skipped}, not used")
        return
    if not c.valid(resource, where):
        return
    if drug is None:
        if resource.get("status") == "active":
            c.add("conditions", "anticoagulation")
        return
    _course(resource, c, *drug)


def _course(resource: Mapping[str, Any], c: Collector, agent: str, kind: str) -> None:
    course = c.courses.setdefault(agent, {"type": kind})
    if agent not in CLASS_AGENTS:
        course["agent"] = agent
    weeks = _weeks(resource)
    if weeks is not None:
        course["weeks"] = round(course.get("weeks", 0.0) + weeks, 1)
    outcome = _outcome(resource)
    if outcome:
        course["outcome"] = outcome
    if resource.get("status") == "active":
        course["current"] = True
