"""Scheduling benchmark: for each family and size, the solver beside first-come-first-served.

    .venv/bin/python benchmarks/scheduling.py [--sizes etape,tour,national] [--families A,B]

Each case runs in its own process, so that its peak memory (max RSS) is its own. Every
schedule is checked with `check`; an invalid one stops the benchmark. Prints a Markdown table.
"""

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SIZES = {
    "etape": ("2023 étape", 160, 20),
    "tour": ("whole tour in one day", 1_000, 120),
    "national": ("national fair", 5_000, 500),
}


def run_case(family: str, size: str, seed: int) -> dict:
    from instances import generate

    from app.interviews.scheduler import baseline, check, parse_instance, solve

    _label, candidates, employers = SIZES[size]
    instance = parse_instance(generate(family, candidates, employers, seed))
    started = time.monotonic()
    solution = solve(instance, method="auto", seed=seed)
    seconds = time.monotonic() - started
    problems = check(instance, solution)
    if problems:
        raise SystemExit(f"invalid schedule for {family}/{size}: {problems[:5]}")
    base = baseline(instance)
    if check(instance, base):
        raise SystemExit(f"invalid baseline for {family}/{size}")
    return {
        "solver": solution["stats"],
        "baseline": base["stats"],
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="etape,tour,national")
    parser.add_argument("--families", default="A,B")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.case:
        family, size = arguments.case.split("/")
        print(json.dumps(run_case(family, size, arguments.seed)))
        return
    print(
        f"Machine: {platform.node()} · {platform.processor() or platform.machine()} · Python {platform.python_version()}"
    )
    print()
    print(
        "| family | size | bound | solver: scheduled | ratio | without interview (feasible) | wait min | method | time s | peak MB "
        "| baseline: scheduled | ratio | without interview (feasible) | wait min |"
    )
    print("|" + "---|" * 14)
    for family in arguments.families.split(","):
        for size in arguments.sizes.split(","):
            result = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--case",
                    f"{family}/{size}",
                    "--seed",
                    str(arguments.seed),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                print(f"| {family} | {SIZES[size][0]} | failed: {result.stderr.strip()[-200:]} |")
                continue
            case = json.loads(result.stdout)
            s, b = case["solver"], case["baseline"]
            print(
                f"| {family} | {SIZES[size][0]} ({SIZES[size][1]} × {SIZES[size][2]}) | {s['upper_bound']} "
                f"| {s['scheduled']} | {s['ratio']:.3f} | {s['candidates_without_interview']} ({s['candidates_without_interview_feasible']}) "
                f"| {s['candidate_wait_minutes']} | {s['method']}{' (optimal)' if s['optimal'] else ''} "
                f"| {case['seconds']:.2f} | {case['peak_mb']:.0f} "
                f"| {b['scheduled']} | {b['ratio']:.3f} | {b['candidates_without_interview']} ({b['candidates_without_interview_feasible']}) "
                f"| {b['candidate_wait_minutes']} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
