"""Read a question into Case facts (contract section 1) and say what was understood.

Entities come from the medspacy pipeline (lexicon target rules, ConText assertions); each is
placed by its assertion (see :mod:`guidepath.language.mentions`): affirmed facts go into the
case, suspected diagnoses into ``suspected``, denied conditions into ``absent``, and treatments
the asker is choosing among or asking about into ``options`` / ``subjects`` rather than history.
Numbers are read clause by clause, so "failed naproxen for 6 weeks" gives the NSAID its weeks
while "pain for 3 months" gives the pain its duration and "relief for six months" neither.
Every inference is listed in ``understood`` so the user can check it.
"""

from __future__ import annotations

import re
from typing import Any

from guidepath.codes.icd10 import canonical
from guidepath.language.clauses import asked_for_a_relative, clauses_of, find_mentions
from guidepath.language.mentions import TREATMENT_LABELS, Mention
from guidepath.language.nlp import compiled_cues
from guidepath.language.patterns import (
    DURATION as DURATION_IN_TEXT,
)
from guidepath.language.patterns import (
    clause_duration_weeks,
    codes_in,
    crp_mg_l,
    esr_mm_h,
    hla_b27_status,
    laterality_in,
    modality_in,
    out_of_range_scores,
    pain_score,
    patient_in,
    provocation_count,
    scores_in,
    split_lettered_options,
)
from guidepath.language.reading import Reading
from guidepath.language.treatments import (
    counted_nsaids,
    difficult_to_treat,
    no_medications_said,
    share_outcomes,
    treatment,
)

__all__ = ["Reading", "read_question"]

LASLETT_ORDER = ["distraction", "thigh_thrust", "compression", "sacral_thrust", "gaenslen"]


SPINE_FINDINGS = {
    "disc_herniation",
    "spinal_stenosis",
    "facet_arthropathy",
    "degenerative_disc_disease",
    "syndesmophytes",
}


NOT_PAIN_DURATION = re.compile(
    r"relie|\bago\b|taper|\bwithin\b|\bafter\b|\bevery\b|\bper\b|"
    r"\bfor (?:a|one|1) year\b.*\b(?:continue|daily)\b|\bpregnan",
    re.I,
)


NOT_PAIN_CLAUSE = re.compile(r"\brelie|\bpregnan|\bcontinue\b", re.I)


def read_question(question: str, pack: str | None = None) -> Reading:
    """The facts of one question (see the module docstring)."""
    reading = Reading()
    stem, lettered = split_lettered_options(" ".join(question.split()))
    mentions = find_mentions(stem, pack)
    asked_for_a_relative(mentions, stem)
    _codes(stem, reading)
    patient = patient_in(stem)
    if patient:
        reading.case["patient"] = patient
    _pain_numbers(stem, mentions, reading)
    _labs(stem, mentions, reading)
    for mention in mentions:
        _place(mention, stem, reading)
    for option in find_mentions(lettered, pack):
        option.assertion = "option"
        _place(option, lettered, reading)
    share_outcomes(reading)
    counted_nsaids(stem, reading)
    no_medications_said(stem, reading)
    _provocation(stem, reading)
    difficult_to_treat(stem, reading)
    _mark_partial_lists(reading)
    reading.hypothetical = bool(
        re.search(r"\bwhat if\b|\bsuppose\b|\bif (?:she|he|they)\b", stem, re.IGNORECASE)
    )
    return reading


def _place(mention: Mention, text: str, reading: Reading) -> None:
    """Send a mention where its assertion says it belongs."""
    if mention.assertion == "family":
        reading.note(f"about a relative, not the patient: {mention.text}")
        return
    if mention.assertion in ("option", "subject") and mention.label in TREATMENT_LABELS | {
        "ACTION"
    }:
        kept = reading.options if mention.assertion == "option" else reading.subjects
        if all(m.value != mention.value for m in kept):
            kept.append(mention)
            reading.note(f"asked about ({mention.assertion}): {mention.text}")
        return
    HANDLERS[mention.label](mention, reading)


def _codes(text: str, reading: Reading) -> None:
    for raw in codes_in(text):
        code = canonical(raw)
        if code and reading.listed("diagnoses", code):
            reading.note(f"ICD-10-CM code {code}")


def _pain_numbers(text: str, mentions: list[Mention], reading: Reading) -> None:
    score = pain_score(text)
    if score is not None:
        reading.case.setdefault("pain", {})["nrs"] = score
        reading.note(f"pain {score:g}/10")
    for written in out_of_range_scores(text):
        reading.note(f"pain score {written} is outside 0-10 and was not used")
    weeks = _pain_duration(text, mentions)
    if weeks is not None:
        reading.case.setdefault("pain", {})["duration_weeks"] = weeks
        reading.note(f"pain for {weeks:g} weeks")


def _pain_duration(text: str, mentions: list[Mention]) -> float | None:
    """The longest duration that belongs to no treatment: not in a treatment's own stretch
    ("naproxen for 6 weeks") or lead ("8 weeks of physical therapy"), nor next to a relief,
    "ago" or course word ("relief lasting 6 months", "3 weeks ago")."""
    taken = [
        (m.start - len(m.lead), m.start + len(m.text) + len(m.own))
        for m in mentions
        if m.label in TREATMENT_LABELS
    ]
    spans = clauses_of(text)
    found = []
    for match in DURATION_IN_TEXT.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue
        window = text[max(0, match.start() - 30) : match.end() + 6]
        clause = next((text[a:b] for a, b in spans if a <= match.start() < b), "")
        if NOT_PAIN_DURATION.search(window) or NOT_PAIN_CLAUSE.search(clause):
            continue
        weeks = clause_duration_weeks(match.group(0))
        if weeks is not None:
            found.append(weeks)
    return max(found) if found else None


def _labs(text: str, mentions: list[Mention], reading: Reading) -> None:
    """HLA-B27 from the words beside its mention; CRP and ESR when a value is written."""
    for mention in mentions:
        if mention.label != "LAB" or mention.assertion == "family":
            continue
        window = text[mention.start : mention.start + len(mention.text) + 25]
        status = hla_b27_status(window) or hla_b27_status(mention.before[-20:])
        if status:
            reading.case.setdefault("labs", {})["hla_b27"] = status
            reading.note(f"HLA-B27 {status} (lab)")
    for name, value in scores_in(text).items():
        reading.case.setdefault("scores", {})[name] = value
        reading.note(f"{name.replace('_', '-').upper()} {value:g} (score)")
    crp, esr = crp_mg_l(text), esr_mm_h(text)
    if crp is not None and crp <= 500:
        reading.case.setdefault("labs", {})["crp_mg_l"] = crp
        reading.note(f"CRP {crp:g} mg/L (lab)")
    if esr is not None and esr <= 200:
        reading.case.setdefault("labs", {})["esr_mm_h"] = esr
        reading.note(f"ESR {esr:g} mm/h (lab)")


def _diagnosis(mention: Mention, reading: Reading) -> None:
    if mention.assertion == "negated":
        reading.note(f"not {mention.text}")
        return
    if (
        mention.value == "M46.1"
        and modality_in(mention.clause)
        and any(cue.search(mention.clause) for cue in compiled_cues()[4])
    ):
        _imaging(mention, "sacroiliitis", reading)
        return
    if mention.assertion == "possible" and mention.type:
        if reading.listed("suspected", mention.type):
            reading.note(f"{mention.type.replace('_', ' ')} suspected, not confirmed")
        return
    codes = reading.case.setdefault("diagnoses", [])
    if mention.value not in codes and not any(c.startswith(mention.value[:3]) for c in codes):
        codes.append(mention.value)
        reading.note(f"diagnosis {mention.value} ({mention.text})")


def _condition(mention: Mention, reading: Reading) -> None:
    if mention.assertion == "negated":
        if reading.listed("absent", mention.value):
            reading.note(f"no {mention.words}")
        return
    if mention.assertion == "possible":
        reading.note(f"{mention.words} possible, not confirmed (not used)")
        return
    if reading.listed("conditions", mention.value):
        reading.note(f"condition: {mention.words}")


def _red_flag(mention: Mention, reading: Reading) -> None:
    value = mention.value
    if mention.assertion == "negated":
        if value == "any":
            reading.case["red_flags"] = []
            reading.note("no red flags")
        elif reading.listed("absent", value):
            reading.note(f"no {mention.words}")
        return
    if mention.assertion == "possible" or value == "any":
        return
    if reading.listed("red_flags", value):
        reading.note(f"red flag: {mention.words}")


def _test(mention: Mention, reading: Reading) -> None:
    if mention.value == "provocation":
        return
    tests = reading.case.setdefault("exam", {}).setdefault("provocation_tests", {})
    positive = mention.assertion != "negated" and not re.search(
        r"\bnegative\b", mention.clause, re.IGNORECASE
    )
    tests[mention.value] = positive
    reading.note(f"{mention.words} test {'positive' if positive else 'negative'}")


def _finding(mention: Mention, reading: Reading) -> None:
    if mention.assertion == "negated":
        reading.note(f"no {mention.words} on imaging")
        return
    if mention.value == "normal" and not (
        modality_in(mention.clause) or re.search(r"imaging|scan|film", mention.clause, re.I)
    ):
        return  # "peripheral joints are normal" is an examination, not imaging
    _imaging(mention, mention.value, reading)


def _imaging(mention: Mention, finding: str, reading: Reading) -> None:
    """One imaging finding with the modality, region and side its clause names."""
    clause = mention.clause
    modality = modality_in(clause) or (
        "mri" if finding in SPINE_FINDINGS | {"bone_marrow_edema"} else "xray"
    )
    regions = _regions(clause, finding)
    for region in regions:
        study: dict[str, Any] = {"modality": modality, "region": region, "findings": [finding]}
        side = laterality_in(clause)
        if side:
            study["laterality"] = side
        if study not in reading.case.get("imaging", []):
            reading.case.setdefault("imaging", []).append(study)
            reading.note(
                f"{modality} {region}: {finding.replace('_', ' ')}" + (f" ({side})" if side else "")
            )


def _regions(clause: str, finding: str) -> list[str]:
    lowered = clause.lower()
    if finding in SPINE_FINDINGS:
        return ["spine"]
    if finding == "hip_osteoarthritis":
        return ["hip"]
    named = [
        region
        for region, pattern in (
            ("spine", r"\b(?:spine|lumbar|cervical|thoracic)\b"),
            ("hip", r"\bhips?\b"),
            ("sij", r"\bsacroiliac|\bsi joints?\b|\bsij\b|\bpelvis\b"),
        )
        if re.search(pattern, lowered)
    ]
    return named or ["sij"]


def _symptom(mention: Mention, reading: Reading) -> None:
    pain = reading.case.setdefault("pain", {})
    negated = mention.assertion == "negated"
    if mention.value == "chronic":
        if not negated and "duration_weeks" not in pain:
            pain["duration_weeks"] = 13
            reading.note("chronic pain: at least 3 months (13 weeks)")
        return
    if mention.assertion == "possible":
        reading.note(f"{mention.words} suspected, not confirmed (not used)")
        return
    pain[mention.value] = not negated
    reading.note(f"{'no ' if negated else ''}{mention.words}")


def _site(mention: Mention, reading: Reading) -> None:
    if mention.assertion == "negated":
        return
    sites = reading.case.setdefault("pain", {}).setdefault("sites", [])
    if mention.value not in sites:
        sites.append(mention.value)
        reading.note(f"pain site: {mention.words}")


def _ignore(mention: Mention, reading: Reading) -> None:
    """LAB mentions are read with their values in :func:`_labs`."""


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


def _mark_partial_lists(reading: Reading) -> None:
    """A question names some conditions, red flags and treatments, not a full review: those it
    does not name stay unknown (``partial_lists``), unless it says "no red flags" or "no
    medications"."""
    partial = [key for key in ("conditions", "red_flags", "treatments") if reading.case.get(key)]
    if partial:
        reading.case["partial_lists"] = partial


HANDLERS = {
    "DIAGNOSIS": _diagnosis,
    "CONDITION": _condition,
    "RED_FLAG": _red_flag,
    "DRUG": treatment,
    "TREATMENT": treatment,
    "TEST": _test,
    "FINDING": _finding,
    "SYMPTOM": _symptom,
    "SITE": _site,
    "LAB": _ignore,
    "ACTION": _ignore,
}
