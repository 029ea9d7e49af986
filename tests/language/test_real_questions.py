"""The floor on real published questions: the bench script's score, run as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SCRIPT = ROOT / "bench" / "real_questions.py"


def test_real_questions_meet_the_floor(shared: Path) -> None:
    questions = shared / "questions" / "real-dev.json"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(questions)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    summary = json.loads(result.stdout[: result.stdout.rindex("}") + 1])
    assert summary["scored"] >= 30
    assert summary["right"] >= 30, result.stdout
    assert summary["source_avoided_recommended"] == 0, result.stdout
