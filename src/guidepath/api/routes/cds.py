"""CDS Hooks endpoints: discovery, service calls and feedback. The clinical choices (which hook
gives what, what is in scope, which order gets which criteria) are the pack's and
:mod:`guidepath.fhir`'s; this module only adapts HTTP to them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict

from guidepath.api.cdshooks import (
    Card,
    HookRequest,
    discovery,
    necessity_card,
    patient_view_cards,
    prefetch_templates,
    services,
    unavailable_card,
)
from guidepath.api.prefetch import PrefetchUnavailable, gather
from guidepath.api.security import ReplayGuard, Unauthorized, verify
from guidepath.config import get_settings
from guidepath.engine.necessity import check_necessity
from guidepath.engine.pathway import evaluate
from guidepath.errors import BadInput
from guidepath.fhir.orders import read_orders
from guidepath.fhir.reader import FhirReading, read_bundle
from guidepath.fhir.scope import out_of_scope

router = APIRouter(tags=["cds-hooks"])
GUARD = ReplayGuard()


class Feedback(BaseModel):
    """POST /cds-services/{id}/feedback body."""

    model_config = ConfigDict(extra="allow")

    feedback: list[dict[str, Any]]


def _services() -> dict[str, dict[str, Any]]:
    return {service["id"]: service for service in services()}


def _authorize(request: Request, authorization: str | None) -> None:
    settings = get_settings()
    audience = (
        f"{settings.public_url.rstrip('/')}{request.url.path}"
        if settings.public_url
        else str(request.url).split("?")[0]
    )
    try:
        verify(authorization, audience, settings, GUARD)
    except Unauthorized as error:
        raise HTTPException(status_code=401, detail=str(error)) from None


@router.get("/cds-services", summary="CDS Hooks discovery")
def get_discovery() -> dict[str, Any]:
    """The services with their hooks and prefetch templates."""
    return discovery()


def _necessity_cards(hook: HookRequest, reading: FhirReading, base_url: str) -> list[Card]:
    """Criteria cards for the drafted (and, when given, selected) orders in scope."""
    selections = hook.context.get("selections")
    orders = read_orders(
        hook.context.get("draftOrders"),
        reading.case,
        selections if isinstance(selections, list) else None,
    )
    cards = []
    for order in orders.orders:
        procedure_order = order.treatment in ("sij_injection", "rfa", "sij_fusion")
        if out_of_scope(reading, order_brings_scope=procedure_order):
            continue
        determination = check_necessity(order.procedure, reading.case)
        cards.append(necessity_card(determination, order.reference, base_url))
    return cards


def _cards(
    service: dict[str, Any], hook: HookRequest, base_url: str, client: Any
) -> list[dict[str, Any]]:
    gathered = gather(hook, client) if client is not None else gather(hook)
    reading = read_bundle(gathered.bundle, strict=False)
    unavailable = gathered.unavailable + reading.unavailable
    if service["gives"] == "assessment":
        if out_of_scope(reading):
            return []
        cards = patient_view_cards(evaluate(reading.case), base_url)
    else:
        cards = _necessity_cards(hook, reading, base_url)
    if cards and unavailable:
        cards.append(unavailable_card(unavailable, base_url))
    return [card.model_dump(exclude_none=True) for card in cards]


def _known_service(service_id: str, request: Request, authorization: str | None) -> dict[str, Any]:
    """401 for an untrusted caller, 404 for an unknown service."""
    _authorize(request, authorization)
    known = _services()
    if service_id not in known:
        raise HTTPException(status_code=404, detail=f"unknown CDS service {service_id!r}")
    return known[service_id]


def _needs_network(hook: HookRequest) -> bool:
    """Whether answering may wait on the network: a JWT key set to fetch, or prefetch keys
    missing (to be searched on the EHR's FHIR server)."""
    if get_settings().cds_allowed_issuers:
        return True
    prefetch = hook.prefetch or {}
    return any(prefetch.get(key) is None for key in prefetch_templates())


@router.post("/cds-services/{service_id}", summary="Call a CDS service")
async def call_service(
    service_id: str,
    hook: HookRequest,
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Cards for patient-view, order-select or order-sign; none when the record is out of
    guidepath's scope. A call with everything prefetched is answered on the event loop (about a
    millisecond of work); one that may wait on the network runs in the thread pool."""
    if _needs_network(hook):
        return await run_in_threadpool(_answer, service_id, hook, request, authorization)
    return _answer(service_id, hook, request, authorization)


def _answer(
    service_id: str, hook: HookRequest, request: Request, authorization: str | None
) -> dict[str, Any]:
    service = _known_service(service_id, request, authorization)
    if hook.hook != service["hook"]:
        raise BadInput([("hook", f"{hook.hook!r} is not the hook of {service_id}")])
    base_url = get_settings().public_url or str(request.base_url).rstrip("/")
    try:
        client = getattr(request.app.state, "fhir_client", None)
        return {"cards": _cards(service, hook, base_url, client)}
    except PrefetchUnavailable as error:
        raise HTTPException(status_code=412, detail=str(error)) from None


@router.post("/cds-services/{service_id}/feedback", summary="Card feedback")
def post_feedback(
    service_id: str,
    body: Feedback,
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Store what the clinician did with a card (appended, never overwritten)."""
    _known_service(service_id, request, authorization)
    path = Path(get_settings().data_dir) / "cds-feedback.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        for item in body.feedback:
            handle.write(json.dumps({"service": service_id, **item}) + "\n")
    return {"stored": len(body.feedback)}
