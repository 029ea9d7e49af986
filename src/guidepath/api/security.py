"""CDS Hooks client authentication (spec 2.0.1 §Trusting CDS Clients).

When ``cds_allowed_issuers`` is configured, every call must carry ``Authorization: Bearer <JWT>``
signed with RS384 or ES384 by an allowed issuer, with:

- ``aud`` equal to the called service's URL under ``GUIDEPATH_PUBLIC_URL`` (required whenever
  JWTs are: the audience is never taken from the request's Host header);
- ``exp``, ``iat`` and ``jti``; a lifetime (``exp - iat``) of at most ``cds_jwt_max_lifetime_s``
  (the spec's 5 minutes); ``exp``/``iat``/``nbf`` checked with ``cds_jwt_leeway_s`` of clock skew
  (the Sandbox rounds ``iat`` to the second, so without leeway a token can look issued in the
  future);
- a ``jti`` never seen before: used ids are kept in the database until their token expires, so
  replay protection survives a restart and is shared by every worker;
- a signing key from the key set named by the token's ``jku``, fetched only from an allow-listed
  origin (``cds_jwks_hosts``: ``https://host[:port]``, or a bare host meaning ``https`` on 443),
  cached for ``cds_jwks_cache_s`` (a bounded cache), fetched after the cheap checks; a ``kid``
  naming a key of the wrong type is a 401, not a 500.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt

from guidepath.api.fhir_access import origin
from guidepath.config import Settings

ALGORITHMS = ("RS384", "ES384")
KEY_SET_MAX_BYTES = 256 * 1024
ReplayCheck = Callable[[str, float], Awaitable[bool]]


class Unauthorized(Exception):
    """The caller is not a trusted CDS client (HTTP 401)."""


class JwtMisconfigured(RuntimeError):
    """Client JWTs are required but the service does not know its own public URL."""


def check_configuration(settings: Settings) -> None:
    """JWTs need a fixed audience: refuse to start without ``GUIDEPATH_PUBLIC_URL``."""
    if settings.cds_allowed_issuers and not settings.public_url:
        raise JwtMisconfigured(
            "GUIDEPATH_CDS_ALLOWED_ISSUERS is set, so GUIDEPATH_PUBLIC_URL must be too (the JWT "
            "audience is the service URL clients call; it is never taken from the Host header)"
        )


def _allowed_origin(url: str, allowed: list[str]) -> bool:
    """The key set URL's scheme, host and port are exactly one of the allowed origins."""
    found = origin(url)
    for entry in allowed:
        expected = origin(entry if "://" in entry else f"https://{entry}")
        if found == expected:
            return True
    return False


class KeySets:
    """Key sets by URL, kept ``ttl`` seconds, at most ``size`` of them (oldest dropped)."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._sets: OrderedDict[str, tuple[float, jwt.PyJWKSet]] = OrderedDict()

    async def get(self, url: str, ttl: float) -> jwt.PyJWKSet:
        now = time.monotonic()
        cached = self._sets.get(url)
        if cached is not None and cached[0] > now:
            return cached[1]
        key_set = await _fetch_key_set(url)
        self._sets[url] = (now + ttl, key_set)
        self._sets.move_to_end(url)
        while len(self._sets) > self.size:
            self._sets.popitem(last=False)
        return key_set


async def _fetch_key_set(url: str) -> jwt.PyJWKSet:
    try:
        async with httpx.AsyncClient(timeout=2.0, follow_redirects=False) as http:
            response = await http.get(url)
            response.raise_for_status()
            if len(response.content) > KEY_SET_MAX_BYTES:
                raise ValueError("key set too large")
            return jwt.PyJWKSet.from_dict(response.json())
    except (httpx.HTTPError, ValueError, jwt.PyJWTError) as error:
        raise Unauthorized(f"the key set could not be read ({type(error).__name__})") from None


KEY_SETS = KeySets()


async def _signing_key(header: dict[str, Any], settings: Settings) -> Any:
    url = header.get("jku")
    if not isinstance(url, str) or not url:
        raise Unauthorized("the token has no jku header naming its key set")
    if urlsplit(url).scheme not in ("http", "https") or not _allowed_origin(
        url, settings.cds_jwks_hosts
    ):
        raise Unauthorized("the jku origin is not allowed")
    key_set = await KEY_SETS.get(url, settings.cds_jwks_cache_s)
    kid = header.get("kid")
    family = "RSA" if header["alg"].startswith("RS") else "EC"
    for key in key_set.keys:
        if kid is None or key.key_id == kid:
            if key.key_type != family:
                raise Unauthorized(f"the key {kid!r} is not an {family} key")
            return key.key
    raise Unauthorized("no key in the key set matches the token's kid")


def _cheap_checks(token: str, settings: Settings) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims checks that need no key (done before any key set is fetched)."""
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise Unauthorized(f"malformed token ({type(error).__name__})") from None
    if header.get("alg") not in ALGORITHMS:
        raise Unauthorized("the token must be signed with RS384 or ES384")
    if unverified.get("iss") not in settings.cds_allowed_issuers:
        raise Unauthorized("the issuer is not allowed")
    exp, iat = unverified.get("exp"), unverified.get("iat")
    if not isinstance(exp, (int, float)) or not isinstance(iat, (int, float)):
        raise Unauthorized("the token must carry numeric exp and iat")
    if exp - iat > settings.cds_jwt_max_lifetime_s + settings.cds_jwt_leeway_s:
        raise Unauthorized("the token lives too long (at most 5 minutes)")
    return header, unverified


async def verify(
    authorization: str | None, audience: str, settings: Settings, replay: ReplayCheck
) -> dict[str, Any] | None:
    """The verified claims, or ``None`` when no issuers are configured (open service).
    ``replay(jti, exp)`` records a token id and says whether it was new."""
    if not settings.cds_allowed_issuers:
        return None
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthorized("a bearer JWT is required")
    token = authorization.removeprefix("Bearer ").strip()
    header, unverified = _cheap_checks(token, settings)
    key = await _signing_key(header, settings)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[header["alg"]],
            audience=audience,
            issuer=unverified["iss"],
            leeway=settings.cds_jwt_leeway_s,
            options={"require": ["iss", "aud", "exp", "iat", "jti"]},
        )
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise Unauthorized(f"token rejected ({type(error).__name__})") from None
    if not await replay(str(claims["jti"])[:255], float(claims["exp"]) + settings.cds_jwt_leeway_s):
        raise Unauthorized("token replayed (jti already used)")
    return claims
