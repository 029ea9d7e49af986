"""Issue 14, CLI: inputs that used to end in a traceback (JSON nested very deep, integers over
Python's 4,300-digit limit, invalid UTF-8 in a file or an argument, a malformed session file) exit
2 with one line naming the problem. Real processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def run(args: list[str | bytes], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    command = shutil.which("guidepath", path=str(Path(sys.executable).parent))
    assert command
    env = {**os.environ, "GUIDEPATH_WARM": "0"}
    return subprocess.run(
        [command, *args], input=stdin, capture_output=True, timeout=120, check=False, env=env
    )


def one_clear_line(result: subprocess.CompletedProcess[bytes], names: str) -> None:
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: {names}"), err


BAD_DOCUMENTS = {
    "deep-array": b"[" * 100_000 + b"]" * 100_000,
    "deep-object": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "huge-integer": b'{"pain": {"nrs": ' + b"7" * 5000 + b"}}",
    "invalid-utf8": b'{"diagnoses": ["M46.1\xff\xfe"]}',
    "nan": b'{"pain": {"nrs": NaN}}',
    "deep-in-a-field": b'{"diagnoses": ' + b"[" * 5000 + b"]" * 5000 + b"}",
}


@pytest.mark.parametrize("name", BAD_DOCUMENTS)
@pytest.mark.parametrize("command", ["evaluate", "necessity", "calc"])
def test_unusable_json_files_exit_2(tmp_path: Path, name: str, command: str) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(BAD_DOCUMENTS[name])
    extra = {"evaluate": [], "necessity": ["sij_fusion_mis"], "calc": ["basdai"]}[command]
    field = "inputs" if command == "calc" else "case"
    result = run([command, *extra, str(path)])
    one_clear_line(result, field)


def test_unusable_json_on_stdin_exits_2() -> None:
    one_clear_line(run(["evaluate", "-"], stdin=BAD_DOCUMENTS["invalid-utf8"]), "case")


def test_an_argument_that_is_not_utf8_exits_2() -> None:
    one_clear_line(run(["ask", b"sacroiliitis \xff\xfe treatment?"]), "question")


@pytest.mark.parametrize(
    "content",
    [b"{", b"[]", b'{"case": {"treatments": [1]}}', b'{"case": []}', b"\xff\xfe", b"1" * 5000],
    ids=["broken", "a-list", "bad-treatment", "case-not-object", "binary", "huge-int"],
)
def test_a_malformed_session_file_exits_2(tmp_path: Path, content: bytes) -> None:
    session = tmp_path / "session.json"
    session.write_bytes(content)
    result = run(["ask", "what next for sacroiliitis?", "-s", str(session)])
    one_clear_line(result, "session" if content != b'{"case": {"treatments": [1]}}' else "facts")
    assert session.read_bytes() == content  # nothing the user saved is overwritten


def test_serve_on_a_busy_port_says_how_to_choose_another() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run(["serve", "--port", str(port)])
    one_clear_line(result, "port")
    assert b"GUIDEPATH_PORT" in result.stderr


def test_serve_with_jwts_but_no_public_url_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GUIDEPATH_CDS_ALLOWED_ISSUERS", '["https://ehr.example.org"]')
    monkeypatch.delenv("GUIDEPATH_PUBLIC_URL", raising=False)
    result = run(["serve", "--port", "0"])
    one_clear_line(result, "GUIDEPATH_CDS_ALLOWED_ISSUERS")
