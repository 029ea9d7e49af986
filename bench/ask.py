"""Benchmark: questions answered per second in process, and one `guidepath ask` end to end.

    python bench/ask.py [--rounds 3] [--cli-runs 7]

In process, the first question pays for loading medspacy and the bm25s index; the figures are
for the questions after it (p50 and p95 latency, questions per second). The CLI figure is the
median wall time of a fresh `guidepath ask` process answering one question (start-up, spaCy and
medspacy import, pipeline build, answer, rendering), the way a user meets it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from guidepath import ask
from guidepath.web.state import SEED_QUESTIONS

QUESTIONS = [
    *SEED_QUESTIONS,
    "How many injections can I receive in a year?",
    "45-year-old man with ankylosing spondylitis never responded to adalimumab, pain 7/10",
    "Is SI joint fusion medically necessary after two diagnostic blocks with 80% relief?",
    "What is the sacroiliac joint?",
    "What is the best treatment for migraine?",
]


def cli_median(runs: int) -> float:
    """Median seconds for one `guidepath ask` process, end to end."""
    command = shutil.which("guidepath") or str(Path(sys.executable).with_name("guidepath"))
    question = "Sacroiliitis that has not responded to naproxen for 6 weeks, pain 6/10: next step?"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([command, "ask", question], check=True, capture_output=True, timeout=120)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cli-runs", type=int, default=7)
    arguments = parser.parse_args()
    rounds = arguments.rounds
    start = time.perf_counter()
    ask(QUESTIONS[0])
    first = time.perf_counter() - start
    latencies = []
    for _ in range(rounds):
        for question in QUESTIONS:
            for audience in ("clinician", "patient"):
                start = time.perf_counter()
                ask(question, audience=audience)
                latencies.append(time.perf_counter() - start)
    latencies.sort()
    print(
        json.dumps(
            {
                "first_question_s": round(first, 2),
                "questions": len(latencies),
                "p50_ms": round(statistics.median(latencies) * 1000, 1),
                "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
                "questions_per_second": round(len(latencies) / sum(latencies), 1),
                "cli_ask_median_s": round(cli_median(arguments.cli_runs), 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
