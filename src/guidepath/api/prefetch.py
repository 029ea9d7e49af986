"""Gather the FHIR data a hook call needs: the prefetch the EHR sent and, for each key it did not
send, a search against ``fhirServer`` with the EHR's bearer token (spec 2.0.1 §Prefetch).

- Searches run in parallel (at most ``cds_fetch_workers`` at once), follow ``link.next`` pages
  (at most ``cds_fetch_pages``), and share one overall deadline (``cds_fetch_deadline_s``).
- A key the EHR answered with an OperationOutcome, did not prefetch (with no ``fhirServer`` to
  ask), or that could not be fetched, is reported as unavailable data; only when nothing at all
  could be had does the service answer 412.
- The patient id is checked against FHIR's id syntax and URL-encoded before it enters a path.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from guidepath.api.cdshooks import HookRequest, prefetch_templates
from guidepath.config import get_settings
from guidepath.errors import BadInput

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
ClientFactory = Callable[[], httpx.Client]


class PrefetchUnavailable(Exception):
    """Required data was neither prefetched nor fetchable (HTTP 412)."""


@dataclass
class Gathered:
    """One collection Bundle with what the hook needs, and the data that could not be had."""

    bundle: dict[str, Any]
    unavailable: list[str] = field(default_factory=list)


def _client() -> httpx.Client:
    return httpx.Client(timeout=get_settings().cds_fetch_timeout_s)


def _entries(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, Mapping):
        return []
    if value.get("resourceType") == "Bundle":
        entries = value.get("entry") or []
        return [e for e in entries if isinstance(e, dict) and isinstance(e.get("resource"), dict)]
    return [{"resource": dict(value)}] if value.get("resourceType") else []


def _path(request: HookRequest, template: str) -> str:
    patient = str(request.context.get("patientId", ""))
    if not FHIR_ID.fullmatch(patient):
        raise BadInput([("context.patientId", "must be a FHIR id (letters, digits, '-', '.')")])
    return template.replace("{{context.patientId}}", quote(patient, safe=""))


def _next_link(page: Mapping[str, Any]) -> str | None:
    for link in page.get("link") or []:
        if isinstance(link, Mapping) and link.get("relation") == "next":
            url = link.get("url")
            return url if isinstance(url, str) else None
    return None


def _search(request: HookRequest, path: str, make: ClientFactory) -> list[dict[str, Any]]:
    """Every page of one search (or the one resource of a read)."""
    settings = get_settings()
    headers = {"Accept": "application/fhir+json"}
    if request.fhirAuthorization is not None:
        headers["Authorization"] = f"Bearer {request.fhirAuthorization.access_token}"
    url: str | None = f"{str(request.fhirServer).rstrip('/')}/{path}"
    entries: list[dict[str, Any]] = []
    with make() as http:
        for _ in range(settings.cds_fetch_pages):
            if url is None:
                break
            response = http.get(url, headers=headers)
            response.raise_for_status()
            page = response.json()
            if isinstance(page, Mapping) and page.get("resourceType") == "OperationOutcome":
                raise ValueError("the FHIR server answered with an OperationOutcome")
            entries += _entries(page)
            url = _next_link(page) if isinstance(page, Mapping) else None
    return entries


def _fetch_missing(
    request: HookRequest, missing: dict[str, str], make: ClientFactory
) -> tuple[list[dict[str, Any]], list[str]]:
    settings = get_settings()
    paths = {key: _path(request, template) for key, template in missing.items()}
    entries: list[dict[str, Any]] = []
    failed: list[str] = []
    deadline = time.monotonic() + settings.cds_fetch_deadline_s
    pool = ThreadPoolExecutor(max_workers=settings.cds_fetch_workers)
    futures = {pool.submit(_search, request, p, make): k for k, p in paths.items()}
    done, late = wait(futures, timeout=max(0.0, deadline - time.monotonic()))
    pool.shutdown(wait=False, cancel_futures=True)  # the deadline holds even for a slow server
    for future in done:
        try:
            entries += future.result()
        except (httpx.HTTPError, ValueError) as error:
            failed.append(f"{futures[future]} could not be fetched ({type(error).__name__})")
    failed += [f"{futures[future]} could not be fetched in time" for future in late]
    return entries, failed


def gather(request: HookRequest, make: ClientFactory = _client) -> Gathered:
    """The hook's data, by the module docstring's rules. An HTTP client is made only when
    something must be fetched (making one loads the CA store, which costs ~30 ms)."""
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
    if missing and not request.fhirServer:
        if not entries:
            raise PrefetchUnavailable("nothing was prefetched and no fhirServer was given")
        unavailable += [f"{key}: not prefetched, and no fhirServer to ask" for key in missing]
    elif missing:
        fetched, failed = _fetch_missing(request, missing, make)
        clinical = [e for e in entries + fetched if e["resource"].get("resourceType") != "Patient"]
        if failed and not clinical:
            raise PrefetchUnavailable("; ".join(sorted(failed)))
        entries += fetched
        unavailable += sorted(failed)
    return Gathered({"resourceType": "Bundle", "type": "collection", "entry": entries}, unavailable)
