"""CDS Hooks endpoints: discovery, service calls and feedback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request
from pydantic import BaseModel, ConfigDict

from guidepath.api.cdshooks import (
    SERVICES,
    HookRequest,
    discovery,
    necessity_card,
    patient_view_cards,
)
from guidepath.api.fhir import bundle_to_case
from guidepath.api.orders import procedures_for_orders
from guidepath.api.prefetch import PrefetchUnavailable, gather
from guidepath.api.security import ReplayGuard, Unauthorized, verify
from guidepath.config import get_settings
from guidepath.engine.necessity import check_necessity
from guidepath.engine.pathway import evaluate
from guidepath.errors import BadInput

router = APIRouter(tags=["cds-hooks"])
GUARD = ReplayGuard()
HOOKS = {service["id"]: service["hook"] for service in SERVICES}


class Feedback(BaseModel):
    """POST /cds-services/{id}/feedback body."""

    model_config = ConfigDict(extra="allow")

    feedback: list[dict[str, Any]]


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


def _cards(service_id: str, hook: HookRequest, base_url: str) -> list[dict[str, Any]]:
    try:
        case = bundle_to_case(gather(hook)).case
    except BadInput:
        return []
    assessment = evaluate(case)
    if HOOKS[service_id] == "patient-view":
        cards = patient_view_cards(assessment, base_url)
    else:
        tnfi_tried = any(t.get("type") == "tnfi" for t in case.get("treatments", []))
        orders = procedures_for_orders(hook.context.get("draftOrders"), tnfi_tried)
        cards = [necessity_card(check_necessity(p, case), ref, base_url) for p, ref in orders]
    return [card.model_dump(exclude_none=True) for card in cards]


def _known_service(service_id: str, request: Request, authorization: str | None) -> None:
    """401 for an untrusted caller, 404 for an unknown service."""
    _authorize(request, authorization)
    if service_id not in HOOKS:
        raise HTTPException(status_code=404, detail=f"unknown CDS service {service_id!r}")


@router.post("/cds-services/{service_id}", summary="Call a CDS service")
def call_service(
    service_id: str,
    hook: HookRequest,
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Cards for patient-view, order-select or order-sign."""
    _known_service(service_id, request, authorization)
    if hook.hook != HOOKS[service_id]:  # the service exists: _known_service checked it
        raise BadInput([("hook", f"{hook.hook!r} is not the hook of {service_id}")])
    base_url = get_settings().public_url or str(request.base_url).rstrip("/")
    try:
        return {"cards": _cards(service_id, hook, base_url)}
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
