"""The warm reader: later ``guidepath ask`` commands answer through it, byte for byte the same."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from guidepath.answers import warm

GUIDEPATH = str(Path(sys.executable).with_name("guidepath"))
QUESTION = "Ankylosing spondylitis, naproxen then diclofenac failed over 8 weeks, pain 7/10"


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GUIDEPATH, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    """A cache dir with a running reader started the way a first command starts it."""
    env = {**os.environ, "GUIDEPATH_WARM": "1", "GUIDEPATH_CACHE_DIR": str(tmp_path / "cache")}
    env["GUIDEPATH_WARM_IDLE"] = "60"
    cold = run(["ask", QUESTION], {**env, "GUIDEPATH_WARM": "0"}, tmp_path)
    assert cold.returncode == 0
    run(["ask", QUESTION], env, tmp_path)  # answers cold, then starts the reader
    os.environ["GUIDEPATH_CACHE_DIR"] = env["GUIDEPATH_CACHE_DIR"]
    try:
        path = warm.socket_path()
    finally:
        del os.environ["GUIDEPATH_CACHE_DIR"]
    deadline = time.monotonic() + 60
    while warm.request({"ping": True}, path) is None:
        assert time.monotonic() < deadline, "the reader did not start"
        time.sleep(0.2)
    yield env, path
    warm.request({"stop": True}, path)


def test_warm_answers_are_the_same_bytes(
    reader: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, path = reader
    for args in (["ask", QUESTION], ["ask", QUESTION, "--format", "json", "-a", "patient"]):
        cold = run(args, {**env, "GUIDEPATH_WARM": "0"}, tmp_path)
        hot = run(args, env, tmp_path)
        assert (hot.returncode, hot.stdout, hot.stderr) == (
            cold.returncode,
            cold.stdout,
            cold.stderr,
        )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_bad_input_is_exit_2_through_the_reader(
    reader: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, _ = reader
    hot = run(["ask", "   "], env, tmp_path)
    assert hot.returncode == 2
    assert hot.stderr == "error: question: must not be empty\n"


def test_a_session_file_is_kept_relative_to_the_callers_folder(
    reader: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, _ = reader
    work = tmp_path / "work"
    work.mkdir()
    run(["ask", QUESTION, "-s", "case.json"], env, work)
    follow = run(
        ["ask", "what if he also has Crohn's disease?", "-s", "case.json", "-f", "json"], env, work
    )
    assert follow.returncode == 0
    saved = (work / "case.json").read_text()
    assert '"ibd"' in saved and "naproxen" in saved


def test_a_stale_socket_falls_back_to_answering_in_process(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, "GUIDEPATH_WARM": "1", "GUIDEPATH_CACHE_DIR": str(cache)}
    env["GUIDEPATH_WARM_IDLE"] = "1"
    os.environ["GUIDEPATH_CACHE_DIR"] = str(cache)
    try:
        path = warm.socket_path()
    finally:
        del os.environ["GUIDEPATH_CACHE_DIR"]
    cache.mkdir()
    path.write_text("not a socket")
    answered = run(["ask", QUESTION, "-f", "json"], env, tmp_path)
    assert answered.returncode == 0 and '"recommendations"' in answered.stdout
    assert warm.request({"ping": True}, path) is None
