"""Human labels of the case's fields and code words (``fields.yaml``), checked at load.

Articles, necessity evidence, letters and web forms show "CRP (mg/L)" and "Severe heart failure",
never ``labs.crp_mg_l`` or ``heart_failure_severe``. The check makes the file complete: every
field of the public case format and every contract word has a label, and nothing else does.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

from guidepath.knowledge.catalogue import PackError
from guidepath.knowledge.schema import Pack, PackModel
from guidepath.vocabulary import (
    Condition,
    Finding,
    HlaB27,
    InjectionPurpose,
    Laterality,
    Modality,
    Outcome,
    PainSite,
    PartialList,
    RedFlag,
    Region,
    Sex,
    Suspicion,
    TreatmentType,
)

Audience = Literal["clinician", "patient"]
# Each word group of fields.yaml and the contract vocabulary it labels.
WORD_GROUPS: dict[str, Any] = {
    "sex": Sex,
    "pain_sites": PainSite,
    "modalities": Modality,
    "regions": Region,
    "findings": Finding,
    "laterality": Laterality,
    "hla_b27": HlaB27,
    "treatment_types": TreatmentType,
    "outcomes": Outcome,
    "injection_purposes": InjectionPurpose,
    "conditions": Condition,
    "red_flags": RedFlag,
    "suspicions": Suspicion,
    "partial_lists": PartialList,
}


class FieldLabel(PackModel):
    """How one case field reads: for clinicians, for patients, its unit and a form hint. A hint
    that states a clinical fact names its ``sources``; its cut-offs are ``{threshold}`` names."""

    label: str
    patient: str | None = None
    unit: str | None = None
    help: str | None = None
    sources: list[str] = Field(default_factory=list)


class FieldsFile(PackModel):
    """``fields.yaml``."""

    fields: dict[str, FieldLabel]
    words: dict[str, dict[str, str]]


def case_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every dotted field path of a contract model (lists and optionals looked through)."""
    paths = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        paths.append(path)
        nested = _model_in(info.annotation)
        if nested is not None:
            paths += case_paths(nested, f"{path}.")
    return paths


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def check_labels(labels: FieldsFile) -> list[str]:
    """Every Case field and contract word labelled, and nothing unknown: one line per flaw."""
    from guidepath.case import Case

    # The BASDAI and ASDAS questions are worded by the calculators (engine/calculators.py).
    items = ("scores.basdai_items.", "scores.asdas_items.")
    paths = {p for p in case_paths(Case) if not p.startswith(items)}
    problems = [f"fields.yaml: fields.{p}: not a case field" for p in set(labels.fields) - paths]
    problems += [
        f"fields.yaml: fields: no label for {p}" for p in sorted(paths - set(labels.fields))
    ]
    for group, vocabulary in WORD_GROUPS.items():
        known, given = set(get_args(vocabulary)), set(labels.words.get(group, {}))
        problems += [f"fields.yaml: words.{group}.{w}: not a contract word" for w in given - known]
        problems += [f"fields.yaml: words.{group}: no label for {w}" for w in sorted(known - given)]
    problems += [
        f"fields.yaml: words.{g}: unknown group" for g in set(labels.words) - set(WORD_GROUPS)
    ]
    return problems


def check_label_references(labels: FieldsFile, pack: Pack) -> list[str]:
    """Every hint's sources are pack sources and its ``{threshold}`` names pathway thresholds."""
    from guidepath.knowledge.loader import threshold_names

    problems = []
    for path, entry in labels.fields.items():
        problems += [
            f"fields.yaml: fields.{path}.sources: unknown source {s!r}"
            for s in entry.sources
            if s not in pack.sources
        ]
        problems += [
            f"fields.yaml: fields.{path}.help: unknown threshold {name!r}"
            for name in threshold_names(entry.help or "")
            if name not in pack.pathway.thresholds
        ]
    return problems


@cache
def labels(pack: str = "sacroiliac") -> FieldsFile:
    """The validated labels of a pack, loaded once; a flaw raises :class:`PackError`."""
    from guidepath.knowledge.loader import read_yaml

    loaded = FieldsFile.model_validate(read_yaml(pack, "fields.yaml"))
    problems = check_labels(loaded)
    if problems:
        raise PackError("; ".join(problems))
    return loaded


def field_label(path: str, audience: Audience = "clinician", *, unit: bool = True) -> str:
    """The label of a case field path (``labs.crp_mg_l`` → ``CRP (mg/L)``); for patients the
    plain-language wording. An unlabelled path (not a case field) is shown with spaces."""
    entry = labels().fields.get(path)
    if entry is None:
        return path.replace("_", " ").replace(".", " ")
    if audience == "patient" and entry.patient:
        return entry.patient
    shown_unit = (
        f" ({entry.unit})" if unit and entry.unit and not entry.unit.startswith("/") else ""
    )
    return f"{entry.label}{shown_unit}"


def field_unit(path: str) -> str:
    """The unit of a case field, or ``""``."""
    entry = labels().fields.get(path)
    return entry.unit or "" if entry else ""


def field_help(path: str) -> str:
    """The form hint of a case field, its cut-offs filled in and its sources named, or ``""``."""
    from guidepath.knowledge.loader import short_cite, with_thresholds

    entry = labels().fields.get(path)
    if entry is None or not entry.help:
        return ""
    cited = f" ({'; '.join(short_cite(s) for s in entry.sources)})" if entry.sources else ""
    return with_thresholds(entry.help) + cited


@cache
def _all_words() -> dict[str, str]:
    merged: dict[str, str] = {}
    for group in labels().words.values():
        for word, text in group.items():
            merged.setdefault(word, text)
    return merged


def word_label(word: str, group: str | None = None) -> str:
    """The label of a contract word (``heart_failure_severe`` → ``Severe heart failure``);
    ``group`` picks the vocabulary when a word is in several."""
    if group is not None:
        found = labels().words.get(group, {}).get(word)
        if found is not None:
            return found
    return _all_words().get(word, word.replace("_", " "))


def word_choices(group: str) -> list[tuple[str, str]]:
    """(word, label) pairs of one vocabulary, in the contract's order (for form fields)."""
    given = labels().words[group]
    return [(w, given[w]) for w in get_args(WORD_GROUPS[group])]
