"""Condition → diagnoses, conditions, red flags and back-pain onset.

- Codes first: ICD-10-CM through the pack's track, scope and implied-condition sets; SNOMED CT
  through the pack's verified SNOMED sets. A coded concept not in these sets is read by name only
  for SI joint and axSpA diagnoses (their names are specific); other names of a coded concept are
  not guessed at. An uncoded concept (text only) is read by name through the lexicon.
- Status: refuted and entered-in-error Conditions are skipped; resolved, inactive and in
  remission ones are skipped except as history of cancer; unconfirmed, provisional and
  differential diagnoses become ``suspected``.
- Only an in-scope condition's onset (back pain, SI joint, axSpA) dates the pain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from guidepath.codes.icd10 import canonical, icd10_matches
from guidepath.engine.phenotype import code_conditions, code_red_flags, code_track
from guidepath.fhir import dates
from guidepath.fhir.collector import Collector
from guidepath.fhir.concepts import (
    ICD10,
    SNOMED,
    codes,
    codings,
    lexicon_match,
    name,
    snomed_key,
    standard_coded,
    texts,
)
from guidepath.knowledge.loader import value_sets

CLINICAL = frozenset({"http://terminology.hl7.org/CodeSystem/condition-clinical"})
VERIFICATION = frozenset({"http://terminology.hl7.org/CodeSystem/condition-ver-status"})
SUSPICION = {"inflammatory": "axial_spondyloarthritis", "mechanical": "sacroiliac_joint_pain"}


@dataclass
class Meaning:
    """What a condition's code or name documents."""

    diagnoses: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    red_flags: list[str] = field(default_factory=list)
    radicular: bool = False
    in_scope: bool = False

    def __bool__(self) -> bool:
        found = self.diagnoses or self.conditions or self.red_flags
        return bool(found or self.radicular or self.in_scope)


def _icd10(raw: str, meaning: Meaning) -> None:
    code = canonical(raw)
    if code is None:
        return
    icd = value_sets().icd10cm
    scoped = code_track(code) is not None or icd10_matches(code, icd.in_scope)
    radicular = icd10_matches(code, icd.implies_radicular)
    if scoped or radicular:
        meaning.diagnoses.append(code)
        meaning.in_scope = meaning.in_scope or scoped
    meaning.radicular = meaning.radicular or radicular
    meaning.conditions.extend(code_conditions(code))
    meaning.red_flags.extend(code_red_flags(code))


def _snomed(code: str, meaning: Meaning) -> None:
    sets = value_sets().snomed
    if code in sets.diagnoses:
        meaning.diagnoses.append(sets.diagnoses[code])
        meaning.in_scope = True
    meaning.in_scope = meaning.in_scope or code in sets.in_scope
    meaning.radicular = meaning.radicular or code in sets.radicular
    meaning.conditions.extend(snomed_key(code, sets.conditions))
    meaning.red_flags.extend(snomed_key(code, sets.red_flags))


def _by_name(concept: Mapping[str, Any] | None, labels: set[str], meaning: Meaning) -> None:
    for text in texts(concept):
        for label, value, _ in lexicon_match(text, labels):
            if label == "DIAGNOSIS":
                meaning.diagnoses.append(value)
                meaning.in_scope = True
            elif label == "CONDITION":
                meaning.conditions.append(value)
            elif label == "RED_FLAG" and value != "any":
                meaning.red_flags.append(value)
            elif label == "SYMPTOM" and value == "radicular":
                meaning.radicular = True


def meaning_of(concept: Mapping[str, Any] | None) -> Meaning:
    """What a Condition's code documents, by the rules in the module docstring."""
    meaning = Meaning()
    for raw in codes(concept, ICD10):
        _icd10(raw, meaning)
    for code in codes(concept, SNOMED):
        _snomed(code, meaning)
    if not meaning and not standard_coded(concept):
        _by_name(concept, {"DIAGNOSIS", "CONDITION", "RED_FLAG", "SYMPTOM"}, meaning)
    elif not meaning.diagnoses:
        _by_name(concept, {"DIAGNOSIS"}, meaning)
    return meaning


def _status(concept: Any, systems: frozenset[str]) -> str | None:
    """The status code, from its FHIR code system or, leniently, from any coding."""
    found = codes(concept, systems) or [str(c.get("code")) for c in codings(concept)]
    return found[0] if found else None


def _onset(resource: Mapping[str, Any]) -> Any:
    period = resource.get("onsetPeriod") or {}
    return dates.parse(resource.get("onsetDateTime") or period.get("start"))


def read_condition(resource: Mapping[str, Any], c: Collector, where: str) -> None:
    """Read one Condition into the collector."""
    rules = value_sets().fhir
    label = name(resource.get("code"))
    verification = _status(resource.get("verificationStatus"), VERIFICATION)
    if verification in rules.condition_verification_skip:
        c.note(where, f"Condition {label} is {verification}, not used")
        return
    meaning = meaning_of(resource.get("code"))
    if not meaning:
        c.unused_kind("Condition")
        return
    if not c.valid(resource, where):
        return
    clinical = _status(resource.get("clinicalStatus"), CLINICAL)
    if clinical in rules.condition_clinical_skip:
        for flag in meaning.red_flags:  # a past cancer stays a history of cancer
            c.add("red_flags", flag)
        c.note(where, f"Condition {label} is {clinical}; only a history of cancer is kept")
        return
    if verification in rules.condition_verification_suspected:
        _suspected(meaning, c, where, label, verification)
        return
    _record(meaning, resource, c, where, label)


def _suspected(meaning: Meaning, c: Collector, where: str, label: str, status: str) -> None:
    for code in meaning.diagnoses:
        track = code_track(code)
        if track in SUSPICION:
            c.add("suspected", SUSPICION[track])
    if meaning.in_scope:
        c.scope.append(f"{where}: {label} ({status})")
    c.note(where, f"Condition {label} is {status}: read as suspected, not established")


def _record(
    meaning: Meaning, resource: Mapping[str, Any], c: Collector, where: str, label: str
) -> None:
    for code in meaning.diagnoses:
        c.add("diagnoses", code)
    for condition in meaning.conditions:
        c.add("conditions", condition)
    for flag in meaning.red_flags:
        c.add("red_flags", flag)
    if meaning.radicular:
        c.section("pain")["radicular"] = True
    if meaning.in_scope:
        c.scope.append(f"{where}: {label}")
        onset = _onset(resource)
        if onset is not None:
            c.onsets.append(onset)
