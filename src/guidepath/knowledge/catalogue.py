"""The fact catalogue (``facts.yaml``) and the load-time check that every rule names known facts.

A misspelt fact in a condition would otherwise load and stay unknown forever; a misspelt
``ref`` or threshold would fail later, mid-evaluation. :func:`check_names` lists every such flaw
with its file and key, e.g. ``criteria.yaml: criteria.pain_three_months: unknown fact
'pain.duration_wks'``, and the loader refuses the pack.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from guidepath.knowledge.schema import (
    All,
    AnyOf,
    ConditionNode,
    Leaf,
    Not,
    Pack,
    PackModel,
    Ref,
)
from guidepath.vocabulary import CONDITIONS, RED_FLAGS

FactType = Literal["bool", "number", "count", "word", "words"]


class FactEntry(PackModel):
    """One fact: its type, unit and clinical meaning."""

    type: FactType
    unit: str | None = None
    label: str | None = None
    meaning: str


class Family(PackModel):
    """Facts ``<prefix><word>`` for every word of a contract vocabulary."""

    prefix: str
    each: Literal["conditions", "red_flags"]
    type: FactType
    label: str | None = None
    meaning: str


class FactsFile(PackModel):
    """``facts.yaml``."""

    families: list[Family] = Field(default_factory=list)
    facts: dict[str, FactEntry]

    def names(self) -> set[str]:
        """Every fact name, families expanded."""
        words = {"conditions": CONDITIONS, "red_flags": RED_FLAGS}
        expanded = {f"{f.prefix}{w}" for f in self.families for w in words[f.each]}
        return set(self.facts) | expanded

    def label_of(self, name: str) -> tuple[str, str] | None:
        """(label, unit) of a fact for evidence lines, or ``None`` when it has no label; a
        family's label names its word with the word's label from ``fields.yaml``."""
        from guidepath.knowledge.labels import word_label

        entry = self.facts.get(name)
        if entry is not None:
            return (entry.label, entry.unit or "") if entry.label else None
        for family in self.families:
            if name.startswith(family.prefix) and family.label:
                word = word_label(name.removeprefix(family.prefix), family.each)
                return family.label.format(word=word), ""
        return None


class PackError(ValueError):
    """A knowledge pack that names what does not exist; one line per flaw, file and key first."""


def _leaves(node: ConditionNode | None) -> Iterator[Leaf | Ref]:
    if node is None:
        return
    if isinstance(node, Leaf | Ref):
        yield node
    elif isinstance(node, All):
        for part in node.all:
            yield from _leaves(part)
    elif isinstance(node, AnyOf):
        for part in node.any:
            yield from _leaves(part)
    elif isinstance(node, Not):
        yield from _leaves(node.not_)


def _trees(pack: Pack) -> Iterator[tuple[str, ConditionNode | None]]:
    """Every condition tree with where it stands: ``file: key``."""
    for rec in pack.recommendations.values():
        yield f"recommendations.yaml: {rec.id}.when", rec.when
    pathway = pack.pathway
    for name, node in pathway.definitions.items():
        yield f"pathway.yaml: definitions.{name}", node
    for number, rule in enumerate(pathway.phenotype):
        yield f"pathway.yaml: phenotype.{number}.when", rule.when
    for stage in pathway.stages:
        yield f"pathway.yaml: stages.{stage.id}.when", stage.when
    for gate in pathway.gates:
        yield f"pathway.yaml: gates.{gate.id}.when", gate.when
    for warning in pathway.warnings:
        yield f"pathway.yaml: warnings.{warning.code}.when", warning.when
    for ask in pathway.asks:
        yield f"pathway.yaml: asks.{ask.fact}.when", ask.when
    for criterion in pack.criteria.values():
        yield f"criteria.yaml: criteria.{criterion.id}.when", criterion.when
        yield f"criteria.yaml: criteria.{criterion.id}.applies_when", criterion.applies_when
    for disagreement in pack.disagreements:
        yield f"disagreements.yaml: {disagreement.id}.when", disagreement.when


def _asked(pack: Pack) -> Iterator[tuple[str, str]]:
    for stage in pack.pathway.stages:
        for ask in stage.asks:
            yield f"pathway.yaml: stages.{stage.id}.asks", ask.fact
    for rec in pack.recommendations.values():
        for ask in rec.asks:
            yield f"recommendations.yaml: {rec.id}.asks", ask.fact
    for ask in pack.pathway.asks:
        yield "pathway.yaml: asks", ask.fact


def _resolved(node: ConditionNode | None, definitions: dict[str, ConditionNode]) -> Iterator[Leaf]:
    for leaf in _leaves(node):
        if isinstance(leaf, Ref):
            if leaf.ref in definitions:
                yield from _resolved(definitions[leaf.ref], definitions)
        else:
            yield leaf


def check_evidence_labels(pack: Pack, catalogue: FactsFile) -> list[str]:
    """Every fact a necessity criterion reads has a label, so evidence never shows a raw key."""
    definitions, known = dict(pack.pathway.definitions), catalogue.names()
    problems = set()
    for criterion in pack.criteria.values():
        for leaf in _resolved(criterion.when, definitions):
            if leaf.fact in known and catalogue.label_of(leaf.fact) is None:
                problems.add(
                    f"facts.yaml: {leaf.fact}: no label (read by criterion {criterion.id})"
                )
    return sorted(problems)


def check_names(pack: Pack, known: set[str], thresholds: set[str]) -> list[str]:
    """Every unknown fact, ``ref`` and missing threshold, each with its file and key."""
    definitions = set(pack.pathway.definitions)
    problems = []
    for where, tree in _trees(pack):
        for leaf in _leaves(tree):
            if isinstance(leaf, Ref) and leaf.ref not in definitions:
                problems.append(f"{where}: unknown definition {leaf.ref!r}")
            elif isinstance(leaf, Leaf) and leaf.fact not in known:
                problems.append(f"{where}: unknown fact {leaf.fact!r}")
    problems += [
        f"{where}: unknown fact {fact!r}" for where, fact in _asked(pack) if fact not in known
    ]
    problems += [
        f"pathway.yaml: thresholds: missing {name!r}"
        for name in sorted(thresholds - set(pack.pathway.thresholds))
    ]
    return problems
