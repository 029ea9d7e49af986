"""The Answer of contract section 5: an article with numbered citations."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from guidepath.engine.models import AvoidItem, MissingItem, RecommendationItem, WarningItem
from guidepath.vocabulary import SourceType

Audience = Literal["clinician", "patient"]


class AnswerModel(BaseModel):
    """Base: unknown fields refused."""

    model_config = ConfigDict(extra="forbid")


class SectionItem(AnswerModel):
    """One statement; ``citations`` are the ``n`` numbers of the reference list."""

    text: str
    citations: list[int] = Field(default_factory=list)


class Section(AnswerModel):
    """A heading and its statements."""

    heading: str
    items: list[SectionItem]


class NumberedReference(AnswerModel):
    """A reference as numbered in this answer."""

    n: int
    id: str
    type: SourceType
    title: str
    source: str
    year: int | None
    kind_label: str | None = None
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None

    @property
    def shown_type(self) -> str:
        """What the reader is told the source is ("Secondary summary", not "Guideline", for a
        question-and-answer site's article); the contract's ``type`` stays guideline/research."""
        return self.kind_label or self.type.capitalize()

    @property
    def links(self) -> list[tuple[str, str]]:
        """(label, address) of the DOI, PubMed record and web page, where known."""
        found = []
        if self.doi:
            found.append((f"doi:{self.doi}", f"https://doi.org/{self.doi}"))
        if self.pmid:
            found.append((f"PMID {self.pmid}", f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"))
        if self.url:
            found.append(("web page", self.url))
        return found


class Answer(AnswerModel):
    """Contract section 5. ``facts`` is the Case read from the question (and earlier turns)."""

    question: str
    audience: Audience
    facts: dict[str, Any]
    title: str
    bottom_line: str
    sections: list[Section]
    recommendations: list[RecommendationItem]
    avoid: list[AvoidItem]
    references: list[NumberedReference]
    related_questions: list[str]
    disclaimer: str
    intent: str = ""
    understood: list[str] = Field(default_factory=list)
    missing: list[MissingItem] = Field(default_factory=list)
    warnings: list[WarningItem] = Field(default_factory=list)
    stage: str = ""
    phenotype: str = ""
    pack_version: str = ""
    assumptions: list[str] = Field(default_factory=list)
