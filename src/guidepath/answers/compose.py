"""Assessment → Answer: the article a clinician or a patient reads.

The bottom line states this patient's next step first; sections follow in the order a clinician
reads them; every statement carries numbers into one reference list. The patient audience uses the
pack's plain-language texts for the same recommendations, so both readers get the same facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from guidepath.answers.models import Answer, Audience, NumberedReference, Section, SectionItem
from guidepath.answers.plan import Verdict
from guidepath.engine.compiled import compiled_pack
from guidepath.engine.models import Assessment, MissingItem, RecommendationItem
from guidepath.engine.necessity import Determination
from guidepath.knowledge.labels import field_label
from guidepath.vocabulary import PROCEDURES

DISCLAIMER = {
    "clinician": (
        "For healthcare professionals. guidepath computes this answer from encoded guidelines and "
        "cites each source; it supports and does not replace clinical judgement. Verify against "
        "the primary literature and the patient's full record before acting."
    ),
    "patient": (
        "This information is for education only and is not medical advice. Talk with your doctor "
        "about what is right for you. If you have fever, new weakness or numbness, or trouble "
        "controlling your bladder or bowels, seek care urgently."
    ),
}
HEADINGS = {
    "clinician": {
        "options": "The options asked about",
        "assumed": "Assumed for this answer",
        "warnings": "Safety first",
        "next": "Immediate next steps",
        "evidence": "Evidence",
        "fails": "If this fails",
        "concurrent": "Concurrent therapy",
        "avoid": "What to avoid",
        "differ": "Where sources differ",
        "documentation": "Documentation needed",
        "pitfalls": "Pitfalls and caveats",
        "monitoring": "Monitoring",
    },
    "patient": {
        "options": "The options you asked about",
        "assumed": "This answer assumes",
        "warnings": "Important safety information",
        "next": "What to do next",
        "evidence": "What the research shows",
        "fails": "If this does not work",
        "concurrent": "Alongside this",
        "avoid": "What to avoid",
        "differ": "Where experts differ",
        "documentation": "What your care team will check",
        "pitfalls": "Good to know",
        "monitoring": "Follow-up",
    },
}


PATIENT_DIFFER = (
    "The main guidelines agree on the overall approach but differ on some details of this step, "
    "such as which medicine to try first. Your specialist can explain the choice for you."
)
PATIENT_ASSUMED = (
    "Your question did not say everything this advice depends on, such as how earlier "
    "treatments worked; your care team will check these details."
)


class Citer:
    """Numbers sources in order of first citation."""

    def __init__(self) -> None:
        self.order: dict[str, int] = {}

    def __call__(self, ids: Iterable[str]) -> list[int]:
        numbers = []
        for source_id in ids:
            if source_id not in self.order:
                self.order[source_id] = len(self.order) + 1
            numbers.append(self.order[source_id])
        return sorted(set(numbers))

    def references(self) -> list[NumberedReference]:
        """The numbered list, from the pack's prebuilt references."""
        prebuilt = compiled_pack().references
        fields = ("id", "type", "title", "source", "year", "kind_label", "doi", "pmid", "url")
        return [
            NumberedReference(n=n, **prebuilt[sid].model_dump(include=set(fields)))
            for sid, n in self.order.items()
        ]


def _text(item: Any, audience: Audience) -> str:
    return str(item.patient_text if audience == "patient" and item.patient_text else item.text)


def _plain(lines: Iterable[str]) -> list[SectionItem]:
    return [SectionItem(text=line) for line in lines]


def _items(
    recs: Iterable[RecommendationItem], audience: Audience, cite: Citer
) -> list[SectionItem]:
    return [SectionItem(text=_text(r, audience), citations=cite(r.citations)) for r in recs]


def _by_role(assessment: Assessment, *roles: str) -> list[RecommendationItem]:
    return [r for r in assessment.recommendations if r.role in roles]


def bottom_line(
    assessment: Assessment, audience: Audience, cite: Citer, assumptions: list[str]
) -> str:
    """The answer first, then what it rests on and what it assumes."""
    primary = next(r for r in assessment.recommendations if r.role == "primary")
    numbers = cite(primary.citations)
    refs = " [" + ", ".join(map(str, numbers)) + "]"
    if audience == "patient":
        assumed = " This depends on details your question did not give." if assumptions else ""
        return f"{primary.patient_text or primary.text}{refs}{assumed}"
    shown = [w for w in primary.why if w not in assumptions]
    why = f" This applies because: {'; '.join(shown)}." if shown else ""
    assumed = (
        f" Assumed (not stated in the question): {'; '.join(assumptions)}." if assumptions else ""
    )
    return f"{primary.text}{refs}{why}{assumed}"


def headline(
    assessment: Assessment, audience: Audience, determination: Determination | None
) -> str:
    """A title that answers the question: the lead recommendation in a few words."""
    primary = next(r for r in assessment.recommendations if r.role == "primary")
    text = primary.patient_text if audience == "patient" and primary.patient_text else primary.text
    first = text.split("; ")[0].split(". ")[0].split(" - ")[0].rstrip(".")
    if " (" in first[15:]:
        first = first[: first.index(" (", 15)]
    if len(first) > 110:
        first = first[:110].rsplit(" ", 1)[0] + "…"
    if determination is not None and determination.procedure != primary.action:
        verdict = determination.determination.replace("_", " ")
        return f"{determination.title}: criteria {verdict}. {first}"
    return first


def _sections(
    assessment: Assessment,
    audience: Audience,
    cite: Citer,
    determination: Determination | None,
    lead: list[tuple[str, list[SectionItem]]],
) -> list[Section]:
    heads = HEADINGS[audience]
    sections: list[tuple[str, list[SectionItem]]] = list(lead)
    sections += [
        (
            heads["warnings"],
            [
                SectionItem(text=_text(w, audience), citations=cite(w.citations))
                for w in assessment.warnings
            ],
        ),
        (heads["next"], _items(_by_role(assessment, "primary", "diagnostic"), audience, cite)),
    ]
    evidence = [
        SectionItem(text=e.text, citations=cite(e.citations))
        for r in assessment.recommendations
        if r.role != "next_if_fails"
        for e in r.evidence
    ]
    if audience == "clinician":
        sections.append((heads["evidence"], evidence))
    sections += [
        (
            heads["fails"],
            _items(_by_role(assessment, "alternative", "next_if_fails"), audience, cite),
        ),
        (heads["concurrent"], _items(_by_role(assessment, "adjunct"), audience, cite)),
        (
            heads["avoid"],
            [
                SectionItem(text=_text(a, audience), citations=cite(a.citations))
                for a in assessment.avoid
            ],
        ),
        (heads["differ"], _differences(assessment, cite, audience)),
        (
            heads["documentation"],
            _documentation(assessment, determination, cite) if audience == "clinician" else [],
        ),
        (
            heads["pitfalls"],
            [SectionItem(text=_missing_text(m, audience)) for m in assessment.missing],
        ),
        (heads["monitoring"], _items(_by_role(assessment, "monitoring"), audience, cite)),
    ]
    return [Section(heading=h, items=items) for h, items in sections if items]


def _missing_text(item: MissingItem, audience: Audience) -> str:
    """A fact the case lacks, by its label: what it would change (clinicians), or what the care
    team may want to know (patients, in plain words)."""
    if audience == "patient":
        return f"Your care team may want to know about {field_label(item.field, 'patient')}."
    return f"{field_label(item.field)} not documented: {item.why}"


def _differences(assessment: Assessment, cite: Citer, audience: Audience) -> list[SectionItem]:
    """Each disagreement that touches this patient: its topic, then both sides, cited. Patients
    get one plain sentence naming the guidelines, not the technical positions."""
    if audience == "patient" and assessment.disagreements:
        ids = [c for d in assessment.disagreements for s in d.sides for c in s.citations]
        return [SectionItem(text=PATIENT_DIFFER, citations=cite(ids))]
    items = []
    for d in assessment.disagreements:
        for side in d.sides:
            items.append(
                SectionItem(text=f"{d.topic}: {side.position}", citations=cite(side.citations))
            )
        if d.note:
            items.append(SectionItem(text=f"{d.topic}: {d.note}"))
    return items


def _documentation(
    assessment: Assessment, determination: Determination | None, cite: Citer
) -> list[SectionItem]:
    if determination is None:
        return []
    return [
        SectionItem(
            text=f"{c.text} ({c.status.replace('_', ' ')}; document: {c.documentation})",
            citations=cite(c.citations),
        )
        for c in determination.criteria
    ]


def primary_procedure(assessment: Assessment) -> str | None:
    """The primary action when it is a procedure or drug start with necessity criteria."""
    primary = next(r.action for r in assessment.recommendations if r.role == "primary")
    return primary if primary in PROCEDURES else None


def compose(
    assessment: Assessment,
    *,
    question: str,
    audience: Audience,
    facts: dict[str, Any],
    related: list[str],
    determination: Determination | None = None,
    intent: str = "next_step",
    understood: list[str] | None = None,
    assumptions: list[str] | None = None,
    verdicts: list[Verdict] | None = None,
    advised_against: list[Verdict] | None = None,
) -> Answer:
    """The Answer for an Assessment."""
    cite = Citer()
    assumed = assumptions or []
    said = ""
    if advised_against:  # the question asked about something the guidelines advise against
        sources = [c for verdict in advised_against for c in verdict.citations]
        numbers = f" [{', '.join(map(str, cite(sources)))}]" if sources else ""
        said = " ".join(v.line(audience).rstrip(".") + "." for v in advised_against)
        said = f"{said[0].upper()}{said[1:]}{numbers} Instead: "
    line = said + bottom_line(assessment, audience, cite, assumed)
    heads = HEADINGS[audience]
    shown_assumed = [PATIENT_ASSUMED] if audience == "patient" and assumed else assumed
    options = [
        SectionItem(text=v.line(audience), citations=cite(v.citations)) for v in verdicts or []
    ]
    lead = [(heads["options"], options), (heads["assumed"], _plain(shown_assumed))]
    sections = _sections(assessment, audience, cite, determination, [x for x in lead if x[1]])
    return Answer(
        question=question,
        audience=audience,
        facts=facts,
        title=(
            advised_against[0].line(audience).split(" - ")[0].capitalize()
            if advised_against
            else headline(assessment, audience, determination)
        ),
        bottom_line=line,
        sections=sections,
        recommendations=assessment.recommendations,
        avoid=assessment.avoid,
        references=cite.references(),
        related_questions=related,
        disclaimer=DISCLAIMER[audience],
        intent=intent,
        understood=understood or [],
        missing=assessment.missing,
        warnings=assessment.warnings,
        stage=assessment.stage,
        phenotype=assessment.phenotype,
        pack_version=assessment.pack_version,
        assumptions=assumed,
    )
