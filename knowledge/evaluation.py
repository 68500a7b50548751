"""Measuring the resolver on labelled cases: top-k accuracy by level, language and case type.

A case is one line of JSON: ``{"id", "lang", "type", "title", "duties",
"expected": [unit codes, best first], "note"}``.  A prediction is right at
level *n* (1–4 digits) when the first *n* characters of a predicted unit
equal those of any expected unit.  ``confident`` precision is how often
the first candidate is right (4 digits) when the resolver says it is sure.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.resolver import Resolution, Resolver

LEVELS = (1, 2, 3, 4)
TOPS = (1, 3, 5)


@dataclass(frozen=True)
class Case:
    id: str
    lang: str
    type: str
    title: str
    duties: str
    expected: tuple[str, ...]


def read_cases(paths: Iterable[Path]) -> list[Case]:
    cases: list[Case] = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            cases.append(
                Case(row["id"], row.get("lang", "ru"), row.get("type", "title"), row.get("title", ""), row.get("duties", ""), tuple(row["expected"]))
            )
    return cases


def _hit(units: list[str], expected: tuple[str, ...], digits: int, top: int) -> bool:
    return any(u[:digits] == e[:digits] for u in units[:top] for e in expected)


@dataclass
class Tally:
    n: int = 0
    hits: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))

    def add(self, units: list[str], expected: tuple[str, ...]) -> None:
        self.n += 1
        for digits in LEVELS:
            for top in TOPS:
                if _hit(units, expected, digits, top):
                    self.hits[(digits, top)] += 1

    def rate(self, digits: int, top: int) -> float:
        return self.hits[(digits, top)] / self.n if self.n else 0.0


@dataclass
class Report:
    overall: Tally = field(default_factory=Tally)
    by_lang: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_type: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    confident_total: int = 0
    confident_right: int = 0
    misses: list[tuple[Case, list[str]]] = field(default_factory=list)

    @property
    def confident_share(self) -> float:
        return self.confident_total / self.overall.n if self.overall.n else 0.0

    @property
    def confident_precision(self) -> float:
        return self.confident_right / self.confident_total if self.confident_total else 0.0


def evaluate(resolver: Resolver, cases: list[Case]) -> Report:
    report = Report()
    for case in cases:
        result: Resolution = resolver.resolve(title=case.title, duties=case.duties, lang=case.lang)
        units = [c.unit for c in result.candidates]
        report.overall.add(units, case.expected)
        report.by_lang[case.lang].add(units, case.expected)
        report.by_type[case.type].add(units, case.expected)
        right = _hit(units, case.expected, 4, 1)
        if result.confident:
            report.confident_total += 1
            report.confident_right += right
        if not right:
            report.misses.append((case, units[:3]))
    return report


def format_report(report: Report) -> str:
    def row(name: str, tally: Tally) -> str:
        cells = " ".join(f"{100 * tally.rate(d, t):5.1f}" for d in LEVELS for t in TOPS)
        return f"{name:<14}{tally.n:>5} {cells}"

    header = f"{'':<14}{'n':>5} " + " ".join(f"{d}d@{t}".rjust(5) for d in LEVELS for t in TOPS)
    lines = ["Accuracy, % (Nd@K: right at N digits within the first K candidates)", header, row("all", report.overall)]
    lines += [row(f"lang {k}", v) for k, v in sorted(report.by_lang.items())]
    lines += [row(f"type {k}", v) for k, v in sorted(report.by_type.items())]
    lines.append(
        f"confident: {report.confident_total}/{report.overall.n} cases ({100 * report.confident_share:.1f}%), "
        f"top-1 right when confident {100 * report.confident_precision:.1f}%"
    )
    return "\n".join(lines)
