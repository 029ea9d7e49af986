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
from typing import Any, NamedTuple

from pydantic import ValidationError

from guidepath.case import Case
from guidepath.engine.build import trusted
from guidepath.engine.compiled import (
    CompiledPack,
    CompiledRule,
    CompiledStage,
    compiled_pack,
    field_of,
)
from guidepath.engine.conditions import FALSE, TRUE, UNKNOWN, Facts
from guidepath.engine.facts import derive_facts
from guidepath.engine.models import (
    Assessment,
    AvoidItem,
    DisagreementItem,
    MissingItem,
    RecommendationItem,
    Reference,
    WarningItem,
)
from guidepath.errors import from_validation_error
from guidepath.knowledge.schema import Ask, Criterion

ROLE_RANK = {
    "primary": 0,
    "diagnostic": 1,
    "adjunct": 2,
    "alternative": 3,
    "next_if_fails": 4,
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


def recommendation_item(
    compiled: CompiledRule, role: str, why: Iterable[str] = ()
) -> RecommendationItem:
    """A rule as a recommendation in ``role`` for this patient, with the reasons it applies
    (made once per rule, role and reasons, then shared)."""
    reasons = tuple(why)
    return compiled.shared.get(
        (role, reasons), lambda: _new_recommendation(compiled, role, reasons)
    )


def _new_recommendation(
    compiled: CompiledRule, role: str, why: tuple[str, ...]
) -> RecommendationItem:
    rule = compiled.rule
    return trusted(
        RecommendationItem,
        {
            "action": rule.action,
            "role": role,
            "strength": rule.strength,
            "text": rule.text,
            "citations": list(compiled.citations),
            "id": rule.id,
            "why": list(why),
            "evidence": list(compiled.evidence),
            "patient_text": rule.patient_text,
        },
    )


def with_role(item: RecommendationItem, role: str) -> RecommendationItem:
    """The same recommendation in another role (a former primary that now goes alongside)."""
    return trusted(RecommendationItem, {**item.__dict__, "role": role})


def _new_avoid_item(compiled: CompiledRule, why: tuple[str, ...]) -> AvoidItem:
    rule = compiled.rule
    return trusted(
        AvoidItem,
        {
            "action": rule.action,
            "strength": rule.strength,
            "text": rule.text,
            "citations": list(compiled.citations),
            "id": rule.id,
            "why": list(why),
            "patient_text": rule.patient_text,
        },
    )


class _Pending(NamedTuple):
    """A recommendation made while walking the pathway, built into output only if it is kept."""

    rank: int
    order: int
    compiled: CompiledRule
    role: str
    context: tuple[str, ...]
    explain: bool


class _Collector:
    """Gathers one assessment's items, keeping first occurrences and the missing-fact list."""

    def __init__(self, cp: CompiledPack, facts: Facts, focus: frozenset[str] = frozenset()) -> None:
        self.cp, self.facts, self.focus = cp, facts, focus
        self.recommended: list[_Pending] = []
        self.avoided: dict[str, AvoidItem] = {}
        self.blocked: set[str] = set()
        self.missing: dict[str, MissingItem] = {}

    def recommend(
        self,
        compiled: CompiledRule,
        role: str,
        context: Iterable[str] = (),
        explain: bool = True,
    ) -> None:
        order = len(self.recommended)
        self.recommended.append(
            _Pending(ROLE_RANK[role], order, compiled, role, tuple(context), explain)
        )
        if compiled.rule.asks:
            self.ask_all(compiled.rule.asks)

    def avoid(self, compiled: CompiledRule) -> None:
        rule = compiled.rule
        if rule.action in self.avoided:
            return
        why = compiled.why(self.facts)
        self.avoided[rule.action] = compiled.shared.get(
            ("avoid", why), lambda: _new_avoid_item(compiled, why)
        )
        self.blocked.update(rule.blocks)
        self.blocked.add(rule.action)

    def apply(self, compiled: CompiledRule, role: str | None = None) -> None:
        """Fire a rule that holds; report the facts of one left undecided."""
        state = compiled.state(self.facts)
        if state == TRUE:
            if compiled.rule.direction == "against":
                self.avoid(compiled)
            else:
                self.recommend(compiled, role or compiled.rule.role)
            return
        if state == UNKNOWN and self._in_focus(compiled):
            assert compiled.rule.when is not None
            undecided = self.cp.compiler.undecided(compiled.rule.when, self.facts)
            context = [f"if {u}" for u in undecided]
            self.recommend(compiled, role or compiled.rule.role, context, explain=False)
        if state == UNKNOWN and compiled.rule.report_missing and compiled.rule.when:
            self.report_unknown(compiled.rule.when, compiled.rule.text)

    def _in_focus(self, compiled: CompiledRule) -> bool:
        """A rule the question asks about is shown with its open conditions ("if ...")."""
        rule = compiled.rule
        return rule.direction == "for" and rule.action in self.focus and rule.when is not None

    def report_unknown(self, node: Any, why: str) -> None:
        for fact in self.cp.compiler.unknown_facts(node, self.facts):
            self.add_missing(field_of(fact), why)

    def add_missing(self, field: str, why: str) -> None:
        if field not in self.missing:
            self.missing[field] = self.cp.shared.get(
                (field, why), lambda: trusted(MissingItem, {"field": field, "why": why})
            )

    def ask_all(self, asks: Iterable[Ask]) -> None:
        for ask in asks:
            self.ask(ask)

    def ask(self, ask: Ask) -> None:
        """Report ``ask``'s field as missing when its fact is undocumented."""
        if self.facts.get(ask.fact) is None:
            self.add_missing(ask.field or field_of(ask.fact), ask.why)

    def final_recommendations(self, suppressed: Iterable[str]) -> list[RecommendationItem]:
        """The recommendations kept (first of each action, none blocked or suppressed), in role
        order, built into output items only now."""
        excluded = self.blocked.union(suppressed)
        kept: dict[str, _Pending] = {}
        for pending in sorted(self.recommended):
            action = pending.compiled.rule.action
            if action not in excluded and action not in kept:
                kept[action] = pending
        return [self._built(p) for p in kept.values()]

    def _built(self, pending: _Pending) -> RecommendationItem:
        why = pending.context
        if pending.explain:
            why += pending.compiled.why(self.facts)
        return recommendation_item(pending.compiled, pending.role, why)


def _primary_candidates(cp: CompiledPack, stage: CompiledStage, facts: Facts) -> list[str]:
    return [rid for rid in stage.stage.primary if cp.rules[rid].state(facts) == TRUE]


def _select_stage(cp: CompiledPack, collector: _Collector) -> tuple[CompiledStage, list[str]]:
    facts = collector.facts
    for stage in cp.stages:
        if _track_matches(stage.stage.track, facts):
            state = stage.holds(facts)
            if state == TRUE:
                candidates = _primary_candidates(cp, stage, facts)
                if candidates:
                    return stage, candidates
            elif state == UNKNOWN:
                collector.report_unknown(stage.stage.when, stage.stage.summary)
    raise LookupError("the pathway has no stage for this case; the pack needs a final catch-all")


def _forced_stage(cp: CompiledPack, stage_id: str, facts: Facts) -> tuple[CompiledStage, list[str]]:
    """A named stage, as if its entry condition held: its primaries that hold, else those not
    ruled out, else all of them (the stage's own conditions become the answer's assumptions)."""
    stage = next((s for s in cp.stages if s.stage.id == stage_id), None)
    if stage is None:
        raise KeyError(f"no pathway stage {stage_id!r}")
    states = {rid: cp.rules[rid].state(facts) for rid in stage.stage.primary}
    held = [rid for rid, state in states.items() if state == TRUE]
    possible = [rid for rid, state in states.items() if state != FALSE]
    return stage, held or possible or list(stage.stage.primary)


def _track_matches(track: str, facts: Facts) -> bool:
    return track == "any" or track == facts["phenotype"]


def _apply_stage(
    cp: CompiledPack, stage: CompiledStage, primaries: list[str], c: _Collector
) -> None:
    rules = cp.rules
    c.recommend(rules[primaries[0]], "primary", list(stage.explain(c.facts)))
    for rid in primaries[1:]:
        c.recommend(rules[rid], "alternative")
    for rid in stage.stage.alternatives:
        c.apply(rules[rid], "alternative")
    for rid in stage.stage.adjuncts:
        own_role = rules[rid].rule.role
        c.apply(rules[rid], own_role if own_role in ("diagnostic", "monitoring") else "adjunct")
    for rid in stage.stage.next_if_fails:
        c.apply(rules[rid], "next_if_fails")
    for rid in stage.stage.avoid:
        c.apply(rules[rid])
    c.ask_all(stage.stage.asks)


def _apply_globals(cp: CompiledPack, c: _Collector) -> None:
    for compiled in cp.global_rules[c.facts["phenotype"]]:
        c.apply(compiled)
    for ask in cp.asks:
        if ask.holds is None or ask.holds(c.facts) == TRUE:
            c.ask(ask.ask)


def _gated(
    cp: CompiledPack,
    c: _Collector,
    recommendations: list[RecommendationItem],
    scenario: bool = False,
) -> list[RecommendationItem]:
    """Apply the safety gates that hold, then the necessity gate, then make sure one primary
    leads (the fallback). A scenario (a stage taken as reached, its conditions assumed) skips the
    necessity gate, whose criteria would contradict the assumptions; its answer states them."""
    for gate in cp.gates:
        blocked = gate.blocks
        touched = gate.gate.always_leads or any(
            r.action in blocked for r in recommendations if r.role != "next_if_fails"
        )
        if not touched or gate.holds(c.facts) != TRUE:
            continue
        led = gate.gate.always_leads or any(
            r.role == "primary" and r.action in blocked for r in recommendations
        )
        recommendations = [
            r for r in recommendations if r.role == "next_if_fails" or r.action not in blocked
        ]
        if led:
            recommendations = _lead(
                cp, c, gate.gate.primary, list(gate.explain(c.facts)), recommendations
            )
    if not scenario:
        recommendations = _necessity_gated(cp, c, recommendations)
    if not any(r.role == "primary" for r in recommendations) and cp.pack.pathway.fallback_primary:
        recommendations = _lead(cp, c, cp.pack.pathway.fallback_primary, [], recommendations)
    return recommendations


def _failed_criteria(cp: CompiledPack, action: str, facts: Facts) -> list[Criterion]:
    """The clinical necessity criteria of ``action`` that the case documents as not met."""
    return [
        g.criterion
        for g in cp.necessity.get(action, ())
        if (g.applies is None or g.applies(facts) != FALSE) and g.holds(facts) == FALSE
    ]


def _necessity_gated(
    cp: CompiledPack, c: _Collector, recommendations: list[RecommendationItem]
) -> list[RecommendationItem]:
    """Nothing is recommended now that its own necessity criteria rule out; a primary ruled out
    gives way to the remedy of its failed criterion (other pain sources before a block)."""
    kept, failed_primary = [], []
    for rec in recommendations:
        failed = [] if rec.role == "next_if_fails" else _failed_criteria(cp, rec.action, c.facts)
        if not failed:
            kept.append(rec)
        elif rec.role == "primary":
            failed_primary = failed
    if not failed_primary or any(r.role == "primary" for r in kept):
        return kept
    why: list[str] = []
    tried: set[str] = set()
    while True:
        why += [f"not met: {f.text}" for f in failed_primary]
        remedy = cp.first_remedy(
            f.remedy for f in failed_primary if f.remedy and f.remedy not in tried
        )
        if remedy is None:
            return kept
        # A remedy is held to its own criteria: one they rule out gives way to its remedy.
        tried.add(remedy)
        failed_primary = _failed_criteria(cp, cp.rules[remedy].rule.action, c.facts)
        if not failed_primary:
            return _lead(cp, c, remedy, why, kept)


def _lead(
    cp: CompiledPack,
    c: _Collector,
    rule_id: str,
    why: list[str],
    recommendations: list[RecommendationItem],
) -> list[RecommendationItem]:
    """``rule_id`` as the primary, ahead of what is left (any other primary becomes adjunct)."""
    compiled = cp.rules[rule_id]
    item = recommendation_item(compiled, "primary", why)
    c.ask_all(compiled.rule.asks)
    rest = [
        r if r.role != "primary" else with_role(r, "adjunct")
        for r in recommendations
        if r.action != item.action
    ]
    return [item, *rest]


def _disagreements(
    cp: CompiledPack,
    facts: Facts,
    recommendations: list[RecommendationItem],
    avoid: list[AvoidItem],
) -> list[DisagreementItem]:
    """Where sources differ on something this patient's advice touches."""
    touched = {r.action for r in recommendations if r.role != "next_if_fails"}
    touched |= {a.action for a in avoid}
    return [
        item
        for d, holds, item in cp.disagreements
        if touched & set(d.actions) or (holds is not None and holds(facts) == TRUE)
    ]


def _warnings(cp: CompiledPack, facts: Facts) -> list[WarningItem]:
    return [w.item for w in cp.warnings if w.holds(facts) == TRUE]


def _references(cp: CompiledPack, cited: Iterable[str]) -> list[Reference]:
    return [cp.references[cid] for cid in dict.fromkeys(cited)]


def evaluate(
    case: Case | Mapping[str, Any],
    pack: str | None = None,
    at_stage: str | None = None,
    focus: frozenset[str] = frozenset(),
) -> Assessment:
    """The Assessment of one case against the care pathway (contract section 2).

    ``at_stage`` answers "what does the pathway advise at this stage?" for general questions
    (the role of a drug, when a procedure is indicated): the named stage is taken as reached.
    ``focus`` names actions the question asks about: their rules are shown even when undecided,
    with the conditions still to document (a rule ruled out, or any avoidance, is never added).
    """
    cp = compiled_pack(pack) if pack else compiled_pack()
    facts = derive_facts(as_case(case), cp.thresholds)
    collector = _Collector(cp, facts, focus)
    if at_stage is None:
        stage, primaries = _select_stage(cp, collector)
    else:
        stage, primaries = _forced_stage(cp, at_stage, facts)
        if stage.stage.track != "any" and facts["phenotype"] == "undetermined":
            facts["phenotype"] = stage.stage.track  # the question is about that track
    _apply_stage(cp, stage, primaries, collector)
    _apply_globals(cp, collector)
    recommendations = _gated(
        cp,
        collector,
        collector.final_recommendations(stage.stage.suppress),
        scenario=at_stage is not None and stage.holds(facts) != TRUE,
    )
    avoid = list(collector.avoided.values())
    warnings = _warnings(cp, facts)
    disagreements = _disagreements(cp, facts, recommendations, avoid)
    cited = [cid for rec in recommendations for cid in rec.citations]
    cited += [cid for d in disagreements for side in d.sides for cid in side.citations]
    cited += [cid for rec in recommendations for ev in rec.evidence for cid in ev.citations]
    cited += [cid for item in avoid for cid in item.citations]
    cited += [cid for warning in warnings for cid in warning.citations]
    return trusted(
        Assessment,
        {
            "phenotype": facts["phenotype"],
            "stage": stage.stage.id,
            "recommendations": recommendations,
            "avoid": avoid,
            "missing": list(collector.missing.values()),
            "warnings": warnings,
            "references": _references(cp, cited),
            "stage_title": stage.stage.title,
            "stage_summary": stage.stage.summary,
            "pack_version": cp.pack.version,
            "activity": facts.get("activity.summary"),
            "input_notes": [],
            "case": None,
            "disagreements": disagreements,
        },
    )
