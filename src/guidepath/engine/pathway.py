"""``evaluate(case) -> Assessment``: the care pathway applied to one patient. Pure: no I/O.

1. Derive facts from the case.
2. Walk the pathway's stages in order; the first stage that holds (and has a primary candidate that
   holds) is the patient's stage. Earlier stages left UNKNOWN by undocumented facts are exactly the
   facts that could change the advice, so they are reported in ``missing``.
3. Add the stage's alternatives, adjuncts, next-if-fails and avoidances, then every global rule of
   the patient's track that holds; global rules left UNKNOWN report their facts too.
4. Avoidances win: an avoided action (and the actions it ``blocks``) is never also recommended, and
   a stage may ``suppress`` actions (no procedures while red flags are unexplained).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from guidepath.case import Case
from guidepath.engine.compiled import (
    CompiledPack,
    CompiledRule,
    CompiledStage,
    compiled_pack,
    field_of,
)
from guidepath.engine.conditions import TRUE, UNKNOWN, Facts
from guidepath.engine.facts import derive_facts
from guidepath.engine.models import (
    Assessment,
    AvoidItem,
    EvidenceItem,
    MissingItem,
    RecommendationItem,
    Reference,
    WarningItem,
)
from guidepath.errors import from_validation_error
from guidepath.knowledge.schema import Ask, Recommendation

ROLE_RANK = {
    "primary": 0, "diagnostic": 1, "adjunct": 2, "alternative": 3, "next_if_fails": 4,
    "monitoring": 5,
}


def as_case(case: Case | Mapping[str, Any]) -> Case:
    """Accept a Case or its JSON-like dict; bad input raises :class:`guidepath.errors.BadInput`."""
    if isinstance(case, Case):
        return case
    try:
        return Case.model_validate(case)
    except ValidationError as error:
        raise from_validation_error(error) from None


class _Collector:
    """Gathers one assessment's items, keeping first occurrences and the missing-fact list."""

    def __init__(self, cp: CompiledPack, facts: Facts) -> None:
        self.cp, self.facts = cp, facts
        self.recommended: list[tuple[int, int, RecommendationItem]] = []
        self.avoided: dict[str, AvoidItem] = {}
        self.blocked: set[str] = set()
        self.missing: dict[str, MissingItem] = {}

    def why(self, rule: Recommendation) -> list[str]:
        return [] if rule.when is None else self.cp.compiler.reasons(rule.when, self.facts)

    def recommend(self, rule: Recommendation, role: str, context: list[str] | None = None) -> None:
        item = RecommendationItem.model_construct(
            action=rule.action, role=role, strength=rule.strength, text=rule.text,
            citations=list(rule.citations), id=rule.id, why=(context or []) + self.why(rule),
            evidence=[EvidenceItem.model_construct(text=e.text, citations=list(e.citations))
                      for e in rule.evidence],
            patient_text=rule.patient_text,
        )
        self.recommended.append((ROLE_RANK[role], len(self.recommended), item))
        self.ask_all(rule.asks)

    def avoid(self, rule: Recommendation) -> None:
        if rule.action in self.avoided:
            return
        self.avoided[rule.action] = AvoidItem.model_construct(
            action=rule.action, strength=rule.strength, text=rule.text,
            citations=list(rule.citations), id=rule.id, why=self.why(rule),
            patient_text=rule.patient_text,
        )
        self.blocked.update(rule.blocks)
        self.blocked.add(rule.action)

    def apply(self, compiled: CompiledRule, role: str | None = None) -> None:
        """Fire a rule that holds; report the facts of one left undecided."""
        state = compiled.state(self.facts)
        if state == TRUE:
            if compiled.rule.direction == "against":
                self.avoid(compiled.rule)
            else:
                self.recommend(compiled.rule, role or compiled.rule.role)
        elif state == UNKNOWN and compiled.rule.report_missing and compiled.rule.when:
            self.report_unknown(compiled.rule.when, compiled.rule.text)

    def report_unknown(self, node: Any, why: str) -> None:
        for fact in self.cp.compiler.unknown_facts(node, self.facts):
            self.add_missing(field_of(fact), why)

    def add_missing(self, field: str, why: str) -> None:
        if field not in self.missing:
            self.missing[field] = MissingItem.model_construct(field=field, why=why)

    def ask_all(self, asks: Iterable[Ask]) -> None:
        for ask in asks:
            if self.facts.get(ask.fact) is None:
                self.add_missing(ask.field or field_of(ask.fact), ask.why)

    def final_recommendations(self, suppressed: set[str]) -> list[RecommendationItem]:
        seen: set[str] = set()
        kept = []
        for _, _, item in sorted(self.recommended, key=lambda entry: entry[:2]):
            if item.action in seen or item.action in self.blocked or item.action in suppressed:
                continue
            seen.add(item.action)
            kept.append(item)
        return kept


def _primary_candidates(cp: CompiledPack, stage: CompiledStage, facts: Facts) -> list[str]:
    return [rid for rid in stage.stage.primary if cp.rules[rid].state(facts) == TRUE]


def _select_stage(cp: CompiledPack, collector: _Collector) -> tuple[CompiledStage, list[str]]:
    facts = collector.facts
    for stage in cp.stages:
        if cp.rules and _track_matches(stage.stage.track, facts):
            state = stage.holds(facts)
            if state == TRUE:
                candidates = _primary_candidates(cp, stage, facts)
                if candidates:
                    return stage, candidates
            elif state == UNKNOWN:
                collector.report_unknown(stage.stage.when, stage.stage.summary)
    raise LookupError("the pathway has no stage for this case; the pack needs a final catch-all")


def _track_matches(track: str, facts: Facts) -> bool:
    return track == "any" or track == facts["phenotype"]


def _apply_stage(cp: CompiledPack, stage: CompiledStage, primaries: list[str], c: _Collector) -> None:
    rules = cp.rules
    stage_reasons = c.cp.compiler.reasons(stage.stage.when, c.facts)
    c.recommend(rules[primaries[0]].rule, "primary", stage_reasons)
    for rid in primaries[1:]:
        c.recommend(rules[rid].rule, "alternative")
    for role, ids in (("alternative", stage.stage.alternatives), ("adjunct", stage.stage.adjuncts),
                      ("next_if_fails", stage.stage.next_if_fails)):
        for rid in ids:
            c.apply(rules[rid], role)
    for rid in stage.stage.avoid:
        c.apply(rules[rid])
    c.ask_all(stage.stage.asks)


def _apply_globals(cp: CompiledPack, c: _Collector) -> None:
    for compiled in cp.global_rules:
        if _track_matches(compiled.rule.track, c.facts):
            c.apply(compiled)
    for ask in cp.asks:
        if ask.holds is None or ask.holds(c.facts) == TRUE:
            c.ask_all([ask.ask])


def _warnings(cp: CompiledPack, facts: Facts) -> list[WarningItem]:
    return [
        WarningItem.model_construct(code=w.warning.code, text=w.warning.text,
                                    citations=list(w.warning.citations),
                                    patient_text=w.warning.patient_text)
        for w in cp.warnings
        if w.holds(facts) == TRUE
    ]


def _references(cp: CompiledPack, cited: Iterable[str]) -> list[Reference]:
    sources = cp.pack.sources
    return [
        Reference.model_construct(
            id=s.id, type=s.type, title=s.title, source=s.source, year=s.year,
            authors=s.authors, doi=s.doi, url=s.url, note=s.note,
        )
        for s in (sources[cid] for cid in dict.fromkeys(cited))
    ]


def evaluate(case: Case | Mapping[str, Any], pack: str | None = None) -> Assessment:
    """The Assessment of one case against the care pathway (contract section 2)."""
    cp = compiled_pack(pack) if pack else compiled_pack()
    facts = derive_facts(as_case(case), cp.thresholds)
    collector = _Collector(cp, facts)
    stage, primaries = _select_stage(cp, collector)
    _apply_stage(cp, stage, primaries, collector)
    _apply_globals(cp, collector)
    recommendations = collector.final_recommendations(set(stage.stage.suppress))
    avoid = list(collector.avoided.values())
    warnings = _warnings(cp, facts)
    cited = [cid for item in (*recommendations, *avoid, *warnings) for cid in item.citations]
    cited += [cid for item in recommendations for ev in item.evidence for cid in ev.citations]
    return Assessment.model_construct(
        phenotype=facts["phenotype"], stage=stage.stage.id, recommendations=recommendations,
        avoid=avoid, missing=list(collector.missing.values()), warnings=warnings,
        references=_references(cp, cited), stage_title=stage.stage.title,
        stage_summary=stage.stage.summary, pack_version=cp.pack.version,
    )
