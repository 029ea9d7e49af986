"""Treatments a question reports: the record for each (type, agent, weeks, outcome, relief) and
the inferences from plain words ("failed conservative treatment", "three different NSAIDs",
"difficult-to-treat"), each noted in ``understood``."""

from __future__ import annotations

import re
from typing import Any

from guidepath.language.clauses import INCLUDED, LIST_JOIN_AND
from guidepath.language.mentions import Mention
from guidepath.language.patterns import (
    clause_duration_weeks,
    no_medications,
    nsaid_count,
    outcome_in,
    relief_pct_in,
)
from guidepath.language.reading import Reading

DIFFICULT = re.compile(r"difficult[- ]to[- ]treat|refractory|treatment[- ]resistant")


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


def treatment(mention: Mention, reading: Reading) -> None:
    """A treatment given, and how it went."""
    if mention.assertion == "negated":
        reading.note(f"no {mention.words}")
        return
    reading.given.append(mention)
    if mention.value == "conservative":
        conservative_failed(mention.clause, reading)
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


def share_outcomes(reading: Reading) -> None:
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


def conservative_failed(clause: str, reading: Reading) -> None:
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


def counted_nsaids(text: str, reading: Reading) -> None:
    """ "Despite three different NSAIDs" → that many NSAID trials, sharing the stated outcome."""
    count = nsaid_count(text)
    nsaids = [t for t in reading.case.get("treatments", []) if t["type"] == "nsaid"]
    if not count or not nsaids or len(nsaids) >= count:
        return
    template = {k: v for k, v in nsaids[0].items() if k != "agent"}
    for index in range(count - len(nsaids)):
        reading.case["treatments"].append({**template, "agent": f"nsaid {index + 2}"})
    reading.note(f"{count} different NSAIDs tried")


def no_medications_said(text: str, reading: Reading) -> None:
    if no_medications(text) and "treatments" not in reading.case:
        reading.case["treatments"] = []
        reading.note("no medications or treatments so far")


def difficult_to_treat(text: str, reading: Reading) -> None:
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
