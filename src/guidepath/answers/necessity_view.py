"""Determination renderers: a reviewer's worksheet (terminal) and a prior-authorization letter
(Markdown) listing what is documented and what is still missing."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from guidepath.engine.necessity import Determination

STATUS_STYLE = {"met": "green", "not_met": "red", "unknown": "yellow"}
VERDICT = {
    "met": "All criteria are met.",
    "not_met": "At least one criterion is documented as not met.",
    "insufficient_information": "No criterion fails, but some are not yet documented.",
}


def render_worksheet(determination: Determination, console: Console | None = None) -> None:
    """A criterion-by-criterion table, as a utilization reviewer reads it."""
    console = console or Console()
    numbers = {ref.id: n for n, ref in enumerate(determination.references, start=1)}
    console.print(f"[bold]{determination.title}[/bold] ({determination.procedure})")
    console.print(
        f"CPT {', '.join(determination.codes.cpt) or '-'}   "
        f"ICD-10-CM {', '.join(determination.codes.icd10) or '-'}"
    )
    console.print(
        f"[bold]Determination: {determination.determination}[/bold] - "
        f"{VERDICT[determination.determination]}"
    )
    table = Table(expand=True)
    for column in ("Status", "Criterion", "Evidence from the case", "Refs"):
        table.add_column(column)
    for c in determination.criteria:
        table.add_row(
            f"[{STATUS_STYLE[c.status]}]{c.status}[/]",
            c.text,
            c.evidence,
            ", ".join(str(numbers[i]) for i in c.citations),
        )
    console.print(table)
    for note in determination.notes:
        console.print(f"Note: {note}")
    for n, ref in enumerate(determination.references, start=1):
        console.print(f"  {n}. {ref.title}. {ref.source}{f', {ref.year}' if ref.year else ''}.")


def render_letter(determination: Determination) -> str:
    """A Markdown letter a clinician can attach to a prior-authorization request."""
    numbers = {ref.id: n for n, ref in enumerate(determination.references, start=1)}

    def cite(ids: list[str]) -> str:
        return "[" + ", ".join(str(numbers[i]) for i in ids) + "]"

    met = [c for c in determination.criteria if c.status == "met"]
    open_items = [c for c in determination.criteria if c.status != "met"]
    lines = [
        f"# Request for prior authorization: {determination.title}",
        "",
        f"**Procedure codes (CPT/HCPCS):** {', '.join(determination.codes.cpt) or 'n/a'}  ",
        f"**Diagnosis codes (ICD-10-CM):** {', '.join(determination.codes.icd10) or 'n/a'}  ",
        f"**Criteria status:** {determination.determination.replace('_', ' ')}",
        "",
        "## Criteria documented in the record",
        "",
    ]
    lines += [f"- {c.text} Documented: {c.evidence}. {cite(c.citations)}" for c in met] or [
        "- none"
    ]
    lines += ["", "## Criteria not yet met or not documented", ""]
    lines += [
        f"- **{c.status.replace('_', ' ')}**: {c.text} Needed: {c.documentation} "
        f"{cite(c.citations)}"
        for c in open_items
    ] or ["- none: every criterion is documented as met."]
    lines += ["", "## Notes", ""] + [f"- {note}" for note in determination.notes]
    lines += ["", "## References", ""]
    lines += [
        f"{n}. {ref.title}. {ref.source}{f', {ref.year}' if ref.year else ''}."
        for n, ref in enumerate(determination.references, start=1)
    ]
    return "\n".join(lines) + "\n"
