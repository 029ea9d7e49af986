"""``check_necessity(procedure, case) -> Determination``: criterion by criterion.

Each criterion is a condition tree: met when it holds, not met when the record shows it fails,
unknown when the record is silent. The determination is ``met`` when every applicable criterion is
met, ``not_met`` when any is documented as failed, ``insufficient_information`` otherwise. The
evidence line quotes the case facts that decided each criterion.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from guidepath.case import Case
from guidepath.engine.build import trusted
from guidepath.engine.compiled import CompiledCriterion, CompiledPack, compiled_pack, field_of
from guidepath.engine.conditions import FALSE, TRUE, UNKNOWN, Range
from guidepath.engine.facts import derive_facts
from guidepath.engine.models import Reference
from guidepath.engine.pathway import as_case
from guidepath.knowledge.labels import word_label
from guidepath.knowledge.loader import fact_catalogue
from guidepath.knowledge.schema import Coverage, Criterion, ProcedureCriteria

Status = Literal["met", "not_met", "unknown"]
STATUS = {TRUE: "met", FALSE: "not_met", UNKNOWN: "unknown"}


class CriterionResult(BaseModel):
    """One criterion for this patient: its status and the case evidence behind it (made once
    per criterion, status, evidence and missing fields, and shared: frozen)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    text: str
    status: Status
    evidence: str
    citations: list[str]
    documentation: str = ""
    missing: list[str] = []
    remedy: str | None = None
    kind: Literal["clinical", "coverage"] = "clinical"
    policy: str | None = None


class Codes(BaseModel):
    """Procedure (CPT/HCPCS) and diagnosis (ICD-10-CM) codes."""

    model_config = ConfigDict(extra="forbid")

    cpt: list[str]
    icd10: list[str]


class CoverageResult(BaseModel):
    """One payer policy's view: ``covered``, ``not_covered`` or ``unknown`` (its criteria are
    not all documented), apart from the clinical determination."""

    model_config = ConfigDict(extra="forbid")

    policy: str
    status: Literal["covered", "not_covered", "unknown"]
    text: str
    criteria: list[str] = []


class Determination(BaseModel):
    """Contract section 3. ``determination`` judges the clinical criteria (the guideline's);
    ``coverage`` gives each payer policy's own answer beside it, so a reviewer sees both: SI
    joint RFA can meet every clinical criterion and still not be covered by the Medicare LCDs."""

    model_config = ConfigDict(extra="forbid")

    procedure: str
    determination: Literal["met", "not_met", "insufficient_information"]
    criteria: list[CriterionResult]
    codes: Codes
    notes: list[str]
    references: list[Reference]
    title: str = ""
    coverage: list[CoverageResult] = []


class UnknownProcedure(LookupError):
    """The procedure is not one the pack has criteria for."""


def rounded(value: float) -> str:
    """A number as a reader wants it: whole numbers as they are, others to one decimal with
    "about" when rounding changed them (0.920598 months → "about 0.9")."""
    if float(value).is_integer():
        return f"{value:g}"
    shown = round(value, 1)
    return f"{shown:g}" if shown == value else f"about {shown:g}"


def _format(value: Any, unit: str = "") -> str:
    if isinstance(value, Range):
        high = "more" if math.isinf(value.high) else f"{value.high:g}"
        return f"{value.low:g} to {high} (partly documented)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{rounded(value)} {unit}".rstrip() if unit and unit != "0-10" else rounded(value)
    if isinstance(value, list):
        return ", ".join(word_label(str(v)) for v in value) or "none"
    return word_label(str(value)).lower() if "_" in str(value) else str(value)


def evidence_line(name: str, value: Any) -> str:
    """One fact as a reader sees it: its label and value ("non-operative care: about 0.9
    months"); the pack's load check makes sure every fact a criterion reads has a label."""
    label, unit = _label(name)
    return f"{label}: {_format(value, unit)}"


@cache
def _label(name: str) -> tuple[str, str]:
    return fact_catalogue().label_of(name) or (name, "")


def _evidence(compiled: CompiledCriterion, facts: Mapping[str, Any]) -> str:
    shown = [
        evidence_line(name, facts[name]) for name in compiled.reads if facts.get(name) is not None
    ]
    return "; ".join(shown) or "nothing documented"


def _judge(
    cp: CompiledPack, compiled: CompiledCriterion, facts: Mapping[str, Any]
) -> CriterionResult:
    state = compiled.holds(facts)
    missing: tuple[str, ...] = ()
    if state == UNKNOWN:
        unknown = cp.compiler.unknown_facts(compiled.criterion.when, facts)
        missing = tuple(sorted({field_of(f) for f in unknown}))
    evidence = _evidence(compiled, facts)
    return compiled.shared.get(
        (state, evidence, missing), lambda: _result(compiled.criterion, state, evidence, missing)
    )


def _result(
    criterion: Criterion, state: int, evidence: str, missing: tuple[str, ...]
) -> CriterionResult:
    return trusted(
        CriterionResult,
        {
            "id": criterion.id,
            "text": criterion.text,
            "status": STATUS[state],
            "evidence": evidence,
            "citations": list(criterion.citations),
            "documentation": criterion.documentation,
            "missing": list(missing),
            "remedy": criterion.remedy,
            "kind": criterion.kind,
            "policy": criterion.policy,
        },
    )


def _applies(compiled: CompiledCriterion, facts: Mapping[str, Any]) -> bool:
    return compiled.applies is None or compiled.applies(facts) != FALSE


def _overall(
    results: list[CriterionResult],
) -> Literal["met", "not_met", "insufficient_information"]:
    statuses = {r.status for r in results}
    if "not_met" in statuses:
        return "not_met"
    if "unknown" in statuses:
        return "insufficient_information"
    return "met"


def remedy_for(determination: Determination, pack: str | None = None) -> str | None:
    """The recommendation that answers the criteria documented as not met: the one whose action
    comes first in the pack's ``remedy_order`` (red flags before other pain sources before
    confirming blocks); ``None`` when nothing failed."""
    cp = compiled_pack(pack) if pack else compiled_pack()
    return cp.first_remedy(
        c.remedy for c in determination.criteria if c.status == "not_met" and c.remedy
    )


def procedures(pack: str | None = None) -> dict[str, ProcedureCriteria]:
    """The procedures a pack can check."""
    return dict((compiled_pack(pack) if pack else compiled_pack()).pack.procedures)


def check_necessity(
    procedure: str, case: Case | Mapping[str, Any], pack: str | None = None
) -> Determination:
    """The determination for one procedure and one case (contract section 3)."""
    cp = compiled_pack(pack) if pack else compiled_pack()
    if procedure not in cp.pack.procedures:
        known = ", ".join(cp.pack.procedures)
        raise UnknownProcedure(f"unknown procedure {procedure!r}; one of {known}")
    spec = cp.pack.procedures[procedure]
    parsed = as_case(case)
    facts = derive_facts(parsed, cp.thresholds)
    criteria = [cp.criteria[cid] for cid in spec.criteria]
    results = [_judge(cp, c, facts) for c in criteria if _applies(c, facts)]
    cited = [cid for r in results for cid in r.citations]
    cited += [cid for note in spec.notes for cid in note.citations]
    cited += [c.policy for c in spec.coverage]
    clinical = [r for r in results if r.kind == "clinical"]
    return trusted(
        Determination,
        {
            "procedure": procedure,
            "determination": _overall(clinical),
            "criteria": results,
            "codes": trusted(Codes, {"cpt": list(spec.cpt), "icd10": list(parsed.diagnoses or [])}),
            "notes": [note.text for note in spec.notes],
            "references": [cp.references[cid] for cid in dict.fromkeys(cited)],
            "title": spec.title,
            "coverage": [_coverage(c, clinical, results) for c in spec.coverage],
        },
    )


def _coverage(
    policy: Coverage, clinical: list[CriterionResult], results: list[CriterionResult]
) -> CoverageResult:
    """A policy covers what it covers at all, when the clinical criteria and its own are met."""
    own = [r for r in results if r.kind == "coverage" and r.policy == policy.policy]
    if policy.covered is False:
        status: Literal["covered", "not_covered", "unknown"] = "not_covered"
    else:
        overall = _overall(clinical + own)
        status = {"met": "covered", "not_met": "not_covered"}.get(overall, "unknown")  # type: ignore[assignment]
    return trusted(
        CoverageResult,
        {
            "policy": policy.policy,
            "status": status,
            "text": policy.text,
            "criteria": [r.id for r in own],
        },
    )
