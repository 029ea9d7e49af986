"""How the calculators are shown (``calculators.yaml``), checked against their input models.

The wording of each item, the formula, the interpretation table and the sources are pack data;
the arithmetic is ``engine/calculators.py``. The check at load makes the two agree: a
calculator's items are exactly its input fields, every SpA feature is labelled, and every
``{threshold}`` in a table is a ``pathway.yaml`` threshold (one home for the cut-offs).
"""

from __future__ import annotations

from functools import cache
from typing import Literal, get_args

from pydantic import Field

from guidepath.knowledge.catalogue import PackError
from guidepath.knowledge.loader import threshold_names
from guidepath.knowledge.schema import PackModel

ItemKind = Literal["scale", "number", "bool", "tri", "test", "features"]


class CalculatorItem(PackModel):
    """One input as the form asks it: ``scale`` 0-10, ``number`` with unit and bounds,
    ``bool`` yes/no, ``tri`` positive/negative/not known, ``test`` positive/negative/not done,
    ``features`` a checkbox list."""

    name: str
    kind: ItemKind
    text: str
    unit: str | None = None
    max: float | None = None
    low: str | None = None
    high: str | None = None


class InterpretationRow(PackModel):
    """A range of the score and what it means."""

    range: str
    meaning: str


class CalculatorSpec(PackModel):
    """One calculator as the site shows it; ``unused`` names inputs the model accepts but the
    score does not count (not shown)."""

    title: str
    summary: str
    items: list[CalculatorItem] = Field(min_length=1)
    formula: str
    interpretation: list[InterpretationRow]
    citations: list[str] = Field(min_length=1)
    unused: list[str] = Field(default_factory=list)


class CalculatorsFile(PackModel):
    """``calculators.yaml``."""

    calculators: dict[str, CalculatorSpec]
    features: dict[str, str]
    chart: str


def _input_names(model: type) -> set[str]:
    fields = model.model_fields  # type: ignore[attr-defined]
    if "items" in fields and len(fields) == 1:  # BASFI: a list of ten answers
        return {f"items.{n}" for n in range(10)}
    return set(fields)


def check_specs(specs: CalculatorsFile, thresholds: set[str], sources: set[str]) -> list[str]:
    """Items match the input models, features and thresholds exist: one line per flaw."""
    from guidepath.engine.calculators import CALCULATORS, SpaFeature

    problems = [
        f"calculators.yaml: no entry for calculator {name}"
        for name in sorted(set(CALCULATORS) - set(specs.calculators))
    ]
    for name, spec in specs.calculators.items():
        if name not in CALCULATORS:
            problems.append(f"calculators.yaml: {name}: not a calculator")
            continue
        given = {i.name for i in spec.items} | set(spec.unused)
        expected = _input_names(CALCULATORS[name][0])
        if given != expected:
            problems.append(
                f"calculators.yaml: {name}.items: {sorted(given ^ expected)} differ from the inputs"
            )
        for row in spec.interpretation:
            problems += [
                f"calculators.yaml: {name}: unknown threshold {key!r}"
                for key in threshold_names(row.range)
                if key not in thresholds
            ]
        problems += [
            f"calculators.yaml: {name}.citations: unknown source {s!r}"
            for s in spec.citations
            if s not in sources
        ]
    problems += [
        f"calculators.yaml: chart: unknown threshold {key!r}"
        for key in threshold_names(specs.chart)
        if key not in thresholds
    ]
    missing = set(get_args(SpaFeature)) ^ set(specs.features)
    if missing:
        problems.append(f"calculators.yaml: features: {sorted(missing)} differ from SpaFeature")
    return problems


@cache
def calculator_specs(pack: str = "sacroiliac") -> CalculatorsFile:
    """The validated calculator specs of a pack, with thresholds filled into the tables."""
    from guidepath.knowledge.loader import load_pack, read_yaml, with_thresholds

    specs = CalculatorsFile.model_validate(read_yaml(pack, "calculators.yaml"))
    loaded = load_pack(pack)
    problems = check_specs(specs, set(loaded.pathway.thresholds), set(loaded.sources))
    if problems:
        raise PackError("; ".join(problems))
    filled = {
        name: spec.model_copy(
            update={
                "interpretation": [
                    row.model_copy(update={"range": with_thresholds(row.range, pack)})
                    for row in spec.interpretation
                ]
            }
        )
        for name, spec in specs.calculators.items()
    }
    return specs.model_copy(
        update={"calculators": filled, "chart": with_thresholds(specs.chart, pack)}
    )
