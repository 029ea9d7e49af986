"""The ``guidepath`` command. Thin: it parses input, calls the public API and prints.

Heavy modules (the engine, pydantic models, rich) are imported inside commands so that start-up
stays fast. Bad input exits with code 2 and one ``field: problem`` line per problem on stderr.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

app = typer.Typer(
    help="Guideline-backed decision support for SI joint pain, sacroiliitis and axial SpA.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def root() -> None:
    """Guideline-backed decision support for SI joint pain, sacroiliitis and axial SpA."""


class OutputFormat(StrEnum):
    """How a command prints its result."""

    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"


class AskFormat(StrEnum):
    """How ``ask`` prints its article (``pdf``: a PDF on stdout)."""

    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"
    pdf = "pdf"


class AudienceChoice(StrEnum):
    """Who the answer is written for."""

    clinician = "clinician"
    patient = "patient"


def fail(lines: list[str], code: int = 2) -> NoReturn:
    """Print problems on stderr and exit (2 for bad input)."""
    for line in lines:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(code)


def read_json(source: str, name: str) -> Any:
    """Read a JSON document from a file path or ``-`` (stdin); bad JSON names where it broke."""
    from guidepath.errors import BadInput, parse_json

    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as error:
        fail([f"{name}: cannot read {source!r}: {error.strerror}"])
    try:
        return parse_json(data, name)
    except BadInput as error:
        fail(error.lines())


def read_object(source: str, name: str) -> dict[str, Any]:
    """:func:`read_json` for commands whose input must be a JSON object."""
    data = read_json(source, name)
    if not isinstance(data, dict):
        fail([f"{name}: must be a JSON object"])
    return data


@contextmanager
def input_errors(unknown_name: str = "") -> Iterator[None]:
    """Turn bad input (and an unknown procedure or calculator name) into exit code 2."""
    from guidepath.errors import BadInput

    try:
        yield
    except BadInput as error:
        fail(error.lines())
    except LookupError as error:
        fail([f"{unknown_name}: {error}"])


def print_json(model: Any) -> None:
    """One JSON document on stdout and nothing else."""
    typer.echo(model.model_dump_json(indent=2))


CaseArg = Annotated[str, typer.Argument(metavar="CASE.json", help="Case file, or - for stdin.")]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
AskFormatOpt = Annotated[AskFormat, typer.Option("--format", "-f", help="Output format.")]


@app.command()
def evaluate(case: CaseArg, output: FormatOpt = OutputFormat.text) -> None:
    """Evaluate a patient case against the care pathway."""
    from guidepath.engine.pathway import evaluate as run

    with input_errors():
        assessment = run(read_object(case, "case"))
    if output is OutputFormat.json:
        print_json(assessment)
        return
    from guidepath.answers.terminal import render_assessment

    render_assessment(assessment)


ProcedureArg = Annotated[str, typer.Argument(help="Procedure, e.g. sij_fusion_mis.")]


@app.command()
def necessity(
    procedure: ProcedureArg, case: CaseArg, output: FormatOpt = OutputFormat.text
) -> None:
    """Check the medical necessity of a procedure or biologic, criterion by criterion.

    --format markdown prints a letter to attach to a prior-authorization request.
    """
    from guidepath.engine.necessity import check_necessity

    with input_errors("procedure"):
        determination = check_necessity(procedure, read_object(case, "case"))
    if output is OutputFormat.json:
        print_json(determination)
    elif output is OutputFormat.markdown:
        from guidepath.answers.necessity_view import render_letter

        typer.echo(render_letter(determination), nl=False)
    else:
        from guidepath.answers.necessity_view import render_worksheet

        render_worksheet(determination)


NameArg = Annotated[str, typer.Argument(help="basdai, asdas_crp, asdas_esr, basfi, ...")]
InputsArg = Annotated[str, typer.Argument(metavar="INPUTS.json", help="Inputs file, or -.")]


@app.command()
def calc(name: NameArg, inputs: InputsArg, output: FormatOpt = OutputFormat.text) -> None:
    """Compute a clinical score (BASDAI, ASDAS, BASFI, Laslett cluster, ASAS classification)."""
    from guidepath.engine.calculators import calculate

    with input_errors("name"):
        score = calculate(name, read_object(inputs, "inputs"))
    if output is OutputFormat.json:
        print_json(score)
        return
    category = f" ({score.category.replace('_', ' ')})" if score.category else ""
    typer.echo(f"{score.name}: {score.score:g}{category}\n{score.interpretation}")
    typer.echo(f"Sources: {', '.join(score.citations)}")


QuestionArg = Annotated[str, typer.Argument(help="The question, in your own words.")]
AudienceOpt = Annotated[AudienceChoice, typer.Option("--audience", "-a", help="Wording.")]
SessionOpt = Annotated[
    Path | None,
    typer.Option("--session", "-s", help="JSON file keeping the case across follow-up questions."),
]


@app.command()
def ask(
    question: QuestionArg,
    audience: AudienceOpt = AudienceChoice.clinician,
    output: AskFormatOpt = AskFormat.text,
    session: SessionOpt = None,
) -> None:
    """Answer a clinical question as a cited article; follow-ups refine the same case.
    ``--format pdf`` writes a PDF to stdout (redirect it to a file)."""
    from guidepath.answers import warm

    if output is AskFormat.pdf:
        _ask_pdf(question, audience.value, session)

    width, color = _terminal()
    arguments = {
        "question": question,
        "audience": audience.value,
        "output": output.value,
        "session": str(session.resolve()) if session else None,
        "cwd": str(Path.cwd()),
        "width": width,
        "color": color,
    }
    reply = warm.request(arguments) if warm.enabled() else None
    if reply is None or reply.get("failed"):
        out, err, code = ask_output(question, audience.value, output.value, session, width, color)
        if warm.enabled():
            warm.start()
    else:
        out, err, code = reply["out"], reply["err"], reply["code"]
    sys.stdout.write(out)
    sys.stderr.write(err)
    raise typer.Exit(code)


def _answer(question: str, audience: str, session: Path | None) -> Any:
    """The article for a question, the case kept in ``session`` (saved after answering);
    bad input raises ``BadInput``."""
    from guidepath.answers.ask import ask as run
    from guidepath.answers.conversation import Conversation
    from guidepath.errors import check_text

    conversation = Conversation.load(session) if session else None
    answer = run(
        check_text(question, "question"),
        audience=audience,  # type: ignore[arg-type]
        conversation=conversation,
    )
    if session and conversation is not None:
        conversation.save(session)
    return answer


def _ask_pdf(question: str, audience: str, session: Path | None) -> NoReturn:
    """The article as a PDF on stdout; refused on a terminal (binary would garble it)."""
    from guidepath.answers.pdf import PdfUnavailable, to_pdf
    from guidepath.errors import BadInput

    if sys.stdout.isatty():
        fail(["--format pdf: redirect the output to a file, e.g. > answer.pdf"])
    try:
        answer = _answer(question, audience, session)
        data = to_pdf(answer, status_line="Computed by guidepath; not reviewed by a person.")
    except BadInput as error:
        fail(error.lines())
    except PdfUnavailable as error:
        fail([str(error)], code=1)
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
    raise typer.Exit(0)


def _terminal() -> tuple[int, bool]:
    """The width and colour the answer is laid out for (the same warm or cold)."""
    import shutil

    tty = sys.stdout.isatty()
    return (shutil.get_terminal_size().columns if tty else 80), tty


def ask_output(
    question: str,
    audience: str,
    output: str,
    session: Path | None,
    width: int = 80,
    color: bool = False,
) -> tuple[str, str, int]:
    """What ``guidepath ask`` prints: (stdout, stderr, exit code). Bad input is exit code 2."""
    from guidepath.errors import BadInput

    try:
        answer = _answer(question, audience, session)
    except BadInput as error:
        return "", "".join(f"error: {line}\n" for line in error.lines()), 2
    return _answer_text(answer, OutputFormat(output), width, color), "", 0


def _answer_text(answer: Any, output: OutputFormat, width: int, color: bool) -> str:
    from guidepath.answers import render

    if output is OutputFormat.json:
        return str(answer.model_dump_json(indent=2)) + "\n"
    if output is OutputFormat.markdown:
        return render.to_markdown(answer)
    if output is OutputFormat.html:
        return render.to_html(answer)
    return render.terminal_text(answer, width=width, color=color)


BatchInput = Annotated[
    Path, typer.Argument(metavar="INPUT", help="NDJSON (one case per line) or .parquet file.")
]
BatchOutput = Annotated[
    Path, typer.Option("--output", "-o", help="NDJSON or .parquet output; resumed if it exists.")
]
NecessityOpt = Annotated[
    str | None, typer.Option("--necessity", help="Determinations for this procedure instead.")
]
CompactOpt = Annotated[bool, typer.Option("--compact", help="A ~0.5 KB decision record per case.")]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, help="Local worker processes.")]
DaskOpt = Annotated[
    str | None,
    typer.Option("--dask", help="Dask scheduler address (tcp://host:8786), or 'local'."),
]
ReportOpt = Annotated[
    Path | None, typer.Option("--report", help="HTML report (default: OUTPUT.report.html).")
]


@app.command()
def batch(
    source: BatchInput,
    output: BatchOutput,
    necessity: NecessityOpt = None,
    compact: CompactOpt = False,
    workers: WorkersOpt = 1,
    dask: DaskOpt = None,
    report: ReportOpt = None,
) -> None:
    """Evaluate many cases (or check the necessity of a procedure for each): bad lines become
    error rows, an interrupted run resumes where it stopped, a summary ends the run."""
    from guidepath.batch.records import count_records
    from guidepath.batch.report import print_summary, write_html
    from guidepath.batch.runner import BatchOptions, run_batch

    if not source.is_file():
        fail([f"INPUT: {str(source)!r} is not a file"])
    if necessity is not None:
        from guidepath.engine.compiled import compiled_pack

        known = compiled_pack().pack.procedures
        if necessity not in known:
            fail([f"--necessity: {necessity!r} is not one of {', '.join(known)}"])
    options = BatchOptions(source, output, necessity, compact, workers, dask)
    total = count_records(source)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=False, redirect_stderr=False) as progress:
        task = progress.add_task("cases", total=total, rate="")
        started, written = time.perf_counter(), 0

        def advance(rows: int) -> None:
            nonlocal written
            written += rows
            rate = written / max(time.perf_counter() - started, 1e-9)
            progress.update(task, advance=rows, rate=f"{rate:,.0f}/s")

        def resumed(rows: int) -> None:
            progress.update(task, completed=rows, description=f"cases ({rows} resumed)")

        with input_errors():
            try:
                summary = run_batch(options, advance, resumed)
            except OSError as error:
                where = "INPUT" if str(error.filename) == str(source) else "--output"
                fail([f"{where}: cannot use {str(error.filename)!r}: {error.strerror}"])
    print_summary(summary)
    target = report or output.with_name(output.name + ".report.html")
    write_html(summary, options, target)
    typer.echo(f"report: {target}", err=True)


HostOpt = Annotated[str | None, typer.Option("--host", help="Interface (default 127.0.0.1).")]
PortOpt = Annotated[int | None, typer.Option("--port", help="Port (default 8000).")]


ServeWorkersOpt = Annotated[
    int, typer.Option("--workers", min=1, help="Server processes sharing the port (default 1).")
]


@app.command()
def serve(host: HostOpt = None, port: PortOpt = None, workers: ServeWorkersOpt = 1) -> None:
    """Serve the REST API and CDS Hooks over HTTP (uvicorn)."""
    from guidepath.api.security import JwtMisconfigured, check_configuration
    from guidepath.api.serving import serve as run_server
    from guidepath.config import get_settings

    settings = get_settings()
    settings.host, settings.port = host or settings.host, port or settings.port
    try:
        check_configuration(settings)
    except JwtMisconfigured as error:
        fail([str(error)])
    _check_port_free(settings.host, settings.port)
    base = settings.base_url()
    typer.echo(f"guidepath is serving at {base}  (API docs: {base}/docs)")
    from urllib.parse import urlencode

    from guidepath.examples import SAMPLE_QUESTION

    typer.echo(f"Articles and the ask box: {base}/   (review dashboard: {base}/review)")
    typer.echo(f"A sample question answered: {base}/answer?{urlencode({'q': SAMPLE_QUESTION})}")
    typer.echo("Try:")
    typer.echo(f"  curl -s -X POST {base}/v1/ask -H 'content-type: application/json' \\")
    typer.echo(
        '    -d \'{"question": "Ankylosing spondylitis, naproxen then diclofenac failed over '
        "6 weeks, pain 7/10. Next step?\"}'"
    )
    run_server(settings.host, settings.port, workers)


def _check_port_free(host: str, port: int) -> None:
    """Exit 2 with how to choose another port when this one is taken."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            fail(
                [
                    f"port: cannot listen on {host}:{port} ({error.strerror}). Choose another: "
                    "GUIDEPATH_PORT=8010 make run, or guidepath serve --port 8010"
                ]
            )


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
