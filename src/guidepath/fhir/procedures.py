"""Procedure → SI joint procedures and other treatments; DiagnosticReport → imaging studies.

- Procedures by code: CPT/HCPCS from the pack (``27096`` is an image-guided SI joint injection);
  LOINC image-guidance codes that name the SI joint. A procedure coded in another terminology that
  is not in the pack's sets is not guessed from its words, except a lumbar fusion (a documented
  condition). Free-text procedures are read through the lexicon, and an injection, RFA or fusion
  only when the text names the SI joint and no other site (facet, epidural, intramuscular...).
- Only completed or in-progress procedures count. Image guidance is taken from the code or the
  text ("fluoroscopic", "CT-guided"; "blind", "landmark" for unguided), else left unknown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from guidepath.fhir import dates
from guidepath.fhir.collector import Collector
from guidepath.fhir.concepts import (
    CPT,
    LOINC,
    codes,
    lexicon_match,
    name,
    names_site,
    standard_coded,
    texts,
)
from guidepath.knowledge.loader import value_sets
from guidepath.language.patterns import (
    clause_duration_weeks,
    laterality_in,
    modality_in,
    outcome_in,
    relief_pct_in,
)

SITE_BOUND = {"sij_injection", "rfa", "sij_fusion", "prolotherapy", "prp"}
GUIDED = re.compile(r"fluorosc|ct[- ]guided|image[- ]guided|imaging guidance|ultrasound[- ]guided")
UNGUIDED = re.compile(r"without imaging|blind|landmark|unguided|palpation[- ]guided")


def procedure_type(concept: Mapping[str, Any] | None) -> str | None:
    """The case treatment type of a procedure or order concept, by the module docstring's rules."""
    sets = value_sets()
    for code in codes(concept, CPT):
        if code in sets.cpt:
            return sets.cpt[code]
    if set(codes(concept, LOINC)) & set(sets.loinc.sij_injection_guidance):
        return "sij_injection"
    if standard_coded(concept):
        return None
    text = " ".join(texts(concept))
    for _, value, _ in lexicon_match(text, {"TREATMENT"}):
        if value == "conservative":
            continue
        if value in SITE_BOUND and not names_site(text):
            continue
        return value
    return None


def injection_purpose(text: str) -> str:
    """Diagnostic when the record calls it diagnostic or a block, else therapeutic."""
    return "diagnostic" if re.search(r"diagnostic|block", text, re.I) else "therapeutic"


def image_guided(concept: Mapping[str, Any] | None, text: str) -> bool | None:
    """Whether an injection was image-guided: by code, else as the text says, else unknown."""
    sets = value_sets()
    if set(codes(concept, CPT)) & set(sets.cpt_image_guided):
        return True
    if set(codes(concept, LOINC)) & set(sets.loinc.sij_injection_guidance):
        return True
    lowered = text.lower()
    if UNGUIDED.search(lowered):
        return False
    return True if GUIDED.search(lowered) else None


def _lumbar_fusion(concept: Mapping[str, Any] | None) -> bool:
    text = " ".join(texts(concept))
    return any(v == "prior_lumbar_fusion" for _, v, _ in lexicon_match(text, {"CONDITION"}))


def _performed(resource: Mapping[str, Any]) -> tuple[Any, Any]:
    period = resource.get("performedPeriod") or {}
    start = dates.parse(resource.get("performedDateTime") or period.get("start"))
    return start, dates.parse(period.get("end"))


def read_procedure(resource: Mapping[str, Any], c: Collector, where: str) -> None:
    """Read one Procedure into the collector."""
    concept = resource.get("code")
    kind = procedure_type(concept)
    fusion = kind is None and _lumbar_fusion(concept)
    if kind is None and not fusion:
        c.unused_kind("Procedure")
        return
    if not c.usable(resource, where, name(concept), value_sets().fhir.procedure_usable):
        return
    if fusion:
        c.add("conditions", "prior_lumbar_fusion")
        return
    assert kind is not None
    if kind in value_sets().scope.procedures:
        c.scope.append(f"{where}: {name(concept)}")
    c.case.setdefault("treatments", []).append(_record(resource, concept, kind))


def _record(resource: Mapping[str, Any], concept: Any, kind: str) -> dict[str, Any]:
    note = " ".join(str(n.get("text", "")) for n in resource.get("note") or [])
    text = " ".join(texts(concept)) + " " + note
    record: dict[str, Any] = {"type": kind}
    if kind == "sij_injection":
        record["purpose"] = injection_purpose(text)
        guided = image_guided(concept, text)
        if guided is not None:
            record["image_guided"] = guided
    relief, weeks = relief_pct_in(note), clause_duration_weeks(note)
    if relief is not None:
        record["relief_pct"] = relief
    interventional = kind in ("sij_injection", "rfa")
    if weeks is not None:
        record["relief_weeks" if interventional else "weeks"] = weeks
    start, end = _performed(resource)
    if not interventional and end is not None:
        record["weeks"] = dates.weeks_between(start, end)
    if kind in ("sij_injection", "rfa", "prolotherapy") and start is not None:
        record["months_ago"] = dates.months_ago(start)
    outcome = outcome_in(note) if note else None
    if outcome and not interventional:
        record["outcome"] = outcome
    return record


REGION_WORDS = (("spine", "spine"), ("lumbar", "spine"), ("hip", "hip"), ("pelvis", "pelvis"))


def _region(title: str, loinc: set[str]) -> str | None:
    """The region a study images: by LOINC code, else by the words of its title; a study of no
    region guidepath reads (a chest X-ray) has none."""
    if loinc & set(value_sets().loinc.sij_imaging):
        return "sij"
    lowered = title.lower()
    if any(word in lowered for word in value_sets().record_text.site_words):
        return "sij"
    return next((region for word, region in REGION_WORDS if word in lowered), None)


def read_report(resource: Mapping[str, Any], c: Collector, where: str) -> None:
    """Read one DiagnosticReport (an imaging study) into the collector."""
    title = " ".join(texts(resource.get("code")))
    conclusion = " ".join(
        [str(resource.get("conclusion") or "")]
        + [t for concept in resource.get("conclusionCode") or [] for t in texts(concept)]
    )
    findings = sorted({v for _, v, _ in lexicon_match(conclusion, {"FINDING"})})
    modality = modality_in(title) or modality_in(conclusion)
    region = _region(title, set(codes(resource.get("code"), LOINC)))
    if not findings or modality is None or region is None:
        c.unused_kind("DiagnosticReport")
        return
    if not c.usable(resource, where, title, value_sets().fhir.report_usable):
        return
    study: dict[str, Any] = {
        "modality": modality,
        "region": region,
        "findings": findings,
    }
    side = laterality_in(conclusion)
    if side:
        study["laterality"] = side
    c.case.setdefault("imaging", []).append(study)
