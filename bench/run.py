"""Benchmarks: in-process evaluations per second and the CLI's start-up time.

    python bench/run.py [--cases 2000] [--rounds 5]

Cases are generated (fixed seed) across both tracks and all stages, validated once, then evaluated
repeatedly; the figure reported is the best round, in evaluations per second on one core. Start-up
is the best of several runs of ``guidepath --help`` and of a whole ``guidepath evaluate``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, get_args

from guidepath.vocabulary import Outcome, ProvocationTest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = (
    ROOT.parent
    / "shared"
    / "contract"
    / "examples"
    / "01-sacroiliitis-failed-conservative.case.json"
)

DIAGNOSES = ["M46.1", "M45.9", "M45.A0", "M53.3", "M53.3", "S33.6XXA", "M54.50"]
CONDITIONS = [
    "ibd",
    "recurrent_uveitis",
    "psoriasis",
    "gi_bleed_risk",
    "heart_failure_severe",
    "latent_tb",
    "spinal_fusion",
    "advanced_hip_arthritis",
    "mri_contraindicated",
]
OUTCOMES = list(get_args(Outcome))
TESTS = list(get_args(ProvocationTest))


def _treatments(rng: random.Random) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for _ in range(rng.randint(0, 3)):
        items.append(
            {
                "type": rng.choice(["nsaid", "physical_therapy"]),
                "weeks": rng.randint(1, 20),
                "outcome": rng.choice(OUTCOMES),
            }
        )
    if rng.random() < 0.4:
        items.append(
            {
                "type": rng.choice(["tnfi", "il17i"]),
                "weeks": rng.randint(4, 80),
                "outcome": rng.choice(OUTCOMES),
            }
        )
    for _ in range(rng.randint(0, 3)):
        items.append(
            {
                "type": "sij_injection",
                "purpose": rng.choice(["diagnostic", "therapeutic"]),
                "relief_pct": rng.randint(0, 100),
                "relief_weeks": rng.randint(0, 20),
                "months_ago": rng.randint(0, 24),
            }
        )
    if rng.random() < 0.2:
        items.append(
            {
                "type": "rfa",
                "relief_pct": rng.randint(0, 100),
                "relief_weeks": rng.randint(0, 60),
                "months_ago": rng.randint(0, 24),
            }
        )
    return items


def generate(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """A mixed set of valid cases across both tracks (reproducible)."""
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        case: dict[str, Any] = {
            "diagnoses": rng.sample(DIAGNOSES, rng.randint(0, 2)),
            "pain": {
                "nrs": rng.randint(0, 10),
                "duration_weeks": rng.randint(1, 200),
                "inflammatory_back_pain": rng.choice([True, False, None]),
            },
            "treatments": _treatments(rng),
            "conditions": rng.sample(CONDITIONS, rng.randint(0, 2)),
            "red_flags": ["fever"] if rng.random() < 0.05 else [],
        }
        if rng.random() < 0.7:
            case["exam"] = {
                "provocation_tests": {t: rng.choice([True, False, None]) for t in TESTS}
            }
        if rng.random() < 0.5:
            case["labs"] = {"crp_mg_l": rng.randint(0, 40)}
        if rng.random() < 0.6:
            case["imaging"] = [
                {
                    "modality": rng.choice(["xray", "mri"]),
                    "region": rng.choice(["sij", "spine", "hip"]),
                    "findings": [rng.choice(["normal", "sclerosis", "bone_marrow_edema"])],
                }
            ]
        cases.append(case)
    return cases


def evaluations_per_second(count: int, rounds: int) -> tuple[float, float]:
    """Best-round throughput, for validated Case models and for raw dicts (validation included)."""
    from guidepath import evaluate
    from guidepath.case import Case

    raw = generate(count)
    models = [Case.model_validate(c) for c in raw]
    for case in models[:50]:
        evaluate(case)
    best_models = best_raw = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for case in models:
            evaluate(case)
        best_models = min(best_models, time.perf_counter() - start)
        start = time.perf_counter()
        for data in raw:
            evaluate(data)
        best_raw = min(best_raw, time.perf_counter() - start)
    return count / best_models, count / best_raw


def startup_seconds(args: list[str], runs: int = 7) -> float:
    """Best wall time of running the installed command."""
    command = shutil.which("guidepath", path=str(Path(sys.executable).parent)) or "guidepath"
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([command, *args], capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    models, raw = evaluations_per_second(options.cases, options.rounds)
    help_time = startup_seconds(["--help"])
    evaluate_time = startup_seconds(["evaluate", "--format", "json", str(EXAMPLE)])
    report = {
        "cases": options.cases,
        "evaluations_per_second": round(models),
        "evaluations_per_second_from_dict": round(raw),
        "microseconds_per_evaluation": round(1e6 / models, 1),
        "cli_startup_help_s": round(help_time, 3),
        "cli_evaluate_example_s": round(evaluate_time, 3),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
