"""FHIR R4 Bundles for the contract examples give the same advice as the JSON cases."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from guidepath import evaluate
from guidepath.errors import BadInput
from guidepath.fhir.reader import bundle_to_case
from tests.api.fhir_builder import case_to_bundle
from tests.conftest import SHARED, needs_shared

EXAMPLES = sorted((SHARED / "contract" / "examples").glob("*.case.json"))


@needs_shared
@pytest.mark.parametrize("case_file", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_bundle_gives_the_same_advice_as_the_case(case_file: Path) -> None:
    """A Bundle cannot say "no treatments" or "no conditions" (absent resources are unknown), so
    the JSON case is compared without those empty lists: the same facts FHIR can carry. "No red
    flags" it can say, with a screening Observation."""
    case = json.loads(case_file.read_text())
    from_json = evaluate({k: v for k, v in case.items() if v != [] or k == "red_flags"})
    from_fhir = evaluate(bundle_to_case(case_to_bundle(case)).case)
    assert from_fhir.phenotype == from_json.phenotype
    assert [r.action for r in from_fhir.recommendations] == [
        r.action for r in from_json.recommendations
    ]
    assert {a.action for a in from_fhir.avoid} == {a.action for a in from_json.avoid}


def test_unmapped_resources_are_reported(client: httpx.Client) -> None:
    bundle = case_to_bundle({"diagnoses": ["M45.9"]})
    bundle["entry"].append(
        {"resource": {"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"}}}
    )
    response = client.post("/v1/evaluate", json=bundle)
    assert response.status_code == 200
    assert any("Encounter not used" in note for note in response.json()["input_notes"])


def test_snomed_condition_by_name_and_crp_in_mg_dl() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Condition",
                    "subject": {"reference": "Patient/p"},
                    "code": {
                        "coding": [
                            {
                                "system": "http://snomed.info/sct",
                                "code": "x",
                                "display": "Ankylosing spondylitis",
                            }
                        ]
                    },
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "1988-5"}]},
                    "valueQuantity": {"value": 1.5, "unit": "mg/dL"},
                }
            },
        ],
    }
    case = bundle_to_case(bundle).case
    assert case == {"diagnoses": ["M45.9"], "labs": {"crp_mg_l": 15.0}}


def test_an_empty_bundle_is_bad_input() -> None:
    with pytest.raises(BadInput):
        bundle_to_case({"resourceType": "Bundle", "type": "collection", "entry": []})


def test_invalid_fhir_names_the_field(client: httpx.Client) -> None:
    response = client.post(
        "/v1/evaluate", json={"resourceType": "Bundle", "type": "collection", "entry": "not a list"}
    )
    assert response.status_code == 422
    assert any("entry" in line for line in response.json()["errors"])
