"""CDS client JWTs: RS384/ES384 from allowed issuers with keys from allow-listed jku origins;
everything else is 401. Replay protection survives a restart (used ids are in the database), key
sets are cached, tokens live at most five minutes, and JWTs need a configured public URL."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI

from guidepath.config import get_settings
from tests.api.conftest import free_port, running

ISSUER = "https://ehr.example.test"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP384R1())


def _jwk(key: Any, kid: str, alg: str) -> dict[str, Any]:
    algorithm = jwt.algorithms.RSAAlgorithm if alg == "RS384" else jwt.algorithms.ECAlgorithm
    data: dict[str, Any] = json.loads(algorithm.to_jwk(key.public_key()))
    return {**data, "kid": kid, "alg": alg, "use": "sig"}


KEY_SET_FETCHES: list[float] = []


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    app = FastAPI()
    keys = {"keys": [_jwk(RSA_KEY, "rsa-1", "RS384"), _jwk(EC_KEY, "ec-1", "ES384")]}

    @app.get("/jwks.json")
    def jwks() -> dict[str, Any]:
        KEY_SET_FETCHES.append(time.time())
        return keys

    with running(app) as url:
        yield f"{url}/jwks.json"


@pytest.fixture()
def secured(base_url: str, jwks_url: str) -> Iterator[str]:
    settings = get_settings()
    saved = (settings.cds_allowed_issuers, settings.cds_jwks_hosts)
    settings.cds_allowed_issuers = [ISSUER]
    settings.cds_jwks_hosts = [jwks_url.removesuffix("/jwks.json")]
    yield f"{base_url}/cds-services/guidepath-patient-view"
    settings.cds_allowed_issuers, settings.cds_jwks_hosts = saved


def token(
    jwks_url: str,
    audience: str,
    *,
    alg: str = "RS384",
    issuer: str = ISSUER,
    expires_in: int = 300,
    jti: str | None = None,
    jku: str | None = None,
    kid: str | None = None,
) -> str:
    key, own_kid = (RSA_KEY, "rsa-1") if alg == "RS384" else (EC_KEY, "ec-1")
    kid = kid or own_kid
    claims = {
        "iss": issuer,
        "aud": audience,
        "exp": int(time.time()) + expires_in,
        "iat": int(time.time()),
        "jti": jti or str(uuid.uuid4()),
    }
    return jwt.encode(
        claims, key, algorithm=alg, headers={"kid": kid, "jku": jku or jwks_url, "typ": "JWT"}
    )


def call(url: str, bearer: str | None) -> int:
    body = {
        "hook": "patient-view",
        "hookInstance": "h",
        "context": {"patientId": "p"},
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": "p"},
            "conditions": {
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "Condition",
                            "subject": {"reference": "Patient/p"},
                            "code": {
                                "coding": [
                                    {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M45.9"}
                                ]
                            },
                        }
                    }
                ],
            },
            "observations": {},
            "medications": {},
            "procedures": {},
            "reports": {},
        },
    }
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    return httpx.post(url, json=body, headers=headers, timeout=30).status_code


@pytest.mark.parametrize("alg", ["RS384", "ES384"])
def test_valid_tokens_are_accepted(secured: str, jwks_url: str, alg: str) -> None:
    assert call(secured, token(jwks_url, secured, alg=alg)) == 200


def test_missing_token_is_401(secured: str) -> None:
    assert call(secured, None) == 401


def test_wrong_audience_is_401(secured: str, jwks_url: str) -> None:
    assert call(secured, token(jwks_url, "https://elsewhere.test/cds-services/x")) == 401


def test_expired_token_is_401(secured: str, jwks_url: str) -> None:
    assert call(secured, token(jwks_url, secured, expires_in=-60)) == 401


def test_unknown_issuer_is_401(secured: str, jwks_url: str) -> None:
    assert call(secured, token(jwks_url, secured, issuer="https://rogue.test")) == 401


def test_replayed_jti_is_401(secured: str, jwks_url: str) -> None:
    same = token(jwks_url, secured, jti="once")
    assert call(secured, same) == 200
    assert call(secured, same) == 401


def test_jku_outside_the_allow_list_is_401(secured: str, jwks_url: str) -> None:
    elsewhere = jwks_url.replace("127.0.0.1", "localhost")
    assert call(secured, token(jwks_url, secured, jku=elsewhere)) == 401


def test_symmetric_algorithm_is_401(secured: str) -> None:
    claims = {"iss": ISSUER, "aud": secured, "exp": int(time.time()) + 60, "jti": "h"}
    assert call(secured, jwt.encode(claims, "secret-key-of-32-bytes-or-more!!", "HS256")) == 401


def test_tampered_signature_is_401(secured: str, jwks_url: str) -> None:
    good = token(jwks_url, secured)
    assert call(secured, good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")) == 401


def test_open_service_without_configured_issuers(base_url: str) -> None:
    assert call(f"{base_url}/cds-services/guidepath-patient-view", None) == 200


# ---- issue 14: JWT gaps ----


def test_a_key_set_on_another_port_of_an_allowed_host_is_401(secured: str, jwks_url: str) -> None:
    port = jwks_url.rsplit(":", 1)[1].split("/")[0]
    for other in (str(free_port()), "99999"):
        elsewhere = jwks_url.replace(f":{port}/", f":{other}/")
        assert call(secured, token(jwks_url, secured, jku=elsewhere)) == 401


def test_a_bare_allowed_host_means_https_only(secured: str, jwks_url: str) -> None:
    get_settings().cds_jwks_hosts = ["127.0.0.1"]
    assert call(secured, token(jwks_url, secured)) == 401


def test_a_kid_naming_a_key_of_the_wrong_type_is_401(secured: str, jwks_url: str) -> None:
    assert call(secured, token(jwks_url, secured, alg="ES384", kid="rsa-1")) == 401


def test_a_token_living_longer_than_five_minutes_is_401(secured: str, jwks_url: str) -> None:
    assert call(secured, token(jwks_url, secured, expires_in=3600)) == 401


def test_the_key_set_is_cached(secured: str, jwks_url: str) -> None:
    call(secured, token(jwks_url, secured))
    before = len(KEY_SET_FETCHES)
    for _ in range(3):
        assert call(secured, token(jwks_url, secured)) == 200
    assert len(KEY_SET_FETCHES) == before


def test_replay_is_refused_after_a_restart(secured: str, jwks_url: str, tmp_path: Any) -> None:
    """The used token id is in the database: a new server on the same store still refuses it."""
    from guidepath.api.app import create_app
    from guidepath.web.state import open_store

    url = f"sqlite:///{tmp_path / 'replay.db'}"
    settings = get_settings()
    saved = settings.public_url
    try:
        for attempt in (200, 401):
            store = open_store(url)
            with running(create_app(store=store)) as base:
                settings.public_url = base
                service = f"{base}/cds-services/guidepath-patient-view"
                signed = token(jwks_url, service, jti="survives-restarts")
                assert call(service, signed) == attempt
            store.engine.dispose()
    finally:
        settings.public_url = saved


def test_jwts_without_a_public_url_refuse_to_start() -> None:
    from guidepath.api.app import create_app
    from guidepath.api.security import JwtMisconfigured

    settings = get_settings()
    saved = (settings.cds_allowed_issuers, settings.public_url)
    settings.cds_allowed_issuers, settings.public_url = [ISSUER], ""
    try:
        with pytest.raises(JwtMisconfigured, match="GUIDEPATH_PUBLIC_URL"):
            create_app()
    finally:
        settings.cds_allowed_issuers, settings.public_url = saved
