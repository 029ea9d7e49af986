"""The case form reads back exactly the case it shows, and never turns "not entered" into "no"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from guidepath.case import Case
from guidepath.errors import BadInput
from guidepath.web.case_form import case_from_form, counts_for, values_from_case
from tests.conftest import SHARED, needs_shared

EXAMPLES = sorted((SHARED / "contract" / "examples").glob("*.case.json"))


def _form_values(case: dict[str, Any]) -> dict[str, Any]:
    imaging, treatments = counts_for(case)
    return values_from_case(case) | {
        "imaging_rows": str(imaging),
        "treatment_rows": str(treatments),
    }


def _normal(case: dict[str, Any]) -> dict[str, Any]:
    return Case.model_validate(case).model_dump(exclude_none=True)


@needs_shared
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_a_case_shown_in_the_form_reads_back_the_same(path: Path) -> None:
    case = json.loads(path.read_text())
    assert _normal(case_from_form(_form_values(case))) == _normal(case)


def test_an_untouched_form_is_an_empty_case() -> None:
    blank = {
        "pain.nrs": "",
        "exam.provocation_tests.faber": "",
        "labs.hla_b27": "",
        "imaging.0.modality": "",
    }
    assert case_from_form(blank) == {}


def test_ticked_conditions_are_partial_unless_the_list_is_complete() -> None:
    partial = case_from_form({"conditions": ["ibd"]})
    assert partial == {"conditions": ["ibd"], "partial_lists": ["conditions"]}
    complete = case_from_form({"conditions": ["ibd"], "conditions_complete": "yes"})
    assert complete == {"conditions": ["ibd"]}
    none = case_from_form({"red_flags_complete": "yes"})
    assert none == {"red_flags": []}


def test_yes_no_questions_have_a_not_known_answer() -> None:
    case = case_from_form(
        {
            "pain.radicular": "false",
            "pain.inflammatory_back_pain": "",
            "exam.provocation_tests.faber": "true",
        }
    )
    assert case == {"pain": {"radicular": False}, "exam": {"provocation_tests": {"faber": True}}}


def test_errors_name_the_input() -> None:
    with pytest.raises(BadInput) as caught:
        case_from_form(
            {"pain.nrs": "seven", "treatments.1.weeks": "-3", "treatments.1.type": "nsaid"}
        )
    assert ("pain.nrs", "'seven' is not a number") in caught.value.problems
    with pytest.raises(BadInput) as caught:
        case_from_form({"treatments.0.type": "nsaid", "treatments.0.weeks": "-3"})
    assert caught.value.problems[0][0] == "treatments.0.weeks"
