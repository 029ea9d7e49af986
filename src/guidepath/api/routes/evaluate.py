"""POST /v1/evaluate: a Case (contract section 1) or a FHIR R4 Bundle → Assessment."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from guidepath.api.guard import JsonRoute
from guidepath.engine.models import Assessment
from guidepath.engine.pathway import evaluate
from guidepath.errors import BadInput
from guidepath.examples import CASE_EXAMPLE

router = APIRouter(route_class=JsonRoute, prefix="/v1", tags=["evaluate"])


def case_from_body(body: Any) -> tuple[dict[str, Any], list[str], bool]:
    """The case in a request body (a Case, or a FHIR Bundle read into one), what of the body
    could not be used, and whether it was a Bundle."""
    if not isinstance(body, dict):
        raise BadInput([("", "the body must be a JSON object")])
    if body.get("resourceType") == "Bundle":
        from guidepath.fhir.reader import bundle_to_case

        reading = bundle_to_case(body)
        return reading.case, reading.unmapped + reading.unavailable, True
    return body, [], False


CaseBody = Annotated[
    dict[str, Any],
    Body(
        openapi_examples={"sacroiliitis": {"summary": "Contract example 01", "value": CASE_EXAMPLE}}
    ),
]


@router.post(
    "/evaluate",
    response_model=Assessment,
    summary="Evaluate a case against the care pathway",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "anyOf": [
                            {"$ref": "#/components/schemas/Case"},
                            {
                                "type": "object",
                                "description": "FHIR R4 Bundle",
                                "properties": {"resourceType": {"const": "Bundle"}},
                            },
                        ]
                    }
                }
            }
        }
    },
)
def post_evaluate(body: CaseBody) -> Assessment:
    """The Assessment of one case (contract section 2). For a FHIR Bundle, the Case read from it
    is returned as ``case`` and what was not used, and why, in ``input_notes``."""
    case, notes, from_bundle = case_from_body(body)
    assessment = evaluate(case)
    assessment.input_notes = notes
    if from_bundle:
        assessment.case = case
    return assessment
