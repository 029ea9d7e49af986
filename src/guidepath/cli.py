"""The ``guidepath`` command. Thin: it parses input, calls the public API and prints.

Heavy modules (the engine, pydantic models, rich) are imported inside commands so that start-up
stays fast. Bad input exits with code 2 and one ``field: problem`` line per problem on stderr.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

app = typer.Typer(
    help="Guideline-backed decision support for SI joint pain, sacroiliitis and axial SpA.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def root() -> None:
    """Guideline-backed decision support for SI joint pain, sacroiliitis and axial SpA."""


class OutputFormat(StrEnum):
    """How a command prints its result."""

    text = "text"
    json = "json"


def fail(lines: list[str], code: int = 2) -> NoReturn:
    """Print problems on stderr and exit (2 for bad input)."""
    for line in lines:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(code)


def read_json(source: str, name: str) -> Any:
    """Read a JSON document from a file path or ``-`` (stdin); bad JSON names where it broke."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as error:
        fail([f"{name}: cannot read {source!r}: {error.strerror}"])
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        fail([f"{name}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"])


def print_json(model: Any) -> None:
    """One JSON document on stdout and nothing else."""
    typer.echo(model.model_dump_json(indent=2))


CaseArg = Annotated[str, typer.Argument(metavar="CASE.json", help="Case file, or - for stdin.")]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


@app.command()
def evaluate(case: CaseArg, output: FormatOpt = OutputFormat.text) -> None:
    """Evaluate a patient case against the care pathway."""
    from guidepath.engine.pathway import evaluate as run
    from guidepath.errors import BadInput

    data = read_json(case, "case")
    if not isinstance(data, dict):
        fail(["case: must be a JSON object"])
    try:
        assessment = run(data)
    except BadInput as error:
        fail(error.lines())
    if output is OutputFormat.json:
        print_json(assessment)
        return
    from guidepath.answers.terminal import render_assessment

    render_assessment(assessment)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
