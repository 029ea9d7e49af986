"""Output models: the Assessment of contract section 2 and its parts.

Contract fields come first in each model; fields after them are additions (allowed by the
contract) that let every recommendation say *why* for this patient and *from where*.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from guidepath.engine.activity import Activity
from guidepath.vocabulary import Action, Phenotype, Role, SourceType, Strength


class Output(BaseModel):
    """Base of output models: unknown fields are refused, so outputs match the contract."""

    model_config = ConfigDict(extra="forbid")


class SharedOutput(Output):
    """An item the engine makes once and shares between assessments (the pack's references,
    warnings, evidence; a rule's recommendation in one role with one set of reasons): frozen, so
    no caller can change it for every other assessment holding it."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class EvidenceItem(SharedOutput):
    """A supporting figure or finding, with its source ids."""

    text: str
    citations: list[str]


class RecommendationItem(SharedOutput):
    """One recommended action for this patient.

    ``role``: primary (do now), adjunct (alongside), alternative, next_if_fails, monitoring or
    diagnostic. ``why`` lists the facts of this case that made the rule apply.
    """

    action: Action
    role: Role
    strength: Strength
    text: str
    citations: list[str] = Field(min_length=1)
    id: str
    why: list[str] = Field(default_factory=list)
    evidence: list[EvidenceItem] = Field(default_factory=list)
    patient_text: str = ""


class AvoidItem(SharedOutput):
    """An action the guidelines advise against for this patient, and why."""

    action: Action
    strength: Strength
    text: str
    citations: list[str] = Field(min_length=1)
    id: str
    why: list[str] = Field(default_factory=list)
    patient_text: str = ""


class MissingItem(SharedOutput):
    """A case field (dotted path) whose absence limits the advice, and how it would matter."""

    field: str
    why: str


class WarningItem(SharedOutput):
    """A safety message: red flags, suspected fracture, contraindications."""

    code: str
    text: str
    citations: list[str] = Field(default_factory=list)
    patient_text: str = ""


class Citable:
    """How a cited source is shown, for any model with ``type``, ``kind_label``, ``doi``,
    ``pmid`` and ``url`` (the engine's references and an article's numbered ones)."""

    @property
    def shown_type(self) -> str:
        """What the reader is told the source is ("Secondary summary", not "Guideline", for a
        question-and-answer site's article); the contract's ``type`` stays guideline/research."""
        given: Any = self
        return str(given.kind_label or given.type.capitalize())

    @property
    def links(self) -> list[tuple[str, str]]:
        """(label, address) of the DOI, PubMed record and web page, where known."""
        given: Any = self
        found = []
        if given.doi:
            found.append((f"doi:{given.doi}", f"https://doi.org/{given.doi}"))
        if given.pmid:
            found.append((f"PMID {given.pmid}", f"https://pubmed.ncbi.nlm.nih.gov/{given.pmid}/"))
        if given.url:
            found.append(("web page", given.url))
        return found


class Reference(SharedOutput, Citable):
    """A cited source. ``source`` is the publisher or journal."""

    id: str
    type: SourceType
    title: str
    source: str
    year: int | None
    authors: str | None = None
    doi: str | None = None
    url: str | None = None
    note: str | None = None
    kind: str | None = None
    kind_label: str | None = None
    pmid: str | None = None


class SideItem(SharedOutput):
    """One source's position, with its citations."""

    position: str
    citations: list[str]


class DisagreementItem(SharedOutput):
    """Where the sources differ on something that applies to this patient."""

    id: str
    topic: str
    sides: list[SideItem]
    note: str = ""


class Assessment(Output):
    """The engine's answer for one case (contract section 2)."""

    phenotype: Phenotype
    stage: str
    recommendations: list[RecommendationItem]
    avoid: list[AvoidItem]
    missing: list[MissingItem]
    warnings: list[WarningItem]
    references: list[Reference]
    stage_title: str = ""
    stage_summary: str = ""
    pack_version: str = ""
    activity: Activity | None = None
    input_notes: list[str] = Field(default_factory=list)
    case: dict[str, Any] | None = Field(
        default=None, description="The case read from a FHIR Bundle, when one was posted"
    )
    disagreements: list[DisagreementItem] = Field(default_factory=list)
