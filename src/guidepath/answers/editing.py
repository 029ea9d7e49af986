"""An editor's wording of an article: title, bottom line and section items, as plain text.

Each section is edited as lines, one statement per line, its citations written after it as
``[1, 2]`` (the numbers of the article's reference list), so an editor can reword, drop, reorder
or add statements and keep or change what each cites. Headings, references and the computed
recommendations stay as they are: an edit changes wording, the review checks it.
"""

from __future__ import annotations

import re

from guidepath.answers.models import Answer, Section, SectionItem
from guidepath.errors import BadInput

CITED = re.compile(r"^(?P<text>.*?)\s*\[(?P<numbers>\d+(?:\s*,\s*\d+)*)\]\s*$")
MAX_TEXT = 4000


def section_text(section: Section) -> str:
    """A section as editable lines: ``statement [1, 2]``."""
    return "\n".join(
        f"{item.text} [{', '.join(map(str, item.citations))}]" if item.citations else item.text
        for item in section.items
    )


def _items(text: str, field: str, known: set[int]) -> list[SectionItem]:
    items = []
    for number, line in enumerate(filter(None, (x.strip() for x in text.splitlines()))):
        match = CITED.match(line)
        words, citations = (
            (match["text"], sorted({int(n) for n in match["numbers"].split(",")}))
            if match
            else (line, [])
        )
        unknown = [n for n in citations if n not in known]
        if unknown:
            raise BadInput(
                [(f"{field}.{number}", f"reference {unknown[0]} is not in the reference list")]
            )
        items.append(SectionItem(text=words, citations=citations))
    return items


def _required(text: str, field: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise BadInput([(field, "must not be empty")])
    if len(cleaned) > MAX_TEXT:
        raise BadInput([(field, f"at most {MAX_TEXT} characters")])
    return cleaned


def apply_edits(answer: Answer, *, title: str, bottom_line: str, sections: list[str]) -> Answer:
    """The answer with the editor's title, bottom line and section lines (one text per section,
    in order). A section left empty is dropped; errors name the field (``sections.2.0``)."""
    if len(sections) != len(answer.sections):
        raise BadInput([("sections", f"expected {len(answer.sections)} sections")])
    known = {ref.n for ref in answer.references}
    edited = [
        Section(heading=section.heading, items=_items(text, f"sections.{n}", known))
        for n, (section, text) in enumerate(zip(answer.sections, sections, strict=True))
    ]
    return answer.model_copy(
        update={
            "title": _required(title, "title"),
            "bottom_line": _required(bottom_line, "bottom_line"),
            "sections": [s for s in edited if s.items],
        }
    )
