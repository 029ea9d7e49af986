"""Which necessity check a draft order needs (order-select / order-sign context.draftOrders).

The draft orders are read with the same R4B models and helpers as the patient's data: ServiceRequest
/ Procedure orders by CPT code or name (SI joint injection, RFA, fusion); MedicationRequest orders
by drug name through the lexicon (a TNF inhibitor, or an IL-17 inhibitor, whose criteria are the
switch criteria once a TNF inhibitor has been tried).
"""

from __future__ import annotations

from typing import Any

from guidepath.api.fhir import lexicon_match, parse_bundle, procedure_type, texts

PROCEDURE_FOR_TYPE = {"rfa": "rfa_lateral_branch", "sij_fusion": "sij_fusion_mis"}


def _service_procedure(resource: Any) -> str | None:
    kind = procedure_type(resource)
    if kind == "sij_injection":
        named = " ".join(texts(resource.code)).lower()
        return "diagnostic_sij_block" if "diagnostic" in named else "therapeutic_sij_injection"
    return PROCEDURE_FOR_TYPE.get(kind or "")


def _medication_procedure(resource: Any, tnfi_tried: bool) -> str | None:
    names = " ".join(texts(resource.medicationCodeableConcept))
    kinds = {kind for _, _, kind in lexicon_match(names, {"DRUG"})}
    if "il17i" in kinds:
        return "switch_to_il17i" if tnfi_tried else "start_tnfi"
    if kinds & {"tnfi", "jaki"}:
        return "start_tnfi"
    return None


def procedures_for_orders(
    draft_orders: dict[str, Any] | None, tnfi_tried: bool
) -> list[tuple[str, str | None]]:
    """(procedure, order reference) for each draft order guidepath has criteria for."""
    if not draft_orders:
        return []
    found = []
    for entry in parse_bundle(draft_orders, "context.draftOrders").entry or []:
        resource = entry.resource
        if resource is None:
            continue
        kind = resource.get_resource_type()
        if kind in ("ServiceRequest", "Procedure"):
            procedure = _service_procedure(resource)
        elif kind == "MedicationRequest":
            procedure = _medication_procedure(resource, tnfi_tried)
        else:
            procedure = None
        if procedure:
            found.append((procedure, f"{kind}/{resource.id}" if resource.id else None))
    return found
