"""The Answer of contract section 5: an article with numbered citations."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from guidepath.engine.models import (
    AvoidItem,
    Citable,
    MissingItem,
    RecommendationItem,
    WarningItem,
)
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


class NumberedReference(AnswerModel, Citable):
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
