"""Calculators against hand-computed published arithmetic, boundaries and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guidepath import calculate
from guidepath.engine.calculators import UnknownCalculator, asdas_improvement, asdas_state
from guidepath.errors import BadInput

ASDAS_ITEMS = {"back_pain": 6, "morning_stiffness": 5, "patient_global": 6, "peripheral_pain": 2}


def test_basdai_arithmetic() -> None:
    # (5 + 6 + 2 + 3 + (6 + 4) / 2) / 5 = (16 + 5) / 5 = 4.2
    score = calculate(
        "basdai",
        {
            "fatigue": 5,
            "spinal_pain": 6,
            "peripheral_pain": 2,
            "enthesitis": 3,
            "stiffness_severity": 6,
            "stiffness_duration": 4,
        },
    )
    assert score.score == 4.2
    assert score.category == "active_disease"


def test_asdas_crp_arithmetic() -> None:
    # 0.121*6 + 0.058*5 + 0.110*6 + 0.073*2 + 0.579*ln(12+1)
    # = 0.726 + 0.290 + 0.660 + 0.146 + 0.579*2.5649 (1.4851) = 3.3071
    score = calculate("asdas_crp", {**ASDAS_ITEMS, "crp_mg_l": 12})
    assert score.score == 3.31
    assert score.category == "high_disease_activity"


def test_asdas_crp_below_two_counts_as_two() -> None:
    # 1.822 + 0.579*ln(3) (0.6361) = 2.4581 for CRP 0.5 and for CRP 2 alike
    low = calculate("asdas_crp", {**ASDAS_ITEMS, "crp_mg_l": 0.5})
    assert low.score == calculate("asdas_crp", {**ASDAS_ITEMS, "crp_mg_l": 2}).score == 2.46


def test_asdas_esr_arithmetic() -> None:
    # 0.079*6 + 0.069*5 + 0.113*6 + 0.086*2 + 0.293*sqrt(25)
    # = 0.474 + 0.345 + 0.678 + 0.172 + 1.465 = 3.134
    score = calculate("asdas_esr", {**ASDAS_ITEMS, "esr_mm_h": 25})
    assert score.score == 3.13


def test_basfi_is_the_mean_of_ten_items() -> None:
    assert calculate("basfi", {"items": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}).score == 5.5


@pytest.mark.parametrize(
    ("value", "state"),
    [
        (1.29, "inactive_disease"),
        (1.3, "low_disease_activity"),
        (2.09, "low_disease_activity"),
        (2.1, "high_disease_activity"),
        (3.5, "high_disease_activity"),
        (3.51, "very_high_disease_activity"),
    ],
)
def test_asdas_boundaries(value: float, state: str) -> None:
    assert asdas_state(value) == state


@pytest.mark.parametrize(
    ("before", "after", "category"),
    [
        (3.8, 2.7, "clinically_important_improvement"),
        (3.8, 2.8, "no_important_improvement"),
        (4.0, 2.0, "major_improvement"),
        (4.0, 2.1, "clinically_important_improvement"),
    ],
)
def test_asdas_improvement_thresholds(before: float, after: float, category: str) -> None:
    assert asdas_improvement(before, after) == category


@pytest.mark.parametrize(
    ("tests", "count", "category"),
    [
        ({"distraction": True, "thigh_thrust": True, "compression": True}, 3, "positive"),
        ({"distraction": True, "thigh_thrust": True}, 2, "indeterminate"),
        (
            {
                "distraction": True,
                "thigh_thrust": True,
                "compression": False,
                "sacral_thrust": False,
                "gaenslen": False,
                "faber": True,
            },
            2,
            "negative",
        ),
    ],
)
def test_laslett_cluster(tests: dict[str, bool], count: int, category: str) -> None:
    score = calculate("laslett_cluster", tests)
    assert (score.score, score.category) == (count, category)


@pytest.mark.parametrize(
    ("inputs", "category"),
    [
        (
            {
                "back_pain_months": 6,
                "age_at_onset": 30,
                "sacroiliitis_on_imaging": True,
                "hla_b27": False,
                "features": ["uveitis"],
            },
            "imaging_arm",
        ),
        (
            {
                "back_pain_months": 6,
                "age_at_onset": 30,
                "sacroiliitis_on_imaging": False,
                "hla_b27": True,
                "features": ["inflammatory_back_pain", "elevated_crp"],
            },
            "clinical_arm",
        ),
        (
            {
                "back_pain_months": 6,
                "age_at_onset": 30,
                "sacroiliitis_on_imaging": True,
                "hla_b27": True,
                "features": ["dactylitis", "psoriasis"],
            },
            "both_arms",
        ),
        (
            {
                "back_pain_months": 6,
                "age_at_onset": 30,
                "sacroiliitis_on_imaging": False,
                "hla_b27": True,
                "features": ["hla_b27", "psoriasis"],
            },
            "not_classified",
        ),
        (
            {
                "back_pain_months": 2,
                "age_at_onset": 30,
                "sacroiliitis_on_imaging": True,
                "hla_b27": True,
                "features": ["uveitis"],
            },
            "entry_criteria_not_met",
        ),
        (
            {
                "back_pain_months": 12,
                "age_at_onset": 50,
                "sacroiliitis_on_imaging": True,
                "hla_b27": True,
                "features": ["uveitis"],
            },
            "entry_criteria_not_met",
        ),
    ],
)
def test_asas_classification(inputs: dict[str, object], category: str) -> None:
    assert calculate("asas_axspa", inputs).category == category


ENTRY = {"back_pain_months": 6, "age_at_onset": 30}


@pytest.mark.parametrize(
    ("inputs", "category"),
    [
        # the imaging arm needs no HLA-B27 when another feature is there
        ({"sacroiliitis_on_imaging": True, "features": ["uveitis"]}, "imaging_arm"),
        (
            {"sacroiliitis_on_imaging": True, "hla_b27": None, "features": ["uveitis"]},
            "imaging_arm",
        ),
        # unknown HLA-B27 that would decide: said so, not read as negative
        ({"sacroiliitis_on_imaging": True, "features": []}, "hla_b27_needed"),
        (
            {"sacroiliitis_on_imaging": False, "features": ["uveitis", "psoriasis"]},
            "hla_b27_needed",
        ),
        # unknown HLA-B27 that could not change the result
        ({"sacroiliitis_on_imaging": False, "features": ["uveitis"]}, "not_classified"),
    ],
)
def test_asas_with_hla_b27_unknown(inputs: dict[str, object], category: str) -> None:
    assert calculate("asas_axspa", {**ENTRY, **inputs}).category == category


@pytest.mark.parametrize(
    ("name", "inputs", "field"),
    [
        ("basdai", {"fatigue": 11}, "fatigue"),
        ("asdas_crp", {**ASDAS_ITEMS, "crp_mg_l": -1}, "crp_mg_l"),
        ("basfi", {"items": [1, 2]}, "items"),
        ("laslett_cluster", {"slump": True}, "slump"),
        (
            "asas_axspa",
            {
                "back_pain_months": 6,
                "age_at_onset": 30,
                "sacroiliitis_on_imaging": True,
                "hla_b27": True,
                "features": ["gout"],
            },
            "features.0",
        ),
    ],
)
def test_out_of_range_input_names_the_field(
    name: str, inputs: dict[str, object], field: str
) -> None:
    with pytest.raises(BadInput) as caught:
        calculate(name, inputs)
    assert field in dict(caught.value.problems)


def test_unknown_calculator() -> None:
    with pytest.raises(UnknownCalculator):
        calculate("sledai", {})


item = st.floats(0, 10)


@given(item, item, item, item, st.floats(0, 300), item)
def test_asdas_crp_is_bounded_and_monotone(
    back: float, stiff: float, glob: float, periph: float, crp: float, bump: float
) -> None:
    base = {
        "back_pain": back,
        "morning_stiffness": stiff,
        "patient_global": glob,
        "peripheral_pain": periph,
        "crp_mg_l": crp,
    }
    score = calculate("asdas_crp", base).score
    assert (
        0 < score < 0.121 * 10 + 0.058 * 10 + 0.110 * 10 + 0.073 * 10 + 0.579 * math.log(301) + 0.01
    )
    for name in ("back_pain", "morning_stiffness", "patient_global", "peripheral_pain"):
        raised = {**base, name: min(10.0, base[name] + bump)}
        assert calculate("asdas_crp", raised).score >= score
    assert calculate("asdas_crp", {**base, "crp_mg_l": crp + bump}).score >= score


@given(st.lists(item, min_size=6, max_size=6), st.integers(0, 5), item)
def test_basdai_is_bounded_and_monotone(values: list[float], index: int, bump: float) -> None:
    names = [
        "fatigue",
        "spinal_pain",
        "peripheral_pain",
        "enthesitis",
        "stiffness_severity",
        "stiffness_duration",
    ]
    inputs = dict(zip(names, values, strict=True))
    score = calculate("basdai", inputs).score
    assert 0 <= score <= 10
    raised = {**inputs, names[index]: min(10.0, values[index] + bump)}
    assert calculate("basdai", raised).score >= score
