"""Case model: the input contract, strictly validated with named-field errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from guidepath.case import Case
from guidepath.engine.pathway import as_case
from guidepath.errors import BadInput


def problems(data: dict[str, object]) -> dict[str, str]:
    with pytest.raises(BadInput) as caught:
        as_case(data)
    return dict(caught.value.problems)


def test_icd10_codes_are_validated_and_normalised() -> None:
    assert Case.model_validate({"diagnoses": ["m461", "M45.A0"]}).diagnoses == ["M46.1", "M45.A0"]
    assert "diagnoses.1" in problems({"diagnoses": ["M46.1", "M46.10"]})


def test_unknown_outcome_word_names_the_field_and_the_choices() -> None:
    found = problems({"treatments": [{"type": "nsaid"}, {"type": "tnfi", "outcome": "failed"}]})
    assert found["treatments.1.outcome"].startswith("'failed' is not one of good, partial")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"pain": {"nrs": 11}}, "pain.nrs"),
        ({"pain": {"nrs": -1}}, "pain.nrs"),
        ({"pain": {"duration_weeks": -2}}, "pain.duration_weeks"),
        ({"treatments": [{"type": "rfa", "relief_pct": 120}]}, "treatments.0.relief_pct"),
        ({"treatments": [{"type": "nsaid", "weeks": -1}]}, "treatments.0.weeks"),
        ({"conditions": ["diabetes"]}, "conditions.0"),
        ({"red_flags": ["headache"]}, "red_flags.0"),
        ({"exam": {"provocation_tests": {"slump": True}}}, "exam.provocation_tests.slump"),
        ({"imaging": [{"modality": "pet", "region": "sij"}]}, "imaging.0.modality"),
        ({"imaging": [{"modality": "mri"}]}, "imaging.0.region"),
        ({"labs": {"hla_b27": "maybe"}}, "labs.hla_b27"),
        ({"patient": {"age": 200}}, "patient.age"),
        ({"unexpected": 1}, "unexpected"),
        ({"treatments": [{"type": "nsaid", "agent": "  "}]}, "treatments.0.agent"),
    ],
)
def test_bad_input_names_the_field(data: dict[str, object], field: str) -> None:
    assert field in problems(data)


def test_every_problem_is_reported_at_once() -> None:
    found = problems({"pain": {"nrs": 12}, "conditions": ["x"], "foo": 1})
    assert set(found) == {"pain.nrs", "conditions.0", "foo"}


def test_absent_is_unknown_and_empty_is_none() -> None:
    assert Case.model_validate({}).conditions is None
    assert Case.model_validate({"conditions": []}).conditions == []


def test_agent_names_are_normalised() -> None:
    case = Case.model_validate({"treatments": [{"type": "tnfi", "agent": " Adalimumab "}]})
    assert case.treatments is not None
    assert case.treatments[0].agent == "adalimumab"


def test_lab_values_share_the_calculators_bounds() -> None:
    assert "labs.crp_mg_l" in problems({"labs": {"crp_mg_l": 600}})
    assert "labs.esr_mm_h" in problems({"labs": {"esr_mm_h": 250}})


def test_a_word_outside_both_lists_of_absent_is_one_error_naming_the_field() -> None:
    from guidepath.engine.pathway import as_case
    from guidepath.errors import BadInput

    with pytest.raises(BadInput) as raised:
        as_case({"absent": ["cough"], "suspected": ["lupus"]})
    lines = raised.value.lines()
    absent = [line for line in lines if line.startswith("absent.0:")]
    assert len(absent) == 1 and "ibd" in absent[0] and "fever" in absent[0]
    assert any(line.startswith("suspected.0: 'lupus' is not one of") for line in lines)


def test_icd10_descriptions_are_the_librarys_and_cached_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The case form's look-up list reads descriptions from a disk cache after the first time,
    so a page does not wait for simple-icd-10-cm to load; the cache is the library's own words."""
    import simple_icd_10_cm as cm

    from guidepath.codes.icd10 import descriptions

    monkeypatch.setenv("GUIDEPATH_CACHE_DIR", str(tmp_path))
    first = descriptions(["M46.1", "M53.3"])
    assert first == [(code, cm.get_description(code)) for code in ("M46.1", "M53.3")]
    assert len(list(tmp_path.glob("icd10cm-descriptions-*.tsv"))) == 1
    assert descriptions(["M46.1", "M53.3"]) == first  # read back from the file
    assert descriptions(["M53.3"]) == first[1:]  # another list, another file
