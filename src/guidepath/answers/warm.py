"""A warm reader for ``guidepath ask``: the question pipeline kept loaded between commands.

Reading a question needs spaCy and medspacy, whose import alone takes about a second on a small
machine; every ``guidepath ask`` process would pay it. So, like ``dmypy``, the first command
answers in-process and then starts a small background process that keeps the pipeline loaded
and listens on a Unix socket; later commands send it their arguments and print its output, the
same bytes the in-process path would print. It serves one request at a time and exits after
``GUIDEPATH_WARM_IDLE`` seconds (600) without a question.

Safety: the socket lives in the user's cache directory and is created owner-only (0600), so only
the same user can ask; its name carries a fingerprint of the installed code and pack, so after an
upgrade or an edit a new reader starts and the old one idles out; a request is capped at 64 KiB.
``GUIDEPATH_WARM=0`` turns it off (the test suite does); ``{"stop": true}`` stops a reader.
Anything unexpected falls back to the in-process answer: the warm reader may make a command
faster, never different or failing.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import socket
import subprocess
import sys
from importlib import metadata, resources
from pathlib import Path
from typing import Any

MAX_REQUEST = 64 * 1024
CONNECT_TIMEOUT = 0.2
ANSWER_TIMEOUT = 30.0


def enabled() -> bool:
    """The warm reader is on unless ``GUIDEPATH_WARM=0``."""
    return os.environ.get("GUIDEPATH_WARM", "1") != "0"


def _fingerprint() -> str:
    """Changes whenever the installed code or knowledge pack changes."""
    root = resources.files("guidepath")
    digest = hashlib.sha256(metadata.version("guidepath").encode())
    for path in sorted(Path(str(root)).rglob("*")):
        if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
            stat = path.stat()
            digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}".encode())
    return digest.hexdigest()[:16]


def socket_path() -> Path:
    """Where this user's reader for this exact code listens."""
    from guidepath.codes.icd10 import cache_dir

    return cache_dir() / f"ask-{os.getuid()}-{_fingerprint()}.sock"


def request(arguments: dict[str, Any], path: Path | None = None) -> dict[str, Any] | None:
    """Send one ``ask`` to a running reader: its reply, or ``None`` when none answers."""
    target = path or socket_path()
    if not target.exists():
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(CONNECT_TIMEOUT)
            connection.connect(str(target))
            connection.settimeout(ANSWER_TIMEOUT)
            connection.sendall(json.dumps(arguments).encode() + b"\n")
            reply = json.loads(_read_line(connection, limit=64 * 1024 * 1024))
    except (OSError, ValueError):
        return None
    return reply if isinstance(reply, dict) and {"out", "err", "code"} <= set(reply) else None


def _read_line(connection: socket.socket, limit: int) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
        if len(data) > limit:
            raise ValueError("message too large")
    return data


def start(path: Path | None = None) -> None:
    """Start a reader in the background (detached; it outlives this command)."""
    target = path or socket_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.Popen(
        [sys.executable, "-m", "guidepath.answers.warm", str(target)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )


def _bind(path: Path) -> socket.socket | None:
    """An owner-only listening socket at ``path``; ``None`` when another reader has it. A stale
    socket (or file) left by a reader that died is replaced."""
    if path.exists() and request({"ping": True}, path) is not None:
        return None  # a live reader already listens here
    with contextlib.suppress(OSError):
        path.unlink()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous = os.umask(0o177)
    try:
        server.bind(str(path))
    except OSError:  # another reader bound it first
        server.close()
        return None
    finally:
        os.umask(previous)
    server.listen(16)
    return server


def _preload() -> None:
    """Load what a question needs before accepting any (until then, commands run cold)."""
    from guidepath.answers.ask import ask
    from guidepath.answers.render import to_markdown

    to_markdown(ask("Sacroiliitis for 3 months, failed naproxen for 6 weeks, pain 6/10"))


def answer(arguments: dict[str, Any]) -> dict[str, Any]:
    """Run one ``ask`` as the command would, returning its stdout, stderr and exit code."""
    from guidepath.cli import ask_output

    if arguments.get("ping") or arguments.get("stop"):
        return {"out": "", "err": "", "code": 0, "stop": bool(arguments.get("stop"))}
    previous = os.getcwd()
    try:
        os.chdir(arguments["cwd"])
        out, err, code = ask_output(
            arguments["question"],
            arguments["audience"],
            arguments["output"],
            Path(arguments["session"]) if arguments.get("session") else None,
            width=int(arguments.get("width", 80)),
            color=bool(arguments.get("color", False)),
        )
    except Exception as error:  # a reader must never take a command down: report and go on
        return {"out": "", "err": f"error: {type(error).__name__}\n", "code": 1, "failed": True}
    finally:
        os.chdir(previous)
    return {"out": out, "err": err, "code": code}


def serve(path: Path, idle_seconds: float) -> None:
    """Preload, then answer requests one at a time until idle for ``idle_seconds``."""
    _preload()
    server = _bind(path)
    if server is None:
        return
    server.settimeout(idle_seconds)
    try:
        while True:
            try:
                connection, _ = server.accept()
            except TimeoutError:
                return
            with connection:
                if _serve_one(connection):
                    return
    finally:
        server.close()
        with contextlib.suppress(OSError):
            path.unlink()


def _serve_one(connection: socket.socket) -> bool:
    """Answer one request; True when it asked the reader to stop."""
    connection.settimeout(5.0)
    try:
        arguments = json.loads(_read_line(connection, limit=MAX_REQUEST))
        reply = answer(arguments) if isinstance(arguments, dict) else {"code": 1}
        connection.sendall(json.dumps(reply).encode() + b"\n")
    except (OSError, ValueError, KeyError):
        return False
    return bool(reply.get("stop"))


def main(argv: list[str]) -> None:
    """``python -m guidepath.answers.warm SOCKET``."""
    idle = float(os.environ.get("GUIDEPATH_WARM_IDLE", "600"))
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        serve(Path(argv[0]), idle)


if __name__ == "__main__":
    main(sys.argv[1:])
