"""What a question asks, decided from its words and the facts read from it.

- ``faq``: it is one of the pack's patient FAQ questions;
- ``procedure_indicated``: is a procedure or biologic necessary / indicated / covered;
- ``what_if_fails``: what to do when a treatment fails;
- ``definition``: what something is, with no patient facts;
- ``next_step``: the next step for the patient the question describes;
- ``overview``: how SI joint pain or axSpA is managed in general (no patient facts);
- ``out_of_scope``: nothing about SI joint pain, sacroiliitis or axial SpA.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from guidepath.language.retrieval import best_faq

Intent = Literal[
    "faq",
    "procedure_indicated",
    "what_if_fails",
    "definition",
    "overview",
    "next_step",
    "out_of_scope",
]

IN_SCOPE = re.compile(
    r"sacroil|\bsij?\b|si[- ]joint|spondyl|axspa|ankylosing|bechterew|buttock|low[- ]?back|"
    r"lower back|basdai|asdas|basfi|\btnf|il-?17|biologic|adalimumab|etanercept|secukinumab|"
    r"radiofrequency|\brfa\b|prolotherapy|provocation|arthrodesis|pelvic|hla-?b27|enthes|"
    r"\bm4[56]|\bm53",
    re.IGNORECASE,
)
NECESSITY = re.compile(
    r"medically necessary|medical necessity|indicated|qualif|criteria|"
    r"prior auth|covered|coverage|eligible|candidate",
    re.IGNORECASE,
)
FAILS = re.compile(
    r"what (?:happens|next|now|to do)? ?if|if .{0,40}(?:fail|do ?n[o']t work|"
    r"does ?n[o']t work|not work|stops? working)|after .{0,30}fail",
    re.IGNORECASE,
)
DEFINITION = re.compile(r"^\s*(?:what (?:is|are)|define|explain|what does .* mean)", re.IGNORECASE)
PROCEDURE_WORDS: dict[str, re.Pattern[str]] = {
    "sij_fusion_mis": re.compile(r"fusion|arthrodesis", re.I),
    "rfa_lateral_branch": re.compile(r"radiofrequency|\brfa\b|ablation|neurotomy", re.I),
    "diagnostic_sij_block": re.compile(r"diagnostic (?:block|injection)|\bblock\b", re.I),
    "therapeutic_sij_injection": re.compile(r"injection", re.I),
    "switch_to_il17i": re.compile(r"il-?17|secukinumab|ixekizumab|switch", re.I),
    "start_tnfi": re.compile(
        r"\btnf|biologic|adalimumab|etanercept|infliximab|golimumab|"
        r"certolizumab",
        re.I,
    ),
}


def procedure_named(question: str) -> str | None:
    """The procedure a necessity question is about (most specific first)."""
    return next((p for p, pattern in PROCEDURE_WORDS.items() if pattern.search(question)), None)


def _has_patient_facts(case: dict[str, Any]) -> bool:
    """Facts about a patient; a diagnosis alone ("how is axSpA managed?") names a topic."""
    keys = ("pain", "treatments", "imaging", "exam", "patient")
    return any(case.get(key) for key in keys)


def classify(question: str, case: dict[str, Any]) -> Intent:
    """The intent of one question given the facts read from it."""
    in_scope = bool(IN_SCOPE.search(question) or case.get("diagnoses"))
    in_scope = in_scope or _has_patient_facts(case)
    if not in_scope:
        return "out_of_scope"
    if best_faq(question) is not None:
        return "faq"
    if NECESSITY.search(question) and procedure_named(question):
        return "procedure_indicated"
    if FAILS.search(question):
        return "what_if_fails"
    if DEFINITION.search(question) and not _has_patient_facts(case):
        return "definition"
    if _has_patient_facts(case):
        return "next_step"
    return "overview"
