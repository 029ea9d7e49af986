"""Reliability suite (issue 14): fuzzed CLI inputs and HTTP requests, question reading under
concurrency, a tarpit FHIR server, and kill -9 during writes. One command:

    python bench/reliability.py [--cli 10000] [--http 10000] [--seed 14]

Prints a JSON summary and exits 1 when any goal is missed:

- CLI: every fuzzed input ends with exit 0, 1 or 2 and no traceback (run in process through
  Typer's runner, plus a sample as real processes);
- HTTP: every fuzzed request to a real server on loopback gets an answer below 500;
- ``/v1/ask`` at 32 concurrent clients: no errors;
- 60 hook calls against a tarpit FHIR server: ``/healthz`` always answers within 1 s;
- kill -9 while feedback is being written: every acknowledged item is on disk after a restart.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.api.conftest import free_port  # noqa: E402
from tests.api.tarpit import tarpit  # noqa: E402

EXAMPLES = ROOT.parent / "shared" / "contract" / "examples"
QUESTIONS = [
    "What is the recommended treatment for sacroiliitis (M46.1) that has not responded to "
    "conservative treatment, pain over 1 month, intensity above 4/10?",
    "How many SI joint injections can I receive in a year?",
    "Ankylosing spondylitis, naproxen then diclofenac failed over 6 weeks, pain 7/10. Next step?",
    "Is SI joint fusion indicated after two positive blocks and failed RFA?",
]
CALCULATORS = ["basdai", "asdas_crp", "asdas_esr", "basfi", "laslett", "asas_axspa"]
PROCEDURES = ["sij_injection", "sij_rfa", "sij_fusion_mis", "tnfi", "il17i"]


# ---- mutations ----


def _seed_documents() -> list[Any]:
    found = [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.case.json"))]
    return found or [{"diagnoses": ["M46.1"], "pain": {"nrs": 6}}]


def _weird_value(rng: random.Random) -> Any:
    return rng.choice(
        [
            None,
            True,
            -1,
            0,
            10**400,
            1e308,
            -0.0,
            "",
            "x" * rng.randint(1, 5000),
            "\u202e\u0000\ud7ff",
            [],
            {},
            [1],
            {"type": 1},
            [[[[[]]]]],
            "NaN",
        ]
    )


def _mutate_value(value: Any, rng: random.Random, depth: int = 0) -> Any:
    if depth > 4 or rng.random() < 0.15:
        return _weird_value(rng)
    if isinstance(value, dict) and value:
        copy = dict(value)
        key = rng.choice(list(copy))
        action = rng.random()
        if action < 0.5:
            copy[key] = _mutate_value(copy[key], rng, depth + 1)
        elif action < 0.7:
            del copy[key]
        else:
            copy[rng.choice([key + "_x", "absent", "partial_lists", "🙂"])] = _weird_value(rng)
        return copy
    if isinstance(value, list) and value:
        items = list(value)
        index = rng.randrange(len(items))
        items[index] = _mutate_value(items[index], rng, depth + 1)
        return items
    return _weird_value(rng)


def _raw_mutation(text: bytes, rng: random.Random) -> bytes:
    choice = rng.random()
    if choice < 0.2:
        return text[: rng.randrange(max(1, len(text)))]
    if choice < 0.4:
        data = bytearray(text)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if choice < 0.55:
        depth = rng.choice([100, 1000, 100_000])
        return b"[" * depth + b"]" * depth
    if choice < 0.7:
        return b'{"pain": {"nrs": ' + b"9" * rng.choice([10, 4400, 20_000]) + b"}}"
    if choice < 0.8:
        return text.replace(b"6", b"NaN", 1).replace(b"4", b"Infinity", 1)
    if choice < 0.9:
        return b"\xff\xfe" + text
    return bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))


def fuzzed_bodies(count: int, rng: random.Random) -> Iterator[bytes]:
    documents = _seed_documents()
    for _ in range(count):
        base = rng.choice(documents)
        if rng.random() < 0.5:
            yield json.dumps(_mutate_value(base, rng), default=str).encode()
        else:
            yield _raw_mutation(json.dumps(base).encode(), rng)


# ---- CLI ----


def cli_fuzz(count: int, rng: random.Random) -> dict[str, Any]:
    """Fuzzed inputs through the real command (in process, Typer's runner), and a sample of
    them (every 100th) as real processes."""
    from typer.testing import CliRunner

    from guidepath.cli import app

    os.environ["GUIDEPATH_WARM"] = "0"
    runner = CliRunner()
    tracebacks: list[str] = []
    codes: dict[int, int] = {}
    processes = 0
    command = shutil.which("guidepath", path=str(Path(sys.executable).parent))
    for n, body in enumerate(fuzzed_bodies(count, rng)):
        kind = n % 10
        if kind < 5:
            args = ["evaluate", "-f", "json", "-"]
        elif kind < 7:
            args = ["necessity", rng.choice(PROCEDURES), "-f", "json", "-"]
        elif kind < 9:
            args = ["calc", rng.choice(CALCULATORS), "-f", "json", "-"]
        else:
            question = body[:300].decode("utf-8", "surrogateescape") or "?"
            args = ["ask", question, "-f", "json"]
        result = runner.invoke(app, args, input=body)
        codes[result.exit_code] = codes.get(result.exit_code, 0) + 1
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            tracebacks.append(f"{args[:2]}: {type(result.exception).__name__}")
        if n % 100 == 0 and command and kind < 9:
            processes += 1
            real = subprocess.run(
                [command, *args], input=body, capture_output=True, timeout=120, check=False
            )
            if b"Traceback" in real.stderr or real.returncode not in (0, 1, 2):
                tracebacks.append(f"process {args[:2]}: exit {real.returncode}")
    return {
        "inputs": count,
        "as_processes": processes,
        "exit_codes": codes,
        "tracebacks": len(tracebacks),
        "examples": tracebacks[:5],
    }


# ---- a real server ----


@contextmanager
def server(data_dir: Path, **env: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``guidepath serve`` as a real process on a free loopback port."""
    port = free_port()
    command = shutil.which("guidepath", path=str(Path(sys.executable).parent)) or "guidepath"
    environment = {
        **os.environ,
        "GUIDEPATH_DATA_DIR": str(data_dir),
        "GUIDEPATH_PORT": str(port),
        "GUIDEPATH_WARM": "0",
        **env,
    }
    process = subprocess.Popen(
        [command, "serve"], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("the server did not start")
        time.sleep(0.2)
    try:
        yield url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _maybe_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def _http_request(client: httpx.Client, body: bytes, rng: random.Random) -> tuple[str, int | str]:
    json_type = {"content-type": "application/json"}
    target = rng.random()
    if target < 0.35:
        path = "/v1/evaluate"
    elif target < 0.5:
        path = f"/v1/necessity/{rng.choice([*PROCEDURES, '..%2f', 'x' * 300])}"
    elif target < 0.65:
        path = f"/v1/calculators/{rng.choice(CALCULATORS)}"
    elif target < 0.75:
        path = "/cds-services/guidepath-patient-view"
        body = json.dumps(
            {
                "hook": "patient-view",
                "hookInstance": "h",
                "fhirServer": rng.choice(["http://169.254.169.254/latest", "file:///etc", None]),
                "context": {"patientId": rng.choice(["p", "../../admin?x=", "", 7])},
                "prefetch": _maybe_json(body) if rng.random() < 0.5 else None,
            },
            default=str,
        ).encode()
    elif target < 0.8:
        path = "/cds-services/guidepath-order-sign/feedback"
    elif target < 0.85:
        path = "/v1/ask"
        body = json.dumps(
            {
                "question": body[:200].decode("utf-8", "replace") or "?",
                "facts": rng.choice([None, {"treatments": [1]}, {"pain": {"nrs": 1e999}}, []]),
            }
        ).encode()
    else:
        query = body[:100].decode("latin-1")
        page = rng.choice(["/answer", "/", "/articles/x", "/review", "/case", "/login"])
        try:
            response = client.get(page, params={"q": query, "facts": query[:50]})
        except httpx.HTTPError as error:
            return page, type(error).__name__
        return page, response.status_code
    try:
        response = client.post(path, content=body, headers=json_type)
    except httpx.HTTPError as error:
        return path, type(error).__name__
    return path, response.status_code


def http_fuzz(url: str, count: int, rng: random.Random) -> dict[str, Any]:
    bodies = list(fuzzed_bodies(count, rng))
    seeds = [rng.random() for _ in bodies]
    failures: list[str] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    local = threading.local()

    def one(item: tuple[bytes, float]) -> None:
        body, seed = item
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=url, timeout=60)
        path, status = _http_request(local.client, body, random.Random(seed))
        with lock:
            key = str(status)[0] + "xx" if isinstance(status, int) else status
            statuses[key] = statuses.get(key, 0) + 1
            if not isinstance(status, int) or status >= 500:
                failures.append(f"{path}: {status}")

    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, zip(bodies, seeds, strict=True)))
    return {
        "requests": count,
        "seconds": round(time.perf_counter() - started, 1),
        "statuses": statuses,
        "server_errors": len(failures),
        "examples": failures[:5],
    }


def ask_concurrency(url: str, clients: int = 32, rounds: int = 4) -> dict[str, Any]:
    errors: list[str] = []

    def one(question: str) -> None:
        try:
            response = httpx.post(f"{url}/v1/ask", json={"question": question}, timeout=120)
            if response.status_code != 200 or not response.json().get("bottom_line"):
                errors.append(str(response.status_code))
        except httpx.HTTPError as error:
            errors.append(type(error).__name__)

    jobs = [q for q in QUESTIONS for _ in range(clients * rounds // len(QUESTIONS))]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, jobs))
    seconds = time.perf_counter() - started
    return {
        "clients": clients,
        "requests": len(jobs),
        "per_s": round(len(jobs) / seconds, 1),
        "errors": len(errors),
    }


def tarpit_check(folder: Path) -> dict[str, Any]:
    with tarpit() as fhir:
        env = {
            "GUIDEPATH_CDS_FHIR_SERVERS": json.dumps([fhir]),
            "GUIDEPATH_CDS_FHIR_ALLOW_PRIVATE": "1",
        }
        with server(folder / "tarpit", **env) as (url, _):
            body = {
                "hook": "patient-view",
                "hookInstance": "h",
                "fhirServer": fhir,
                "context": {"patientId": "p1"},
            }
            health: list[float] = []
            with ThreadPoolExecutor(60) as pool:
                calls = [
                    pool.submit(
                        httpx.post,
                        f"{url}/cds-services/guidepath-patient-view",
                        json=body,
                        timeout=60,
                    )
                    for _ in range(60)
                ]
                while not all(c.done() for c in calls):
                    started = time.monotonic()
                    httpx.get(f"{url}/healthz", timeout=30)
                    health.append(time.monotonic() - started)
                    time.sleep(0.05)
            statuses = sorted({c.result().status_code for c in calls})
    return {
        "hook_calls": 60,
        "hook_statuses": statuses,
        "healthz_max_s": round(max(health, default=0.0), 3),
    }


def kill_during_writes(folder: Path, rounds: int = 3) -> dict[str, Any]:
    """Feedback items are written by 8 clients; the server is killed with SIGKILL mid-stream;
    after a restart every acknowledged item must be in the file."""
    data = folder / "kill"
    acknowledged: list[str] = []
    lock = threading.Lock()
    for _ in range(rounds):
        with server(data) as (url, process):
            stop = threading.Event()

            def writer(worker: int, stop: threading.Event = stop, url: str = url) -> None:
                n = 0
                while not stop.is_set():
                    card = f"w{worker}-{n}-{time.monotonic_ns()}"
                    item = {
                        "card": card,
                        "outcome": "accepted",
                        "outcomeTimestamp": "2026-11-22T10:00:00Z",
                    }
                    try:
                        response = httpx.post(
                            f"{url}/cds-services/guidepath-patient-view/feedback",
                            json={"feedback": [item]},
                            timeout=10,
                        )
                    except httpx.HTTPError:
                        return
                    if response.status_code == 200:
                        with lock:
                            acknowledged.append(card)
                    n += 1

            threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
            for thread in threads:
                thread.start()
            time.sleep(2.0)
            process.kill()  # SIGKILL: no clean shutdown
            process.wait()
            stop.set()
            for thread in threads:
                thread.join()
    stored = set()
    for line in (data / "cds-feedback.jsonl").read_text().splitlines():
        stored.add(json.loads(line)["feedback"]["card"])
    lost = [card for card in acknowledged if card not in stored]
    return {"kills": rounds, "acknowledged": len(acknowledged), "lost": len(lost)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", type=int, default=10_000)
    parser.add_argument("--http", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    report: dict[str, Any] = {"date": time.strftime("%Y-%m-%d"), "seed": args.seed}
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        report["cli"] = cli_fuzz(args.cli, rng)
        with server(folder / "http") as (url, _):
            report["http"] = http_fuzz(url, args.http, rng)
            report["ask"] = ask_concurrency(url)
        report["tarpit"] = tarpit_check(folder)
        report["kill_9"] = kill_during_writes(folder)
    checks: dict[str, Callable[[dict[str, Any]], bool]] = {
        "cli": lambda r: r["tracebacks"] == 0,
        "http": lambda r: r["server_errors"] == 0,
        "ask": lambda r: r["errors"] == 0,
        "tarpit": lambda r: r["healthz_max_s"] < 1.0,
        "kill_9": lambda r: r["lost"] == 0,
    }
    report["passed"] = {name: check(report[name]) for name, check in checks.items()}
    print(json.dumps(report, indent=2))
    sys.exit(0 if all(report["passed"].values()) else 1)


if __name__ == "__main__":
    main()
