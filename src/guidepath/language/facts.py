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

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from guidepath.codes.icd10 import canonical
from guidepath.language.mentions import (
    LEADING_INTO_NEXT,
    TREATMENT_LABELS,
    Mention,
    mention_of,
)
from guidepath.language.nlp import pipeline
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
    no_medications,
    nsaid_count,
    out_of_range_scores,
    outcome_in,
    pain_score,
    patient_in,
    provocation_count,
    relief_pct_in,
    scores_in,
    split_lettered_options,
)

LASLETT_ORDER = ["distraction", "thigh_thrust", "compression", "sacral_thrust", "gaenslen"]
SPINE_FINDINGS = {
    "disc_herniation",
    "spinal_stenosis",
    "facet_arthropathy",
    "degenerative_disc_disease",
    "syndesmophytes",
}
CLAUSE_SPLIT = re.compile(
    r"[.;!?](?=\s|$)|,\s*(?=(?:but|then|who|history|no|without)\b)"
    r"|\band\b(?= (?:then|later|has|had|failed|never|lost))"
)
NOT_PAIN_DURATION = re.compile(
    r"relie|\bago\b|taper|\bwithin\b|\bafter\b|\bevery\b|\bper\b|"
    r"\bfor (?:a|one|1) year\b.*\b(?:continue|daily)\b|\bpregnan",
    re.I,
)
NOT_PAIN_CLAUSE = re.compile(r"\brelie|\bpregnan|\bcontinue\b", re.I)
DIFFICULT = re.compile(r"difficult[- ]to[- ]treat|refractory|treatment[- ]resistant")
IMAGING_REPORT = re.compile(
    r"\b(?:show|shows|showed|shown|reveal\w*|demonstrat\w*|with|on)\b", re.I
)


@dataclass
class Reading:
    """What a question says: the Case facts, what was understood, and what it asks about."""

    case: dict[str, Any] = field(default_factory=dict)
    understood: list[str] = field(default_factory=list)
    hypothetical: bool = False
    options: list[Mention] = field(default_factory=list)
    subjects: list[Mention] = field(default_factory=list)
    given: list[Mention] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.understood:
            self.understood.append(text)

    def listed(self, key: str, value: str) -> bool:
        """Add ``value`` to the case list ``key``; False when it was there already."""
        values = self.case.setdefault(key, [])
        if value in values:
            return False
        values.append(value)
        return True

    def named_actions(self) -> list[str]:
        """Actions the question names outright ("how often", "screening", "an MRI")."""
        return list(
            dict.fromkeys(m.value for m in self.options + self.subjects if m.label == "ACTION")
        )

    def given_actions(self) -> list[str]:
        """Actions of the treatments reported as given ("recovery after SI joint fusion"): what a
        question about results or risks is about when it names nothing else."""
        return list(dict.fromkeys(a for m in self.given for a in m.actions))

    def subject_actions(self) -> list[str]:
        """The pathway actions the question asks about: actions it names outright first ("how
        often", "screening"), then what its options and subjects stand for, in order of mention;
        a drug one is switched *to* stands for the switch ("switched to secukinumab")."""
        asked = self.options + self.subjects
        found = [m.value for m in asked if m.label == "ACTION"]
        for mention in asked:
            actions = mention.actions
            if SWITCH_TO.search(mention.before):
                actions = sorted(actions, key=lambda a: not a.startswith("switch"))
            found += [a for a in actions if a not in found]
        return list(dict.fromkeys(found))


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in CLAUSE_SPLIT.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _clause_of(spans: list[tuple[int, int]], position: int) -> tuple[int, int]:
    return next(((a, b) for a, b in spans if a <= position < b), spans[-1])


def _mentions(text: str, pack: str | None) -> list[Mention]:
    if not text.strip():
        return []
    doc = (pipeline(pack) if pack else pipeline())(text)
    spans = _clauses(text)
    entities = list(doc.ents)
    found = []
    for index, entity in enumerate(entities):
        clause = _clause_of(spans, entity.start_char)
        later = (e.start_char for e in entities[index + 1 :] if e.label_ in TREATMENT_LABELS)
        earlier = (e.end_char for e in reversed(entities[:index]) if e.label_ in TREATMENT_LABELS)
        until = min(next(later, clause[1]), clause[1])
        since = max(next(earlier, clause[0]), clause[0])
        found.append(mention_of(entity, text, clause, since, until))
    _options_joined_by_or(found, text)
    _share_reach(found, text)
    return found


def _share_reach(mentions: list[Mention], text: str) -> None:
    """A treatment's outcome is looked for up to the next treatment; treatments listed together
    ("physical therapy and naproxen have not helped") share what follows the list."""
    treatments = [m for m in mentions if m.label in TREATMENT_LABELS]
    for first, second in itertools.pairwise(treatments):
        end = first.start + len(first.text)
        if second.start - end <= len(first.after):
            between = text[end : second.start]
            joined = LIST_JOIN_AND.match(between) is not None
            first.after = (between + second.after) if joined else LEADING_INTO_NEXT.sub("", between)
    for first, second in reversed(list(itertools.pairwise(treatments))):
        between = text[first.start + len(first.text) : second.start]
        if LIST_JOIN_AND.match(between) and not outcome_in(first.after):
            first.after = between + second.after
    for mention in treatments:
        if mention.assertion == "subject" and outcome_in(mention.after):
            mention.assertion = "affirmed"  # "naproxen and ibuprofen both failed"


SWITCH_TO = re.compile(r"\bswitch\w*\b.{0,60}\bto\s*$", re.IGNORECASE)
INCLUDED = re.compile(r"^[\s,]*(?:including|such as|incl\.?|e\.g\.,?)\b", re.IGNORECASE)
LIST_JOIN_AND = re.compile(r"^[\s,]*(?:and|or|&|,|then|and then)?[\s,]*$", re.IGNORECASE)
LIST_JOIN = re.compile(r"^[\s,]*(?:or|and/or|,|either)?[\s,]*$", re.IGNORECASE)


def _options_joined_by_or(mentions: list[Mention], text: str) -> None:
    """Treatments listed with "or" ("celecoxib, adalimumab or prednisone?") are options, unless
    a history cue says they were given ("failed naproxen or ibuprofen")."""
    treatments = [m for m in mentions if m.label in TREATMENT_LABELS]
    for first, second in itertools.pairwise(treatments):
        between = text[first.start + len(first.text) : second.start]
        if re.search(r"\bor\b", between, re.I) and LIST_JOIN.match(between):
            for mention in (first, second):
                if mention.assertion == "subject":
                    mention.assertion = "option"


FIRST_PERSON_HEALTH = re.compile(
    r"\bI(?:'m| am| have|'ve| had| was| feel| get)\b|\bmy (?:back|pain|hips?|buttocks?|joints?|"
    r"spine|neck|symptoms|doctor|rheumatologist|mri|x-?ray|crp|labs?)\b|\bme\b",
    re.IGNORECASE,
)


def _asked_for_a_relative(mentions: list[Mention], text: str) -> None:
    """ "My husband has AS and his Humira stopped working": when the asker says nothing of their
    own health, the relative the question names is the patient, not family history."""
    if FIRST_PERSON_HEALTH.search(text):
        return
    for mention in mentions:
        if mention.assertion == "family":
            mention.assertion = "affirmed"


def read_question(question: str, pack: str | None = None) -> Reading:
    """The facts of one question (see the module docstring)."""
    reading = Reading()
    stem, lettered = split_lettered_options(" ".join(question.split()))
    mentions = _mentions(stem, pack)
    _asked_for_a_relative(mentions, stem)
    _codes(stem, reading)
    patient = patient_in(stem)
    if patient:
        reading.case["patient"] = patient
    _pain_numbers(stem, mentions, reading)
    _labs(stem, mentions, reading)
    for mention in mentions:
        _place(mention, stem, reading)
    for option in _mentions(lettered, pack):
        option.assertion = "option"
        _place(option, lettered, reading)
    _share_outcomes(reading)
    _counted_nsaids(stem, reading)
    _no_medications(stem, reading)
    _provocation(stem, reading)
    _difficult_to_treat(stem, reading)
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
    found = []
    for match in DURATION_IN_TEXT.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue
        window = text[max(0, match.start() - 30) : match.end() + 6]
        clause = next((text[a:b] for a, b in _clauses(text) if a <= match.start() < b), "")
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
        and IMAGING_REPORT.search(mention.clause)
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


def _treatment_record(mention: Mention, following: str) -> dict[str, Any]:
    clause = mention.clause
    record: dict[str, Any] = {"type": mention.type or mention.value}
    if mention.label == "DRUG" and mention.value != mention.type and mention.value != "biologic":
        record["agent"] = mention.value
    relief = relief_pct_in(clause)
    weeks = clause_duration_weeks(mention.own) or clause_duration_weeks(mention.lead)
    if record["type"] in ("sij_injection", "rfa"):
        if re.search(r"diagnostic|block", clause, re.I):
            record["purpose"] = "diagnostic" if record["type"] == "sij_injection" else None
        elif record["type"] == "sij_injection":
            record["purpose"] = "therapeutic"
        if relief is not None:
            record["relief_pct"] = relief
        if weeks is not None and re.search(r"relie|last|help|improv|better", clause, re.I):
            record["relief_weeks"] = weeks
        if re.search(r"\bguided\b|fluoroscop|\bct[- ]guided|ultrasound[- ]guided", clause, re.I):
            record["image_guided"] = True
    elif weeks is not None and not re.search(r"relie", mention.own + mention.lead, re.I):
        record["weeks"] = weeks
    outcome = outcome_in(mention.own) or outcome_in(mention.lead) or outcome_in(following)
    if outcome:
        record["outcome"] = outcome
    if re.search(r"\b(?:currently|current|on|continue|taking|still|stop|my)\b", clause, re.I):
        record["current"] = True
    return {k: v for k, v in record.items() if v is not None}


def _treatment(mention: Mention, reading: Reading) -> None:
    """A treatment given, and how it went."""
    if mention.assertion == "negated":
        reading.note(f"no {mention.words}")
        return
    reading.given.append(mention)
    if mention.value == "conservative":
        _conservative_failed(mention.clause, reading)
        return
    record = _treatment_record(mention, mention.after)
    treatments = reading.case.setdefault("treatments", [])
    listed_with = treatments[-1] if treatments and LIST_JOIN_AND.match(mention.lead) else None
    if listed_with and "weeks" not in record and "weeks" in listed_with:
        record["weeks"] = listed_with["weeks"]  # "8 weeks of physical therapy and ibuprofen"
    if listed_with and "outcome" not in record and "outcome" in listed_with:
        record["outcome"] = listed_with["outcome"]  # "failed naproxen and celecoxib"
    included_in = treatments[-1] if treatments and INCLUDED.match(mention.lead) else None
    if included_in and "outcome" not in record and "outcome" in included_in:
        record["outcome"] = included_in["outcome"]  # "failed conservative care, including X"
    same = [
        t
        for t in treatments
        if t["type"] == record["type"] and t.get("agent") == record.get("agent")
    ]
    if same:
        same[0].update(record)
        return
    treatments.append(record)
    mention.record = record
    reading.note("treatment: " + ", ".join(f"{k} {v}" for k, v in record.items()))


def _share_outcomes(reading: Reading) -> None:
    """Drugs of one kind listed in one sentence share the outcome said after them ("naproxen
    for 5 weeks and then diclofenac for 4 weeks without improvement")."""
    given = [m for m in reading.given if m.record]
    for mention in given:
        if "outcome" in mention.record:
            continue
        later = (
            m.record["outcome"]
            for m in given
            if m.sentence == mention.sentence
            and m.start > mention.start
            and m.record["type"] == mention.record["type"]
            and "outcome" in m.record
        )
        outcome = next(later, None)
        if outcome is not None:
            mention.record["outcome"] = outcome


def _conservative_failed(clause: str, reading: Reading) -> None:
    """'Failed conservative treatment' → an NSAID and physical therapy, both failed, for the
    stated treatment time or else the pain's duration (left unknown when neither is given)."""
    outcome = outcome_in(clause) or "inadequate"
    weeks = clause_duration_weeks(clause) or reading.case.get("pain", {}).get("duration_weeks")
    for kind in ("nsaid", "physical_therapy"):
        if any(t["type"] == kind for t in reading.case.get("treatments", [])):
            continue
        record: dict[str, Any] = {"type": kind, "outcome": outcome}
        if weeks is not None:
            record["weeks"] = weeks
        reading.case.setdefault("treatments", []).append(record)
    span = f" for {weeks:g} weeks" if weeks is not None else ""
    reading.note(f"conservative care (NSAID and physical therapy) {outcome}{span}")


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


def _counted_nsaids(text: str, reading: Reading) -> None:
    """ "Despite three different NSAIDs" → that many NSAID trials, sharing the stated outcome."""
    count = nsaid_count(text)
    nsaids = [t for t in reading.case.get("treatments", []) if t["type"] == "nsaid"]
    if not count or not nsaids or len(nsaids) >= count:
        return
    template = {k: v for k, v in nsaids[0].items() if k != "agent"}
    for index in range(count - len(nsaids)):
        reading.case["treatments"].append({**template, "agent": f"nsaid {index + 2}"})
    reading.note(f"{count} different NSAIDs tried")


def _no_medications(text: str, reading: Reading) -> None:
    if no_medications(text) and "treatments" not in reading.case:
        reading.case["treatments"] = []
        reading.note("no medications or treatments so far")


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
    "DRUG": _treatment,
    "TREATMENT": _treatment,
    "TEST": _test,
    "FINDING": _finding,
    "SYMPTOM": _symptom,
    "SITE": _site,
    "LAB": _ignore,
    "ACTION": _ignore,
}
