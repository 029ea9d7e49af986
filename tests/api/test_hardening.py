"""Issue 14: safe on an untrusted network. SSRF through CDS Hooks, a tarpit FHIR server, question
reading under concurrency, size limits, malformed follow-up facts, security headers, NaN and
Infinity, the published 422 shape, and owner-only files. Real servers on loopback; the "outside
world" (an internal admin page, an EHR, a tarpit) is stand-in servers."""

from __future__ import annotations

import json
import socket
import stat
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import jsonschema  # type: ignore[import-untyped]
import pytest
from fastapi import FastAPI, Request

from guidepath.api.fhir_access import FetchRefused, allowed_by_policy
from guidepath.config import Settings, get_settings
from tests.api.conftest import fhir_fetch_allowed, running
from tests.api.fhir_records import ICD, concept, condition, patient
from tests.api.tarpit import tarpit as serve_tarpit

AS = condition(concept(ICD, "M45.9", "Ankylosing spondylitis of unspecified sites in spine"))


def hook(
    client: httpx.Client, fhir_server: str | None, patient_id: str = "p1", **extra: Any
) -> httpx.Response:
    body: dict[str, Any] = {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/1", "patientId": patient_id},
        **extra,
    }
    if fhir_server:
        body["fhirServer"] = fhir_server
    return client.post("/cds-services/guidepath-patient-view", json=body)


@pytest.fixture()
def recorder() -> Iterator[tuple[str, list[str]]]:
    """A server on loopback that records every request it gets (an internal admin page, or an
    EHR's FHIR server with the diagnosis in its Condition search)."""
    app = FastAPI()
    hits: list[str] = []

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    def anything(path: str, request: Request) -> dict[str, Any]:
        hits.append(str(request.url))
        if path.endswith("Condition"):
            return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": AS}]}
        if "/Patient/" in f"/{path}":
            return patient()
        return {"resourceType": "Bundle", "type": "searchset", "entry": []}

    with running(app) as url:
        yield url, hits


# ---- 1. SSRF ----


def test_an_open_service_never_fetches_a_callers_fhir_server(
    client: httpx.Client, recorder: tuple[str, list[str]]
) -> None:
    url, hits = recorder
    response = hook(client, f"{url}/fhir", fhirAuthorization={"access_token": "secret"})
    assert response.status_code == 412
    assert "GUIDEPATH_CDS_FHIR_SERVERS" in response.json()["detail"]
    assert hits == []


def test_a_private_address_is_refused_even_when_listed(
    client: httpx.Client, recorder: tuple[str, list[str]]
) -> None:
    url, hits = recorder
    with fhir_fetch_allowed(f"{url}/fhir"):
        get_settings().cds_fhir_allow_private = False
        response = hook(client, f"{url}/fhir")
    assert response.status_code == 412 and "private" in response.json()["detail"]
    assert hits == []


def test_a_server_off_the_allow_list_is_refused(
    client: httpx.Client, recorder: tuple[str, list[str]]
) -> None:
    url, hits = recorder
    with fhir_fetch_allowed(f"{url}/fhir"):
        response = hook(client, f"{url}/admin")
    assert response.status_code == 412 and hits == []


@pytest.mark.parametrize("patient_id", ["../../admin?x=", "p1/../../admin", "a b", "x" * 65])
def test_a_patient_id_that_is_not_a_fhir_id_is_422(
    client: httpx.Client, recorder: tuple[str, list[str]], patient_id: str
) -> None:
    url, hits = recorder
    with fhir_fetch_allowed(f"{url}/fhir"):
        response = hook(client, f"{url}/fhir", patient_id=patient_id)
    assert response.status_code == 422 and "patientId" in response.text
    assert hits == []


def test_a_next_link_to_another_origin_is_not_followed(
    client: httpx.Client, recorder: tuple[str, list[str]]
) -> None:
    elsewhere, hits = recorder
    app = FastAPI()

    @app.get("/fhir/{kind:path}")
    def search(kind: str) -> dict[str, Any]:
        if kind.startswith("Patient/"):
            return patient()
        page: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "entry": []}
        if kind == "Condition":
            page["entry"] = [{"resource": AS}]
            page["link"] = [{"relation": "next", "url": f"{elsewhere}/admin?page=2"}]
        return page

    with running(app) as url, fhir_fetch_allowed(f"{url}/fhir"):
        response = hook(client, f"{url}/fhir")
    assert response.status_code == 200
    assert any("could not be fetched" in c["summary"] for c in response.json()["cards"])
    assert hits == []


def test_with_jwts_the_issuers_own_host_may_be_fetched() -> None:
    settings = Settings(cds_allowed_issuers=["https://ehr.example.org"])
    allowed_by_policy("https://ehr.example.org/fhir", settings, "https://ehr.example.org")
    for server, issuer in (
        ("https://other.example.org/fhir", "https://ehr.example.org"),
        ("https://ehr.example.org/fhir", None),
        ("file:///etc/passwd", "https://ehr.example.org"),
    ):
        with pytest.raises(FetchRefused):
            allowed_by_policy(server, settings, issuer)


@pytest.fixture()
def tarpit() -> Iterator[str]:
    with serve_tarpit() as url:
        yield url


def test_a_tarpit_fhir_server_does_not_starve_the_service(base_url: str, tarpit: str) -> None:
    """60 hook calls against a tarpit at once: each ends at the deadline, and /healthz answers
    within a second all the while."""
    with (
        fhir_fetch_allowed(tarpit, deadline_s=0.4),
        httpx.Client(base_url=base_url, timeout=30) as client,
    ):
        health: list[float] = []
        with ThreadPoolExecutor(60) as pool:
            calls = [pool.submit(hook, client, tarpit) for _ in range(60)]
            while not all(c.done() for c in calls):
                started = time.monotonic()
                assert client.get("/healthz").status_code == 200
                health.append(time.monotonic() - started)
                time.sleep(0.05)
            statuses = [c.result().status_code for c in calls]
    assert set(statuses) == {412}
    assert health and max(health) < 1.0


# ---- 2. question reading under concurrency ----

LONG_QUESTIONS = [
    "45-year-old man with ankylosing spondylitis (M45.9), naproxen 4 weeks then diclofenac "
    "4 weeks without benefit, BASDAI 6.2, CRP 18 mg/L, no uveitis, no IBD. Next step? " * 3,
    "Woman with SI joint pain for 8 months, positive FABER, thigh thrust and compression, "
    "two image-guided blocks with 80% relief, physical therapy 12 weeks failed. RFA or fusion?" * 3,
    "Suspected axial spondyloarthritis in a 30-year-old with inflammatory back pain and "
    "HLA-B27 positive, MRI not done yet. What imaging first, and should we start adalimumab?",
]


def test_ask_is_safe_under_concurrency(client: httpx.Client) -> None:
    expected = {
        q: client.post("/v1/ask", json={"question": q}).json()["bottom_line"]
        for q in LONG_QUESTIONS
    }
    jobs = LONG_QUESTIONS * 32
    base = str(client.base_url).rstrip("/")

    def one(question: str) -> tuple[str, int, str]:
        response = httpx.post(f"{base}/v1/ask", json={"question": question}, timeout=120)
        line = response.json().get("bottom_line", "") if response.status_code == 200 else ""
        return question, response.status_code, line

    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(one, jobs))
    assert [r for r in results if r[1] != 200] == []
    assert all(line == expected[q] for q, _, line in results)


# ---- 4. size limits, half-sent bodies, feedback ----


def test_a_body_over_the_limit_is_413(client: httpx.Client) -> None:
    big = b'{"question": "' + b"a" * (3 * 1024 * 1024) + b'"}'
    response = client.post("/v1/ask", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_a_chunked_body_over_the_limit_is_413(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(40):
            yield b"a" * 100_000
        yield b'"}'

    response = client.post(
        "/v1/ask", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_a_half_sent_body_times_out_with_408() -> None:
    from guidepath.api.app import create_app

    settings = get_settings()
    saved = settings.body_timeout_s
    settings.body_timeout_s = 1.0
    try:
        with running(create_app()) as url:
            host, port = url.removeprefix("http://").split(":")
            with socket.create_connection((host, int(port)), timeout=10) as raw:
                raw.sendall(
                    b"POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b'Content-Length: 100\r\n\r\n{"diag'
                )
                started = time.monotonic()
                answer = raw.recv(4096)
                waited = time.monotonic() - started
    finally:
        settings.body_timeout_s = saved
    assert answer.startswith(b"HTTP/1.1 408") and waited < 5


def test_questions_are_capped_everywhere(client: httpx.Client) -> None:
    from guidepath import ask as python_ask
    from guidepath.answers.ask import MAX_QUESTION_CHARS
    from guidepath.errors import BadInput

    long_question = "Is SI joint fusion indicated? " * (MAX_QUESTION_CHARS // 20)
    assert client.post("/v1/ask", json={"question": long_question}).status_code == 422
    with pytest.raises(BadInput, match=r"question: is \d+ characters"):
        python_ask(long_question)


def _feedback(client: httpx.Client, items: list[dict[str, Any]]) -> httpx.Response:
    return client.post("/cds-services/guidepath-patient-view/feedback", json={"feedback": items})


GOOD_ITEM = {"card": "c1", "outcome": "accepted", "outcomeTimestamp": "2026-11-22T10:00:00Z"}


@pytest.mark.parametrize(
    "items",
    [
        [{"card": "c1"}],
        [{**GOOD_ITEM, "outcome": "ignored"}],
        [{**GOOD_ITEM, "service": "forged-service"}],
        [{**GOOD_ITEM, "card": "x" * 20_000}],
        [GOOD_ITEM] * 101,
        [],
    ],
    ids=["no-outcome", "bad-outcome", "forged-service", "huge-item", "too-many", "empty"],
)
def test_feedback_outside_the_spec_is_422(client: httpx.Client, items: list[Any]) -> None:
    assert _feedback(client, items).status_code == 422


def test_feedback_is_kept_owner_only_with_the_service_it_was_sent_to(
    client: httpx.Client,
) -> None:
    assert _feedback(client, [GOOD_ITEM]).json() == {"stored": 1}
    path = Path(get_settings().data_dir) / "cds-feedback.jsonl"
    record = json.loads(path.read_text().splitlines()[-1])
    assert record["service"] == "guidepath-patient-view"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_database_file_is_owner_only(tmp_path: Path) -> None:
    from guidepath.store.db import database_url

    settings = get_settings()
    saved = settings.data_dir
    settings.data_dir = str(tmp_path / "data")
    try:
        url = database_url()
    finally:
        settings.data_dir = saved
    path = Path(url.removeprefix("sqlite:///"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0


# ---- 5. malformed follow-up facts ----


@pytest.mark.parametrize("facts", [{"treatments": [1]}, {"pain": {"nrs": "seven"}}, {"x": 1}])
def test_malformed_follow_up_facts_are_422_naming_the_field(
    client: httpx.Client, facts: dict[str, Any]
) -> None:
    response = client.post("/v1/ask", json={"question": "and now?", "facts": facts})
    assert response.status_code == 422
    assert any(line.startswith("facts.") for line in response.json()["errors"])
    page = client.get("/answer", params={"q": "and now?", "facts": json.dumps(facts)})
    assert page.status_code == 422 and "facts." in page.text


# ---- 8. headers, NaN/Infinity, deep JSON, the published 422 shape ----


@pytest.mark.parametrize("path", ["/", "/healthz", "/v1/knowledge", "/login"])
def test_security_headers(client: httpx.Client, path: str) -> None:
    headers = client.get(path).headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self';" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/evaluate", '{"pain": {"nrs": NaN}}', "body"),
        ("/v1/evaluate", '{"pain": {"nrs": 1e999}}', "pain.nrs"),
        ("/v1/calculators/basdai", '{"fatigue": Infinity}', "body"),
        ("/v1/calculators/basfi", '{"items": [1e999, 2, 3, 4, 5, 6, 7, 8, 9, 10]}', "items"),
        ("/v1/evaluate", "[" * 50_000 + "]" * 50_000, "body"),
        ("/v1/evaluate", '{"pain": {"nrs": ' + "9" * 5000 + "}}", "body"),
        ("/v1/evaluate", b'{"diagnoses": ["M46.1\xff"]}', "body"),
    ],
    ids=["nan", "overflow", "infinity", "overflow-in-list", "deep", "huge-int", "not-utf8"],
)
def test_unusable_numbers_and_json_are_422_naming_where(
    client: httpx.Client, path: str, body: str | bytes, field: str
) -> None:
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text[:300]
    assert any(line.startswith(field) for line in response.json()["errors"]), response.text


def test_422_bodies_match_the_published_schema(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    shape = {
        **document["components"]["schemas"]["HTTPValidationError"],
        "components": document["components"],
    }
    for response in (
        client.post("/v1/evaluate", json={"pain": {"nrs": 42}}),
        client.post("/v1/ask", json={"question": ""}),
        client.post("/v1/evaluate", content=b"{", headers={"content-type": "application/json"}),
    ):
        assert response.status_code == 422
        jsonschema.validate(response.json(), shape)
        assert response.json()["errors"]


def test_redirects_are_not_built_from_the_host_header(client: httpx.Client) -> None:
    response = client.get("/review", headers={"Host": "evil.example"})
    assert response.status_code == 303
    assert "evil" not in response.headers["location"]
