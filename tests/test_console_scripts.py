"""The same conversation scripts as the Telegram tests, through the terminal transport."""

from __future__ import annotations

import io
import queue
import re
import threading

import pytest

from bot.console import run_chat
from knowledge.tree import NkzTree

from .conversation_scripts import SCRIPTS


class TerminalPerson:
    """Types into `kasip chat` (run in a thread) and reads what it printed after each line."""

    def __init__(self, tree: NkzTree):
        self.lines: queue.Queue[str] = queue.Queue()
        self.ready = threading.Event()
        self.output = io.StringIO()
        self.mark = 0
        person = self

        class Keyboard(io.StringIO):
            def isatty(self) -> bool:
                return False

            def readline(self, *args: object) -> str:  # type: ignore[override]
                person.ready.set()
                return person.lines.get(timeout=60)

        self.thread = threading.Thread(target=run_chat, args=(tree, Keyboard(), self.output), daemon=True)
        self.thread.start()
        self._wait()

    def _wait(self) -> None:
        assert self.ready.wait(60), "the chat did not ask for input"
        self.ready.clear()

    def type(self, line: str) -> str:
        self.lines.put(line + "\n")
        self._wait()
        text = self.output.getvalue()
        shown, self.mark = text[self.mark :], len(text)
        self.shown = shown
        return shown

    def run(self, script: list[tuple[str, object]]) -> None:
        self.shown = ""
        for action, argument in script:
            if action == "say":
                self.type(str(argument))
            elif action == "press":
                self.type(str(argument))
            elif action == "press_label":
                number = next(m.group(1) for m in re.finditer(r"^  (\d+)\) (.*)$", self.shown, re.MULTILINE) if m.group(2).startswith(str(argument)))
                self.type(number)
            elif action == "expect":
                assert re.search(str(argument), self.shown), f"{argument!r} not in:\n{self.shown}"

    def close(self) -> None:
        self.lines.put("")  # EOF
        self.thread.join(timeout=30)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_conversation_scripts_in_the_terminal(tree: NkzTree, name: str) -> None:
    person = TerminalPerson(tree)
    try:
        person.run(SCRIPTS[name])
    finally:
        person.close()
    assert not person.thread.is_alive()
