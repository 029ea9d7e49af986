"""A minimal CDS Hooks 2.0 client, as an EHR would run it, with the spec's field rules."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

INDICATORS = {"info", "warning", "critical"}
PREFETCH_KEYS = {
    "Patient": "patient",
    "Condition": "conditions",
    "Observation": "observations",
    "MedicationStatement": "medications",
    "MedicationRequest": "medicationRequests",
    "Medication": "medicationRequests",
    "Procedure": "procedures",
    "DiagnosticReport": "reports",
}


def check_discovery(body: dict[str, Any]) -> None:
    """Spec 2.0.1 §Discovery: services with hook, id, description; prefetch templates."""
    assert isinstance(body["services"], list) and body["services"]
    for service in body["services"]:
        assert {"hook", "id", "description"} <= set(service)
        for template in service.get("prefetch", {}).values():
            assert "{{context.patientId}}" in template


def check_card(card: dict[str, Any]) -> None:
    """Spec 2.0.1 §Card attributes."""
    assert isinstance(card["summary"], str) and 0 < len(card["summary"]) < 140
    assert card["indicator"] in INDICATORS
    assert card["source"]["label"]
    assert isinstance(card.get("detail", ""), str)
    uuid.UUID(card["uuid"])
    if card.get("suggestions"):
        assert card["selectionBehavior"] in ("at-most-one", "any")
        for suggestion in card["suggestions"]:
            assert suggestion["label"]
            for action in suggestion.get("actions", []):
                assert action["type"] in ("create", "update", "delete") and action["description"]
    for reason in card.get("overrideReasons", []):
        assert reason["code"] and reason["display"]


def prefetch_from_bundle(bundle: dict[str, Any]) -> dict[str, Any]:
    """Split a Bundle into the service's prefetch keys (searchset Bundles, Patient as is)."""
    prefetch: dict[str, Any] = {
        key: {"resourceType": "Bundle", "type": "searchset", "entry": []}
        for key in PREFETCH_KEYS.values()
        if key != "patient"
    }
    for entry in bundle["entry"]:
        resource = entry["resource"]
        key = PREFETCH_KEYS.get(resource["resourceType"])
        if key == "patient":
            prefetch["patient"] = resource
        elif key:
            prefetch[key]["entry"].append({"resource": resource})
    return prefetch


def call(client: httpx.Client, service: str, hook: str, **fields: Any) -> httpx.Response:
    body = {
        "hook": hook,
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/1", "patientId": "p"},
        **fields,
    }
    return client.post(
        f"/cds-services/{service}", json=body, headers=fields.pop("headers", None) or {}
    )
