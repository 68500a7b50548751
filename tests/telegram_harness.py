"""Running the real `kasip bot` process against the fake Telegram server, and talking to it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.fake_telegram import FakeTelegram, Sent

REPO = Path(__file__).resolve().parents[1]


class BotProcess:
    """One `kasip bot` process; start() waits until it polls, stop() ends it gracefully."""

    def __init__(self, fake: FakeTelegram, db_path: Path, extra_args: tuple[str, ...] = ("--no-rate-limit",), env: dict | None = None):
        self.fake = fake
        self.db_path = db_path
        self.extra_args = extra_args
        self.env = env or {}
        self.process: subprocess.Popen | None = None
        self.log_path = db_path.with_suffix(f".{int(time.time() * 1000)}.log")

    def start(self, timeout: float = 90.0) -> BotProcess:
        kasip = Path(sys.executable).with_name("kasip")
        command = [str(kasip)] if kasip.exists() else [sys.executable, "-m", "bot.cli"]
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": self.fake.token,
            "TELEGRAM_API_BASE_URL": self.fake.base_url,
            "KASIP_DB": str(self.db_path),
            "KASIP_LOG_LEVEL": "INFO",
            **self.env,
        }
        polls_before = self.fake.calls.count("getUpdates")
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen([*command, "bot", *self.extra_args], env=env, cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while self.fake.calls.count("getUpdates") <= polls_before:
            if self.process.poll() is not None:
                raise RuntimeError(f"kasip bot exited with {self.process.returncode}: {self.output()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"kasip bot did not start polling: {self.output()}")
            time.sleep(0.05)
        return self

    def stop(self) -> int:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode if self.process else 0

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")


class TelegramPerson:
    """A person in a private chat with the bot; implements the script steps."""

    def __init__(self, fake: FakeTelegram, user_id: int, language_code: str | None = "ru"):
        self.fake = fake
        self.user_id = user_id
        self.language_code = language_code
        self.seen = 0
        self.since: list[Sent] = []

    def _await_answer(self, settle: float = 0.25, timeout: float = 30.0) -> list[Sent]:
        messages = self.fake.wait_for(self.user_id, self.seen + 1, timeout=timeout, method=None)
        time.sleep(settle)  # a turn may send more than one message
        messages = self.fake.sent(self.user_id, method=None)
        self.since = messages[self.seen :]
        self.seen = len(messages)
        return self.since

    def say(self, text: str) -> list[Sent]:
        self.fake.push_text(self.user_id, text, self.language_code)
        return self._await_answer()

    def last_buttons(self) -> list[tuple[str, str]]:
        for message in reversed(self.fake.sent(self.user_id, method=None)):
            if message.buttons:
                return message.buttons
        raise AssertionError("no message with buttons")

    def press_data(self, data: str) -> list[Sent]:
        self.fake.push_callback(self.user_id, data, language_code=self.language_code)
        return self._await_answer()

    def press(self, number: int) -> list[Sent]:
        return self.press_data(self.last_buttons()[number - 1][1])

    def press_label(self, prefix: str) -> list[Sent]:
        """Press the newest button whose label starts with *prefix* (any message of the last turn)."""
        for messages in (self.since, self.fake.sent(self.user_id, method=None)):
            for message in reversed(messages):
                for label, data in message.buttons:
                    if label.startswith(prefix):
                        return self.press_data(data)
        raise AssertionError(f"no button starting with {prefix!r} in {[m.buttons for m in self.since]}")

    def text_since(self) -> str:
        """Texts and button labels of the last turn, as the person sees them."""
        return "\n".join((m.text or "") + "".join(f"\n[{label}]" for label, _ in m.buttons) for m in self.since)

    def run(self, script: list[tuple[str, object]]) -> None:
        for action, argument in script:
            if action == "say":
                self.say(str(argument))
            elif action == "press":
                self.press(int(argument))  # type: ignore[arg-type]
            elif action == "press_label":
                self.press_label(str(argument))
            elif action == "expect":
                assert re.search(str(argument), self.text_since()), f"{argument!r} not in:\n{self.text_since()}"
            else:
                raise ValueError(action)
