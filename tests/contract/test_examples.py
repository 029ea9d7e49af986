"""The contract's example cases, judged by the contract's own checker (shared/contract/check.py),
both in process and through the installed ``guidepath`` command."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from guidepath import evaluate
from tests.conftest import SHARED, needs_shared

pytestmark = needs_shared

EXAMPLES = sorted((SHARED / "contract" / "examples").glob("*.case.json"))


def checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "contract_check", SHARED / "contract" / "check.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expectation(case_file: Path) -> dict[str, Any]:
    name = case_file.name.removesuffix(".case.json")
    data: dict[str, Any] = json.loads((case_file.parent / f"{name}.expect.json").read_text())
    return data


@pytest.mark.parametrize("case_file", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_contract_example_in_process(case_file: Path) -> None:
    assessment = evaluate(json.loads(case_file.read_text())).model_dump(mode="json")
    assert checker().problems(assessment, expectation(case_file)) == []


def test_contract_examples_exist() -> None:
    assert len(EXAMPLES) >= 8


def test_contract_checker_through_the_command() -> None:
    command = shutil.which("guidepath", path=str(Path(sys.executable).parent))
    assert command, "the guidepath console script is not installed"
    run = subprocess.run(
        [sys.executable, str(SHARED / "contract" / "check.py"), "--cmd", command],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{len(EXAMPLES)} passed, 0 failed" in run.stdout
