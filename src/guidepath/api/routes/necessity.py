"""POST /v1/necessity/{procedure}: a Case or FHIR Bundle → Determination (contract section 3)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from guidepath.api.guard import JsonRoute
from guidepath.api.routes.evaluate import case_from_body
from guidepath.engine.necessity import Determination, check_necessity
from guidepath.examples import CASE_EXAMPLE

router = APIRouter(route_class=JsonRoute, prefix="/v1", tags=["necessity"])


@router.post(
    "/necessity/{procedure}",
    response_model=Determination,
    summary="Check medical necessity criterion by criterion",
    responses={404: {"description": "Unknown procedure"}},
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}}}
        }
    },
)
def post_necessity(
    procedure: str,
    body: Annotated[dict[str, Any], Body(openapi_examples={"case": {"value": CASE_EXAMPLE}})],
) -> Determination:
    """met / not_met / insufficient_information, with each criterion's evidence and codes."""
    return check_necessity(procedure, case_from_body(body)[0])
