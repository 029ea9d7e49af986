"""Gather the FHIR data a hook call needs: the prefetch the EHR sent and, for each key it did not
send, a search against ``fhirServer`` with the EHR's bearer token (spec 2.0.1 §Prefetch).

- ``fhirServer`` is searched only when :mod:`guidepath.api.fhir_access` allows it (an allow-list,
  or the verified issuer's host; never a private address unless configured), and ``link.next``
  pages only on the same origin.
- Searches are asynchronous and run in parallel, follow ``link.next`` pages (at most
  ``cds_fetch_pages``), and share one overall deadline (``cds_fetch_deadline_s``, 0.4 s by
  default: data the EHR should have prefetched must not hold the call); at the deadline every
  search still running is cancelled and its connection closed, so a slow or dribbling server
  holds neither a thread nor the call. At most ``cds_fetch_concurrency`` searches run at once in
  the whole process.
- A key the EHR answered with an OperationOutcome, did not prefetch (with no ``fhirServer`` that
  may be asked), or that could not be fetched, is reported as unavailable data; only when nothing
  at all could be had does the service answer 412.
- The patient id is checked against FHIR's id syntax and URL-encoded before it enters a path.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import quote

import httpx

from guidepath.api.cdshooks import HookRequest, prefetch_templates
from guidepath.api.fhir_access import (
    FetchRefused,
    allowed_by_policy,
    check_addresses,
    same_origin,
)
from guidepath.config import get_settings
from guidepath.errors import BadInput

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
ClientFactory = Callable[[], httpx.AsyncClient]
MAX_PAGE_BYTES = 20 * 1024 * 1024
_SLOTS: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Semaphore]] = {}


class PrefetchUnavailable(Exception):
    """Required data was neither prefetched nor fetchable (HTTP 412)."""


@dataclass
class Gathered:
    """One collection Bundle with what the hook needs, and the data that could not be had."""

    bundle: dict[str, Any]
    unavailable: list[str] = field(default_factory=list)


@cache
def _tls() -> ssl.SSLContext:
    """The TLS context, built once: loading the CA store costs ~30 ms of CPU, which on the event
    loop for every hook call would stall every other request."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=get_settings().cds_fetch_timeout_s, follow_redirects=False, verify=_tls()
    )


def _slots() -> asyncio.Semaphore:
    """The process-wide bound on concurrent outbound searches (one semaphore per event loop; the
    loop is kept with it, so a new loop can never be handed a dead loop's semaphore)."""
    loop = asyncio.get_running_loop()
    found = _SLOTS.get(id(loop))
    if found is None or found[0] is not loop:
        found = _SLOTS[id(loop)] = (loop, asyncio.Semaphore(get_settings().cds_fetch_concurrency))
    return found[1]


def _entries(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, Mapping):
        return []
    if value.get("resourceType") == "Bundle":
        entries = value.get("entry") or []
        return [e for e in entries if isinstance(e, dict) and isinstance(e.get("resource"), dict)]
    return [{"resource": dict(value)}] if value.get("resourceType") else []


def _patient_id(request: HookRequest) -> str:
    """The hook's patient id, which must be a FHIR id before it enters any path (422 if not)."""
    patient = str(request.context.get("patientId", ""))
    if not FHIR_ID.fullmatch(patient):
        raise BadInput([("context.patientId", "must be a FHIR id (letters, digits, '-', '.')")])
    return patient


def _path(request: HookRequest, template: str) -> str:
    return template.replace("{{context.patientId}}", quote(_patient_id(request), safe=""))


def _next_link(page: Mapping[str, Any]) -> str | None:
    for link in page.get("link") or []:
        if isinstance(link, Mapping) and link.get("relation") == "next":
            url = link.get("url")
            return url if isinstance(url, str) else None
    return None


async def _page(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> Any:
    """One page of a search, read up to :data:`MAX_PAGE_BYTES`."""
    async with http.stream("GET", url, headers=headers) as response:
        response.raise_for_status()
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_PAGE_BYTES:
                raise ValueError("the FHIR server's answer is too large")
            chunks.append(chunk)
    return httpx.Response(200, content=b"".join(chunks)).json()


async def _search(
    request: HookRequest, path: str, http: httpx.AsyncClient
) -> tuple[list[dict[str, Any]], str | None]:
    """Every page of one search (or the one resource of a read), and why paging stopped early
    (a next-page link that leaves the FHIR server is not followed)."""
    settings = get_settings()
    headers = {"Accept": "application/fhir+json"}
    if request.fhirAuthorization is not None:
        headers["Authorization"] = f"Bearer {request.fhirAuthorization.access_token}"
    server = str(request.fhirServer).rstrip("/")
    url: str | None = f"{server}/{path}"
    entries: list[dict[str, Any]] = []
    async with _slots():
        for _ in range(settings.cds_fetch_pages):
            if url is None:
                break
            page = await _page(http, url, headers)
            if isinstance(page, Mapping) and page.get("resourceType") == "OperationOutcome":
                raise ValueError("the FHIR server answered with an OperationOutcome")
            entries += _entries(page)
            url = _next_link(page) if isinstance(page, Mapping) else None
            if url is not None and not same_origin(url, server):
                return entries, "later pages not fetched (a next-page link left the FHIR server)"
    return entries, None


def _left(deadline: float) -> float:
    return max(0.0, deadline - asyncio.get_running_loop().time())


async def _fetch_missing(
    request: HookRequest, missing: dict[str, str], make: ClientFactory, deadline: float
) -> tuple[list[dict[str, Any]], list[str]]:
    paths = {key: _path(request, template) for key, template in missing.items()}
    entries: list[dict[str, Any]] = []
    failed: list[str] = []
    async with make() as http:
        tasks = {
            asyncio.ensure_future(_search(request, path, http)): key for key, path in paths.items()
        }
        done, late = await asyncio.wait(tasks, timeout=_left(deadline))
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
    for task in done:
        error = task.exception()
        if error is None:
            found, stopped = task.result()
            entries += found
            if stopped:
                failed.append(f"{tasks[task]}: {stopped}")
        elif isinstance(error, (httpx.HTTPError, ValueError)):
            failed.append(f"{tasks[task]} could not be fetched ({type(error).__name__})")
        else:
            raise error
    failed += [f"{tasks[task]} could not be fetched in time" for task in late]
    return entries, failed


async def _refusal(request: HookRequest, issuer: str | None, deadline: float) -> str | None:
    """Why ``fhirServer`` may not be searched, or ``None`` when it may."""
    settings = get_settings()
    try:
        allowed_by_policy(str(request.fhirServer), settings, issuer)
        await asyncio.wait_for(check_addresses(str(request.fhirServer), settings), _left(deadline))
    except FetchRefused as refused:
        return str(refused)
    except TimeoutError:
        return "fhirServer's host could not be resolved in time"
    return None


async def gather(
    request: HookRequest, make: ClientFactory = _client, issuer: str | None = None
) -> Gathered:
    """The hook's data, by the module docstring's rules; ``issuer`` is the verified JWT issuer.
    An HTTP client is made only when something must be fetched."""
    prefetch = request.prefetch or {}
    templates = prefetch_templates()
    entries: list[dict[str, Any]] = []
    unavailable: list[str] = []
    for key in templates:
        value = prefetch.get(key)
        if isinstance(value, Mapping) and value.get("resourceType") == "OperationOutcome":
            unavailable.append(f"{key}: the EHR could not provide this data")
        else:
            entries += _entries(value)
    missing = {k: t for k, t in templates.items() if prefetch.get(k) is None}
    if not missing:
        return Gathered(_collection(entries), unavailable)
    deadline = asyncio.get_running_loop().time() + get_settings().cds_fetch_deadline_s
    refused = "no fhirServer was given" if not request.fhirServer else None
    if refused is None:
        _patient_id(request)  # a bad patient id is the caller's error, whatever the policy
        refused = await _refusal(request, issuer, deadline)
    if refused is not None:
        if not entries:
            raise PrefetchUnavailable(f"nothing was prefetched, and {refused}")
        unavailable += [f"{key}: not prefetched, and {refused}" for key in missing]
        return Gathered(_collection(entries), unavailable)
    fetched, failed = await _fetch_missing(request, missing, make, deadline)
    clinical = [e for e in entries + fetched if e["resource"].get("resourceType") != "Patient"]
    if failed and not clinical:
        raise PrefetchUnavailable("; ".join(sorted(failed)))
    return Gathered(_collection(entries + fetched), unavailable + sorted(failed))


def _collection(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}
