"""Read a question into Case facts (contract section 1) and say what was understood.

Entities come from the medspacy pipeline (lexicon target rules, ConText negation); numbers come
from patterns read clause by clause, so "failed naproxen for 6 weeks" gives the NSAID its weeks
while "pain for 3 months" gives the pain its duration. Every inference is listed in
``understood`` so the user can check it, e.g. "conservative treatment failed → NSAID and physical
therapy counted as failed for the duration of the pain".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from guidepath.codes.icd10 import canonical
from guidepath.language.nlp import pipeline
from guidepath.language.patterns import (
    clause_duration_weeks,
    codes_in,
    laterality_in,
    modality_in,
    outcome_in,
    pain_score,
    patient_in,
    provocation_count,
    relief_pct_in,
)

LASLETT_ORDER = ["distraction", "thigh_thrust", "compression", "sacral_thrust", "gaenslen"]
SPINE_FINDINGS = {"disc_herniation", "spinal_stenosis", "facet_arthropathy"}
CLAUSE_SPLIT = re.compile(
    r"[.;!?]|,\s*(?=(?:and|but|then|with|who|history|no)\b)"
    r"|\band\b(?= (?:then|later|has|had|failed|never|lost))"
)
DIFFICULT = re.compile(r"difficult[- ]to[- ]treat|refractory|treatment[- ]resistant")


@dataclass
class Reading:
    """What a question says: the Case facts and a readable list of what was understood."""

    case: dict[str, Any] = field(default_factory=dict)
    understood: list[str] = field(default_factory=list)
    hypothetical: bool = False

    def note(self, text: str) -> None:
        if text not in self.understood:
            self.understood.append(text)


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in CLAUSE_SPLIT.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _clause_of(spans: list[tuple[int, int]], position: int) -> tuple[int, int]:
    return next(((a, b) for a, b in spans if a <= position < b), spans[-1])


def read_question(question: str, pack: str | None = None) -> Reading:
    """The facts of one question (see the module docstring)."""
    reading = Reading()
    text = " ".join(question.split())
    doc = pipeline(pack) if pack else pipeline()
    parsed = doc(text)
    spans = _clauses(text)
    _codes(text, reading)
    patient = patient_in(text)
    if patient:
        reading.case["patient"] = patient
    _pain_numbers(text, spans, parsed, reading)
    for entity in parsed.ents:
        _entity(entity, text, spans, reading)
    _provocation(text, reading)
    _difficult_to_treat(text, reading)
    reading.hypothetical = bool(
        re.search(r"\bwhat if\b|\bsuppose\b|\bif (?:she|he|they)\b", text, re.IGNORECASE)
    )
    return reading


def _codes(text: str, reading: Reading) -> None:
    for raw in codes_in(text):
        code = canonical(raw)
        if code and code not in reading.case.setdefault("diagnoses", []):
            reading.case["diagnoses"].append(code)
            reading.note(f"ICD-10-CM code {code}")


def _pain_numbers(text: str, spans: list[tuple[int, int]], parsed: Any, reading: Reading) -> None:
    score = pain_score(text)
    if score is not None:
        reading.case.setdefault("pain", {})["nrs"] = score
        reading.note(f"pain {score:g}/10")
    treated = {
        _clause_of(spans, e.start_char) for e in parsed.ents if e.label_ in ("DRUG", "TREATMENT")
    }
    for span in spans:
        if span in treated:
            continue
        weeks = clause_duration_weeks(text[span[0] : span[1]])
        if weeks is not None:
            pain = reading.case.setdefault("pain", {})
            pain["duration_weeks"] = max(weeks, pain.get("duration_weeks", 0))
            reading.note(f"pain for {pain['duration_weeks']:g} weeks")


def _entity(entity: Any, text: str, spans: list[tuple[int, int]], reading: Reading) -> None:
    meta = entity._.target_rule.metadata
    clause_span = _clause_of(spans, entity.start_char)
    clause = text[clause_span[0] : clause_span[1]]
    negated = bool(entity._.is_negated)
    handler = HANDLERS[entity.label_]
    handler(meta, clause, negated, reading)


def _diagnosis(meta: dict[str, Any], clause: str, negated: bool, reading: Reading) -> None:
    if negated:
        reading.note(f"not {meta['value']}")
        return
    codes = reading.case.setdefault("diagnoses", [])
    if meta["value"] not in codes and not any(c.startswith(meta["value"][:3]) for c in codes):
        codes.append(meta["value"])
        reading.note(f"diagnosis {meta['value']}")


def _condition(meta: dict[str, Any], clause: str, negated: bool, reading: Reading) -> None:
    if negated:
        reading.note(f"no {meta['value'].replace('_', ' ')}")
        return
    conditions = reading.case.setdefault("conditions", [])
    if meta["value"] not in conditions:
        conditions.append(meta["value"])
        reading.note(f"condition: {meta['value'].replace('_', ' ')}")


def _red_flag(meta: dict[str, Any], clause: str, negated: bool, reading: Reading) -> None:
    value = meta["value"]
    if negated:
        if value == "any":
            reading.case["red_flags"] = []
        reading.note(f"no {'red flags' if value == 'any' else value.replace('_', ' ')}")
        return
    if value != "any":
        flags = reading.case.setdefault("red_flags", [])
        if value not in flags:
            flags.append(value)
            reading.note(f"red flag: {value.replace('_', ' ')}")


def _treatment_record(meta: dict[str, Any], clause: str) -> dict[str, Any]:
    record: dict[str, Any] = {"type": meta.get("type") or meta["value"]}
    if meta["label"] == "DRUG" and meta["value"] not in (
        "nsaid",
        "tnfi",
        "il17i",
        "jaki",
        "biologic",
    ):
        record["agent"] = meta["value"]
    relief = relief_pct_in(clause)
    weeks = clause_duration_weeks(clause)
    if record["type"] in ("sij_injection", "rfa"):
        if "diagnostic" in clause.lower() or "block" in clause.lower():
            record["purpose"] = "diagnostic" if record["type"] == "sij_injection" else None
        elif record["type"] == "sij_injection":
            record["purpose"] = "therapeutic"
        if relief is not None:
            record["relief_pct"] = relief
        if weeks is not None and "relief" in clause.lower():
            record["relief_weeks"] = weeks
    elif weeks is not None:
        record["weeks"] = weeks
    outcome = outcome_in(clause)
    if outcome:
        record["outcome"] = outcome
    return {k: v for k, v in record.items() if v is not None}


def _treatment(meta: dict[str, Any], clause: str, negated: bool, reading: Reading) -> None:
    """A treatment and how it went. "Has not responded to X" is about X's result, so a negation
    cue in a clause that states an outcome does not make X absent."""
    if negated and outcome_in(clause) is None:
        reading.note(f"no {meta['value'].replace('_', ' ')}")
        return
    if meta["value"] == "conservative":
        _conservative_failed(clause, reading)
        return
    record = _treatment_record(meta, clause)
    treatments = reading.case.setdefault("treatments", [])
    same = [
        t
        for t in treatments
        if t["type"] == record["type"] and t.get("agent") == record.get("agent")
    ]
    if same:
        same[0].update(record)
        return
    treatments.append(record)
    reading.note("treatment: " + ", ".join(f"{k} {v}" for k, v in record.items()))


def _conservative_failed(clause: str, reading: Reading) -> None:
    """'Failed conservative treatment' → an NSAID and physical therapy, both failed, for the
    stated treatment time or else the pain's duration (left unknown when neither is given)."""
    outcome = outcome_in(clause) or "inadequate"
    weeks = clause_duration_weeks(clause) or reading.case.get("pain", {}).get("duration_weeks")
    for kind in ("nsaid", "physical_therapy"):
        record: dict[str, Any] = {"type": kind, "outcome": outcome}
        if weeks is not None:
            record["weeks"] = weeks
        reading.case.setdefault("treatments", []).append(record)
    span = f" for {weeks:g} weeks" if weeks is not None else ""
    reading.note(f"conservative care (NSAID and physical therapy) {outcome}{span}")


def _test(meta: dict[str, Any], clause: str, negated: bool, reading: Reading) -> None:
    if meta["value"] == "provocation":
        return
    tests = reading.case.setdefault("exam", {}).setdefault("provocation_tests", {})
    positive = not negated and not re.search(r"\bnegative\b", clause, re.IGNORECASE)
    tests[meta["value"]] = positive
    reading.note(f"{meta['value'].replace('_', ' ')} test {'positive' if positive else 'negative'}")


def _finding(meta: dict[str, Any], clause: str, negated: bool, reading: Reading) -> None:
    if negated:
        reading.note(f"no {meta['value'].replace('_', ' ')} on imaging")
        return
    finding = meta["value"]
    modality = modality_in(clause) or (
        "mri" if finding in SPINE_FINDINGS | {"bone_marrow_edema"} else "xray"
    )
    lowered = clause.lower()
    if finding in SPINE_FINDINGS or re.search(r"\b(spine|lumbar)\b", lowered):
        region = "spine"
    elif finding == "hip_osteoarthritis" or re.search(r"\bhip\b", lowered):
        region = "hip"
    else:
        region = "sij"
    study: dict[str, Any] = {"modality": modality, "region": region, "findings": [finding]}
    side = laterality_in(clause)
    if side:
        study["laterality"] = side
    reading.case.setdefault("imaging", []).append(study)
    reading.note(
        f"{modality} {region}: {finding.replace('_', ' ')}" + (f" ({side})" if side else "")
    )


def _symptom(meta: dict[str, Any], clause: str, negated: bool, reading: Reading) -> None:
    pain = reading.case.setdefault("pain", {})
    if meta["value"] == "chronic":
        if not negated and "duration_weeks" not in pain:
            pain["duration_weeks"] = 13
            reading.note("chronic pain: at least 3 months (13 weeks)")
        return
    pain[meta["value"]] = not negated
    reading.note(f"{'no ' if negated else ''}{meta['value'].replace('_', ' ')}")


def _site(meta: dict[str, Any], clause: str, negated: bool, reading: Reading) -> None:
    if negated:
        return
    sites = reading.case.setdefault("pain", {}).setdefault("sites", [])
    if meta["value"] not in sites:
        sites.append(meta["value"])
        reading.note(f"pain site: {meta['value'].replace('_', ' ')}")


def _provocation(text: str, reading: Reading) -> None:
    count = provocation_count(text)
    if count is None:
        return
    tests = reading.case.setdefault("exam", {}).setdefault("provocation_tests", {})
    named_positive = sum(1 for v in tests.values() if v)
    for name in LASLETT_ORDER:
        if named_positive >= count:
            break
        if name not in tests:
            tests[name] = True
            named_positive += 1
    reading.note(
        f"{count} positive provocation tests (recorded as the first {count} Laslett tests)"
    )


def _difficult_to_treat(text: str, reading: Reading) -> None:
    """'Difficult-to-treat' axSpA is read as NSAIDs and a TNF inhibitor having failed."""
    if not DIFFICULT.search(text) or not re.search(r"spondyl|axspa|sacroiliitis", text, re.I):
        return
    treatments = reading.case.setdefault("treatments", [])
    kinds = {t["type"] for t in treatments}
    if "nsaid" not in kinds:
        treatments.append({"type": "nsaid", "outcome": "inadequate", "weeks": 4})
    if "tnfi" not in kinds:
        treatments.append({"type": "tnfi", "outcome": "inadequate"})
    reading.note("difficult to treat: NSAIDs and a TNF inhibitor counted as failed")


HANDLERS = {
    "DIAGNOSIS": _diagnosis,
    "CONDITION": _condition,
    "RED_FLAG": _red_flag,
    "DRUG": _treatment,
    "TREATMENT": _treatment,
    "TEST": _test,
    "FINDING": _finding,
    "SYMPTOM": _symptom,
    "SITE": _site,
}
