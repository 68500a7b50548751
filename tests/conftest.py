"""Shared fixtures: the real classifier data, real files, the real command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.tree import NkzTree, load_tree

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def tree() -> NkzTree:
    return load_tree()


def run_kasip(*args: str, stdin: str = "", env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the real ``kasip`` command of this environment as a separate process."""
    kasip = Path(sys.executable).with_name("kasip")
    command = [str(kasip)] if kasip.exists() else [sys.executable, "-m", "bot.cli"]
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    full_env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run(
        [*command, *args], input=stdin, capture_output=True, text=True, timeout=timeout, env=full_env, cwd=REPO
    )
