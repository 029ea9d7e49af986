"""CDS Hooks endpoints: discovery, service calls and feedback. The clinical choices (which hook
gives what, what is in scope, which order gets which criteria) are the pack's and
:mod:`guidepath.fhir`'s; this module only adapts HTTP to them."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from guidepath.api.cdshooks import (
    Card,
    HookRequest,
    discovery,
    necessity_card,
    patient_view_cards,
    services,
    unavailable_card,
)
from guidepath.api.guard import JsonRoute
from guidepath.api.prefetch import PrefetchUnavailable, gather
from guidepath.api.security import (
    JwtMisconfigured,
    Unauthorized,
    check_configuration,
    verify,
)
from guidepath.config import get_settings
from guidepath.engine.necessity import check_necessity
from guidepath.engine.pathway import evaluate
from guidepath.errors import BadInput
from guidepath.fhir.orders import read_orders
from guidepath.fhir.reader import FhirReading, read_bundle
from guidepath.fhir.scope import out_of_scope
from guidepath.store.access import claim_token

router = APIRouter(route_class=JsonRoute, tags=["cds-hooks"])
Text = Annotated[str, StringConstraints(max_length=2000)]


class Coding(BaseModel):
    """A FHIR Coding (the reason a card was overridden)."""

    model_config = ConfigDict(extra="forbid")

    system: Text | None = None
    code: Text
    display: Text | None = None


class OverrideReason(BaseModel):
    """Why the clinician did not follow a card."""

    model_config = ConfigDict(extra="forbid")

    reason: Coding | None = None
    userComment: Text | None = None  # noqa: N815 - the spec's field name


class AcceptedSuggestion(BaseModel):
    """A suggestion of the card that was accepted."""

    model_config = ConfigDict(extra="forbid")

    id: Text


class FeedbackItem(BaseModel):
    """One card's outcome (spec 2.0.1 §Feedback)."""

    model_config = ConfigDict(extra="forbid")

    card: Text
    outcome: Literal["accepted", "overridden"]
    outcomeTimestamp: dt.datetime  # noqa: N815
    acceptedSuggestions: list[AcceptedSuggestion] | None = Field(None, max_length=50)  # noqa: N815
    overrideReason: OverrideReason | None = None  # noqa: N815
    extension: dict[str, Any] | None = None


class Feedback(BaseModel):
    """POST /cds-services/{id}/feedback body."""

    feedback: list[FeedbackItem] = Field(min_length=1, max_length=100)


def _services() -> dict[str, dict[str, Any]]:
    return {service["id"]: service for service in services()}


async def _authorize(request: Request, authorization: str | None) -> str | None:
    """The verified issuer (``None`` on an open service); 401 for an untrusted caller."""
    settings = get_settings()
    try:
        check_configuration(settings)
    except JwtMisconfigured as error:
        raise HTTPException(status_code=503, detail=str(error)) from None
    audience = f"{settings.public_url.rstrip('/')}{request.url.path}"
    store = request.app.state.store

    def claim(jti: str, expires_at: float) -> bool:
        with store.sessions() as session:
            return claim_token(session, jti, expires_at)

    async def replay(jti: str, expires_at: float) -> bool:
        return await run_in_threadpool(claim, jti, expires_at)

    try:
        claims = await verify(authorization, audience, settings, replay)
    except Unauthorized as error:
        raise HTTPException(status_code=401, detail=str(error)) from None
    return None if claims is None else str(claims["iss"])


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


async def _cards(
    service: dict[str, Any], hook: HookRequest, base_url: str, client: Any, issuer: str | None
) -> list[dict[str, Any]]:
    if client is not None:
        gathered = await gather(hook, client, issuer=issuer)
    else:
        gathered = await gather(hook, issuer=issuer)
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


async def _known_service(
    service_id: str, request: Request, authorization: str | None
) -> tuple[dict[str, Any], str | None]:
    """The service and the verified issuer; 401 for an untrusted caller, 404 for an unknown
    service."""
    issuer = await _authorize(request, authorization)
    known = _services()
    if service_id not in known:
        raise HTTPException(status_code=404, detail=f"unknown CDS service {service_id!r}")
    return known[service_id], issuer


@router.post("/cds-services/{service_id}", summary="Call a CDS service")
async def call_service(
    service_id: str,
    hook: HookRequest,
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Cards for patient-view, order-select or order-sign; none when the record is out of
    guidepath's scope. Everything runs on the event loop: the clinical work is about a
    millisecond, and waiting on an EHR's FHIR server (bounded by one deadline) holds no thread."""
    service, issuer = await _known_service(service_id, request, authorization)
    if hook.hook != service["hook"]:
        raise BadInput([("hook", f"{hook.hook!r} is not the hook of {service_id}")])
    base_url = get_settings().base_url().rstrip("/")
    try:
        client = getattr(request.app.state, "fhir_client", None)
        return {"cards": await _cards(service, hook, base_url, client, issuer)}
    except PrefetchUnavailable as error:
        raise HTTPException(status_code=412, detail=str(error)) from None


def _append_feedback(service_id: str, items: list[FeedbackItem]) -> None:
    """Append one line per item to the owner-only feedback file; the service name is the
    record's own field, never overwritten by the item."""
    settings = get_settings()
    path = Path(settings.data_dir) / "cds-feedback.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size > settings.feedback_max_file_bytes:
        raise HTTPException(status_code=507, detail="the feedback log is full")
    received = dt.datetime.now(dt.UTC).isoformat()
    lines = [
        json.dumps(
            {
                "service": service_id,
                "received": received,
                "feedback": item.model_dump(mode="json", exclude_none=True),
            }
        )
        + "\n"
        for item in items
    ]
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write("".join(lines))
        handle.flush()
        os.fsync(handle.fileno())


@router.post("/cds-services/{service_id}/feedback", summary="Card feedback")
async def post_feedback(
    service_id: str,
    body: Feedback,
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Store what the clinician did with a card (validated against the spec's feedback shape,
    at most 100 items a call; appended, never overwritten)."""
    await _known_service(service_id, request, authorization)
    await run_in_threadpool(_append_feedback, service_id, body.feedback)
    return {"stored": len(body.feedback)}
