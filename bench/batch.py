"""Batch speed, as ratios measured in one run on this machine.

    python bench/batch.py [--cases 20000]

- ``evaluate_vs_parse_floor``: time of ``evaluate(dict)`` over the time of ``json.loads`` +
  ``Case.model_validate`` on the same cases (the floor any reader of a case pays; goal ≤3).
- ``necessity_vs_parse_floor``: the same for ``check_necessity`` of the procedure with the most
  criteria (a payer's batch runs in ``--necessity`` mode).
- ``two_workers_vs_one``: compact batch rate with 2 local workers over 1 (goal ≥1.6 on 2 cores).
- ``million_compact_minutes``: wall time a million compact cases would take at the best rate
  measured (goal ≤3 minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from guidepath.batch.runner import BatchOptions, run_batch  # noqa: E402
from guidepath.case import Case  # noqa: E402
from guidepath.engine.necessity import check_necessity, procedures  # noqa: E402
from guidepath.engine.pathway import evaluate  # noqa: E402
from run import generate  # noqa: E402


def _best(function: object, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        function()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20000)
    args = parser.parse_args()
    cases = generate(args.cases)
    lines = [json.dumps(c) for c in cases]
    floor = _best(lambda: [Case.model_validate(json.loads(line)) for line in lines])
    engine = _best(lambda: [evaluate(c) for c in cases])
    procedure = max(procedures().values(), key=lambda p: len(p.criteria)).id
    necessity = _best(lambda: [check_necessity(procedure, c) for c in cases])
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.ndjson"
        source.write_text(
            "".join(f'{{"id": "c{i}", "case": {line}}}\n' for i, line in enumerate(lines))
        )
        rates = {}
        for workers in (1, 2):
            output = Path(folder) / f"out{workers}.ndjson"
            summary = run_batch(BatchOptions(source, output, compact=True, workers=workers))
            rates[workers] = summary.rate
            os.remove(output)
    report = {
        "cases": args.cases,
        "cores": os.cpu_count(),
        "evaluate_per_s": round(args.cases / engine),
        "evaluate_vs_parse_floor": round(engine / floor, 2),
        "necessity_procedure": procedure,
        "necessity_vs_parse_floor": round(necessity / floor, 2),
        "batch_compact_per_s_1_worker": round(rates[1]),
        "batch_compact_per_s_2_workers": round(rates[2]),
        "two_workers_vs_one": round(rates[2] / rates[1], 2),
        "million_compact_minutes": round(1_000_000 / max(rates.values()) / 60, 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
