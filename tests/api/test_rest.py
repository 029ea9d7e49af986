"""The REST API through a real server on loopback."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.conftest import SHARED, needs_shared

EXAMPLES = sorted((SHARED / "contract" / "examples").glob("*.case.json"))


@needs_shared
@pytest.mark.parametrize("case_file", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_evaluate_contract_examples(client: httpx.Client, case_file: Any) -> None:
    expect = json.loads(case_file.with_name(case_file.name.replace(".case", ".expect")).read_text())
    response = client.post("/v1/evaluate", json=json.loads(case_file.read_text()))
    assert response.status_code == 200
    primary = next(
        r["action"] for r in response.json()["recommendations"] if r["role"] == "primary"
    )
    assert primary in expect.get("primary_any_of", [primary])


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/evaluate", {"pain": {"nrs": 12}}, "pain.nrs"),
        (
            "/v1/evaluate",
            {"treatments": [{"type": "tnfi", "outcome": "failed"}]},
            "treatments.0.outcome",
        ),
        ("/v1/necessity/sij_fusion_mis", {"conditions": ["x"]}, "conditions.0"),
        ("/v1/calculators/asdas_crp", {"back_pain": 11}, "back_pain"),
        ("/v1/ask", {"question": ""}, "question"),
        ("/v1/ask", {"question": "buttock pain", "audience": "nurse"}, "audience"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: httpx.Client, path: str, body: Any, field: str
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422
    assert any(line.startswith(f"{field}:") for line in response.json()["errors"])


def test_non_object_and_non_json_bodies_are_422(client: httpx.Client) -> None:
    assert client.post("/v1/evaluate", json=[1, 2]).status_code == 422
    broken = client.post(
        "/v1/evaluate", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422


def test_unknown_procedure_and_calculator_are_404(client: httpx.Client) -> None:
    assert client.post("/v1/necessity/acupuncture", json={}).status_code == 404
    assert client.post("/v1/calculators/sledai", json={}).status_code == 404


def test_necessity_and_calculator(client: httpx.Client) -> None:
    determination = client.post(
        "/v1/necessity/start_tnfi", json={"diagnoses": ["M45.9"], "conditions": ["latent_tb"]}
    )
    assert determination.json()["determination"] == "not_met"
    score = client.post(
        "/v1/calculators/basdai",
        json={
            "fatigue": 5,
            "spinal_pain": 6,
            "peripheral_pain": 2,
            "enthesitis": 3,
            "stiffness_severity": 6,
            "stiffness_duration": 4,
        },
    )
    assert score.json()["score"] == 4.2


def test_ask_json_html_and_follow_up(client: httpx.Client) -> None:
    first = client.post(
        "/v1/ask",
        json={"question": "AS, failed naproxen then diclofenac over 6 weeks, pain 7/10"},
    ).json()
    assert first["recommendations"][0]["action"] == "start_tnfi"
    follow = client.post(
        "/v1/ask", json={"question": "what if he has Crohn's disease?", "facts": first["facts"]}
    ).json()
    assert "etanercept" in {a["action"] for a in follow["avoid"]}
    page = client.get(
        "/v1/ask", params={"question": "Are SI joint procedures safe?", "format": "html"}
    )
    assert page.headers["content-type"].startswith("text/html") and "<h1>" in page.text


def test_home_and_a_sample_answer(client: httpx.Client) -> None:
    from guidepath.examples import SAMPLE_QUESTION

    home = client.get("/")
    assert home.status_code == 200 and 'name="q"' in home.text
    page = client.get("/answer", params={"q": SAMPLE_QUESTION})
    assert page.status_code == 200 and "Start a TNF inhibitor" in page.text


def test_knowledge_and_health(client: httpx.Client) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    knowledge = client.get("/v1/knowledge").json()
    assert "start_tnfi" in knowledge["actions"]["recommend"]
    assert {s["id"] for s in knowledge["sources"]} >= {"acr-spartan-2019", "asas-eular-2022"}


def test_openapi_documents_the_case_and_examples(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert "Case" in spec["components"]["schemas"]
    assert "/v1/necessity/{procedure}" in spec["paths"]
