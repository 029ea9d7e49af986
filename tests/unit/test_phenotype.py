"""Phenotype: inflammatory, mechanical or undetermined, by the rules of engine/phenotype.py."""

from __future__ import annotations

from typing import Any

import pytest

from guidepath import evaluate


@pytest.mark.parametrize(
    ("case", "phenotype"),
    [
        ({"diagnoses": ["M45.9"]}, "inflammatory"),
        ({"diagnoses": ["M46.1"]}, "inflammatory"),
        ({"diagnoses": ["M08.1"]}, "inflammatory"),
        ({"diagnoses": ["M53.3"]}, "mechanical"),
        ({"diagnoses": ["S33.6XXA"]}, "mechanical"),
        ({"diagnoses": ["M53.3"], "pain": {"inflammatory_back_pain": True}}, "undetermined"),
        (
            {
                "diagnoses": ["M53.3"],
                "imaging": [{"modality": "xray", "region": "sij", "findings": ["sclerosis"]}],
            },
            "undetermined",
        ),
        (
            {
                "imaging": [
                    {"modality": "mri", "region": "sij", "findings": ["bone_marrow_edema"]}
                ],
                "labs": {"crp_mg_l": 20},
            },
            "inflammatory",
        ),
        (
            {"imaging": [{"modality": "mri", "region": "sij", "findings": ["bone_marrow_edema"]}]},
            "undetermined",
        ),
        (
            {"labs": {"hla_b27": "positive", "crp_mg_l": 9}, "conditions": ["psoriasis"]},
            "inflammatory",
        ),
        ({"labs": {"hla_b27": "positive", "crp_mg_l": 9}}, "undetermined"),
        (
            {"exam": {"provocation_tests": {"distraction": True, "thigh_thrust": True}}},
            "mechanical",
        ),
        ({}, "undetermined"),
    ],
)
def test_phenotype(case: dict[str, Any], phenotype: str) -> None:
    assert evaluate(case).phenotype == phenotype
