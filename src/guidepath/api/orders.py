"""Which necessity check a draft order needs (order-select / order-sign context.draftOrders).

ServiceRequest / Procedure orders are read by CPT code or name (SI joint injection, RFA, fusion);
MedicationRequest orders by drug name through the lexicon (a TNF inhibitor, or an IL-17
inhibitor, whose criteria are the switch criteria once a TNF inhibitor has been tried).
"""

from __future__ import annotations

from typing import Any

from guidepath.api.fhir import CPT_TYPES, lexicon_match

PROCEDURE_FOR_TYPE = {"rfa": "rfa_lateral_branch", "sij_fusion": "sij_fusion_mis"}


def _texts(concept: dict[str, Any] | None) -> list[str]:
    if not concept:
        return []
    found = [concept["text"]] if concept.get("text") else []
    return found + [c.get("display", "") for c in concept.get("coding", []) if c.get("display")]


def _codes(concept: dict[str, Any] | None) -> list[str]:
    return [c.get("code", "") for c in (concept or {}).get("coding", [])]


def _service_procedure(resource: dict[str, Any]) -> str | None:
    concept = resource.get("code")
    kinds = [CPT_TYPES[c] for c in _codes(concept) if c in CPT_TYPES]
    text = " ".join(_texts(concept)).lower()
    kinds += [v for _, v, _ in lexicon_match(text, {"TREATMENT"})]
    for kind in kinds:
        if kind == "sij_injection":
            return "diagnostic_sij_block" if "diagnostic" in text else "therapeutic_sij_injection"
        if kind in PROCEDURE_FOR_TYPE:
            return PROCEDURE_FOR_TYPE[kind]
    return None


def _medication_procedure(resource: dict[str, Any], tnfi_tried: bool) -> str | None:
    text = " ".join(_texts(resource.get("medicationCodeableConcept")))
    kinds = {kind for _, _, kind in lexicon_match(text, {"DRUG"})}
    if "il17i" in kinds:
        return "switch_to_il17i" if tnfi_tried else "start_tnfi"
    if kinds & {"tnfi", "jaki"}:
        return "start_tnfi"
    return None


def procedures_for_orders(
    draft_orders: dict[str, Any] | None, tnfi_tried: bool
) -> list[tuple[str, str | None]]:
    """(procedure, order reference) for each draft order guidepath has criteria for."""
    found = []
    for entry in (draft_orders or {}).get("entry", []):
        resource = entry.get("resource") or {}
        kind = resource.get("resourceType")
        reference = f"{kind}/{resource['id']}" if resource.get("id") else None
        if kind in ("ServiceRequest", "Procedure"):
            procedure = _service_procedure(resource)
        elif kind == "MedicationRequest":
            procedure = _medication_procedure(resource, tnfi_tried)
        else:
            procedure = None
        if procedure:
            found.append((procedure, reference))
    return found
