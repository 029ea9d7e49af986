"""The case form: real fields for the public case format, read back into a Case.

Inputs are named by their case paths (``pain.nrs``, ``imaging.0.modality``,
``exam.provocation_tests.faber``), so a validation error names the field it sits beside.
Unknown stays unknown: an untouched field is absent from the case, never "no"; yes/no questions
have a third, default answer ("not known" / "not done"); a checkbox list of conditions or red flags
counts as complete only when the clinician says so, otherwise it is marked partial.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import ValidationError

from guidepath.case import Case
from guidepath.errors import BadInput, from_validation_error
from guidepath.knowledge.labels import field_help, field_label, word_choices

IMAGING_ROWS = 3
TREATMENT_ROWS = 4
MAX_ROWS = 12
NUMBERS = (
    "patient.age",
    "pain.nrs",
    "pain.duration_weeks",
    "labs.crp_mg_l",
    "labs.esr_mm_h",
    "scores.basdai",
    "scores.asdas_crp",
    "scores.asdas_esr",
    "scores.basfi",
    "scores.asdas_baseline",
)
TREATMENT_NUMBERS = ("weeks", "relief_pct", "relief_weeks", "months_ago")
TREATMENT_WORDS = ("type", "outcome", "purpose")
TRI_STATES = ("pain.inflammatory_back_pain", "pain.radicular")
TESTS = ("distraction", "thigh_thrust", "compression", "sacral_thrust", "gaenslen", "faber")
# Checkbox lists: (case field, vocabulary group, the "list is complete" box).
CHECK_LISTS = (
    ("conditions", "conditions", "conditions_complete"),
    ("red_flags", "red_flags", "red_flags_complete"),
)
# Rows of treatments are a complete history only when the clinician says so.
TREATMENTS_COMPLETE = "treatments_complete"
IMAGING_NONE = "imaging_none"
Values = Mapping[str, str | list[str]]


@dataclass
class CaseForm:
    """What the form shows: values as entered, errors by field, row counts."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    imaging_rows: int = IMAGING_ROWS
    treatment_rows: int = TREATMENT_ROWS

    def value(self, name: str) -> Any:
        """The value entered for a field ("" when none)."""
        return self.values.get(name, "")

    def checked(self, name: str, word: str) -> bool:
        """Whether a checkbox of a list is ticked."""
        given = self.values.get(name, [])
        return word in (given if isinstance(given, list) else [given])


def _text(values: Values, name: str) -> str:
    given = values.get(name, "")
    return (given[0] if given else "") if isinstance(given, list) else given.strip()


def _number(values: Values, name: str, problems: list[tuple[str, str]]) -> float | None:
    text = _text(values, name)
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        problems.append((name, f"{text!r} is not a number"))
        return None


def _set(case: dict[str, Any], path: str, value: Any) -> None:
    """Put a value at a dotted path, creating the objects on the way."""
    *parents, last = path.split(".")
    node = case
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def _tri(values: Values, name: str) -> bool | None:
    return {"true": True, "false": False}.get(_text(values, name))


def _row_count(values: Values, name: str, default: int) -> int:
    try:
        return max(default, min(MAX_ROWS, int(_text(values, name) or default)))
    except ValueError:
        return default


def _imaging(values: Values, rows: int) -> list[dict[str, Any]]:
    studies = []
    for n in range(rows):
        study: dict[str, Any] = {}
        for part in ("modality", "region", "laterality"):
            if text := _text(values, f"imaging.{n}.{part}"):
                study[part] = text
        findings = values.get(f"imaging.{n}.findings", [])
        if findings:
            study["findings"] = findings if isinstance(findings, list) else [findings]
        if study:
            studies.append(study)
    return studies


def _treatments(values: Values, rows: int, problems: list[tuple[str, str]]) -> list[dict[str, Any]]:
    given = []
    for n in range(rows):
        row: dict[str, Any] = {}
        for part in (*TREATMENT_WORDS, "agent"):
            if text := _text(values, f"treatments.{n}.{part}"):
                row[part] = text
        for part in TREATMENT_NUMBERS:
            number = _number(values, f"treatments.{n}.{part}", problems)
            if number is not None:
                row[part] = number
        for part in ("image_guided", "current"):
            state = _tri(values, f"treatments.{n}.{part}")
            if state is not None:
                row[part] = state
        if row:
            given.append(row)
    return given


def _lists(values: Values, case: dict[str, Any]) -> None:
    partial = []
    for name, _, complete in CHECK_LISTS:
        ticked = values.get(name, [])
        ticked = ticked if isinstance(ticked, list) else [ticked]
        if _text(values, complete) == "yes":
            case[name] = ticked
        elif ticked:
            case[name] = ticked
            partial.append(name)
    if partial:
        case["partial_lists"] = partial
    suspected = values.get("suspected", [])
    if suspected:
        case["suspected"] = suspected if isinstance(suspected, list) else [suspected]


def case_from_form(values: Values) -> dict[str, Any]:
    """The case the form describes (only what was entered), or :class:`BadInput` with one
    problem per field, named by its input."""
    problems: list[tuple[str, str]] = []
    case: dict[str, Any] = {}
    for name in NUMBERS:
        number = _number(values, name, problems)
        if number is not None:
            _set(
                case, name, int(number) if name == "patient.age" and number.is_integer() else number
            )
    for name in ("patient.sex", "labs.hla_b27"):
        if text := _text(values, name):
            _set(case, name, text)
    codes = [_text(values, f"diagnoses.{n}") for n in range(4)]
    if any(codes):
        case["diagnoses"] = [c.split(" ")[0] for c in codes if c]
    sites = values.get("pain.sites", [])
    if sites:
        _set(case, "pain.sites", sites if isinstance(sites, list) else [sites])
    for name in TRI_STATES:
        state = _tri(values, name)
        if state is not None:
            _set(case, name, state)
    for test in TESTS:
        state = _tri(values, f"exam.provocation_tests.{test}")
        if state is not None:
            _set(case, f"exam.provocation_tests.{test}", state)
    imaging = _imaging(values, _row_count(values, "imaging_rows", IMAGING_ROWS))
    if imaging or _text(values, IMAGING_NONE) == "yes":
        case["imaging"] = imaging
    treatments = _treatments(values, _row_count(values, "treatment_rows", TREATMENT_ROWS), problems)
    complete = _text(values, TREATMENTS_COMPLETE) == "yes"
    if treatments or complete:
        case["treatments"] = treatments
    _lists(values, case)
    if treatments and not complete:
        case["partial_lists"] = [*case.get("partial_lists", []), "treatments"]
    if problems:
        raise BadInput(problems)
    try:
        Case.model_validate(case)
    except ValidationError as error:
        raise from_validation_error(error) from None
    return case


def form_from_values(values: Values) -> CaseForm:
    """The form as entered (for showing it again)."""
    return CaseForm(
        values=dict(values),
        imaging_rows=_row_count(values, "imaging_rows", IMAGING_ROWS),
        treatment_rows=_row_count(values, "treatment_rows", TREATMENT_ROWS),
    )


def values_from_case(case: Mapping[str, Any]) -> dict[str, Any]:
    """Form values that show a case (the example, or a case pasted as JSON)."""
    values: dict[str, Any] = {}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}{key}.", value)
        elif isinstance(node, list) and node and isinstance(node[0], dict):
            for n, item in enumerate(node):
                walk(f"{prefix}{n}.", item)
        elif isinstance(node, list) and prefix == "diagnoses.":
            for n, code in enumerate(node):
                values[f"diagnoses.{n}"] = code
        elif isinstance(node, bool):
            values[prefix[:-1]] = "true" if node else "false"
        elif node is not None:
            values[prefix[:-1]] = (
                node
                if isinstance(node, list)
                else f"{node:g}"
                if isinstance(node, float)
                else str(node)
            )

    walk("", dict(case))
    for name, complete in [(n, c) for n, _, c in CHECK_LISTS] + [
        ("treatments", TREATMENTS_COMPLETE)
    ]:
        if name in case and name not in case.get("partial_lists", []):
            values[complete] = "yes"
    if case.get("imaging") == []:
        values[IMAGING_NONE] = "yes"
    return values


def counts_for(case: Mapping[str, Any]) -> tuple[int, int]:
    """Imaging and treatment rows needed to show a case."""
    return (
        max(IMAGING_ROWS, len(case.get("imaging") or [])),
        max(TREATMENT_ROWS, len(case.get("treatments") or [])),
    )


def form_for_case(case: Mapping[str, Any]) -> CaseForm:
    """The form showing a case (the example, or a case entered as JSON)."""
    imaging, treatments = counts_for(case)
    return CaseForm(values=values_from_case(case), imaging_rows=imaging, treatment_rows=treatments)


def is_list_field(name: str) -> bool:
    """Inputs that are checkbox lists."""
    return name in ("pain.sites", "conditions", "red_flags", "suspected") or name.endswith(
        ".findings"
    )


@cache
def diagnosis_suggestions() -> list[tuple[str, str]]:
    """(code, description) of the ICD-10-CM codes under the pack's value sets, for the look-up
    list beside the diagnosis boxes (any valid code is accepted)."""
    from guidepath.codes.icd10 import descriptions, valid_codes
    from guidepath.knowledge.loader import value_sets

    sets = value_sets().icd10cm
    prefixes = [*sets.inflammatory, *sets.mechanical, *sets.in_scope, *sets.implies_radicular]
    for entries in sets.implies_condition.values():
        prefixes += entries
    found = sorted(
        code for code in valid_codes() if any(code.startswith(p) for p in prefixes if "-" not in p)
    )
    return descriptions(found)


def labels_for_template() -> dict[str, Any]:
    """What the form template needs: labels, hints and word choices from fields.yaml."""
    groups = (
        "sex",
        "pain_sites",
        "modalities",
        "regions",
        "findings",
        "laterality",
        "hla_b27",
        "treatment_types",
        "outcomes",
        "injection_purposes",
        "conditions",
        "red_flags",
        "suspicions",
    )
    return {
        "label": field_label,
        "hint": field_help,
        "choices": {group: word_choices(group) for group in groups},
        "tests": TESTS,
        "numbers": NUMBERS,
    }
