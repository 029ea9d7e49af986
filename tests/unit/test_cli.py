"""The guidepath command, run as a real process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHARED, needs_shared

pytestmark = needs_shared

EXAMPLE = SHARED / "contract" / "examples" / "07-confirmed-sij-injections-failed.case.json"


def guidepath(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    command = shutil.which("guidepath", path=str(Path(sys.executable).parent))
    assert command
    return subprocess.run(
        [command, *args], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )


def test_json_output_is_one_document_on_stdout() -> None:
    run = guidepath("evaluate", "--format", "json", str(EXAMPLE))
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["recommendations"][0]["action"] == "rfa_lateral_branch"
    assert run.stderr == ""


def test_case_from_stdin() -> None:
    run = guidepath("evaluate", "-f", "json", "-", stdin=EXAMPLE.read_text())
    assert run.returncode == 0
    assert json.loads(run.stdout)["phenotype"] == "mechanical"


def test_text_output_reads_as_an_article() -> None:
    run = guidepath("evaluate", str(EXAMPLE))
    assert run.returncode == 0
    for heading in ("Bottom line", "Recommendations", "Avoid", "References"):
        assert heading in run.stdout


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            '{"treatments": [{"type": "tnfi", "outcome": "failed"}]}',
            "treatments.0.outcome: 'failed' is not one of good, partial",
        ),
        ('{"pain": {"nrs": 14}}', "pain.nrs:"),
        ('{"diagnoses": ["ZZZ.99"]}', "diagnoses.0: 'ZZZ.99' is not a valid ICD-10-CM code"),
        ('{"pain": {"nrs": 5}', "case: not valid JSON"),
        ("[1, 2]", "case: must be a JSON object"),
    ],
)
def test_bad_input_exits_2_naming_the_field(case: str, expected: str) -> None:
    run = guidepath("evaluate", "-", stdin=case)
    assert run.returncode == 2
    assert expected in run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == ""


def test_missing_file_is_a_clear_error() -> None:
    run = guidepath("evaluate", "/nonexistent/case.json")
    assert run.returncode == 2
    assert "cannot read" in run.stderr


FUSION = SHARED / "contract" / "examples" / "08-fusion-candidate.case.json"


def test_necessity_json_is_the_contract_determination() -> None:
    run = guidepath("necessity", "sij_fusion_mis", str(FUSION), "--format", "json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["determination"] == "met"
    assert data["codes"]["cpt"] == ["27279"]
    assert {c["status"] for c in data["criteria"]} == {"met"}


def test_necessity_markdown_letter_lists_what_is_missing() -> None:
    run = guidepath("necessity", "sij_fusion_mis", str(EXAMPLE), "--format", "markdown")
    assert run.returncode == 0
    assert run.stdout.startswith("# Request for prior authorization")
    assert "## Criteria not yet met or not documented" in run.stdout
    assert "Two separate image-guided diagnostic blocks" in run.stdout


def test_necessity_worksheet() -> None:
    run = guidepath("necessity", "rfa_lateral_branch", str(EXAMPLE))
    assert run.returncode == 0
    assert "Determination: met" in run.stdout


def test_unknown_procedure_exits_2() -> None:
    run = guidepath("necessity", "acupuncture", "-", stdin="{}")
    assert run.returncode == 2
    assert "procedure: unknown procedure 'acupuncture'" in run.stderr


def test_calc_json_and_named_field_errors() -> None:
    inputs = '{"items": [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]}'
    run = guidepath("calc", "basfi", "-", "--format", "json", stdin=inputs)
    assert json.loads(run.stdout)["score"] == 2
    bad = guidepath("calc", "asdas_crp", "-", stdin='{"back_pain": 12}')
    assert bad.returncode == 2
    assert "back_pain: input should be less than or equal to 10" in bad.stderr
    unknown = guidepath("calc", "sledai", "-", stdin="{}")
    assert unknown.returncode == 2
    assert "name: unknown calculator" in unknown.stderr


def test_ask_formats_and_session(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    question = "ankylosing spondylitis, failed naproxen then diclofenac over 6 weeks, pain 7/10"
    first = guidepath("ask", question, "--session", str(session), "--format", "json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["recommendations"][0]["action"] == "start_tnfi"
    assert first.stderr == ""
    follow = guidepath("ask", "what if he has Crohn's disease?", "-s", str(session), "-f", "json")
    assert "ibd" in json.loads(follow.stdout)["facts"]["conditions"]
    page = guidepath("ask", question, "--format", "html", "--audience", "patient")
    assert page.stdout.startswith("<!doctype html>")
    markdown = guidepath("ask", question, "--format", "markdown")
    assert "## References" in markdown.stdout


def test_ask_bad_input() -> None:
    empty = guidepath("ask", " ")
    assert empty.returncode == 2 and "question: must not be empty" in empty.stderr
    audience = guidepath("ask", "buttock pain", "--audience", "nurse")
    assert audience.returncode == 2


def test_ask_text_output() -> None:
    run = guidepath("ask", "How many injections can I receive in a year?")
    assert run.returncode == 0
    assert "How many injections can I receive in a year?" in run.stdout


def test_text_output_at_80_columns_leaves_the_recommendation_readable() -> None:
    """The recommendation column keeps most of an 80-column terminal (it was ~18 characters)."""
    command = shutil.which("guidepath", path=str(Path(sys.executable).parent))
    assert command
    run = subprocess.run(
        [command, "evaluate", str(EXAMPLE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "COLUMNS": "80"},
    )
    rows = [line for line in run.stdout.splitlines() if line.startswith("│ primary")]
    assert rows, run.stdout
    cells = rows[0].split("│")
    assert len(rows[0]) <= 80
    assert len(cells[2]) >= 45, rows[0]


def test_ask_writes_a_pdf_whose_text_is_the_article() -> None:
    import io

    from pypdf import PdfReader

    command = shutil.which("guidepath", path=str(Path(sys.executable).parent))
    assert command
    run = subprocess.run(
        [command, "ask", "--format", "pdf", "What is the treatment of ankylosing spondylitis?"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(b"%PDF")
    text = " ".join(
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(run.stdout)).pages).split()
    )
    assert "Start an NSAID" in text and "References" in text
    assert "Written for healthcare professionals" in text
