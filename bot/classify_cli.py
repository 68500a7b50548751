"""``kasip classify``: the resolver on the command line, for people and for batch coding.

    kasip classify "электросварщик, варю трубы"      # readable answer with the reason
    kasip classify --title "бухгалтер" --duties "..." --json
    kasip classify --jsonl cases.jsonl > coded.jsonl # one JSON answer per input line
    cat cases.jsonl | kasip classify --jsonl -

Batch input lines are ``{"id", "title", "duties", "lang"?}``; a line that is
not valid JSON gets an answer with an ``error`` field and the run goes on.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import TextIO

from bot.i18n import Texts
from knowledge.display import display_name
from knowledge.resolver import Resolution, Resolver, get_resolver

MIN_CANDIDATES = 5


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("classify", help="find NKZ groups for a job description")
    parser.add_argument("text", nargs="?", default="", help="what the person does, in their own words")
    parser.add_argument("--title", default="", help="job title (optional)")
    parser.add_argument("--duties", default="", help="main duties (optional)")
    parser.add_argument("--lang", choices=("kk", "ru", "en"), default="ru", help="language of the explanation")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    parser.add_argument("--jsonl", metavar="FILE", help="classify every line of a JSONL file ('-' for stdin)")
    parser.set_defaults(run=run)


def as_json(resolution: Resolution, case_id: object = None) -> dict:
    """The documented machine-readable answer."""
    answer = {
        "candidates": [
            {
                "code": c.code,
                "unit": c.unit,
                "name_ru": c.name_ru,
                "name_kz": c.name_kz,
                "skill_level": c.skill_level,
                "score": c.score,
                "matched": list(c.matched),
            }
            for c in resolution.candidates
        ],
        "confident": resolution.confident,
        "question": None
        if resolution.question is None
        else {"kind": resolution.question.kind, "options": list(resolution.question.options)},
        "rule": resolution.rule,
        "notes": list(resolution.notes),
        "version": resolution.version,
    }
    if case_id is not None:
        answer = {"id": case_id, **answer}
    return answer


def classify_lines(resolver: Resolver, lines: Iterable[str], out: TextIO) -> int:
    """Answer each input line with one output line; returns how many lines failed to parse."""
    failures = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
            if not isinstance(case, dict):
                raise ValueError("a line must be a JSON object")
        except ValueError as error:
            failures += 1
            out.write(json.dumps({"id": None, "line": number, "error": f"not a JSON object: {error}"}, ensure_ascii=False) + "\n")
            continue
        resolution = resolver.resolve(
            title=str(case.get("title") or ""),
            duties=str(case.get("duties") or ""),
            lang=case.get("lang") if case.get("lang") in ("kk", "ru", "en") else None,
            limit=MIN_CANDIDATES,
        )
        out.write(json.dumps(as_json(resolution, case.get("id")), ensure_ascii=False) + "\n")
    out.flush()
    return failures


def describe(resolution: Resolution, lang: str) -> str:
    """A readable answer: the ranked groups, how sure, and why."""
    texts = Texts(lang)
    lines = []
    for number, candidate in enumerate(resolution.candidates, start=1):
        name = candidate.name_kz if lang == "kk" else candidate.name_ru
        level = candidate.skill_level if candidate.skill_level is not None else "—"
        lines.append(f"{number}. {candidate.code} {display_name(name)}  ({100 * candidate.score:.0f}%, {texts('card.skill').lower()} {level})")
        if candidate.matched and number <= 3:
            lines.append(f"   ← {display_name(candidate.matched[0])}")
    lines.append("")
    lines.append(texts("classify.confident") if resolution.confident else texts("classify.unsure"))
    if resolution.rule:
        lines.append(f"{texts('classify.rule')}: {texts(f'rule.{resolution.rule}')}")
    for note in resolution.notes:
        kind, _, words = note.partition(":")
        lines.append(texts(f"rule.{kind}") + (f": {words}" if words else ""))
    if resolution.question is not None and resolution.question.kind != "shortlist":
        lines.append(f"{texts('classify.question')}: {texts(f'question.{resolution.question.kind}')}")
    lines.append(f"({resolution.version})")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    resolver = get_resolver()
    if args.jsonl:
        if args.jsonl == "-":
            failures = classify_lines(resolver, sys.stdin, sys.stdout)
        else:
            try:
                with open(args.jsonl, encoding="utf-8") as handle:
                    failures = classify_lines(resolver, handle, sys.stdout)
            except OSError as error:
                print(f"cannot read {args.jsonl}: {error.strerror}", file=sys.stderr)
                return 1
        if failures:
            print(f"{failures} line(s) were not JSON objects; see the 'error' answers", file=sys.stderr)
        return 0
    title = args.title
    duties = " ".join(part for part in (args.text, args.duties) if part)
    if not (title.strip() or duties.strip()):
        print("nothing to classify: give a text, --title or --duties", file=sys.stderr)
        return 1
    resolution = resolver.resolve(title=title, duties=duties, lang=None, limit=MIN_CANDIDATES)
    if args.json:
        print(json.dumps(as_json(resolution), ensure_ascii=False, indent=2))
    else:
        print(describe(resolution, args.lang))
    return 0
