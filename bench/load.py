"""Load benchmark: requests/s and p50/p99 latency at 32 concurrent clients on loopback.

    python bench/load.py [--requests 1500] [--clients 32]

Starts ``guidepath serve`` in its own process, then measures, in the same run and the same way,
a trivial route (``/healthz``), ``POST /v1/evaluate`` and the CDS Hooks ``patient-view`` call.
The ratio to the trivial route is the figure to track (it cancels out the machine's speed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
CASE = json.loads(
    (
        ROOT.parent
        / "shared"
        / "contract"
        / "examples"
        / "01-sacroiliitis-failed-conservative.case.json"
    ).read_text()
)


def _prefetch() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from tests.api.cds_client import prefetch_from_bundle
    from tests.api.fhir_builder import case_to_bundle

    return prefetch_from_bundle(case_to_bundle(CASE))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _measure(
    base: str, method: str, path: str, body: Any, total: int, clients: int
) -> dict[str, float]:
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def worker() -> None:
            while not queue.empty():
                queue.get_nowait()
                start = time.perf_counter()
                response = await client.request(method, path, json=body)
                latencies.append(time.perf_counter() - start)
                response.raise_for_status()

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests_per_s": round(total / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--clients", type=int, default=32)
    options = parser.parse_args()
    port = _free_port()
    command = shutil.which("guidepath", path=str(Path(sys.executable).parent)) or "guidepath"
    server = subprocess.Popen(
        [command, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        hook = {
            "hook": "patient-view",
            "hookInstance": "bench",
            "context": {"userId": "Practitioner/1", "patientId": "p"},
            "prefetch": _prefetch(),
        }
        targets = {
            "trivial_healthz": ("GET", "/healthz", None),
            "evaluate": ("POST", "/v1/evaluate", CASE),
            "patient_view": ("POST", "/cds-services/guidepath-patient-view", hook),
        }
        results = {
            name: asyncio.run(_measure(base, m, p, b, options.requests, options.clients))
            for name, (m, p, b) in targets.items()
        }
        trivial = results["trivial_healthz"]["requests_per_s"]
        for name in ("evaluate", "patient_view"):
            results[name]["throughput_vs_trivial"] = round(
                results[name]["requests_per_s"] / trivial, 3
            )
        print(
            json.dumps(
                {"clients": options.clients, "requests_each": options.requests, **results}, indent=2
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
