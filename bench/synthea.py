"""Run guidepath's FHIR reader and relevance gate over Synthea R4 patients and print how many
would get SI joint cards (patient-view), and why.

The 585 patients come from the public repository smart-on-fhir/generated-sample-data (Apache-2.0,
folder R4/SYNTHEA); fetch it and point this script at that folder:

    python bench/synthea.py PATH/TO/R4/SYNTHEA [-v]

Without a path it runs on the small subset kept in tests/data/synthea. It also prints the reading
time per bundle (median and largest bundle), the figure the speed target in bench/README is about.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from guidepath.engine.pathway import evaluate  # noqa: E402
from guidepath.fhir.reader import read_bundle  # noqa: E402
from guidepath.fhir.scope import out_of_scope  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(ROOT / "tests" / "data" / "synthea"))
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    files = sorted(Path(args.folder).glob("*.json"))
    reasons: Counter[str] = Counter()
    timings: list[tuple[float, int]] = []
    in_scope = 0
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("resourceType") != "Bundle":
            continue
        start = time.perf_counter()
        reading = read_bundle(data, strict=False)
        timings.append((time.perf_counter() - start, len(data.get("entry", []))))
        why_not = out_of_scope(reading)
        if why_not:
            reasons[why_not] += 1
            continue
        in_scope += 1
        assessment = evaluate(reading.case)
        print(f"CARDS {path.name}: {assessment.recommendations[0].action}; scope: {reading.scope}")
        if args.verbose:
            print("   case:", json.dumps(reading.case))
    total = len(timings)
    print(f"\n{total} patients read; {in_scope} in scope (would get SI joint cards)")
    for reason, count in reasons.most_common():
        print(f"  {count:4d} no cards: {reason}")
    if timings:
        median = statistics.median(t for t, _ in timings)
        worst, size = max(timings)
        slowest = f"slowest {worst * 1000:.1f} ms ({size} entries)"
        print(f"reading: median {median * 1000:.1f} ms; {slowest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
