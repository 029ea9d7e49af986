"""Which necessity check a drafted order needs (CDS Hooks order-select / order-sign
``context.draftOrders``).

Draft orders are read leniently, as EHRs and the CDS Hooks Sandbox send them: a Bundle with or
without ``type``, its entries' resources; when ``context.selections`` names orders, only those are
checked. ServiceRequest and Procedure orders are typed by code (or SI joint words when uncoded),
MedicationRequest orders by drug; the procedure whose ``orders`` in ``criteria.yaml`` match most
specifically (type, injection purpose, a treatment already tried) gives the criteria. Draft
orders are not held to R4B validation: they are work in progress (the Sandbox's drafts have no
``intent``), and only their codes are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from guidepath.fhir.concepts import drug_of, texts
from guidepath.fhir.medications import medication_concept
from guidepath.fhir.procedures import injection_purpose, procedure_type
from guidepath.knowledge.loader import load_pack


@dataclass
class DraftOrder:
    """A drafted order guidepath has criteria for."""

    procedure: str
    reference: str | None
    treatment: str


@dataclass
class OrderReading:
    """The drafted orders guidepath has criteria for."""

    orders: list[DraftOrder] = field(default_factory=list)


def _resources(draft_orders: Any) -> list[Mapping[str, Any]]:
    if isinstance(draft_orders, list):
        return [r for r in draft_orders if isinstance(r, Mapping)]
    if not isinstance(draft_orders, Mapping):
        return []
    if "entry" not in draft_orders and draft_orders.get("resourceType") != "Bundle":
        return [draft_orders]
    entries = draft_orders.get("entry") or []
    return (
        [
            e["resource"]
            for e in entries
            if isinstance(e, Mapping) and isinstance(e.get("resource"), Mapping)
        ]
        if isinstance(entries, list)
        else []
    )


def _treatment(resource: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(treatment type, injection purpose) of an order."""
    kind = resource.get("resourceType")
    if kind in ("ServiceRequest", "Procedure"):
        concept = resource.get("code")
        treatment = procedure_type(concept)
        purpose = injection_purpose(" ".join(texts(concept)))
        return treatment, purpose if treatment == "sij_injection" else None
    if kind == "MedicationRequest":
        drug = drug_of(medication_concept(resource))
        return (drug[1] if drug else None), None
    return None, None


def procedure_for(treatment: str, purpose: str | None, tried: set[str]) -> str | None:
    """The procedure whose order match fits most specifically."""
    fits = [
        (match.specificity, procedure.id)
        for procedure in load_pack().procedures.values()
        for match in procedure.orders
        if match.type == treatment
        and (match.purpose is None or match.purpose == purpose)
        and (match.after is None or match.after in tried)
    ]
    return max(fits)[1] if fits else None


def read_orders(
    draft_orders: Any, case: Mapping[str, Any], selections: list[str] | None = None
) -> OrderReading:
    """The drafted orders guidepath has criteria for, by the module docstring's rules."""
    reading = OrderReading()
    tried = {str(t.get("type")) for t in case.get("treatments", []) if isinstance(t, Mapping)}
    for resource in _resources(draft_orders):
        reference = (
            f"{resource.get('resourceType')}/{resource['id']}" if resource.get("id") else None
        )
        if selections and reference not in selections:
            continue
        treatment, purpose = _treatment(resource)
        procedure = procedure_for(treatment, purpose, tried) if treatment else None
        if procedure is not None:
            reading.orders.append(DraftOrder(procedure, reference, treatment or ""))
    return reading
