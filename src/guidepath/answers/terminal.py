"""Render an Assessment for the terminal with rich: bottom line, recommendations with strength and
citation numbers, avoid list, missing facts, warnings and the numbered reference list."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from guidepath.engine.models import Assessment
from guidepath.knowledge.labels import field_label

STRENGTH_STYLE = {"strong": "bold green", "conditional": "yellow", "expert_opinion": "cyan"}


def _numbers(assessment: Assessment) -> dict[str, int]:
    return {ref.id: n for n, ref in enumerate(assessment.references, start=1)}


def _cite(ids: list[str], numbers: dict[str, int]) -> str:
    return escape("[" + ", ".join(str(numbers[i]) for i in ids if i in numbers) + "]")


def bottom_line(assessment: Assessment) -> str:
    """One paragraph: the stage and the primary recommendation for this patient, first."""
    primary = next((r for r in assessment.recommendations if r.role == "primary"), None)
    lead = f"{assessment.stage_title}. " if assessment.stage_title else ""
    action = primary.text if primary else "No recommendation could be made from the facts given."
    return f"{lead}{action}"


def _step(role: str | None, action: str, strength: str) -> Text:
    """The left cell: role, action word and strength stacked, so an 80-column terminal leaves
    the recommendation text most of the width."""
    lines = Text()
    if role:
        lines.append(role.replace("_", " ") + "\n", style="bold")
    lines.append(action + "\n")
    lines.append(strength.replace("_", " "), style=STRENGTH_STYLE[strength])
    return lines


def _recommendations(assessment: Assessment, numbers: dict[str, int]) -> Table:
    table = Table(title="Recommendations", show_lines=True, expand=True)
    table.add_column("Step", no_wrap=True)
    table.add_column("Recommendation", ratio=1, min_width=36)
    for item in assessment.recommendations:
        why = f"\n[dim]Why: {escape('; '.join(item.why))}[/dim]" if item.why else ""
        table.add_row(
            _step(item.role, item.action, item.strength),
            f"{escape(item.text)} {_cite(item.citations, numbers)}{why}",
        )
    return table


def _avoid(assessment: Assessment, numbers: dict[str, int]) -> Table:
    table = Table(title="Avoid", show_lines=True, expand=True)
    table.add_column("Action", no_wrap=True, style="red")
    table.add_column("Why", ratio=1, min_width=36)
    for item in assessment.avoid:
        table.add_row(
            _step(None, item.action, item.strength),
            f"{escape(item.text)} {_cite(item.citations, numbers)}",
        )
    return table


def render_assessment(assessment: Assessment, console: Console | None = None) -> None:
    """Print the assessment as a readable article."""
    console = console or Console()
    numbers = _numbers(assessment)
    header = Text.assemble(
        ("Phenotype: ", "bold"), assessment.phenotype, ("   Stage: ", "bold"), assessment.stage
    )
    console.print(
        Panel(
            Group(header, Text(""), Text(bottom_line(assessment))),
            title="Bottom line",
            border_style="blue",
        )
    )
    if assessment.activity and assessment.activity.asdas is not None:
        activity = assessment.activity
        change = f", {activity.improvement.replace('_', ' ')}" if activity.improvement else ""
        state = (activity.state or "").replace("_", " ")
        console.print(f"[bold]Disease activity:[/bold] ASDAS {activity.asdas:g} ({state}{change})")
    for warning in assessment.warnings:
        console.print(
            Panel(
                f"{warning.text} {_cite(warning.citations, numbers)}",
                title=f"Warning: {warning.code}",
                border_style="red",
            )
        )
    console.print(_recommendations(assessment, numbers))
    if assessment.avoid:
        console.print(_avoid(assessment, numbers))
    if assessment.missing:
        console.print(Text("Missing facts that would change the advice", style="bold"))
        for item in assessment.missing:
            label = escape(field_label(item.field))
            console.print(f"  • [bold]{label}[/bold] [dim]({item.field})[/dim]: {escape(item.why)}")
    console.print(Text("References", style="bold"))
    for n, ref in enumerate(assessment.references, start=1):
        year = f", {ref.year}" if ref.year else ""
        kind = ref.kind_label or ref.type.capitalize()
        console.print(f"  {n}. [{kind}] {ref.title}. {ref.source}{year}.", markup=False)
