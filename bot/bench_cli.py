"""``kasip bench``: the figures the issues ask for, measured the same way every time.

    kasip bench accuracy [--cases FILE ...] [--misses]   top-1/3/5 by level, language and case type
    kasip bench speed [--rounds N]                       warm p50/p99, cold start, resident memory
    kasip bench bot [--users N] [--arrival lockstep]     updates/s and reply latency of the real bot
    kasip bench vacancies [options]                      search, statistics and import on a generated store

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
    bot = benches.add_parser("bot", help="the real bot process against a local fake Telegram server")
    bot.add_argument("--users", type=int, default=250, help="simulated people talking at once (default 250)")
    bot.add_argument("--rounds", type=int, default=3, help="times each person goes through the script (default 3)")
    bot.add_argument("--pace", type=float, default=1.0, help="seconds between one person's messages, as Telegram allows (default 1)")
    bot.add_argument("--arrival", choices=("staggered", "lockstep"), default="staggered",
                     help="staggered (default): people start over one pass of the script, so at any moment they are at "
                          "different steps; lockstep: all start within the first second and take the same step together")
    bot.set_defaults(run=run_bot)
    vacancies = benches.add_parser("vacancies", help="the vacancy store on a generated store (default 1,000,000 rows)")
    vacancies.add_argument("--rows", type=int, default=1_000_000, help="vacancies in the store")
    vacancies.add_argument("--import-rows", type=int, default=100_000, help="rows of each import file")
    vacancies.add_argument("--queries", type=int, default=2000, help="related-vacancy searches to time")
    vacancies.add_argument("--skip-import", action="store_true", help="only the store and its searches")
    vacancies.add_argument("--json", action="store_true", help="print the figures as JSON")
    vacancies.set_defaults(run=run_vacancies)


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


BOT_SCRIPT = (
    ("text", "/start"),
    ("text", "электросварщик"),
    ("text", "/new"),
    ("text", "специалист"),
    ("text", "работаю в офисе с документами"),
    ("button", 1),
    ("text", "/code 7212"),
    ("text", "😀"),
)
"""What each simulated person does: clear and unclear titles, a button, a code, junk."""


def run_bot(args: argparse.Namespace) -> int:
    """Many people at once through the real stack: `kasip bot` ↔ HTTP ↔ the fake Bot API.

    The bot runs with `--no-rate-limit`: this measures how much Kasip itself
    can take, which must stay above what Telegram lets a bot send (30/s).

    Each person sends one update a second (Telegram's pace for one chat) and
    goes through the script `--rounds` times.  By default people arrive
    spread over one pass of the script, as real people are at different
    points of their conversations; the figures that count are those of the
    steady state, when everyone is talking.  `--arrival lockstep` starts
    everyone within the first second, so that each second all of them take
    the same step: the worst case, when the heaviest step comes all at once.
    """
    import tempfile
    import threading
    from collections import Counter

    from bot.fake_telegram import FakeTelegram

    replies: list[tuple[float, float]] = []  # (update queued, first reply received), monotonic seconds
    finished: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    spread = args.pace * (len(BOT_SCRIPT) if args.arrival == "staggered" else 1)
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram() as fake:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
               "KASIP_DB": str(Path(tmp) / "bench.sqlite")}
        process = subprocess.Popen([sys.executable, "-m", "bot.cli", "bot", "--no-rate-limit"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while "getUpdates" not in fake.calls:
                if process.poll() is not None or time.monotonic() > deadline:
                    print("the bot did not start", file=sys.stderr)
                    return 1
                time.sleep(0.05)

            def person(user_id: int, delay: float) -> None:
                time.sleep(delay)
                seen = 0
                for _ in range(args.rounds):
                    for kind, value in BOT_SCRIPT:
                        if kind == "text":
                            fake.push_text(user_id, str(value))
                        else:
                            buttons = next((m.buttons for m in reversed(fake.sent(user_id)) if m.buttons), [])
                            if not buttons:
                                continue
                            fake.push_callback(user_id, buttons[min(int(value), len(buttons)) - 1][1])
                        start = time.monotonic()
                        try:
                            messages = fake.wait_for(user_id, seen + 1, timeout=30)
                        except TimeoutError as error:
                            with lock:
                                failures.append(str(error))
                            return
                        with lock:
                            replies.append((start, messages[seen].at))
                        time.sleep(max(0.05, args.pace - (time.monotonic() - start)))  # one message a second per chat
                        seen = len(fake.sent(user_id))
                with lock:
                    finished.append(time.monotonic())

            threads = [
                threading.Thread(target=person, args=(50_000 + i, spread * i / args.users), daemon=True)
                for i in range(args.users)
            ]
            began = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - began
        finally:
            process.terminate()
            process.wait(timeout=30)
        calls = Counter(fake.calls)
    import resource

    bot_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    own_cpu = resource.getrusage(resource.RUSAGE_SELF)
    if not replies:
        print("no replies measured", file=sys.stderr)
        return 1
    updates = len(replies)
    print(f"{args.users} people x {args.rounds} rounds x {len(BOT_SCRIPT)} steps, arriving {args.arrival} over {spread:g} s: "
          f"{updates} updates answered in {elapsed:.1f} s")
    steady_from, steady_to = began + spread, min(finished, default=began + elapsed)
    steady = [(start, at) for start, at in replies if steady_from <= start < steady_to]
    if steady and steady_to - steady_from >= 1:
        print(f"steady state (all {args.users} people talking, {steady_to - steady_from:.1f} s): "
              f"{len(steady) / (steady_to - steady_from):.0f} updates/s; {_latency_line(steady)}")
    print(f"whole run, arrivals and departures included: {updates / elapsed:.0f} updates/s; {_latency_line(replies)}")
    print(f"CPU: bot process {bot_cpu.ru_utime + bot_cpu.ru_stime:.1f} s (including start-up), "
          f"this harness and the fake server {own_cpu.ru_utime + own_cpu.ru_stime:.1f} s — both on this machine's {os.cpu_count()} cores")
    print("Bot API calls per update: " + ", ".join(f"{method} {count / updates:.2f}" for method, count in calls.most_common(5)))
    if failures:
        print(f"{len(failures)} people got no answer in time; first: {failures[0]}")
    return 0 if not failures else 1


def _latency_line(replies: list[tuple[float, float]]) -> str:
    """Reply latency, from the update being queued at the fake server to the bot's first reply reaching it."""
    latencies = [at - start for start, at in replies]
    return (f"reply latency p50 {1000 * _percentile(latencies, 0.5):.1f} ms, "
            f"p99 {1000 * _percentile(latencies, 0.99):.1f} ms, max {1000 * max(latencies):.1f} ms")


def run_vacancies(args: argparse.Namespace) -> int:
    """The vacancy-store benchmark lives with the tests (it needs a source checkout)."""
    script = DEVSET_DIR.parent / "bench" / "bench_vacancies.py"
    if not script.exists():
        print("kasip bench vacancies needs a source checkout (tests/bench/bench_vacancies.py)", file=sys.stderr)
        return 1
    command = [sys.executable, "-m", "tests.bench.bench_vacancies", "--rows", str(args.rows),
               "--import-rows", str(args.import_rows), "--queries", str(args.queries)]
    command += ["--skip-import"] if args.skip_import else []
    command += ["--json"] if args.json else []
    return subprocess.call(command, cwd=DEVSET_DIR.parents[1])
