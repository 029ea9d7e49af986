"""Benchmark: questions answered per second, end to end in process.

    python bench/ask.py [--rounds 3]

The first question pays for loading medspacy and the bm25s index; the figures are for the
questions after it (p50 and p95 latency, questions per second).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
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
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
