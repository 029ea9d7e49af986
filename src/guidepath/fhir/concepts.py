"""CodeableConcepts as plain JSON: their codes by code system, their human-readable names, and the
pack's value sets and lexicon applied to them.

Classification is by code first. Words are read only as a fallback, through the pack's lexicon,
with the phrase regexes compiled once per set of labels.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from guidepath.knowledge.loader import value_sets
from guidepath.knowledge.schema import LexiconEntry
from guidepath.language.nlp import lexicon

ICD10 = frozenset({"http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10"})
SNOMED = frozenset({"http://snomed.info/sct"})
RXNORM = frozenset({"http://www.nlm.nih.gov/research/umls/rxnorm"})
LOINC = frozenset({"http://loinc.org"})
CPT = frozenset(
    {
        "http://www.ama-assn.org/go/cpt",
        "urn:oid:2.16.840.1.113883.6.12",
        "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
        "urn:oid:2.16.840.1.113883.6.285",
    }
)
STANDARD = ICD10 | SNOMED | RXNORM | LOINC | CPT
Concept = Mapping[str, Any] | None


def codings(concept: Concept) -> list[Mapping[str, Any]]:
    """The codings of a concept that are JSON objects."""
    if not isinstance(concept, Mapping):
        return []
    return [c for c in concept.get("coding") or [] if isinstance(c, Mapping)]


def codes(concept: Concept, systems: frozenset[str]) -> list[str]:
    """The codes of a concept in the given code systems."""
    return [
        str(c["code"]) for c in codings(concept) if c.get("system") in systems and c.get("code")
    ]


def texts(concept: Concept) -> list[str]:
    """The names of a concept: its text and its codings' displays."""
    if not isinstance(concept, Mapping):
        return []
    found = [concept["text"]] if isinstance(concept.get("text"), str) else []
    return found + [str(c["display"]) for c in codings(concept) if c.get("display")]


def name(concept: Concept) -> str:
    """One readable name for notes: the text, else the first display, else the first code."""
    named = texts(concept)
    if named:
        return named[0]
    coded = [f"{c.get('system', '')}|{c.get('code', '')}" for c in codings(concept)]
    return coded[0] if coded else "(no code)"


def standard_coded(concept: Concept) -> bool:
    """Whether a concept carries a code in a standard terminology guidepath reads by code."""
    return bool(codes(concept, STANDARD))


def snomed_key(code: str, table: Mapping[Any, list[str]]) -> list[str]:
    """The keys of a table (condition → SNOMED CT codes) a code belongs to."""
    return [key for key, members in table.items() if code in members]


@cache
def _matcher(labels: frozenset[str]) -> tuple[re.Pattern[str], dict[str, list[LexiconEntry]]]:
    by_phrase: dict[str, list[LexiconEntry]] = {}
    for entry in lexicon():
        if entry.label in labels:
            for phrase in entry.phrases:
                by_phrase.setdefault(phrase.lower(), []).append(entry)
    ordered = sorted(by_phrase, key=len, reverse=True)
    alternation = "|".join(re.escape(p) for p in ordered) or r"(?!x)x"
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])"), by_phrase


def lexicon_match(
    text: str, labels: set[str] | frozenset[str]
) -> list[tuple[str, str, str | None]]:
    """(label, value, type) of lexicon entries whose phrase occurs in the text as whole words, in
    the order they occur, each entry once."""
    pattern, by_phrase = _matcher(frozenset(labels))
    found: dict[tuple[str, str, str | None], None] = {}
    for match in pattern.finditer(text.lower()):
        for entry in by_phrase[match.group(0)]:
            found[(entry.label, entry.value, entry.type)] = None
    return list(found)


@cache
def _drug_types() -> dict[str, str]:
    """Treatment type of each lexicon drug (agent → type)."""
    return {e.value: str(e.type) for e in lexicon() if e.label == "DRUG" and e.type}


def drug_of(concept: Concept) -> tuple[str, str] | None:
    """(agent, treatment type) of a medication concept: an RxNorm code from the pack, else its
    RxNorm display or text through the lexicon (RxNorm names carry the ingredient)."""
    rxnorm, types = value_sets().rxnorm, _drug_types()
    for code in codes(concept, RXNORM):
        agent = rxnorm.get(code)
        if agent in types:
            return agent, types[agent]
    for text in texts(concept):
        for _, agent, kind in lexicon_match(text, {"DRUG"}):
            if kind:
                return agent, kind
    return None


def names_site(text: str) -> bool:
    """Whether free text names the SI joint and no other site (for uncoded procedures)."""
    rules = value_sets().record_text
    lowered = text.lower()
    named = any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", lowered) for w in rules.site_words)
    other = any(
        re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", lowered) for w in rules.other_sites
    )
    return named and not other
