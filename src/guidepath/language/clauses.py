"""A question's text as clauses and mentions, and how listed treatments share what is said.

"Failed naproxen and celecoxib for 8 weeks" is one list: its outcome reaches both drugs;
"celecoxib, adalimumab or prednisone?" is a list of options; "my husband has AS" makes the
relative the patient when the asker says nothing of their own health.
"""

from __future__ import annotations

import itertools
import re

from guidepath.language.mentions import (
    LEADING_INTO_NEXT,
    TREATMENT_LABELS,
    Mention,
    mention_of,
)
from guidepath.language.nlp import read_document
from guidepath.language.patterns import outcome_in

CLAUSE_SPLIT = re.compile(
    r"[.;!?](?=\s|$)|,\s*(?=(?:but|then|who|history|no|without)\b)"
    r"|\band\b(?= (?:then|later|has|had|failed|never|lost))"
)


def clauses_of(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in CLAUSE_SPLIT.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _clause_of(spans: list[tuple[int, int]], position: int) -> tuple[int, int]:
    return next(((a, b) for a, b in spans if a <= position < b), spans[-1])


def find_mentions(text: str, pack: str | None) -> list[Mention]:
    if not text.strip():
        return []
    doc = read_document(text, pack) if pack else read_document(text)
    spans = clauses_of(text)
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


def asked_for_a_relative(mentions: list[Mention], text: str) -> None:
    """ "My husband has AS and his Humira stopped working": when the asker says nothing of their
    own health, the relative the question names is the patient, not family history."""
    if FIRST_PERSON_HEALTH.search(text):
        return
    for mention in mentions:
        if mention.assertion == "family":
            mention.assertion = "affirmed"
