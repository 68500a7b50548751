"""``kasip bench``: the figures the issues ask for, measured the same way every time.

    kasip bench accuracy [--cases FILE ...] [--misses]   top-1/3/5 by level, language and case type
    kasip bench speed [--rounds N]                       warm p50/p99, cold start, resident memory

Figures are printed, never asserted in tests: a benchmark on a shared
2-core machine informs, it does not gate.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEVSET_DIR = Path(__file__).resolve().parents[1] / "tests" / "devset"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("bench", help="measure accuracy and speed")
    benches = parser.add_subparsers(dest="bench", metavar="WHAT", required=True)
    accuracy = benches.add_parser("accuracy", help="resolver accuracy on labelled cases")
    accuracy.add_argument("--cases", nargs="*", type=Path, help="JSONL case files (default: tests/devset/*.jsonl)")
    accuracy.add_argument("--misses", action="store_true", help="list the cases the first candidate got wrong")
    accuracy.set_defaults(run=run_accuracy)
    speed = benches.add_parser("speed", help="resolver speed and memory")
    speed.add_argument("--rounds", type=int, default=3, help="passes over the development cases (default 3)")
    speed.set_defaults(run=run_speed)


def _case_files(given: list[Path] | None) -> list[Path]:
    files = given or sorted(DEVSET_DIR.glob("*.jsonl"))
    missing = [f for f in files if not f.exists()]
    if not files or missing:
        raise FileNotFoundError(", ".join(map(str, missing)) or f"no case files in {DEVSET_DIR}")
    return files


def run_accuracy(args: argparse.Namespace) -> int:
    from knowledge.evaluation import evaluate, format_report, read_cases
    from knowledge.resolver import get_resolver

    try:
        cases = read_cases(_case_files(args.cases))
    except (FileNotFoundError, ValueError, KeyError) as error:
        print(f"cannot read cases: {error}", file=sys.stderr)
        return 1
    report = evaluate(get_resolver(), cases)
    print(format_report(report))
    if args.misses:
        print("\nMisses (first candidate wrong at 4 digits):")
        for case, units in report.misses:
            text = " | ".join(part for part in (case.title, case.duties) if part)
            print(f"{case.id} [{case.lang}/{case.type}] expected {','.join(case.expected)} got {','.join(units)}: {text[:100]}")
    return 0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run_speed(args: argparse.Namespace) -> int:
    from knowledge.evaluation import read_cases
    from knowledge.resolver import get_resolver

    cases = read_cases(_case_files(None))
    resolver = get_resolver()
    for case in cases[:20]:  # warm the caches
        resolver.resolve(case.title, case.duties)
    timings: list[float] = []
    for _ in range(max(1, args.rounds)):
        for case in cases:
            start = time.perf_counter()
            resolver.resolve(case.title, case.duties)
            timings.append((time.perf_counter() - start) * 1000)
    print(f"warm classification over {len(timings)} calls: p50 {_percentile(timings, 0.5):.2f} ms, "
          f"p99 {_percentile(timings, 0.99):.2f} ms, max {max(timings):.2f} ms")
    command = [sys.executable, "-m", "bot.cli", "classify", "сварщик"]
    colds = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, env={**os.environ})
        colds.append(time.perf_counter() - start)
    print(f"cold start, `kasip classify \"сварщик\"` wall time: median {statistics.median(colds):.2f} s (of {len(colds)})")
    probe = (
        "import resource; from knowledge.resolver import get_resolver; "
        "get_resolver().resolve('сварщик', 'варю трубы'); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    rss_kb = int(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip())
    print(f"resident memory after loading and one classification: {rss_kb / 1024:.0f} MB")
    return 0
