"""The real `kasip bot` process, end to end, against a local fake Telegram Bot API server."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from bot.fake_telegram import FakeTelegram

from .conversation_scripts import SCRIPTS
from .telegram_harness import BotProcess, TelegramPerson


@pytest.fixture
def fake():
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def bot(fake: FakeTelegram, tmp_path: Path):
    process = BotProcess(fake, tmp_path / "kasip.sqlite").start()
    yield process
    assert process.stop() == 0, process.output()


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_conversation_scripts(fake: FakeTelegram, bot: BotProcess, name: str) -> None:
    TelegramPerson(fake, 1000 + sorted(SCRIPTS).index(name)).run(SCRIPTS[name])


def test_commands_are_registered_per_language(fake: FakeTelegram, bot: BotProcess) -> None:
    deadline = time.monotonic() + 10
    while len(fake.commands()) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    commands = fake.commands()
    assert set(commands) == {"", "ru", "kk"}
    assert {c["command"] for c in commands["kk"]} >= {"start", "help", "code", "summary", "forget", "about"}
    assert any("мен туралы" in c["description"] for c in commands["kk"])


def test_forged_stale_and_oversized_buttons(fake: FakeTelegram, bot: BotProcess) -> None:
    person = TelegramPerson(fake, 2001)
    person.run([("say", "/start"), ("press_label", "Русский"), ("say", "повар")])
    for data in ("pick:9999", "lang:xx", "forget:maybe", "ans:manages_people:yes", "x" * 64):
        person.press_data(data)
        assert "устарела" in person.text_since() or "ничего не удалено" in person.text_since(), data
    assert "Traceback" not in bot.output()


def test_non_text_messages_get_an_explanation(fake: FakeTelegram, bot: BotProcess) -> None:
    person = TelegramPerson(fake, 2002)
    person.run([("say", "/start"), ("press_label", "Русский")])
    for push in (fake.push_sticker, fake.push_photo, fake.push_voice, fake.push_location, fake.push_document):
        push(person.user_id)
        person._await_answer()
        assert "только текст" in person.text_since()


def test_two_people_interleaving(fake: FakeTelegram, bot: BotProcess) -> None:
    """Each person keeps their own language and place in the conversation."""
    anna, bolat = TelegramPerson(fake, 3001), TelegramPerson(fake, 3002, "kk")
    anna.say("/start"), bolat.say("/start")
    anna.press_label("Русский"), bolat.press_label("Қазақша")
    anna.say("специалист")
    bolat.say("маман")
    assert "Расскажите, что вы делаете" in anna.text_since()
    assert "Жұмыста уақытыңыздың көбін" in bolat.text_since()
    bolat.say("такси жүргіземін, жолаушыларды тасимын")
    anna.say("веду бухучёт в ТОО и сдаю налоговую отчётность")
    assert "Дағды деңгейі" in bolat.text_since() or "Ешқайсысы сәйкес емес" in bolat.text_since()
    assert "Уровень квалификации" in anna.text_since() or "Ничего не подходит" in anna.text_since()
    assert "83" in bolat.text_since() and "24" in anna.text_since()


def test_flood_guard_forgets_people_who_went_quiet() -> None:
    from bot.telegram import FloodGuard

    guard = FloodGuard(window=0.05, limit=2, keep=100)
    for user_id in range(150):
        assert guard.check(user_id) == "ok"
    assert [guard.check(7) for _ in range(3)] == ["ok", "warn", "drop"]  # 7 has now sent four in the window
    time.sleep(0.06)
    assert guard.check(1000) == "ok"  # a newcomer past the limit sweeps out everyone quiet for a window
    assert len(guard._seen) == 1
    assert guard.check(7) == "ok"  # 7's old burst no longer counts


def test_a_burst_from_many_people_is_answered_in_each_persons_order(fake: FakeTelegram, bot: BotProcess) -> None:
    """Updates are handled several at a time; one person's replies still come in the order they wrote."""
    codes = ("7212", "2512", "8322", "5120", "2411")
    people = range(4100, 4130)
    for round_number, code in enumerate(codes):
        for user_id in people:
            fake.push_text(user_id, f"/code {codes[(round_number + user_id) % len(codes)]}")
    for user_id in people:
        replies = fake.wait_for(user_id, len(codes) + 1, timeout=60)  # the greeting of a first contact, then the cards
        expected = [codes[(n + user_id) % len(codes)] for n in range(len(codes))]
        assert [r.text.split()[0] for r in replies if r.text and r.text.split()[0] in codes] == expected


def test_a_restart_mid_conversation_loses_nothing(fake: FakeTelegram, tmp_path: Path) -> None:
    db = tmp_path / "restart.sqlite"
    first = BotProcess(fake, db).start()
    person = TelegramPerson(fake, 4001)
    person.run([("say", "/start"), ("press_label", "Русский"), ("say", "специалист")])
    assert "Расскажите, что вы делаете" in person.text_since()
    assert first.stop() == 0
    second = BotProcess(fake, db).start()
    try:
        person.say("помогаю людям оформлять документы в офисе")
        text = person.text_since()
        assert "Тілді таңдаңыз" not in text  # not sent back to the start
        assert "Ничего не подходит" in text or "Почему этот код" in text
    finally:
        assert second.stop() == 0


def test_summary_and_forget(fake: FakeTelegram, bot: BotProcess, tmp_path: Path) -> None:
    person = TelegramPerson(fake, 5001)
    person.run([("say", "/start"), ("press_label", "Русский"), ("say", "электросварщик"), ("say", "/summary")])
    summary = person.text_since()
    assert "Итог сессии" in summary and "7212" in summary and "электросварщик" in summary
    person.say("/forget")
    assert "нельзя отменить" in person.text_since()
    person.press_label("Да")
    assert "удалено" in person.text_since()
    with sqlite3.connect(bot.db_path) as conn:
        for table in ("users", "conversations", "session_events"):
            assert conn.execute(f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", [5001]).fetchone()[0] == 0


def test_flood_protection(fake: FakeTelegram, bot: BotProcess) -> None:
    person = TelegramPerson(fake, 6001)
    person.run([("say", "/start"), ("press_label", "Русский")])
    before = len(fake.sent(person.user_id))
    for i in range(30):
        fake.push_text(person.user_id, f"повар {i}")
    time.sleep(3)
    answers = fake.sent(person.user_id)[before:]
    assert any("очень быстро" in (m.text or "") for m in answers)
    assert len(answers) < 30


def test_failing_optional_calls_are_not_fatal(tmp_path: Path) -> None:
    with FakeTelegram(fail_methods={"setMyCommands"}) as fake:
        process = BotProcess(fake, tmp_path / "k.sqlite").start()
        try:
            TelegramPerson(fake, 7001).run([("say", "/start"), ("press_label", "English"), ("say", "/about"), ("expect", "MIT")])
            assert "could not register" in process.output()
        finally:
            assert process.stop() == 0


def test_the_token_never_reaches_the_log(fake: FakeTelegram, bot: BotProcess) -> None:
    TelegramPerson(fake, 8001).run([("say", "/start"), ("press_label", "Русский"), ("say", "сварщик")])
    output = bot.output()
    assert fake.token not in output and "сварщик" not in output


def test_messages_to_one_chat_are_paced(tmp_path: Path) -> None:
    """With the rate limiter on, replies to one chat are at least about a second apart."""
    with FakeTelegram() as fake:
        process = BotProcess(fake, tmp_path / "paced.sqlite", extra_args=()).start()
        try:
            user = 9001
            fake.push_text(user, "/start")
            fake.push_text(user, "/help")
            fake.push_text(user, "/about")
            sent = fake.wait_for(user, 3, timeout=30)
            gaps = [b.at - a.at for a, b in zip(sent, sent[1:])]
            assert all(gap >= 0.8 for gap in gaps), gaps
        finally:
            assert process.stop() == 0


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_webhook_mode_with_secret_and_health(fake: FakeTelegram, tmp_path: Path) -> None:
    import json
    import urllib.error
    import urllib.request

    import os
    import subprocess
    import sys

    port = _free_port()
    flags = ("--no-rate-limit", "--webhook-url", f"http://127.0.0.1:{port}/kasip/hook", "--listen", "127.0.0.1",
             "--port", str(port), "--secret-token", "s3cret-token")
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
           "KASIP_DB": str(tmp_path / "hook.sqlite")}
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "bot", *flags], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    assert answer.read() == b"ok"
                    break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert "setWebhook" in fake.calls
        update = {"update_id": 1, "message": {"message_id": 1, "date": int(time.time()), "text": "/about",
                  "chat": {"id": 9100, "type": "private"}, "from": {"id": 9100, "is_bot": False, "first_name": "A", "language_code": "en"},
                  "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
        body = json.dumps(update).encode()

        def post(secret: str) -> int:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/kasip/hook", data=body, method="POST",
                                             headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    return answer.status
            except urllib.error.HTTPError as error:
                return error.code

        assert post("wrong") == 403
        assert post("s3cret-token") == 200
        assert "MIT" in fake.wait_for(9100, 1)[0].text
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_vacancies_chart_and_alerts_on_telegram(fake: FakeTelegram, tmp_path: Path) -> None:
    """A programmer in Astana sees real vacancies with links, gets the chart, subscribes, and is alerted."""
    import json
    import subprocess
    import sys

    db = tmp_path / "vac.sqlite"
    env = {**__import__("os").environ, "KASIP_DB": str(db)}
    run = lambda *args: subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True, check=True)  # noqa: E731
    run("db", "migrate")
    run("vacancies", "import", "--demo", "--quiet")
    process = BotProcess(fake, db, env={"KASIP_ALERT_INTERVAL": "0.5"}).start()
    try:
        person = TelegramPerson(fake, 9301)
        person.run([("say", "/start"), ("press_label", "Русский"), ("say", "/code 2512"), ("press_label", "Вакансии")])
        assert "В каком городе" in person.text_since()
        person.say("Астана")
        assert "https://hh.ru/vacancy/" in person.text_since() and "Астана" in person.text_since()
        person.press_label("График")
        photos = fake.sent(person.user_id, method="sendPhoto")
        assert photos and "2512" in (photos[-1].text or "")
        person.press_label("Сообщать о новых")
        assert "пришлю новые вакансии" in person.text_since()
        new = {"source": "test", "source_id": "alert-1", "title": "Backend-разработчик (Python)", "employer": "Kasip Test",
               "city": "Астана", "salary_from": 900000, "currency": "KZT", "published": "2026-11-25",
               "url": "https://example.kz/vacancy/1", "nkz_code": "2512-1", "code_origin": "source"}
        path = tmp_path / "new.jsonl"
        path.write_text(json.dumps(new, ensure_ascii=False) + "\n", encoding="utf-8")
        seen = len(fake.sent(person.user_id, method=None))  # before the import: the alert may come at once
        run("vacancies", "import", str(path), "--format", "jsonl")
        alert = fake.wait_for(person.user_id, seen + 1, timeout=30, method=None)[-1]
        assert "Backend-разработчик" in alert.text and alert.buttons[0][1].startswith("vunsub:")
        person.seen = len(fake.sent(person.user_id, method=None))
        person.press_data(alert.buttons[0][1])
        assert "Подписка отменена" in person.text_since()
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT COUNT(*) FROM vacancy_subscriptions").fetchone()[0] == 0
    finally:
        assert process.stop() == 0
