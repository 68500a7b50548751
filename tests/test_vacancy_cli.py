"""`kasip vacancies` as a person runs it: output, JSON, exit codes, messages without tracebacks."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from db.build_demo import DATASETS, dataset_path
from db.vacancies_cli import main, register

from .conftest import REPO


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("cli") / "kasip.sqlite")
    assert main(["import", "--demo", "--db", path, "--quiet"]) == 0
    return path


def test_demo_import_is_idempotent(capsys, tmp_path: Path) -> None:
    db = str(tmp_path / "k.sqlite")
    code, out, _ = run(capsys, "import", "--demo", "--db", db)
    assert code == 0 and "3635 added" in out
    code, out, _ = run(capsys, "import", "--demo", "--db", db)
    assert code == 0 and "0 added, 0 updated, 3635 unchanged" in out
    code, out, _ = run(capsys, "import", "--demo", "--if-empty", "--db", db)
    assert code == 0 and "already has vacancies" in out


def test_search_by_code_human_and_json(capsys, demo_db: str) -> None:
    code, out, _ = run(capsys, "search", "--code", "2512", "--city", "Almaty", "--limit", "3", "--db", demo_db)
    assert code == 0 and "2512 РАЗРАБОТЧИКИ" in out and " in Алматы" in out and "  1. " in out and "https://" in out
    code, out, _ = run(capsys, "search", "--code", "2512-1", "--salary-min", "500000", "--json", "--db", demo_db)
    data = json.loads(out)
    assert code == 0 and data["code"] == "2512-1" and data["level"] in ("occupation", "unit", "minor", "sub_major")
    assert data["items"] and all(item["salary_from"] or item["salary_to"] for item in data["items"])


def test_search_by_text(capsys, demo_db: str) -> None:
    code, out, _ = run(capsys, "search", "--text", "программист 1С", "--db", demo_db)
    assert code == 0 and "vacancies with “программист 1С”" in out
    code, out, _ = run(capsys, "search", "--text", "'; DROP TABLE vacancies; --", "--json", "--db", demo_db)
    assert code == 0 and json.loads(out)["total"] >= 0


def test_stats_and_chart(capsys, demo_db: str, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "stats", "--code", "2512", "--db", demo_db)
    assert code == 0 and "vacancies; salary median" in out and "not converted" in out
    code, out, _ = run(capsys, "stats", "--code", "2512", "--city", "Алма-Ата", "--json", "--db", demo_db)
    assert code == 0 and json.loads(out)["city"] == "Алматы"
    code, out, _ = run(capsys, "stats", "--code", "2512", "--by-city", "--db", demo_db)
    assert code == 0 and "  Алматы: " in out
    png = tmp_path / "chart.png"
    code, out, _ = run(capsys, "chart", "--code", "2512", "--out", str(png), "--db", demo_db)
    assert code == 0 and png.read_bytes().startswith(b"\x89PNG")


def test_csv_import_with_a_mapping(capsys, tmp_path: Path) -> None:
    dataset = DATASETS[2]
    db = str(tmp_path / "k.sqlite")
    args = ["import", str(dataset_path(dataset)), "--format", "csv", "--map", dataset.mapping, "--no-code", "--db", db]
    code, out, _ = run(capsys, *args)
    assert code == 0 and "1127 added" in out and "1 repeated ids skipped" in out
    code, out, _ = run(capsys, *args, "--json")
    report = json.loads(out)
    assert (report["added"], report["unchanged"], report["rejected"]) == (0, 1127, 0)


def test_recode(capsys, tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"source": "t", "source_id": "1", "title": "Бухгалтер"}\n', encoding="utf-8")
    db = str(tmp_path / "k.sqlite")
    assert run(capsys, "import", str(rows), "--format", "jsonl", "--db", db)[0] == 0
    code, out, _ = run(capsys, "recode", "--json", "--db", db)
    assert code == 0 and json.loads(out)["checked"] == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["search", "--code", "2148"], "not an NKZ 2017 code"),
        (["search", "--code", "2"], "major group"),
        (["search"], "--code CODE or by --text"),
        (["stats", "--code", "сварщик"], "not an NKZ 2017 code"),
        (["import", "nope.json", "--format", "hh"], "no such file"),
        (["import", "nope.json"], "--format"),
        (["import"], "or --demo"),
        (["import", "x.csv", "--format", "csv", "--map", "titel=Name"], "unknown field 'titel'"),
    ],
)
def test_user_errors_exit_1_with_a_message(capsys, demo_db: str, args: list[str], message: str) -> None:
    code, out, err = run(capsys, *args, "--db", demo_db)
    assert code == 1 and message in err and "Traceback" not in err and out == ""


def test_malformed_file_exits_1(capsys, demo_db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[{broken", encoding="utf-8")
    code, _, err = run(capsys, "import", str(bad), "--format", "hh", "--db", demo_db)
    assert code == 1 and "not valid JSON" in err


def test_register_adds_the_subcommand(demo_db: str) -> None:
    parser = argparse.ArgumentParser(prog="kasip")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["vacancies", "search", "--code", "2512", "--db", demo_db, "--json"])
    assert args.command == "vacancies" and args.run(args) == 0


def test_as_a_separate_process_with_kasip_db(tmp_path: Path) -> None:
    env = {**os.environ, "KASIP_DB": str(tmp_path / "var" / "env.sqlite"), "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "db.vacancies_cli"]
    done = subprocess.run([*command, "import", "--demo", "--quiet"], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert done.returncode == 0 and done.stdout == "" and (tmp_path / "var" / "env.sqlite").exists()
    failed = subprocess.run([*command, "search", "--code", "9999"], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert failed.returncode == 1 and "9999" in failed.stderr and "Traceback" not in failed.stderr
