"""FHIR reading speed: one Bundle of about 1,200 resources (two kept Synthea patients, their
billing entries removed, joined and padded with their own Observations) read into a Case.

    python bench/fhir_read.py [--rounds 20]

Reports the best and median time per Bundle in milliseconds; the target is at most 100 ms.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from guidepath.fhir.reader import read_bundle  # noqa: E402

SYNTHEA = ROOT / "tests" / "data" / "synthea"


def large_bundle(size: int = 1200) -> dict[str, Any]:
    """About ``size`` real Synthea resources in one collection Bundle."""
    entries: list[dict[str, Any]] = []
    for name in ("warfarin", "colon-cancer"):
        entries += json.loads((SYNTHEA / f"{name}.json").read_text())["entry"]
    observations = [e for e in entries if e["resource"]["resourceType"] == "Observation"]
    while len(entries) < size:
        entries.append(copy.deepcopy(observations[len(entries) % len(observations)]))
    return {"resourceType": "Bundle", "type": "collection", "entry": entries[:size]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    data = large_bundle()
    read_bundle(data, strict=False)  # first use builds the lexicon regexes and loads the pack
    times = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        read_bundle(data, strict=False)
        times.append((time.perf_counter() - start) * 1000)
    report = {
        "fhir_bundle_entries": len(data["entry"]),
        "fhir_read_ms_best": round(min(times), 1),
        "fhir_read_ms_median": round(statistics.median(times), 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
