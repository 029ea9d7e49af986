"""Patterns for the numbers and cue words of clinical questions.

All functions take plain text and return contract values or ``None``:
``pain_score("intensity above 4/10")`` is 5 (a value that satisfies "above 4");
``clause_duration_weeks("pain over 1 month")`` is 4.3; ``outcome_in("lost response to
etanercept")`` is ``secondary_nonresponse``.
"""

from __future__ import annotations

import re
from typing import Any

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "a": 1,
    "an": 1,
}
NUMBER = r"(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|an?)"
UNIT_WEEKS = {"day": 1 / 7, "week": 1.0, "wk": 1.0, "month": 4.345, "year": 52.18}
# A code stands alone: not the "B27" of "HLA-B27", not part of a word or a hyphenated name.
ICD = re.compile(
    r"(?<![\w-])([A-TV-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?|[a-tv-z][0-9][0-9a-z]\.[0-9a-z]{1,4})"
    r"(?![\w-])"
)
NRS = re.compile(
    r"(?P<cmp>above|over|greater than|more than|exceeding|>=|≥|>|at least|below|under|less than"
    r"|<)?\s*(?P<value>\d+(?:\.\d+)?)\s*(?:/|out of)\s*10\b",
    re.IGNORECASE,
)
DURATION = re.compile(rf"\b{NUMBER}[\s-]*(day|week|wk|month|year)s?\b(?![- ]old)", re.IGNORECASE)
RELIEF = re.compile(r"(\d{1,3})\s*(?:%|percent)", re.IGNORECASE)
COUNT_TESTS = re.compile(
    rf"\b{NUMBER}\s+(?:positive\s+)?(?:sij?\s+|si joint\s+)?(?:provocation|provocative)",
    re.IGNORECASE,
)
AGE = re.compile(r"\b(\d{1,3})[- ](?:year|yr)s?[- ]old\b", re.IGNORECASE)
OUTCOMES: list[tuple[str, re.Pattern[str]]] = [
    (
        "primary_nonresponse",
        re.compile(
            r"never (?:responded|works?|worked|helped|helps|had a response)|primary non-?response"
            r"|no response at all|did not respond at all",
            re.I,
        ),
    ),
    (
        "secondary_nonresponse",
        re.compile(
            r"lost (?:its |the |their )?(?:response|effect|efficacy)|stopped working|loss of "
            r"response|secondary non-?response|no longer (?:works|working|helps)|wore off|"
            r"(?:isn't|is not|aren't|are not) working anymore|not working any ?more",
            re.I,
        ),
    ),
    (
        "intolerance",
        re.compile(
            r"intoleran|side effects?|could ?n[o']t tolerate|not tolerated|allergic|allergy|"
            r"reaction|rash|adverse|because of (?:stomach|gi|gastro|side)|stomach (?:pain|upset)",
            re.I,
        ),
    ),
    (
        "partial",
        re.compile(
            r"partial|partly|some relief|somewhat|briefly|temporar\w*|short[- ]lived|"
            r"short[- ]term|only for a (?:few|couple)",
            re.I,
        ),
    ),
    (
        "inadequate",
        re.compile(
            r"fail|not respond|no response|no better|not better|(?:have|has|had) not improved|"
            r"(?:has|have|had|did|does|do|is|are|was|were)(?:n't|n’t| not) (?:improv|help|work)\w*|"
            r"not improved|resistant|did ?n[o']t (?:work|help)|do ?n[o']t work|does ?n[o']t "
            r"work|not working|no relief|little (?:or no )?relief|ineffective|inadequate|not "
            r"helped|no improvement|unresponsive|despite|refractory"
            r"|without (?:any )?(?:improvement|relief|benefit)",
            re.I,
        ),
    ),
    (
        "good",
        re.compile(
            r"respond(?:s|ing|ed) well|good response|work(?:s|ed|ing)? well|well[- ]controlled|"
            r"remission|helped|working well|"
            r"(?:feel|feeling|felt|doing|does) (?:much )?(?:better|well)",
            re.I,
        ),
    ),
    ("ongoing", re.compile(r"recently started|just started|started .* ago", re.I)),
]


def _number(word: str) -> float:
    return float(NUMBER_WORDS.get(word.lower(), word) if not word[0].isdigit() else word)


LAB_BEFORE_CODE = re.compile(r"(?:hla|antigen)[\s-]*$", re.IGNORECASE)


def codes_in(text: str) -> list[str]:
    """Strings shaped like ICD-10-CM codes (validated by the caller); "HLA B27" is a lab."""
    return [
        m.group(1)
        for m in ICD.finditer(text)
        if any(ch.isdigit() for ch in m.group(1)[1:])
        and not LAB_BEFORE_CODE.search(text[max(0, m.start() - 10) : m.start()])
    ]


def pain_score(text: str) -> float | None:
    """The pain NRS, as a value that satisfies the comparison written ("above 4/10" → 5)."""
    match = NRS.search(text)
    if not match:
        return None
    value, comparison = float(match.group("value")), (match.group("cmp") or "").lower()
    if value > 10:
        return None
    if comparison in ("above", "over", "greater than", "more than", "exceeding", ">"):
        return min(10.0, float(int(value) + 1))
    if comparison in ("below", "under", "less than", "<"):
        return max(0.0, float(int(value) - 1) if value == int(value) else float(int(value)))
    return value


def clause_duration_weeks(clause: str) -> float | None:
    """The longest duration written in a clause, in weeks (1 month = 4.3 weeks)."""
    found = [
        round(_number(m.group(1)) * UNIT_WEEKS[m.group(2).lower()], 1)
        for m in DURATION.finditer(clause)
        if not re.search(r"ago", clause[m.end() : m.end() + 5], re.I)
    ]
    return max(found) if found else None


def relief_pct_in(clause: str) -> float | None:
    """A percentage written in a clause about relief ("80% relief")."""
    match = RELIEF.search(clause)
    if match and re.search(r"relie|improv|reduc|better", clause, re.I):
        return min(100.0, float(match.group(1)))
    if re.search(r"\bno relief\b|little or no relief|did ?n[o']t (?:work|help)", clause, re.I):
        return 0.0
    return None


def outcome_in(clause: str) -> str | None:
    """The treatment outcome a clause describes, most specific first."""
    return next((name for name, pattern in OUTCOMES if pattern.search(clause)), None)


def modality_in(clause: str) -> str | None:
    """xray / mri / ct when the clause names one."""
    lowered = clause.lower()
    if re.search(r"x-?ray|radiograph|plain film", lowered):
        return "xray"
    if re.search(r"\bmri\b|magnetic resonance", lowered):
        return "mri"
    if re.search(r"\bct\b|computed tomography", lowered):
        return "ct"
    return None


def laterality_in(clause: str) -> str | None:
    """bilateral / left / right when the clause says so."""
    for word in ("bilateral", "left", "right"):
        if re.search(rf"\b{word}\b", clause, re.I):
            return word
    return None


def patient_in(text: str) -> dict[str, Any]:
    """Age and sex when written explicitly ("a 38-year-old woman")."""
    patient: dict[str, Any] = {}
    age = AGE.search(text)
    if age and int(age.group(1)) <= 120:
        patient["age"] = int(age.group(1))
    if re.search(r"\b(woman|female|lady|girl)\b", text, re.I):
        patient["sex"] = "female"
    elif re.search(r"\b(man|male|gentleman|boy)\b", text, re.I):
        patient["sex"] = "male"
    return patient


def provocation_count(text: str) -> int | None:
    """ "three positive provocation tests" → 3 (only when the tests are said to be positive)."""
    match = COUNT_TESTS.search(text)
    if not match or not re.search(r"positive", text[match.start() : match.end() + 30], re.I):
        return None
    return min(6, int(_number(match.group(1))))


def out_of_range_scores(text: str) -> list[str]:
    """Pain scores written outside 0-10 ("15/10"), to report rather than drop silently."""
    return [m.group(0).strip() for m in NRS.finditer(text) if float(m.group("value")) > 10]


HLA_STATUS = re.compile(
    r"(?P<neg>\bnegative\b|\bnot detected\b|\babsent\b)"
    r"|(?P<pos>\bpositive\b|\bdetected\b|\bpresent\b|\bcarrier\b)",
    re.IGNORECASE,
)
CRP = re.compile(
    r"\b(?:crp|c-reactive protein)\b(?:\s*\(crp\))?[^\d.;]{0,25}?(?P<value>\d+(?:\.\d+)?)\s*"
    r"(?P<unit>mg/dl|mg/l|mg per (?:dl|l))?",
    re.IGNORECASE,
)
ESR = re.compile(
    r"\b(?:esr|sed(?:imentation)? rate|erythrocyte sedimentation rate)\b(?:\s*\(esr\))?"
    r"[^\d.;]{0,25}?(?P<value>\d+(?:\.\d+)?)\s*mm",
    re.IGNORECASE,
)


def hla_b27_status(window: str) -> str | None:
    """positive / negative for the words next to an HLA-B27 mention ("HLA-B27 not detected")."""
    match = HLA_STATUS.search(window)
    if not match:
        return None
    return "negative" if match.group("neg") else "positive"


def crp_mg_l(text: str) -> float | None:
    """A CRP value in mg/L ("CRP 2.3 mg/dL" is 23 mg/L); ``None`` when no value is written."""
    match = CRP.search(text)
    if not match:
        return None
    value = float(match.group("value"))
    unit = (match.group("unit") or "mg/l").lower().replace(" per ", "/")
    return round(value * 10, 2) if unit == "mg/dl" else value


def esr_mm_h(text: str) -> float | None:
    """An ESR value in mm/h, when written with its unit."""
    match = ESR.search(text)
    return float(match.group("value")) if match else None


COUNTED_NSAIDS = re.compile(
    rf"\b{NUMBER}\s+(?:different\s+)?(?:nsaids|anti-inflammator(?:y drugs|ies))", re.IGNORECASE
)


def nsaid_count(text: str) -> int | None:
    """ "three different NSAIDs" → 3."""
    match = COUNTED_NSAIDS.search(text)
    return int(_number(match.group(1))) if match else None


NO_MEDICATIONS = re.compile(
    r"\b(?:not taking any|takes no|taking no|on no|no)\s+(?:other\s+|additional\s+|current\s+|"
    r"regular\s+)?medications?\b|\bnot (?:taking|on) any (?:\w+ )?medications?\b",
    re.IGNORECASE,
)


def no_medications(text: str) -> bool:
    """The text says the patient takes no medications."""
    return bool(NO_MEDICATIONS.search(text))


LETTERED_OPTIONS = re.compile(r"(?:^|\s)\(?[Aa][.):]\s+\S")


def split_lettered_options(text: str) -> tuple[str, str]:
    """(stem, options) of a multiple-choice item ("... A. Etanercept B. Methotrexate")."""
    match = LETTERED_OPTIONS.search(text)
    if not match or not re.search(r"\s\(?[Bb][.):]\s+\S", text[match.end() :]):
        return text, ""
    return text[: match.start()], text[match.start() :]


SCORES = {
    "asdas_crp": re.compile(
        r"\basdas(?:[- ]crp)?\b\s*(?:score\s*)?(?:of|=|:|is|was)?\s*(\d+(?:\.\d+)?)", re.I
    ),
    "basdai": re.compile(r"\bbasdai\b\s*(?:score\s*)?(?:of|=|:|is|was)?\s*(\d+(?:\.\d+)?)", re.I),
}
SCORE_LIMITS = {"asdas_crp": 20.0, "basdai": 10.0}


def scores_in(text: str) -> dict[str, float]:
    """Disease-activity scores written with their value ("ASDAS 3.1", "BASDAI of 6")."""
    found = {}
    for name, pattern in SCORES.items():
        match = pattern.search(text)
        if match and float(match.group(1)) <= SCORE_LIMITS[name]:
            found[name] = float(match.group(1))
    return found
