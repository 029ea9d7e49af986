"""Load a knowledge pack from package data with importlib.resources, once per process."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

from guidepath.knowledge.catalogue import (
    FactsFile,
    PackError,
    check_evidence_labels,
    check_names,
)
from guidepath.knowledge.schema import (
    CriteriaFile,
    DisagreementsFile,
    HooksFile,
    ImagingFile,
    Pack,
    Pathway,
    RecommendationsFile,
    SourcesFile,
    TopicsFile,
    ValueSets,
)

DEFAULT_PACK = "sacroiliac"

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(pack: str, name: str) -> Any:
    """Parse one YAML file of a pack (``guidepath/packs/<pack>/<name>``)."""
    text = resources.files("guidepath.packs").joinpath(pack, name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_Loader)


# Thresholds the engine's fact derivation reads (engine/facts.py); a pack must define them all.
REQUIRED_THRESHOLDS = frozenset(
    {
        "weeks_per_month",
        "crp_elevated_mg_l",
        "block_positive_pct",
        "block_negative_pct",
        "repeat_relief_pct",
        "repeat_relief_weeks",
        "rfa_relief_pct",
        "rfa_relief_weeks",
        "biologic_response_weeks",
        "asdas_active",
        "asdas_inactive_below",
        "asdas_very_high_above",
        "asdas_important_improvement",
        "asdas_major_improvement",
        "basdai_active",
    }
)


def build_pack(pack: str = DEFAULT_PACK) -> Pack:
    """Read and validate every file of a pack. A schema flaw raises ``pydantic.ValidationError``;
    an unknown fact, definition or missing threshold raises :class:`PackError` naming the file and
    key of each flaw."""
    from guidepath.knowledge.labels import check_label_references, labels

    built = _build(pack)
    catalogue = fact_catalogue(pack)
    problems = check_names(built, catalogue.names(), set(REQUIRED_THRESHOLDS))
    problems += _check_codes(built, pack) + check_evidence_labels(built, catalogue)
    problems += check_label_references(labels(pack), built)  # fields.yaml
    if problems:
        raise PackError("; ".join(problems))
    return built


def _check_codes(built: Pack, pack: str) -> list[str]:
    """A procedure's billing codes (``criteria.yaml``) must be CPT codes of ``valuesets.yaml``
    whose treatment type is one its ``orders`` match: one home for what a code means."""
    cpt = value_sets(pack).cpt
    problems = []
    for procedure in built.procedures.values():
        types = {match.type for match in procedure.orders}
        for code in procedure.cpt:
            if cpt.get(code) not in types:
                problems.append(
                    f"criteria.yaml: procedures.{procedure.id}.cpt: {code!r} is not a "
                    f"valuesets.yaml cpt code of type {' or '.join(sorted(types)) or '(no orders)'}"
                )
    return problems


def _build(pack: str) -> Pack:
    sources = SourcesFile.model_validate(read_yaml(pack, "sources.yaml"))
    recommendations = RecommendationsFile.model_validate(read_yaml(pack, "recommendations.yaml"))
    topics = TopicsFile.model_validate(read_yaml(pack, "topics.yaml"))
    criteria = CriteriaFile.model_validate(read_yaml(pack, "criteria.yaml"))
    return Pack(
        pack=sources.pack,
        version=sources.version,
        title=sources.title,
        sources={s.id: s for s in sources.sources},
        source_kinds=dict(sources.kinds),
        recommendations=_unique(
            {r.id: r for r in recommendations.recommendations},
            len(recommendations.recommendations),
            "recommendation",
        ),
        pathway=Pathway.model_validate(read_yaml(pack, "pathway.yaml")),
        imaging=ImagingFile.model_validate(read_yaml(pack, "imaging.yaml")).ratings,
        topics=topics.topics,
        faq=topics.faq,
        criteria=_unique({c.id: c for c in criteria.criteria}, len(criteria.criteria), "criterion"),
        procedures={p.id: p for p in criteria.procedures},
        remedy_order=criteria.remedy_order,
        disagreements=DisagreementsFile.model_validate(
            read_yaml(pack, "disagreements.yaml")
        ).disagreements,
    )


def _unique(by_id: dict[str, Any], count: int, what: str) -> dict[str, Any]:
    if len(by_id) != count:
        raise ValueError(f"duplicate {what} ids in the pack")
    return by_id


@cache
def fact_catalogue(pack: str = DEFAULT_PACK) -> FactsFile:
    """The validated ``facts.yaml`` of a pack (fact types, units, labels), loaded once."""
    return FactsFile.model_validate(read_yaml(pack, "facts.yaml"))


@cache
def value_sets(pack: str = DEFAULT_PACK) -> ValueSets:
    """The validated ``valuesets.yaml`` of a pack, loaded once."""
    return ValueSets.model_validate(read_yaml(pack, "valuesets.yaml"))


@cache
def hooks(pack: str = DEFAULT_PACK) -> HooksFile:
    """The validated ``hooks.yaml`` of a pack (CDS Hooks services), loaded once."""
    return HooksFile.model_validate(read_yaml(pack, "hooks.yaml"))


THRESHOLD_NAME = re.compile(r"{(\w+)}")


def threshold_names(text: str) -> list[str]:
    """The ``{threshold}`` names a pack text uses."""
    return THRESHOLD_NAME.findall(text)


def with_thresholds(text: str, pack: str = DEFAULT_PACK) -> str:
    """A pack text with its ``{threshold}`` names replaced by the values of ``pathway.yaml``
    (one home for every cut-off a label, hint or table shows)."""
    values = load_pack(pack).pathway.thresholds
    return THRESHOLD_NAME.sub(lambda m: str(values[m.group(1)]), text)


def short_cite(source_id: str, pack: str = DEFAULT_PACK) -> str:
    """A source as a hint cites it: first author and year ("Laslett 2005"), else its title."""
    source = load_pack(pack).sources[source_id]
    if source.authors and source.year:
        return f"{source.authors.split(',')[0].split(' ')[0]} {source.year}"
    return source.title


@cache
def load_pack(pack: str = DEFAULT_PACK) -> Pack:
    """The validated pack, loaded and cached on first use."""
    return build_pack(pack)
