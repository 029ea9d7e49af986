"""What a question asks, decided from its words (the pack's intent cues) and what was read.

- ``out_of_scope``: nothing about SI joint pain, sacroiliitis or axial SpA;
- ``faq``: one of the pack's patient FAQ questions;
- the lexicon's question kinds, first match wins, each only when what it needs was read:
  ``choose`` (options named), ``continue`` (a current drug), ``coverage``, ``procedure_indicated``
  (a procedure or drug with necessity criteria), ``what_if_fails``, ``imaging``, ``workup``,
  ``expectation`` / ``risks`` / ``role`` (something asked about), ``treat``;
- ``definition``: "what is ..." with no patient facts;
- ``next_step`` for a described patient, ``overview`` otherwise.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Literal

from guidepath.engine.compiled import compiled_pack
from guidepath.knowledge.schema import QuestionKind
from guidepath.language.facts import read_question
from guidepath.language.nlp import lexicon_file
from guidepath.language.reading import Reading
from guidepath.language.retrieval import best_faq

# The lexicon's question kinds, and the kinds decided without cues.
Intent = QuestionKind | Literal["faq", "definition", "overview", "next_step", "out_of_scope"]
NEEDS_SUBJECT = frozenset({"expectation", "risks", "role"})
ABOUT_RESULTS = frozenset({"expectation", "risks"})  # may be about a treatment already given


@cache
def _patterns() -> tuple[tuple[QuestionKind, tuple[re.Pattern[str], ...]], ...]:
    return tuple(
        (cue.kind, tuple(re.compile(p, re.IGNORECASE) for p in cue.patterns))
        for cue in lexicon_file().intents
    )


@cache
def _named(kind: str) -> re.Pattern[str]:
    patterns = getattr(lexicon_file(), kind)
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def has_patient_facts(case: dict[str, Any]) -> bool:
    """Facts about a patient; a diagnosis alone ("how is axSpA managed?") names a topic."""
    keys = ("pain", "treatments", "imaging", "exam", "patient", "labs", "suspected")
    return any(case.get(key) for key in keys)


def procedures_asked(reading: Reading) -> list[str]:
    """Procedures and drug starts with necessity criteria that the question asks about."""
    known = compiled_pack().pack.procedures
    return [a for a in reading.subject_actions() if a in known]


def procedure_named(question: str) -> str | None:
    """The procedure a necessity question is about (the most specific the words allow)."""
    found = procedures_asked(read_question(question))
    return found[0] if found else None


def _admissible(kind: str, reading: Reading, case: dict[str, Any]) -> bool:
    """A kind applies only when the question gives it something to work on."""
    if kind == "choose":
        return bool(reading.options)
    if kind == "continue":
        return bool(reading.options or reading.subjects or case.get("treatments"))
    if kind == "procedure_indicated":
        return bool(procedures_asked(reading))
    if kind in NEEDS_SUBJECT:
        given = reading.given_actions() if kind in ABOUT_RESULTS else []
        return bool(reading.subject_actions() or case.get("conditions") or given)
    return True


def classify(question: str, case: dict[str, Any], reading: Reading | None = None) -> Intent:
    """The intent of one question given the facts read from it."""
    reading = reading if reading is not None else read_question(question)
    in_scope = bool(_named("in_scope").search(question) or case.get("diagnoses"))
    if not (in_scope or has_patient_facts(case)):
        return "out_of_scope"
    if best_faq(question) is not None:
        return "faq"
    for kind, patterns in _patterns():
        if any(p.search(question) for p in patterns) and _admissible(kind, reading, case):
            if kind == "treat":  # a treatment question is answered from the pathway
                break
            return kind
    else:
        if _named("definition").search(question) and not has_patient_facts(case):
            return "definition"
    return "next_step" if has_patient_facts(case) else "overview"


def asks_for_treatment(question: str) -> bool:
    """The question asks how to treat or manage (its answer leads with a therapy)."""
    treat = dict(_patterns()).get("treat", ())
    return any(p.search(question) for p in treat)
