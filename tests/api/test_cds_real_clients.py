"""CDS Hooks with real clients and real records: the Sandbox's requests (its prefetch keys, draft
orders, order views and ES384 tokens), the spec's example shapes, Synthea patients through the
service, and the protocol defects of issue 11. Real servers on loopback; the EHR's FHIR server
and the Sandbox's key-set endpoint are small stand-ins."""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI, Request

from guidepath.config import get_settings
from tests.api.cds_client import check_card, prefetch_from_bundle
from tests.api.conftest import fhir_fetch_allowed, running
from tests.api.fhir_records import (
    CPT,
    ICD,
    RXNORM,
    SYNTHEA_PATIENTS,
    bundle,
    concept,
    condition,
    low_back_pain,
    medication_request,
    patient,
    synthea,
)

SANDBOX_KEY = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "cds-sandbox" / "jwk-keypair.json").read_text()
)["keys"][0]
SANDBOX_ISSUER = "https://sandbox.cds-hooks.org"
AS = condition(concept(ICD, "M45.9", "Ankylosing spondylitis of unspecified sites in spine"))


def hook_call(
    client: httpx.Client,
    hook: str,
    prefetch: dict[str, Any] | None,
    fhir_server: str | None = None,
    **context: Any,
) -> httpx.Response:
    body: dict[str, Any] = {
        "hook": hook,
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/1", "patientId": "p1", **context},
    }
    if fhir_server:
        body["fhirServer"] = fhir_server
    if prefetch is not None:
        body["prefetch"] = prefetch
    service = "patient-view" if hook == "patient-view" else hook
    return client.post(f"/cds-services/guidepath-{service}", json=body)


def cards_for(
    client: httpx.Client, record: dict[str, Any], hook: str = "patient-view", **context: Any
) -> list[dict[str, Any]]:
    response = hook_call(client, hook, prefetch_from_bundle(record), **context)
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    for card in cards:
        check_card(card)
    return cards


def order(resource: dict[str, Any]) -> dict[str, Any]:
    """A draft-order Bundle as the Sandbox and the spec's examples send it: no ``type``."""
    return {"resourceType": "Bundle", "entry": [{"resource": resource}]}


def service_request(code: dict[str, Any], rid: str = "sr1") -> dict[str, Any]:
    return {
        "resourceType": "ServiceRequest",
        "id": rid,
        "status": "draft",
        "intent": "plan",
        "code": code,
        "subject": {"reference": "Patient/p1"},
    }


# ---- the relevance gate on Synthea patients ----


@pytest.mark.parametrize("name", SYNTHEA_PATIENTS)
def test_synthea_patients_get_no_si_joint_cards(client: httpx.Client, name: str) -> None:
    assert cards_for(client, synthea(name)) == []


def test_a_synthea_patient_with_back_pain_gets_cards(client: httpx.Client) -> None:
    record = synthea("naproxen")
    record["entry"].append({"resource": low_back_pain(onset="2025-01-10")})
    cards = cards_for(client, record)
    assert cards and cards[0]["summary"].startswith("Next step")


def test_an_empty_record_gets_no_cards(client: httpx.Client) -> None:
    assert cards_for(client, bundle(patient())) == []


def test_a_knee_injection_order_gets_no_si_joint_card(client: httpx.Client) -> None:
    knee = service_request(concept(CPT, "20610", "Arthrocentesis, major joint (knee)"))
    record = bundle(patient(), low_back_pain())
    assert (
        cards_for(
            client,
            record,
            "order-select",
            draftOrders=order(knee),
            selections=["ServiceRequest/sr1"],
        )
        == []
    )


def test_a_biologic_for_crohns_disease_is_not_guidepaths_question(client: httpx.Client) -> None:
    crohns = condition(concept(ICD, "K50.90", "Crohn's disease, unspecified"))
    drug = medication_request(
        {"medicationCodeableConcept": concept(RXNORM, "191831", "infliximab")}, status="draft"
    )
    drug["id"] = "mr1"
    assert (
        cards_for(
            client,
            bundle(patient(), crohns),
            "order-select",
            draftOrders=order(drug),
            selections=["MedicationRequest/mr1"],
        )
        == []
    )


# ---- draft orders as the Sandbox and the spec send them ----


def test_sandbox_medication_draft_without_intent_or_bundle_type(client: httpx.Client) -> None:
    """The Sandbox's rx-view builds MedicationRequest 'request-123' with status draft, no intent,
    RxNorm coding from its medication list, and a Bundle without type."""
    draft = {
        "resourceType": "MedicationRequest",
        "id": "request-123",
        "status": "draft",
        "subject": {"reference": "Patient/p1"},
        "authoredOn": "2026-11-22",
        "medicationCodeableConcept": {
            "text": "tofacitinib 5 MG Oral Tablet",
            "coding": [
                {"display": "tofacitinib 5 MG Oral Tablet", "system": RXNORM, "code": "1357541"}
            ],
        },
    }
    cards = cards_for(
        client,
        bundle(patient(), AS),
        "order-select",
        draftOrders=order(draft),
        selections=["MedicationRequest/request-123"],
    )
    assert len(cards) == 1 and "TNF" in cards[0]["summary"]


def test_spec_shaped_order_select_reads_only_the_selected_orders(client: httpx.Client) -> None:
    """Spec 2.0.1's order-select example: a typeless Bundle with a NutritionOrder and an RxNorm
    MedicationRequest; here an SI joint injection order is added to it."""
    diet = {
        "resourceType": "NutritionOrder",
        "id": "diet",
        "status": "draft",
        "intent": "order",
        "patient": {"reference": "Patient/p1"},
        "dateTime": "2026-11-22",
    }
    injection = service_request(
        concept(CPT, "27096", "Injection procedure for sacroiliac joint"), "sij"
    )
    drafts = {"resourceType": "Bundle", "entry": [{"resource": diet}, {"resource": injection}]}
    record = bundle(patient(), low_back_pain())
    picked = cards_for(
        client, record, "order-select", draftOrders=drafts, selections=["ServiceRequest/sij"]
    )
    assert len(picked) == 1 and "SI joint" in picked[0]["summary"]
    other = cards_for(
        client, record, "order-select", draftOrders=drafts, selections=["NutritionOrder/diet"]
    )
    assert other == []


def test_cards_follow_spec_2_0_1_field_rules(client: httpx.Client) -> None:
    injection = service_request(concept(CPT, "27096", "Injection procedure for sacroiliac joint"))
    record = bundle(
        patient(),
        low_back_pain(onset="2026-11-01"),  # three weeks: the LCD's three months are not met
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"text": "Red flags"},
            "valueBoolean": False,
        },
    )
    cards = cards_for(client, record, "order-sign", draftOrders=order(injection))
    card = cards[0]
    assert card["indicator"] == "critical"
    assert isinstance(card["suggestions"][0]["actions"][0]["resourceId"], str)
    view = cards_for(client, record)
    assert all(
        key not in c or c[key] for c in view for key in ("suggestions", "links", "overrideReasons")
    )
    link = card["links"][0]["url"]
    page = httpx.get(link, timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


# ---- prefetch: invalid resources, OperationOutcome, pagination, deadline ----


def test_an_invalid_resource_in_prefetch_does_not_silence_the_rest(client: httpx.Client) -> None:
    broken = {
        "resourceType": "Condition",
        "code": {"text": "Sacroiliitis"},
        "onsetDateTime": "sometime",
    }
    cards = cards_for(client, bundle(patient(), AS, broken))
    assert cards and cards[0]["summary"].startswith("Next step")


def test_an_operation_outcome_is_said_to_be_unavailable_data(client: httpx.Client) -> None:
    prefetch = prefetch_from_bundle(bundle(patient(), AS))
    prefetch["observations"] = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "forbidden"}],
    }
    response = hook_call(client, "patient-view", prefetch)
    summaries = [c["summary"] for c in response.json()["cards"]]
    assert any("could not be fetched" in s for s in summaries)


@pytest.fixture()
def paging_server() -> Iterator[str]:
    """A FHIR server that pages its Condition search: the diagnosis is on page 2."""
    app = FastAPI()

    @app.get("/fhir/Patient/{pid}")
    def read_patient(pid: str) -> dict[str, Any]:
        return patient(pid=pid)

    @app.get("/fhir/{kind}")
    def search(kind: str, request: Request) -> dict[str, Any]:
        page = request.query_params.get("page", "1")
        found: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "entry": []}
        if kind == "Condition" and page == "1":
            found["link"] = [
                {"relation": "next", "url": f"{request.base_url}fhir/Condition?patient=p1&page=2"}
            ]
        elif kind == "Condition":
            found["entry"] = [{"resource": AS}]
        if kind == "Observation" and request.query_params.get("slow"):
            time.sleep(5)
        return found

    with running(app) as url, fhir_fetch_allowed(f"{url}/fhir"):
        yield f"{url}/fhir"


def test_link_next_pages_are_followed(client: httpx.Client, paging_server: str) -> None:
    response = hook_call(client, "patient-view", None, fhir_server=paging_server)
    assert response.status_code == 200, response.text
    assert response.json()["cards"][0]["summary"].startswith("Next step")


def test_a_slow_fhir_server_cannot_hold_the_call_past_the_deadline(client: httpx.Client) -> None:
    app = FastAPI()

    @app.get("/fhir/{kind}")
    def slow(kind: str) -> dict[str, Any]:
        time.sleep(4)
        return {"resourceType": "Bundle", "type": "searchset", "entry": []}

    with running(app) as url, fhir_fetch_allowed(f"{url}/fhir", deadline_s=1.0):
        started = time.monotonic()
        response = hook_call(client, "patient-view", None, fhir_server=f"{url}/fhir")
        elapsed = time.monotonic() - started
    assert response.status_code == 412 and elapsed < 3.5


# ---- the Sandbox's tokens ----


@pytest.fixture()
def sandbox_secured(base_url: str) -> Iterator[str]:
    app = FastAPI()
    public = {k: v for k, v in SANDBOX_KEY.items() if k != "d"}

    @app.get("/.well-known/jwks.json")
    def jwks() -> dict[str, Any]:
        return {"keys": [public]}

    settings = get_settings()
    saved = (settings.cds_allowed_issuers, settings.cds_jwks_hosts)
    with running(app) as jwks_base:
        settings.cds_allowed_issuers, settings.cds_jwks_hosts = [SANDBOX_ISSUER], [jwks_base]
        yield f"{jwks_base}/.well-known/jwks.json"
    settings.cds_allowed_issuers, settings.cds_jwks_hosts = saved


def sandbox_token(audience: str, jku: str, now: float) -> str:
    """As the Sandbox's jwt-generator.js: ES384, kid and jku headers, times rounded to seconds."""
    key = jwt.algorithms.ECAlgorithm.from_jwk(json.dumps(SANDBOX_KEY))
    claims = {
        "iss": SANDBOX_ISSUER,
        "aud": audience,
        "exp": round(now + 300),
        "iat": round(now),
        "jti": str(uuid.uuid4()),
    }
    headers = {"kid": SANDBOX_KEY["kid"], "jku": jku, "typ": "JWT"}
    return jwt.encode(claims, key, algorithm="ES384", headers=headers)  # type: ignore[arg-type]


def test_sandbox_tokens_rounded_up_are_accepted(
    client: httpx.Client, base_url: str, sandbox_secured: str
) -> None:
    url = f"{base_url}/cds-services/guidepath-patient-view"
    now = math.floor(time.time()) + 0.6  # round() puts iat up to half a second in the future
    body = {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/1", "patientId": "p1"},
        "prefetch": prefetch_from_bundle(bundle(patient(), AS)),
    }
    response = httpx.post(
        url,
        json=body,
        headers={"Authorization": f"Bearer {sandbox_token(url, sandbox_secured, now)}"},
        timeout=30,
    )
    assert response.status_code == 200


# ---- what an integrator sees ----


def test_evaluate_with_a_bundle_returns_the_case_it_read(client: httpx.Client) -> None:
    response = client.post("/v1/evaluate", json=bundle(patient(), AS))
    assert response.status_code == 200
    assert response.json()["case"]["diagnoses"] == ["M45.9"]


def test_discovery_declares_medication_requests(client: httpx.Client) -> None:
    services = client.get("/cds-services").json()["services"]
    assert all(
        "MedicationRequest?patient={{context.patientId}}" in " ".join(s["prefetch"].values())
        for s in services
    )


def test_spec_order_select_example_with_a_nutrition_order_and_an_antibiotic(
    client: httpx.Client,
) -> None:
    """The spec's own order-select example shape: a typeless Bundle holding a NutritionOrder and
    an RxNorm MedicationRequest whose ``doseAndRate`` is an object, not a list (invalid R4, as
    drafts may be). Nothing for guidepath: 200 with no cards, never 422."""
    antibiotic = {
        "resourceType": "MedicationRequest",
        "id": "smart-MedicationRequest-103",
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": concept(
            RXNORM,
            "617993",
            "Amoxicillin 120 MG/ML / clavulanate potassium 8.58 MG/ML Oral Suspension",
        ),
        "subject": {"reference": "Patient/p1"},
        "dosageInstruction": [
            {
                "text": "5 mL bid x 10 days",
                "doseAndRate": {"doseQuantity": {"value": 5, "unit": "mL"}},
            }
        ],
    }
    diet = {"resourceType": "NutritionOrder", "id": "pureeddiet-simple", "status": "draft"}
    drafts = {"resourceType": "Bundle", "entry": [{"resource": diet}, {"resource": antibiotic}]}
    selections = [
        "NutritionOrder/pureeddiet-simple",
        "MedicationRequest/smart-MedicationRequest-103",
    ]
    record = bundle(patient(), AS)
    assert (
        cards_for(client, record, "order-select", draftOrders=drafts, selections=selections) == []
    )


def test_sandbox_pama_imaging_order_is_not_an_si_joint_procedure(client: httpx.Client) -> None:
    """The Sandbox's PAMA view orders imaging as a ServiceRequest with a CPT study code and
    SNOMED reason codes; an MRI of the lumbar spine has no necessity criteria here."""
    mri = service_request(
        concept(CPT, "72148", "MRI lumbar spine without contrast"), "example-request-id"
    )
    mri["reasonCode"] = [concept("http://snomed.info/sct", "279039007", "Low back pain")]
    record = bundle(patient(), low_back_pain())
    cards = cards_for(
        client,
        record,
        "order-select",
        draftOrders=order(mri),
        selections=["ServiceRequest/example-request-id"],
    )
    assert cards == []


def test_the_fhir_client_is_injectable() -> None:
    """An integrator can hand the app its own HTTP client (proxies, mTLS, a transport at the edge
    of the outside world); every search goes through it."""
    from guidepath.api.app import create_app

    searched: list[str] = []

    def ehr(request: httpx.Request) -> httpx.Response:
        searched.append(request.url.path)
        if request.url.path.endswith("/Patient/p1"):
            return httpx.Response(200, json=patient())
        found = [{"resource": AS}] if "/Condition" in request.url.path else []
        return httpx.Response(
            200, json={"resourceType": "Bundle", "type": "searchset", "entry": found}
        )

    def make() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(ehr))

    with (
        fhir_fetch_allowed("https://ehr.example.test/fhir"),
        running(create_app(fhir_client=make)) as url,
        httpx.Client(base_url=url, timeout=30) as http,
    ):
        response = hook_call(
            http, "patient-view", None, fhir_server="https://ehr.example.test/fhir"
        )
    assert response.status_code == 200 and response.json()["cards"]
    assert "/fhir/Condition" in searched
