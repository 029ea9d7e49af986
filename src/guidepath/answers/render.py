"""Render an Answer as Markdown, a standalone HTML page (Jinja2), or for the terminal (rich)."""

from __future__ import annotations

from functools import cache
from typing import Any

from guidepath.answers.models import Answer


def _cite(numbers: list[int]) -> str:
    return f" [{', '.join(map(str, numbers))}]" if numbers else ""


def to_markdown(answer: Answer) -> str:
    """The article in Markdown: title, bottom line, sections, references, related, disclaimer."""
    lines = [
        f"# {answer.title}",
        "",
        f"> {answer.question}",
        "",
        f"**Bottom line:** {answer.bottom_line}",
        "",
    ]
    if answer.understood:
        lines += ["*Understood from the question:* " + "; ".join(answer.understood), ""]
    for section in answer.sections:
        lines += [f"## {section.heading}", ""]
        lines += [f"- {item.text}{_cite(item.citations)}" for item in section.items]
        lines.append("")
    if answer.references:
        lines += ["## References", ""]
        lines += [
            f"{r.n}. *{r.shown_type}*: {r.title}. {r.source}"
            f"{f', {r.year}' if r.year else ''}."
            + "".join(f" [{label}]({href})" for label, href in r.links)
            for r in answer.references
        ]
        lines.append("")
    if answer.related_questions:
        lines += ["## Related questions", ""] + [f"- {q}" for q in answer.related_questions]
        lines.append("")
    lines += ["---", "", f"*{answer.disclaimer}*", ""]
    return "\n".join(lines)


@cache
def _template() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(
        loader=PackageLoader("guidepath.answers", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    return environment.get_template("answer.html")


def to_html(answer: Answer, status_line: str = "") -> str:
    """A standalone, escaped HTML page with citation links to the reference list (also the
    source of the PDF); ``status_line`` is the review status printed under the title."""
    return str(_template().render(answer=answer, status_line=status_line))


def terminal_text(answer: Answer, width: int = 80, color: bool = False) -> str:
    """The article as the terminal shows it, laid out for ``width`` columns."""
    import io

    from rich.console import Console
    from rich.markdown import Markdown

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color)
    console.print(Markdown(to_markdown(answer)))
    return buffer.getvalue()
