"""The terminal transport: ``kasip chat``.

Runs the same :class:`bot.dialog.Dialog` as Telegram, with buttons shown as
numbered choices.  Works interactively and with piped input
(``printf 'ru\\nсварщик\\n1\\n' | kasip chat``), and ends cleanly on EOF,
Ctrl-C, ``/quit`` or ``/exit``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

from bot.dialog import Button, Dialog, Event, Reply
from bot.i18n import Texts
from knowledge.tree import NkzTree

QUIT_COMMANDS = {"quit", "exit", "q"}


def to_event(line: str, buttons: tuple[Button, ...]) -> Event:
    """Turn one typed line into an event: a number picks a shown button, "/x y" is a command."""
    text = line.strip()
    if text.isdigit() and buttons and 1 <= int(text) <= len(buttons):
        return Event.button(buttons[int(text) - 1].data)
    if text.startswith("/") and len(text) > 1:
        name, _, argument = text[1:].partition(" ")
        return Event.command(name, argument.strip())
    return Event.text(line)


def render(reply: Reply, picture_dir: Path | None = None) -> str:
    lines = [reply.text]
    if reply.photo is not None:
        folder = picture_dir or Path("var") / "charts"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"chart-{int(time.time() * 1000)}.png"
        path.write_bytes(reply.photo)
        lines.append(f"[{path}]")
    lines += [f"  {number}) {button.label}" for number, button in enumerate(reply.buttons, start=1)]
    return "\n".join(lines)


def run_chat(tree: NkzTree, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, lang: str | None = None, vacancies=None) -> int:
    """Talk with one person on the terminal until they leave; returns the exit status.

    With a vacancy finder, the card offers vacancies; charts are saved as PNG files under var/charts/.
    """
    from knowledge.resolver import get_resolver

    dialog = Dialog(tree, get_resolver(), vacancies)
    interactive = stdin.isatty()
    state, replies = dialog.start(lang)

    def show(replies: list[Reply]) -> tuple[Button, ...]:
        for reply in replies:
            print(render(reply), file=stdout)
            print(file=stdout)
        stdout.flush()
        return next((r.buttons for r in reversed(replies) if r.buttons), ())

    buttons = show(replies)
    while True:
        try:
            if interactive:
                line = input("> ")
            else:
                line = stdin.readline()
                if line == "":
                    break
                line = line.rstrip("\n")
                print(f"> {line}", file=stdout)
        except (EOFError, KeyboardInterrupt):
            print(file=stdout)
            break
        event = to_event(line, buttons)
        if event.kind == "command" and event.value in QUIT_COMMANDS:
            break
        previous_step = state.step
        state, replies = dialog.handle(state, event)
        shown = show(replies)
        # A reply without buttons (say, "pick a number") keeps the choices on screen valid.
        buttons = shown or (buttons if state.step is previous_step else ())
    print(Texts(state.lang or "ru")("goodbye"), file=stdout)
    return 0
