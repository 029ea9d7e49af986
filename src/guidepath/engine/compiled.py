"""The knowledge pack made ready for fast evaluation: every condition compiled once.

Also maps fact names back to the case fields a user would fill in, so an undecided fact can be
reported in ``missing`` by the field path of the contract.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from guidepath.engine.build import SharedItems
from guidepath.engine.conditions import (
    TRUE,
    Compiled,
    Compiler,
    Explainer,
    Facts,
    compile_explainer,
    leaf_facts,
)
from guidepath.engine.models import (
    DisagreementItem,
    EvidenceItem,
    Reference,
    SideItem,
    WarningItem,
)
from guidepath.knowledge.loader import DEFAULT_PACK, load_pack
from guidepath.knowledge.schema import (
    Ask,
    ConditionNode,
    Criterion,
    Disagreement,
    Gate,
    Pack,
    Recommendation,
    Stage,
    Warning,
)

FACT_FIELDS: dict[str, str] = {
    "condition": "conditions",
    "red_flag": "red_flags",
    "red_flags": "red_flags",
    "provocation": "exam.provocation_tests",
    "imaging": "imaging",
    "activity": "scores",
    "labs.crp_elevated": "labs.crp_mg_l",
    "track.inflammatory": "diagnoses",
}
TREATMENT_GROUPS = frozenset(
    {
        "nsaid",
        "conservative",
        "tnfi",
        "il17i",
        "jaki",
        "biologic",
        "blocks",
        "therapeutic",
        "injections",
        "rfa",
        "nonoperative",
    }
)


def field_of(fact: str) -> str:
    """The contract field behind a fact name (``blocks.positive`` → ``treatments``)."""
    if fact in FACT_FIELDS:
        return FACT_FIELDS[fact]
    group = fact.split(".", 1)[0]
    if group in TREATMENT_GROUPS:
        return "treatments"
    return FACT_FIELDS.get(group, fact)


@dataclass(frozen=True)
class CompiledRule:
    """A recommendation with its compiled condition (``None``: always applies)."""

    rule: Recommendation
    holds: Compiled | None
    explain: Explainer | None
    evidence: tuple[EvidenceItem, ...]
    citations: tuple[str, ...] = ()
    shared: SharedItems = field(default_factory=SharedItems, compare=False, repr=False)

    def why(self, facts: Facts) -> tuple[str, ...]:
        """The reasons this rule applies to the patient (call only when it holds)."""
        return () if self.explain is None else self.explain(facts)

    def state(self, facts: Facts) -> int:
        """TRUE, FALSE or UNKNOWN for this patient."""
        return TRUE if self.holds is None else self.holds(facts)


@dataclass(frozen=True)
class CompiledStage:
    """A pathway stage with its compiled entry condition."""

    stage: Stage
    holds: Compiled
    explain: Explainer


@dataclass(frozen=True)
class CompiledWarning:
    """A warning with its compiled condition."""

    warning: Warning
    holds: Compiled
    item: WarningItem


@dataclass(frozen=True)
class CompiledGate:
    """A safety gate with its compiled condition."""

    gate: Gate
    holds: Compiled
    explain: Explainer
    blocks: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CompiledCriterion:
    """A necessity criterion compiled: its condition, when it applies, the facts it reads (in
    order, for its evidence line) and its results shared between determinations."""

    criterion: Criterion
    holds: Compiled
    applies: Compiled | None
    reads: tuple[str, ...] = ()
    shared: SharedItems = field(default_factory=SharedItems, compare=False, repr=False)


@dataclass(frozen=True)
class CompiledAsk:
    """A global question: ask for ``ask.fact`` when ``holds`` (or always)."""

    ask: Ask
    holds: Compiled | None


@dataclass(frozen=True)
class CompiledPack:
    """Everything the engine needs, built once per pack."""

    pack: Pack
    compiler: Compiler
    rules: dict[str, CompiledRule]
    global_rules: dict[str, tuple[CompiledRule, ...]]
    stages: tuple[CompiledStage, ...]
    warnings: tuple[CompiledWarning, ...]
    asks: tuple[CompiledAsk, ...]
    references: dict[str, Reference]
    thresholds: dict[str, float] = field(default_factory=dict)
    gates: tuple[CompiledGate, ...] = ()
    necessity: dict[str, tuple[CompiledCriterion, ...]] = field(default_factory=dict)
    criteria: dict[str, CompiledCriterion] = field(default_factory=dict)
    disagreements: tuple[tuple[Disagreement, Compiled | None, DisagreementItem], ...] = ()
    phenotype: tuple[tuple[str, Compiled], ...] = ()
    shared: SharedItems = field(default_factory=SharedItems, compare=False, repr=False)

    def clear_shared(self) -> None:
        """Forget the output items shared between assessments (they are made again on use)."""
        self.shared.clear()
        for rule in self.rules.values():
            rule.shared.clear()
        for criterion in self.criteria.values():
            criterion.shared.clear()

    def first_remedy(self, remedies: Iterable[str]) -> str | None:
        """Of the remedy recommendations of failed criteria, the one whose action comes first in
        ``remedy_order`` (red flags before other pain sources before confirming blocks)."""
        order = self.pack.remedy_order
        found = list(remedies)
        if not found:
            return None
        return min(found, key=lambda rid: order.index(self.rules[rid].rule.action))


def _maybe(compiler: Compiler, node: ConditionNode | None) -> Compiled | None:
    return None if node is None else compiler.compile(node)


def _compile_rule(rule: Recommendation, compiler: Compiler) -> CompiledRule:
    return CompiledRule(
        rule=rule,
        holds=_maybe(compiler, rule.when),
        explain=None if rule.when is None else compile_explainer(rule.when, compiler),
        evidence=tuple(
            EvidenceItem(text=e.text, citations=list(e.citations)) for e in rule.evidence
        ),
        citations=tuple(rule.citations),
    )


def _compile_warning(warning: Warning, compiler: Compiler) -> CompiledWarning:
    item = WarningItem(
        code=warning.code,
        text=warning.text,
        citations=list(warning.citations),
        patient_text=warning.patient_text,
    )
    return CompiledWarning(warning, compiler.compile(warning.when), item)


def _references(pack: Pack) -> dict[str, Reference]:
    return {
        s.id: Reference(
            id=s.id,
            type=s.type,
            title=s.title,
            source=s.source,
            year=s.year,
            authors=s.authors,
            doi=s.doi,
            url=s.url,
            kind=s.kind,
            kind_label=pack.source_kinds.get(s.kind),
            pmid=s.pmid,
            note=s.note,
        )
        for s in pack.sources.values()
    }


def _global_rules_by_phenotype(
    rules: Iterable[CompiledRule],
) -> dict[str, tuple[CompiledRule, ...]]:
    """For each phenotype, the global rules of its track (and of every track), in pack order."""
    found = [r for r in rules if r.rule.scope == "global"]
    return {
        phenotype: tuple(r for r in found if r.rule.track in ("any", phenotype))
        for phenotype in ("inflammatory", "mechanical", "undetermined")
    }


def compile_pack(pack: Pack) -> CompiledPack:
    """Compile every condition of a pack; unknown ``ref`` names fail here."""
    compiler = Compiler(pack.pathway.definitions)
    rules = {rid: _compile_rule(rule, compiler) for rid, rule in pack.recommendations.items()}
    criteria = {cid: _compile_criterion(c, compiler) for cid, c in pack.criteria.items()}
    return CompiledPack(
        pack=pack,
        compiler=compiler,
        rules=rules,
        global_rules=_global_rules_by_phenotype(rules.values()),
        stages=tuple(
            CompiledStage(s, compiler.compile(s.when), compile_explainer(s.when, compiler))
            for s in pack.pathway.stages
        ),
        warnings=tuple(_compile_warning(w, compiler) for w in pack.pathway.warnings),
        asks=tuple(CompiledAsk(a, _maybe(compiler, a.when)) for a in pack.pathway.asks),
        references=_references(pack),
        thresholds=dict(pack.pathway.thresholds),
        gates=tuple(
            CompiledGate(
                g,
                compiler.compile(g.when),
                compile_explainer(g.when, compiler),
                frozenset(g.blocks),
            )
            for g in pack.pathway.gates
        ),
        necessity=_necessity_gates(pack, criteria),
        criteria=criteria,
        disagreements=tuple(
            (d, _maybe(compiler, d.when), _disagreement_item(d)) for d in pack.disagreements
        ),
        phenotype=tuple((r.track, compiler.compile(r.when)) for r in pack.pathway.phenotype),
    )


def _disagreement_item(d: Disagreement) -> DisagreementItem:
    sides = [SideItem(position=s.position, citations=list(s.citations)) for s in d.sides]
    return DisagreementItem(id=d.id, topic=d.topic, sides=sides, note=d.note or "")


def _compile_criterion(criterion: Criterion, compiler: Compiler) -> CompiledCriterion:
    return CompiledCriterion(
        criterion,
        compiler.compile(criterion.when),
        _maybe(compiler, criterion.applies_when),
        tuple(dict.fromkeys(leaf_facts(criterion.when, compiler))),
    )


def _necessity_gates(
    pack: Pack, criteria: dict[str, CompiledCriterion]
) -> dict[str, tuple[CompiledCriterion, ...]]:
    """For each pathway action a procedure's criteria cover, its clinical criteria compiled:
    one definition gates both ``evaluate`` and ``check_necessity``."""
    gates: dict[str, tuple[CompiledCriterion, ...]] = {}
    for procedure in pack.procedures.values():
        clinical = tuple(
            criteria[cid]
            for cid in procedure.criteria
            if criteria[cid].criterion.kind == "clinical"
        )
        for action in procedure.actions:
            gates[action] = clinical
    return gates


@cache
def compiled_pack(name: str = DEFAULT_PACK) -> CompiledPack:
    """The named pack, loaded, validated and compiled once per process."""
    return compile_pack(load_pack(name))
