"""Which FHIR servers guidepath may fetch from on a hook caller's behalf (SSRF defence).

A hook call names its ``fhirServer`` and hands over a bearer token; fetching from any URL a caller
names would let anyone make the service reach hosts it can see (an internal admin page, a cloud
metadata address) with a token attached. So a ``fhirServer`` is used only when:

- it is on the allow-list ``GUIDEPATH_CDS_FHIR_SERVERS`` (base URLs; the server's URL must start
  with one, same scheme, host and port), or, when that list is empty and client JWTs are required,
  its host is the host of the verified issuer (``iss``); with neither, nothing is fetched;
- every address its host resolves to is public: loopback, private, link-local, reserved and
  multicast addresses are refused unless ``GUIDEPATH_CDS_FHIR_ALLOW_PRIVATE`` is set (an EHR on
  the hospital network);
- a ``link.next`` page stays on the same origin as the server.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from guidepath.config import Settings


class FetchRefused(Exception):
    """The ``fhirServer`` may not be fetched from; the message says why (no URL echoed)."""


def origin(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of a URL (default ports filled in); an unusable URL (a port out of
    range, say) has the empty origin ``("", "", 0)``, which matches nothing allowed."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        return "", "", 0
    return scheme, (parts.hostname or "").lower(), port


def _under(url: str, base: str) -> bool:
    """``url`` is ``base`` or below it: same origin, and the path continues at a segment."""
    if origin(url) != origin(base):
        return False
    path, prefix = urlsplit(url).path.rstrip("/"), urlsplit(base).path.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")


def allowed_by_policy(server: str, settings: Settings, issuer: str | None) -> None:
    """Refuse a server the settings do not allow (see the module docstring)."""
    scheme, host, _ = origin(server)
    if scheme not in ("http", "https") or not host:
        raise FetchRefused("fhirServer is not an http(s) URL")
    if settings.cds_fhir_servers:
        if not any(_under(server, base) for base in settings.cds_fhir_servers):
            raise FetchRefused("fhirServer is not on the allow-list (GUIDEPATH_CDS_FHIR_SERVERS)")
        return
    if issuer is None:
        raise FetchRefused(
            "fetching from fhirServer is off: set GUIDEPATH_CDS_FHIR_SERVERS, or require client "
            "JWTs (GUIDEPATH_CDS_ALLOWED_ISSUERS) to allow the issuer's own host"
        )
    if host != (urlsplit(issuer).hostname or "").lower():
        raise FetchRefused("fhirServer's host is not the verified issuer's host")


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


async def check_addresses(server: str, settings: Settings) -> None:
    """Refuse a server whose host resolves to a non-public address (unless allowed)."""
    if settings.cds_fhir_allow_private:
        return
    _, host, port = origin(server)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise FetchRefused("fhirServer's host could not be resolved") from None
    if not found or not all(_public(str(info[4][0])) for info in found):
        raise FetchRefused(
            "fhirServer resolves to a private, loopback or link-local address "
            "(GUIDEPATH_CDS_FHIR_ALLOW_PRIVATE=1 allows an EHR on the local network)"
        )


def same_origin(url: str, server: str) -> bool:
    """A ``link.next`` URL may be followed only on the server's own origin."""
    return origin(url) == origin(server)
