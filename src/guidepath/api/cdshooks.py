"""CDS Hooks 2.0 (spec 2.0.1): discovery, cards for patient-view and order-select/order-sign.

The services and their prefetch are the pack's (``hooks.yaml``). The EHR's prefetch (or, when
missing, a FHIR search against ``fhirServer`` with the given bearer token) is read into a Case
through :mod:`guidepath.fhir.reader`; the engine's Assessment and, for a draft SI joint procedure or
biologic order, the necessity Determination become cards. Cards follow spec 2.0.1: empty
arrays are omitted and an action's ``resourceId`` is a string.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from guidepath.engine.models import Assessment
from guidepath.engine.necessity import Determination
from guidepath.knowledge.loader import hooks


def services() -> list[dict[str, Any]]:
    """The pack's CDS Hooks services (``hooks.yaml``)."""
    return [service.model_dump() for service in hooks().services]


def prefetch_templates() -> dict[str, str]:
    """The prefetch templates every service declares (``hooks.yaml``)."""
    return dict(hooks().prefetch)


OVERRIDE_REASONS = [
    {
        "code": "documented-elsewhere",
        "system": "https://guidepath.example/override",
        "display": "Criteria are documented elsewhere in the record",
    },
    {
        "code": "clinical-judgement",
        "system": "https://guidepath.example/override",
        "display": "Clinical judgement for this patient",
    },
    {
        "code": "patient-preference",
        "system": "https://guidepath.example/override",
        "display": "Patient preference after shared decision-making",
    },
]
INDICATOR = {"met": "info", "insufficient_information": "warning", "not_met": "critical"}


class FhirAuthorization(BaseModel):
    """The bearer token the EHR grants for its FHIR server."""

    model_config = ConfigDict(extra="allow")

    access_token: str
    token_type: str = "Bearer"
    expires_in: int | None = None
    scope: str = ""
    subject: str = ""


class HookRequest(BaseModel):
    """A CDS Hooks call (spec 2.0.1 §Calling a CDS Service)."""

    model_config = ConfigDict(extra="allow")

    hook: str
    hookInstance: str  # noqa: N815 - the spec's field name
    fhirServer: str | None = None  # noqa: N815
    fhirAuthorization: FhirAuthorization | None = None  # noqa: N815
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None


class Source(BaseModel):
    """Where a card's advice comes from."""

    label: str
    url: str | None = None
    topic: dict[str, str] | None = None


class Action(BaseModel):
    """A suggested change to the EHR's data."""

    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = None
    resourceId: str | None = None  # noqa: N815


class Suggestion(BaseModel):
    """A suggestion the clinician can accept."""

    label: str
    uuid: str = Field(default_factory=lambda: str(uuid.uuid4()))
    isRecommended: bool | None = None  # noqa: N815
    actions: list[Action] | None = None


class Link(BaseModel):
    """A link shown on the card."""

    label: str
    url: str
    type: Literal["absolute", "smart"] = "absolute"


class Card(BaseModel):
    """A CDS Hooks card; ``summary`` is under 140 characters, ``detail`` is Markdown."""

    uuid: str = Field(default_factory=lambda: str(uuid.uuid4()))
    summary: str = Field(max_length=139)
    detail: str
    indicator: Literal["info", "warning", "critical"]
    source: Source
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None  # noqa: N815
    overrideReasons: list[dict[str, str]] | None = None  # noqa: N815
    links: list[Link] | None = None


def discovery() -> dict[str, Any]:
    """GET /cds-services."""
    fields = ("hook", "id", "title", "description")
    return {
        "services": [
            {**{k: service[k] for k in fields}, "prefetch": prefetch_templates()}
            for service in services()
        ]
    }


def _short(text: str, limit: int = 139) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sources_markdown(ids: list[str], assessment_refs: dict[str, Any]) -> str:
    lines = []
    for n, source_id in enumerate(dict.fromkeys(ids), start=1):
        ref = assessment_refs.get(source_id)
        if ref is not None:
            year = f", {ref.year}" if ref.year else ""
            lines.append(f"{n}. {ref.title}. {ref.source}{year}.")
    return "\n".join(lines)


def _source(base_url: str) -> Source:
    return Source(
        label="guidepath (ACR/SAA/SPARTAN 2019, ASAS-EULAR 2022, Medicare SIJ LCD)",
        url=f"{base_url}/v1/knowledge",
    )


def patient_view_cards(assessment: Assessment, base_url: str) -> list[Card]:
    """Next step, avoid warnings and missing documentation."""
    refs = {r.id: r for r in assessment.references}
    primary = assessment.recommendations[0]
    indicator = "critical" if assessment.warnings else "info"
    why = "\n".join(f"- {reason}" for reason in primary.why) or "- (no specific trigger)"
    detail = (
        f"**{primary.text}** ({primary.strength.replace('_', ' ')})\n\nWhy for this patient:\n"
        f"{why}\n\nSources:\n{_sources_markdown(primary.citations, refs)}"
    )
    warnings = "\n".join(f"- **{w.code}**: {w.text}" for w in assessment.warnings)
    cards = [
        Card(
            summary=_short(
                f"Next step: {primary.action.replace('_', ' ')} ({assessment.stage_title})"
            ),
            detail=(warnings + "\n\n" if warnings else "") + detail,
            indicator=indicator,
            source=_source(base_url),
        )
    ]
    if assessment.avoid:
        items = "\n".join(f"- **{a.action.replace('_', ' ')}**: {a.text}" for a in assessment.avoid)
        cited = [c for a in assessment.avoid for c in a.citations]
        cards.append(
            Card(
                summary=_short(
                    "Avoid: " + ", ".join(a.action.replace("_", " ") for a in assessment.avoid)
                ),
                detail=f"{items}\n\nSources:\n{_sources_markdown(cited, refs)}",
                indicator="warning",
                source=_source(base_url),
            )
        )
    if assessment.missing:
        items = "\n".join(f"- `{m.field}`: {m.why}" for m in assessment.missing)
        cards.append(
            Card(
                summary=_short(f"{len(assessment.missing)} missing facts would change the advice"),
                detail=items,
                indicator="info",
                source=_source(base_url),
            )
        )
    return cards


def unavailable_card(unavailable: list[str], base_url: str) -> Card:
    """Record data the EHR could not provide: the advice was made without it."""
    items = "\n".join(f"- {item}" for item in unavailable)
    return Card(
        summary="Some record data could not be fetched; the advice above may be incomplete",
        detail=f"guidepath did not receive:\n{items}\n\nFacts listed as missing may be in it.",
        indicator="warning",
        source=_source(base_url),
    )


def necessity_card(determination: Determination, order_id: str | None, base_url: str) -> Card:
    """The determination for a drafted order, with a suggestion to withdraw it when not met."""
    refs = {r.id: r for r in determination.references}
    rows = "\n".join(
        f"- **{c.status.replace('_', ' ')}**: {c.text} ({c.evidence})"
        for c in determination.criteria
    )
    notes = "\n".join(f"- {note}" for note in determination.notes)
    cited = [cid for c in determination.criteria for cid in c.citations]
    detail = (
        f"Codes: CPT {', '.join(determination.codes.cpt) or '-'}; ICD-10-CM "
        f"{', '.join(determination.codes.icd10) or '-'}\n\n{rows}\n\n{notes}\n\n"
        f"Sources:\n{_sources_markdown(cited, refs)}"
    )
    unmet = sum(1 for c in determination.criteria if c.status != "met")
    summary = _short(
        f"{determination.title}: criteria "
        f"{determination.determination.replace('_', ' ')} "
        f"({unmet} of {len(determination.criteria)} open)"
    )
    card = Card(
        summary=summary,
        detail=detail,
        indicator=INDICATOR[determination.determination],
        source=_source(base_url),
        overrideReasons=OVERRIDE_REASONS,
        links=[
            Link(
                label="Prior-authorization letter",
                url=f"{base_url}/necessity?procedure={determination.procedure}",
            )
        ],
    )
    if determination.determination == "not_met" and order_id:
        card.suggestions = [
            Suggestion(
                label="Withdraw this order",
                isRecommended=False,
                actions=[
                    Action(type="delete", resourceId=order_id, description="Remove the draft order")
                ],
            )
        ]
        card.selectionBehavior = "at-most-one"
    return card
