"""POST /v1/calculators/{name}: inputs → Score (contract section 4)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from guidepath.api.guard import JsonRoute
from guidepath.engine.calculators import Score, calculate

router = APIRouter(route_class=JsonRoute, prefix="/v1", tags=["calculators"])
EXAMPLE = {
    "back_pain": 6,
    "morning_stiffness": 5,
    "patient_global": 6,
    "peripheral_pain": 2,
    "crp_mg_l": 12,
}


@router.post(
    "/calculators/{name}",
    response_model=Score,
    summary="Compute a clinical score",
    responses={404: {"description": "Unknown calculator"}},
)
def post_calculator(
    name: str,
    inputs: Annotated[dict[str, Any], Body(openapi_examples={"asdas_crp": {"value": EXAMPLE}})],
) -> Score:
    """BASDAI, ASDAS-CRP/ESR, BASFI, Laslett cluster or ASAS classification."""
    return calculate(name, inputs)
