"""The real `kasip` command, run as a separate process, as a person would run it."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO, run_kasip


def test_code_shows_names_path_and_skill_level() -> None:
    result = run_kasip("code", "5111-2-002")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Су көлігіндегі жолсерік".lower() in out.lower()
    assert "Проводник на водном транспорте".lower() in out.lower()
    for code in ("5 ", "51 ", "511 ", "5111 ", "5111-2 "):
        assert re.search(rf"^\s*{re.escape(code)}", out, re.MULTILINE), code
    assert re.search(r"^Уровень квалификации: 2 ", out, re.MULTILINE)


def test_code_lists_occupation_groups_of_a_unit() -> None:
    out = run_kasip("code", "2147").stdout
    listed = re.findall(r"^• (2147-\d) ", out, re.MULTILINE)
    assert listed == ["2147-1", "2147-2", "2147-3", "2147-4", "2147-9"]


def test_code_in_kazakh_and_english_and_loose_forms() -> None:
    assert "Дағды деңгейі" in run_kasip("code", "21471", "--lang", "kk").stdout
    assert "Skill level" in run_kasip("code", "x3000", "--lang", "en").stdout


def test_missing_code_names_the_nearest_existing_ones() -> None:
    result = run_kasip("code", "2148")
    assert result.returncode == 1
    assert "2148" in result.stderr and "2147" in result.stderr
    bad = run_kasip("code", "сварщик")
    assert bad.returncode == 1 and "7212" in bad.stderr  # explains what codes look like
    assert "Traceback" not in bad.stderr


def test_piped_chat_offers_welders_in_the_first_three() -> None:
    """A clear title shows the card at once; otherwise 7212 must be among the first three choices."""
    result = run_kasip("chat", stdin="ru\nэлектросварщик\n")
    assert result.returncode == 0, result.stderr
    shown = re.findall(r"^(7212(?:-\d)?) ", result.stdout, re.MULTILINE)
    offered = re.findall(r"^  \d\) (\d{4}(?:-\d)?) ", result.stdout, re.MULTILINE)
    assert shown or any(code.startswith("7212") for code in offered[:3]), result.stdout


def test_piped_chat_reaches_the_card_and_ends_on_eof() -> None:
    result = run_kasip("chat", stdin="ru\nсварщик\n1\n")
    assert result.returncode == 0
    assert "Место в НКЗ 2017" in result.stdout
    assert result.stdout.rstrip().endswith("До свидания! Удачи в работе.")
    assert result.stderr == ""


def test_chat_in_kazakh_with_junk_and_quit() -> None:
    script = "\n".join(["kk", "", "😀", "/code 9999", "аспаз", "/quit", "never read"]) + "\n"
    result = run_kasip("chat", stdin=script)
    assert result.returncode == 0
    assert "never read" not in result.stdout.split("/quit")[-1]
    assert "Сау болыңыз" in result.stdout


def test_db_migrate_creates_a_wal_database(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite"
    first = run_kasip("db", "migrate", env={"KASIP_DB": str(path)})
    assert first.returncode == 0 and "schema version" in first.stdout
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert meta["nkz_data_version"].startswith("nkz2017-")
    assert run_kasip("db", "migrate", "--quiet", env={"KASIP_DB": str(path)}).stdout == ""


def test_no_subcommand_prints_help() -> None:
    result = run_kasip()
    assert result.returncode == 2 and "chat" in result.stdout and "code" in result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_reaches_the_language_question(tmp_path: Path) -> None:
    """`make run` without a token starts the terminal chat (stdin closed: it asks, then says goodbye)."""
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["KASIP_DB"] = str(tmp_path / "run.sqlite")
    venv = Path(os.environ.get("VIRTUAL_ENV") or REPO / ".venv")
    result = subprocess.run(
        ["make", "--no-print-directory", "run", f"VENV={venv}"],
        cwd=REPO, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Choose a language" in result.stdout
    assert (tmp_path / "run.sqlite").exists()
