"""Condition trees: three-valued logic, ranges, references and explanations."""

from __future__ import annotations

import math
from typing import Any

import pytest

from guidepath.engine.conditions import FALSE, TRUE, UNKNOWN, Compiler, Range, leaf_facts
from guidepath.knowledge.schema import All, AnyOf, Leaf, Not, Ref


def leaf(fact: str, op: str, value: Any = None, label: str | None = None) -> Leaf:
    return Leaf.model_validate({"fact": fact, "op": op, "value": value, "label": label})


def run(node: Any, facts: dict[str, Any], definitions: dict[str, Any] | None = None) -> int:
    return Compiler(definitions or {}).compile(node)(facts)


@pytest.mark.parametrize(
    ("op", "value", "fact", "expected"),
    [
        ("ge", 3, 3, TRUE),
        ("ge", 3, 2, FALSE),
        ("gt", 3, 3, FALSE),
        ("lt", 3, 2, TRUE),
        ("le", 3, 4, FALSE),
        ("eq", "a", "a", TRUE),
        ("ne", "a", "a", FALSE),
        ("in", ["a", "b"], "b", TRUE),
        ("in", ["a"], "c", FALSE),
        ("contains", "ibd", ["ibd", "ckd"], TRUE),
        ("contains", "ibd", [], FALSE),
        ("intersects", ["x", "y"], ["y"], TRUE),
        ("intersects", ["x"], ["z"], FALSE),
    ],
)
def test_leaf_operators(op: str, value: Any, fact: Any, expected: int) -> None:
    assert run(leaf("f", op, value), {"f": fact}) == expected


def test_absent_fact_is_unknown_never_false() -> None:
    assert run(leaf("f", "ge", 3), {}) == UNKNOWN
    assert run(Not.model_validate({"not": {"fact": "f", "op": "eq", "value": 1}}), {}) == UNKNOWN


def test_known_and_not_documented_as_are_always_decided() -> None:
    assert run(leaf("f", "known", True), {}) == FALSE
    assert run(leaf("f", "known", False), {}) == TRUE
    assert run(leaf("f", "not_documented_as", True), {}) == TRUE
    assert run(leaf("f", "not_documented_as", True), {"f": True}) == FALSE


def test_kleene_all_and_any() -> None:
    yes, no, unknown = leaf("a", "eq", 1), leaf("b", "eq", 1), leaf("missing", "eq", 1)
    facts = {"a": 1, "b": 0}
    assert run(All(all=[yes, unknown]), facts) == UNKNOWN
    assert run(All(all=[no, unknown]), facts) == FALSE
    assert run(AnyOf(any=[yes, unknown]), facts) == TRUE
    assert run(AnyOf(any=[no, unknown]), facts) == UNKNOWN
    assert run(AnyOf(any=[no, no]), facts) == FALSE


@pytest.mark.parametrize(
    ("op", "target", "expected"),
    [
        ("ge", 3, TRUE),
        ("ge", 4, UNKNOWN),
        ("ge", 6, FALSE),
        ("lt", 3, FALSE),
        ("lt", 5, UNKNOWN),
        ("eq", 4, UNKNOWN),
        ("eq", 7, FALSE),
        ("ne", 7, TRUE),
    ],
)
def test_partly_documented_counts_are_ranges(op: str, target: int, expected: int) -> None:
    assert run(leaf("n", op, target), {"n": Range(3, 5)}) == expected


def test_open_ended_range() -> None:
    assert run(leaf("w", "ge", 4), {"w": Range(6, math.inf)}) == TRUE
    assert run(leaf("w", "ge", 8), {"w": Range(6, math.inf)}) == UNKNOWN


def test_references_resolve_and_unknown_names_fail() -> None:
    definitions = {"high": leaf("x", "ge", 10)}
    assert run(Ref(ref="high"), {"x": 12}, definitions) == TRUE
    with pytest.raises(ValueError, match="not defined"):
        Compiler({}).compile(Ref(ref="nowhere"))


def test_self_reference_is_refused() -> None:
    with pytest.raises(ValueError, match="refers to itself"):
        Compiler({"loop": Ref(ref="loop")}).compile(Ref(ref="loop"))


def test_unknown_facts_lists_only_undecided_leaves() -> None:
    tree = All(all=[leaf("a", "eq", 1), leaf("b", "eq", 1), leaf("c", "eq", 1)])
    compiler = Compiler({})
    assert sorted(compiler.unknown_facts(tree, {"a": 1})) == ["b", "c"]
    assert list(compiler.unknown_facts(tree, {"a": 0})) == []


def test_reasons_expand_all_and_use_labels() -> None:
    tree = All(
        all=[
            leaf("a", "eq", 1, "A holds"),
            AnyOf(any=[leaf("b", "eq", 1, "B"), leaf("c", "eq", 1, "C")]),
        ]
    )
    assert Compiler({}).reasons(tree, {"a": 1, "b": 0, "c": 1}) == ["A holds", "C"]
    assert Compiler({}).reasons(tree, {"a": 0}) == []


def test_leaf_facts_walks_references() -> None:
    compiler = Compiler({"r": leaf("x", "eq", 1)})
    assert sorted(leaf_facts(All(all=[Ref(ref="r"), leaf("y", "eq", 1)]), compiler)) == ["x", "y"]
