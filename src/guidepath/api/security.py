"""CDS Hooks client authentication (spec 2.0.1 §Trusting CDS Clients).

When ``cds_allowed_issuers`` is configured, every call must carry ``Authorization: Bearer <JWT>``
signed with RS384 or ES384 by an allowed issuer, with ``aud`` equal to the called service's URL,
a future ``exp`` and a ``jti`` never seen before; ``exp`` and ``iat`` are checked with
``cds_jwt_leeway_s`` of clock skew (the Sandbox rounds ``iat`` to the nearest second, so without
leeway a token can look issued in the future). The signing key comes from the JWKS named by the
token's ``jku`` header, fetched only from allow-listed hosts (``cds_jwks_hosts``).
"""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import urlparse

import httpx
import jwt

from guidepath.config import Settings

ALGORITHMS = ("RS384", "ES384")


class Unauthorized(Exception):
    """The caller is not a trusted CDS client (HTTP 401)."""


class ReplayGuard:
    """Remembers ``jti`` values until their token expires."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def check(self, jti: str, expires: float) -> None:
        now = time.time()
        with self._lock:
            self._seen = {k: v for k, v in self._seen.items() if v > now}
            if jti in self._seen:
                raise Unauthorized("token replayed (jti already used)")
            self._seen[jti] = expires


def _jwks_key(token: str, header: dict[str, Any], settings: Settings) -> Any:
    url = header.get("jku")
    if not url:
        raise Unauthorized("the token has no jku header naming its key set")
    if urlparse(url).hostname not in settings.cds_jwks_hosts:
        raise Unauthorized("the jku host is not allowed")
    try:
        keys = httpx.get(url, timeout=5).json()
        key_set = jwt.PyJWKSet.from_dict(keys)
    except (httpx.HTTPError, ValueError, jwt.PyJWTError) as error:
        raise Unauthorized(f"the key set could not be read ({type(error).__name__})") from None
    kid = header.get("kid")
    for key in key_set.keys:
        if kid is None or key.key_id == kid:
            return key.key
    raise Unauthorized("no key in the key set matches the token's kid")


def verify(
    authorization: str | None, audience: str, settings: Settings, guard: ReplayGuard
) -> dict[str, Any] | None:
    """The verified claims, or ``None`` when no issuers are configured (open service)."""
    if not settings.cds_allowed_issuers:
        return None
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthorized("a bearer JWT is required")
    token = authorization.removeprefix("Bearer ").strip()
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise Unauthorized(f"malformed token ({type(error).__name__})") from None
    if header.get("alg") not in ALGORITHMS:
        raise Unauthorized("the token must be signed with RS384 or ES384")
    if unverified.get("iss") not in settings.cds_allowed_issuers:
        raise Unauthorized("the issuer is not allowed")
    key = _jwks_key(token, header, settings)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[header["alg"]],
            audience=audience,
            issuer=unverified["iss"],
            leeway=settings.cds_jwt_leeway_s,
            options={"require": ["iss", "aud", "exp", "jti"]},
        )
    except jwt.PyJWTError as error:
        raise Unauthorized(f"token rejected ({type(error).__name__})") from None
    guard.check(str(claims["jti"]), float(claims["exp"]))
    return claims
