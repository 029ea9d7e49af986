"""Condition trees with three-valued logic, compiled once into plain Python closures.

A tree is ``all`` / ``any`` / ``not`` over leaves ``{fact, op, value}`` with a closed operator
set; nothing is ever ``eval``-ed. A fact that is absent (``None``) makes its leaf UNKNOWN, and
UNKNOWN flows upward by Kleene's rules: ``all`` is FALSE as soon as one part is FALSE, ``any`` is
TRUE as soon as one part is TRUE, otherwise UNKNOWN. So a missing fact is never read as "no".

Counts that are only partly documented are :class:`Range` values: three positive provocation tests
out of six with two not done is ``Range(3, 5)``, so ``ge 3`` is TRUE but ``ge 4`` is UNKNOWN.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from guidepath.knowledge.schema import All, AnyOf, ConditionNode, Leaf, Not, Ref

TRUE, FALSE, UNKNOWN = 1, 0, -1
Facts = Mapping[str, Any]
Compiled = Callable[[Facts], int]
Explainer = Callable[[Facts], tuple[str, ...]]


class Range(NamedTuple):
    """A number known only to lie between ``low`` and ``high`` inclusive (``high`` may be inf)."""

    low: float
    high: float


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


def _range_test(op: str, value: Range, target: float) -> int:
    compare = _COMPARE[op]
    if op in ("eq", "ne") and value.low != value.high:
        inside = value.low <= target <= value.high
        if op == "eq":
            return UNKNOWN if inside else FALSE
        return UNKNOWN if inside else TRUE
    at_low, at_high = compare(value.low, target), compare(value.high, target)
    if at_low == at_high:
        return TRUE if at_low else FALSE
    return UNKNOWN


def _compile_comparison(fact: str, op: str, target: Any) -> Compiled:
    compare = _COMPARE[op]

    def evaluate(facts: Facts) -> int:
        value = facts.get(fact)
        if value is None:
            return UNKNOWN
        if value.__class__ is Range:
            return _range_test(op, value, target)
        return TRUE if compare(value, target) else FALSE

    return evaluate


def _compile_membership(fact: str, op: str, target: Any) -> Compiled:
    if op == "in":
        allowed = frozenset(target)

        def is_in(facts: Facts) -> int:
            value = facts.get(fact)
            return UNKNOWN if value is None else TRUE if value in allowed else FALSE

        return is_in
    if op == "contains":

        def contains(facts: Facts) -> int:
            value = facts.get(fact)
            return UNKNOWN if value is None else TRUE if target in value else FALSE

        return contains
    if op == "intersects":
        wanted = frozenset(target)

        def intersects(facts: Facts) -> int:
            value = facts.get(fact)
            return UNKNOWN if value is None else TRUE if wanted.intersection(value) else FALSE

        return intersects
    raise ValueError(f"unknown operator {op!r}")


def _compile_leaf(leaf: Leaf) -> Compiled:
    fact = leaf.fact
    if leaf.op == "known":
        wanted = bool(leaf.value)
        return lambda facts: TRUE if (facts.get(fact) is not None) == wanted else FALSE
    if leaf.op == "not_documented_as":
        documented = leaf.value
        return lambda facts: FALSE if facts.get(fact) == documented else TRUE
    if leaf.op in _COMPARE:
        return _compile_comparison(fact, leaf.op, leaf.value)
    return _compile_membership(fact, leaf.op, leaf.value)


def _compile_all(parts: list[Compiled]) -> Compiled:
    def evaluate(facts: Facts) -> int:
        result = TRUE
        for part in parts:
            state = part(facts)
            if state == FALSE:
                return FALSE
            if state == UNKNOWN:
                result = UNKNOWN
        return result

    return evaluate


def _compile_any(parts: list[Compiled]) -> Compiled:
    def evaluate(facts: Facts) -> int:
        result = FALSE
        for part in parts:
            state = part(facts)
            if state == TRUE:
                return TRUE
            if state == UNKNOWN:
                result = UNKNOWN
        return result

    return evaluate


def _compile_not(part: Compiled) -> Compiled:
    def evaluate(facts: Facts) -> int:
        state = part(facts)
        return UNKNOWN if state == UNKNOWN else TRUE - state

    return evaluate


class Compiler:
    """Compiles trees against a set of named definitions (``{ref: name}``), caching each one."""

    def __init__(self, definitions: Mapping[str, ConditionNode]) -> None:
        self.definitions = definitions
        self._done: dict[str, Compiled] = {}
        self._active: set[str] = set()
        self._by_node: dict[int, tuple[ConditionNode, Compiled]] = {}

    def resolve(self, name: str) -> ConditionNode:
        """The tree a ``ref`` names; an unknown name is a pack error."""
        if name not in self.definitions:
            raise ValueError(f"condition reference {name!r} is not defined")
        return self.definitions[name]

    def compile(self, node: ConditionNode) -> Compiled:
        """A fast function ``facts -> TRUE | FALSE | UNKNOWN`` for the tree (cached per node)."""
        known = self._by_node.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        compiled = self._compile(node)
        self._by_node[id(node)] = (node, compiled)
        return compiled

    def _compile(self, node: ConditionNode) -> Compiled:
        if isinstance(node, Leaf):
            return _compile_leaf(node)
        if isinstance(node, All):
            return _compile_all([self.compile(part) for part in node.all])
        if isinstance(node, AnyOf):
            return _compile_any([self.compile(part) for part in node.any])
        if isinstance(node, Not):
            return _compile_not(self.compile(node.not_))
        return self._compile_ref(node)

    def _compile_ref(self, node: Ref) -> Compiled:
        if node.ref not in self._done:
            if node.ref in self._active:
                raise ValueError(f"condition reference {node.ref!r} refers to itself")
            self._active.add(node.ref)
            self._done[node.ref] = self.compile(self.resolve(node.ref))
            self._active.discard(node.ref)
        return self._done[node.ref]

    def unknown_facts(self, node: ConditionNode, facts: Facts) -> Iterator[str]:
        """The undocumented facts that leave the tree UNKNOWN (empty when it is decided)."""
        if self.compile(node)(facts) != UNKNOWN:
            return
        if isinstance(node, Leaf):
            yield node.fact
            return
        for part in _parts(node, self):
            yield from self.unknown_facts(part, facts)

    def undecided(self, node: ConditionNode, facts: Facts) -> list[str]:
        """Readable labels of the parts left UNKNOWN: what a general answer must assume
        ("NSAIDs failed (≥4 weeks in total, or not tolerated)")."""
        if self.compile(node)(facts) != UNKNOWN:
            return []
        label = getattr(node, "label", None)
        if label:
            return [label]
        if isinstance(node, Leaf):
            return [leaf_text(node)]
        if isinstance(node, Ref):
            return self.undecided(self.resolve(node.ref), facts)
        return [text for part in _parts(node, self) for text in self.undecided(part, facts)]

    def reasons(self, node: ConditionNode, facts: Facts) -> list[str]:
        """Readable labels of the parts that made a TRUE tree true (the 'why' for this patient);
        see :func:`compile_explainer` for how parts are labelled."""
        if self.compile(node)(facts) != TRUE:
            return []
        return list(compile_explainer(node, self)(facts))


OPERATOR_WORDS = {
    "eq": "is",
    "ne": "is not",
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "in": "is one of",
    "contains": "includes",
    "intersects": "includes one of",
    "known": "documented:",
    "not_documented_as": "not documented as",
}


def leaf_text(leaf: Leaf) -> str:
    """A readable fallback for an unlabelled test, e.g. ``blocks.positive ≥ 2``."""
    return f"{leaf.fact} {OPERATOR_WORDS[leaf.op]} {leaf.value}"


def _static(labels: tuple[str, ...]) -> Explainer:
    return lambda facts: labels


def _first_true(choices: list[tuple[Compiled, Explainer]]) -> Explainer:
    def explain(facts: Facts) -> tuple[str, ...]:
        for holds, explainer in choices:
            if holds(facts) == TRUE:
                return explainer(facts)
        return ()

    return explain


def compile_explainer(node: ConditionNode, compiler: Compiler) -> Explainer:
    """A fast version of :meth:`Compiler.reasons` for a tree already known to hold.

    When an ``all`` holds, every part holds, so its labels are fixed in advance; only ``any``
    nodes must look at the facts to say which branch held.
    """
    if isinstance(node, All) and not node.label:
        parts = [compile_explainer(part, compiler) for part in node.all]
        return lambda facts: tuple(label for part in parts for label in part(facts))
    if isinstance(node, Ref):
        return compile_explainer(compiler.resolve(node.ref), compiler)
    if node.label:
        return _static((node.label,))
    if isinstance(node, Leaf):
        return _static((leaf_text(node),))
    if isinstance(node, AnyOf):
        return _first_true(
            [(compiler.compile(p), compile_explainer(p, compiler)) for p in node.any]
        )
    return _static(())


def _parts(node: ConditionNode, compiler: Compiler) -> list[ConditionNode]:
    if isinstance(node, All):
        return list(node.all)
    if isinstance(node, AnyOf):
        return list(node.any)
    if isinstance(node, Not):
        return [node.not_]
    if isinstance(node, Ref):
        return [compiler.resolve(node.ref)]
    return []


def leaf_facts(node: ConditionNode, compiler: Compiler) -> Iterator[str]:
    """Every fact name a tree reads (for pack checks)."""
    if isinstance(node, Leaf):
        yield node.fact
        return
    for part in _parts(node, compiler):
        yield from leaf_facts(part, compiler)
