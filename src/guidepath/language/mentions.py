"""What one mention in a question asserts: reported history, or the thing being asked about.

A medspacy entity carries ConText's verdict (negated, possible, family, hypothetical). For a
treatment, the words around it decide more: "failed naproxen for 6 weeks" reports history, while
"should I start adalimumab or etanercept?" names options and "what is the role of JAK inhibitors?"
names the question's subject. The cues are pack data (``option_cues``, ``history_cues``).

Assertions:
- ``negated``: "no fever", "denies radiation";
- ``possible``: "suspected axSpA", "does this mean I have AS?";
- ``family``: about a relative, not the patient;
- ``option``: something the asker is choosing among or planning;
- ``subject``: the thing the question asks about, not reported as given;
- ``affirmed``: stated as the patient's fact (for treatments: given, with whatever result).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from guidepath.language.nlp import compiled_cues
from guidepath.language.patterns import outcome_in

MODAL_QUESTION = re.compile(r"^\W*(?:should|could|can|would|will|may|might|shall)\b", re.IGNORECASE)
Assertion = Literal["affirmed", "negated", "possible", "family", "option", "subject"]
TREATMENT_LABELS = frozenset({"DRUG", "TREATMENT"})


@dataclass
class Mention:
    """One lexicon match with its assertion and the clause it stands in."""

    label: str
    value: str
    type: str | None
    text: str
    start: int
    clause: str
    before: str
    after: str
    assertion: Assertion
    lead: str = ""
    own: str = ""
    sentence: int = 0
    record: dict[str, Any] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    hypothetical: bool = False

    @property
    def words(self) -> str:
        """The contract value as words ("recurrent_uveitis" → "recurrent uveitis")."""
        return self.value.replace("_", " ")


def _categories(entity: Any) -> set[str]:
    return {modifier.category for modifier in entity._.modifiers}


def _last_end(cues: tuple[re.Pattern[str], ...], text: str) -> int:
    """Where the last match of any cue ends in ``text`` (-1 when none matches)."""
    return max((m.end() for cue in cues for m in cue.finditer(text)), default=-1)


def _treatment_assertion(before: str, own: str, lead: str) -> Assertion:
    """The nearer cue before the mention decides ("should I start X?" is an option, "failed X"
    history); with none before it, a history cue or an outcome in the mention's own stretch of
    the clause (up to the next treatment: "X for 6 weeks, no better") makes it history;
    otherwise it is the question's subject."""
    option_cues, history_cues, _, lead_cues, _ = compiled_cues()
    option_at = _last_end(option_cues, before)
    history_at = _last_end(history_cues, before)
    lead_at = _last_end(lead_cues, lead)  # "from X to Y": "from" leads into X only
    if lead_at >= 0 and not MODAL_QUESTION.match(before):  # "should my AS be treated with X?"
        history_at = max(history_at, len(before) - len(lead) + lead_at)
    if option_at > history_at:
        return "option"
    if history_at >= 0 or _last_end(history_cues, own) >= 0 or outcome_in(before + own):
        return "affirmed"
    return "subject"


def assertion_of(
    entity: Any, label: str, before: str, clause: str, own: str, lead: str = ""
) -> Assertion:
    """The assertion of one entity (see the module docstring)."""
    categories = _categories(entity)
    if "FAMILY" in categories:
        return "family"
    if label == "ACTION":
        reported = any(cue.search(clause) for cue in compiled_cues()[2])
        return "affirmed" if reported else "subject"
    if label in TREATMENT_LABELS:
        treated = _treatment_assertion(before, own, lead or before)
        negated = "NEGATED_EXISTENCE" in categories and not outcome_in(before + own)
        return "negated" if treated == "affirmed" and negated else treated
    if "NEGATED_EXISTENCE" in categories:
        return "negated"
    if "POSSIBLE_EXISTENCE" in categories:
        return "possible"
    return "affirmed"


LEADING_INTO_NEXT = re.compile(
    r"(?:\b(?:failed|failing|failure of|despite|after|tried|trying|took|taking|on|with|and|"
    r"including|of|then|plus|or)\W*)+$",
    re.IGNORECASE,
)


def _own_stretch(stretch: str, next_follows: bool) -> str:
    """What is said of a treatment after it: to the first comma, and without the words that
    lead into the next treatment ("... and failed [physical therapy]")."""
    own = stretch.split(",")[0]
    return LEADING_INTO_NEXT.sub("", own) if next_follows else own


def mention_of(entity: Any, text: str, clause: tuple[int, int], since: int, until: int) -> Mention:
    """A Mention for one medspacy entity of ``text`` standing in ``clause``. Its ``lead``
    stretch starts at ``since`` (the previous treatment in the clause, or the clause's start)
    and its ``own`` stretch runs to ``until`` (the next treatment, or the clause's end) or the
    first comma, so "10 weeks of physical therapy, pain for 5 months" gives the therapy 10."""
    meta = entity._.target_rule.metadata
    clause_text = text[clause[0] : clause[1]]
    before = text[clause[0] : entity.start_char]
    own = _own_stretch(text[entity.end_char : until], until < clause[1])
    sentence_end = re.search(r"[.;!?](?=\s|$)", text[entity.end_char :])
    after = text[
        entity.end_char : entity.end_char + (sentence_end.start() if sentence_end else len(text))
    ]
    return Mention(
        label=meta["label"],
        value=meta["value"],
        type=meta.get("type"),
        text=entity.text,
        start=entity.start_char,
        clause=clause_text,
        before=before,
        after=after,
        assertion=assertion_of(
            entity,
            meta["label"],
            before,
            clause_text,
            entity.text + own,
            text[since : entity.start_char],
        ),
        lead=text[since : entity.start_char],
        own=own,
        sentence=len(re.findall(r"[.;!?](?=\s|$)", text[: entity.start_char])),
        actions=list(meta.get("actions") or []),
        hypothetical="HYPOTHETICAL" in _categories(entity),
    )
