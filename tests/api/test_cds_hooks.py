"""CDS Hooks 2.0 through real servers: discovery, cards, prefetch fetch or 412, feedback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Header, HTTPException

from guidepath.config import get_settings
from tests.api.cds_client import call, check_card, check_discovery, prefetch_from_bundle
from tests.api.conftest import fhir_fetch_allowed, running
from tests.api.fhir_builder import case_to_bundle
from tests.conftest import SHARED, needs_shared

EXAMPLES = sorted((SHARED / "contract" / "examples").glob("*.case.json"))


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (SHARED / "contract" / "examples" / f"{name}.case.json").read_text()
    )
    return data


def test_discovery(client: httpx.Client) -> None:
    body = client.get("/cds-services").json()
    check_discovery(body)
    assert {s["hook"] for s in body["services"]} == {"patient-view", "order-select", "order-sign"}


@needs_shared
@pytest.mark.parametrize("case_file", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_patient_view_cards_for_contract_examples(client: httpx.Client, case_file: Path) -> None:
    case = json.loads(case_file.read_text())
    expect = json.loads(case_file.with_name(case_file.name.replace(".case", ".expect")).read_text())
    response = call(
        client,
        "guidepath-patient-view",
        "patient-view",
        prefetch=prefetch_from_bundle(case_to_bundle(case)),
    )
    assert response.status_code == 200
    cards = response.json()["cards"]
    for card in cards:
        check_card(card)
    next_step = cards[0]["summary"]
    assert any(a.replace("_", " ") in next_step for a in expect["primary_any_of"])


def fusion_order() -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "ServiceRequest",
                    "id": "draft-1",
                    "status": "draft",
                    "intent": "order",
                    "subject": {"reference": "Patient/p"},
                    "code": {
                        "coding": [
                            {
                                "system": "http://www.ama-assn.org/go/cpt",
                                "code": "27279",
                                "display": "Percutaneous SI joint arthrodesis",
                            }
                        ]
                    },
                }
            }
        ],
    }


@needs_shared
@pytest.mark.parametrize(
    ("name", "indicator"),
    [("08-fusion-candidate", "info"), ("07-confirmed-sij-injections-failed", "critical")],
)
@pytest.mark.parametrize("hook", ["order-select", "order-sign"])
def test_order_cards_carry_the_determination(
    client: httpx.Client, name: str, indicator: str, hook: str
) -> None:
    prefetch = prefetch_from_bundle(case_to_bundle(example(name)))
    context = {
        "userId": "Practitioner/1",
        "patientId": "p",
        "draftOrders": fusion_order(),
        "selections": ["ServiceRequest/draft-1"],
    }
    response = client.post(
        f"/cds-services/guidepath-{hook}",
        json={"hook": hook, "hookInstance": "x", "context": context, "prefetch": prefetch},
    )
    cards = response.json()["cards"]
    assert len(cards) == 1
    check_card(cards[0])
    assert cards[0]["indicator"] == indicator
    assert cards[0]["overrideReasons"]
    if indicator == "critical":
        assert cards[0]["suggestions"][0]["actions"][0]["resourceId"] == "ServiceRequest/draft-1"


def test_biologic_order_uses_biologic_criteria(client: httpx.Client) -> None:
    case = {
        "diagnoses": ["M45.9"],
        "treatments": [
            {"type": "nsaid", "agent": "naproxen", "weeks": 8, "outcome": "inadequate"},
            {"type": "tnfi", "agent": "adalimumab", "weeks": 16, "outcome": "primary_nonresponse"},
        ],
    }
    order = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "MedicationRequest",
                    "id": "m1",
                    "status": "draft",
                    "intent": "order",
                    "subject": {"reference": "Patient/p"},
                    "medicationCodeableConcept": {"text": "secukinumab 150 mg"},
                }
            }
        ],
    }
    response = client.post(
        "/cds-services/guidepath-order-select",
        json={
            "hook": "order-select",
            "hookInstance": "y",
            "prefetch": prefetch_from_bundle(case_to_bundle(case)),
            "context": {
                "userId": "Practitioner/1",
                "patientId": "p",
                "draftOrders": order,
                "selections": ["MedicationRequest/m1"],
            },
        },
    )
    assert "IL-17" in response.json()["cards"][0]["summary"]


@pytest.fixture()
def fhir_server() -> Iterator[str]:
    """An EHR FHIR server stand-in that requires the bearer token the hook call grants."""
    app = FastAPI()
    bundle = case_to_bundle(
        {
            "diagnoses": ["M45.9"],
            "pain": {"nrs": 7},
            "treatments": [
                {"type": "nsaid", "agent": "naproxen", "weeks": 4, "outcome": "inadequate"},
                {"type": "nsaid", "agent": "diclofenac", "weeks": 4, "outcome": "inadequate"},
            ],
        }
    )

    @app.get("/fhir/{kind}")
    def search(kind: str, authorization: str = Header("")) -> dict[str, Any]:
        if authorization != "Bearer ehr-token":
            raise HTTPException(401)
        found = [e for e in bundle["entry"] if e["resource"]["resourceType"] == kind]
        return {"resourceType": "Bundle", "type": "searchset", "entry": found}

    @app.get("/fhir/Patient/{pid}")
    def patient(pid: str) -> dict[str, Any]:
        return {"resourceType": "Patient", "id": pid, "gender": "male"}

    with running(app) as url, fhir_fetch_allowed(f"{url}/fhir"):
        yield f"{url}/fhir"


def test_missing_prefetch_is_fetched_with_the_bearer_token(
    client: httpx.Client, fhir_server: str
) -> None:
    response = call(
        client,
        "guidepath-patient-view",
        "patient-view",
        fhirServer=fhir_server,
        fhirAuthorization={
            "access_token": "ehr-token",
            "token_type": "Bearer",
            "scope": "patient/*.read",
            "subject": "cds",
        },
    )
    assert response.status_code == 200
    assert "start tnfi" in response.json()["cards"][0]["summary"]


def test_missing_prefetch_without_a_server_is_412(client: httpx.Client) -> None:
    assert call(client, "guidepath-patient-view", "patient-view").status_code == 412


def test_wrong_token_at_the_fhir_server_is_412(client: httpx.Client, fhir_server: str) -> None:
    response = call(
        client,
        "guidepath-patient-view",
        "patient-view",
        fhirServer=fhir_server,
        fhirAuthorization={"access_token": "wrong"},
    )
    assert response.status_code == 412


def test_bad_hook_calls(client: httpx.Client) -> None:
    assert call(client, "no-such-service", "patient-view", prefetch={}).status_code == 404
    assert (
        client.post("/cds-services/guidepath-patient-view", json={"hook": "x"}).status_code == 422
    )
    wrong = call(client, "guidepath-patient-view", "order-sign", prefetch={})
    assert wrong.status_code == 422


def test_feedback_is_stored(client: httpx.Client) -> None:
    body = {
        "feedback": [
            {
                "card": "c1",
                "outcome": "overridden",
                "overrideReason": {"reason": {"code": "clinical-judgement"}},
                "outcomeTimestamp": "2026-11-21T12:00:00Z",
            }
        ]
    }
    response = client.post("/cds-services/guidepath-order-sign/feedback", json=body)
    assert response.json() == {"stored": 1}
    stored = (Path(get_settings().data_dir) / "cds-feedback.jsonl").read_text().splitlines()
    record = json.loads(stored[-1])
    assert record["feedback"]["card"] == "c1" and record["service"] == "guidepath-order-sign"
