"""The transport-free dialog, driven directly: every path answers, none raises."""

from __future__ import annotations

import pytest

from bot.dialog import MAX_CALLBACK_BYTES, Dialog, DialogState, Event, Reply, Step
from bot.i18n import Texts
from knowledge.resolver import get_resolver
from knowledge.tree import NkzTree


@pytest.fixture(scope="module")
def dialog(tree: NkzTree) -> Dialog:
    return Dialog(tree, get_resolver())


def started(dialog: Dialog, lang: str = "ru") -> DialogState:
    state, _ = dialog.start()
    state, _ = dialog.handle(state, Event.button(f"lang:{lang}"))
    return state


def all_buttons(replies: list[Reply]) -> list[str]:
    return [b.data for r in replies for b in r.buttons]


def test_language_first_then_title(dialog: Dialog) -> None:
    state, replies = dialog.start()
    assert state.step is Step.LANGUAGE
    assert [b.data for b in replies[0].buttons] == ["lang:kk", "lang:ru", "lang:en"]
    state, replies = dialog.handle(state, Event.text("қазақша"))
    assert state.step is Step.TITLE and state.lang == "kk"
    assert Texts("kk")("ask.title") in replies[-1].text and "skip" in [b.data for b in replies[-1].buttons]


def test_telegram_language_hint_skips_the_question(dialog: Dialog) -> None:
    state, _ = dialog.start("kk-KZ")
    assert state.lang == "kk" and state.step is Step.TITLE
    state, _ = dialog.start("de")
    assert state.step is Step.LANGUAGE


def test_unknown_language_answer_asks_again(dialog: Dialog) -> None:
    state, _ = dialog.start()
    state, replies = dialog.handle(state, Event.text("klingon"))
    assert state.step is Step.LANGUAGE and replies[0].buttons


def test_a_clear_title_goes_straight_to_the_card(dialog: Dialog) -> None:
    state = started(dialog)
    state, replies = dialog.handle(state, Event.text("электросварщик"))
    assert state.step is Step.RESULT and state.code.startswith("7212")
    assert "Уровень квалификации" in replies[0].text and "Почему этот код" in replies[0].text
    assert "retry" in all_buttons(replies) and "new" in all_buttons(replies)


def test_an_unclear_title_asks_for_duties_then_clarifies(dialog: Dialog) -> None:
    state = started(dialog)
    state, replies = dialog.handle(state, Event.text("специалист"))
    assert state.step is Step.DUTIES and replies[0].text == Texts("ru")("ask.duties")
    state, replies = dialog.handle(state, Event.text("работаю в офисе"))
    assert state.step in (Step.CLARIFY, Step.RESULT)
    if state.step is Step.CLARIFY:
        assert replies[-1].buttons[-1].data == "retry"
        first = replies[-1].buttons[0].data
        state, replies = dialog.handle(state, Event.button(first))
        assert state.step in (Step.CLARIFY, Step.RESULT)


def test_answers_feed_back_into_the_resolver(dialog: Dialog) -> None:
    state = started(dialog)
    state, _ = dialog.handle(state, Event.button("skip"))
    state, replies = dialog.handle(state, Event.text("работаю на ферме с коровами"))
    for _ in range(4):
        if state.step is Step.RESULT:
            break
        answer = next((d for d in all_buttons(replies) if d.startswith("ans:")), None)
        data = answer or next(d for d in all_buttons(replies) if d.startswith("pick:"))
        state, replies = dialog.handle(state, Event.button(data))
        if answer:
            assert answer.split(":")[1] in state.answers
    assert state.step is Step.RESULT and state.code


def test_number_typed_at_clarify_picks_and_code_typed_shows_group(dialog: Dialog) -> None:
    state = started(dialog)
    state, _ = dialog.handle(state, Event.button("skip"))
    state, replies = dialog.handle(state, Event.text("помогаю людям"))
    if state.step is Step.CLARIFY:
        expected = state.offered[0]
        picked, _ = dialog.handle(state, Event.text("1"))
        assert picked.step in (Step.RESULT, Step.CLARIFY, Step.DUTIES) and expected
    direct, replies = dialog.handle(state, Event.text("7212"))
    assert direct.code == "7212" and "7212" in replies[0].text


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀😀😀", "?!.,;", "12345678901234", "<b>html</b>", "'; DROP TABLE users; --", 'title:"x" OR NEAR(a b)', "\x00\x07\x1b[31m", "а" * 100_000],
)
def test_bad_input_gets_a_polite_answer(dialog: Dialog, text: str) -> None:
    state = started(dialog)
    new_state, replies = dialog.handle(state, Event.text(text))
    assert replies and all(r.text.strip() for r in replies)
    assert new_state.lang == "ru"
    assert "Traceback" not in " ".join(r.text for r in replies)


@pytest.mark.parametrize("data", ["pick:9999", "pick:7212-1", "lang:xx", "garbage", "", "ans:manages_people:yes", "pick:" + "9" * 500])
def test_forged_or_stale_buttons_never_crash(dialog: Dialog, data: str) -> None:
    state = started(dialog)
    state, _ = dialog.handle(state, Event.text("повар"))
    new_state, replies = dialog.handle(state, Event.button(data))
    assert replies and replies[0].text
    assert new_state.code == state.code  # nothing was shown that was not offered
    assert replies[0].text == Texts("ru")("stale.button")


def test_every_button_fits_telegram(dialog: Dialog) -> None:
    state = started(dialog, "kk")
    for text in ("бухгалтер", "мұғалім", "қой бағамын", "электрик"):
        state, replies = dialog.handle(state, Event.text(text))
        assert all(len(d.encode()) <= MAX_CALLBACK_BYTES for d in all_buttons(replies))


def test_non_text_messages_are_explained(dialog: Dialog) -> None:
    state = started(dialog, "en")
    new_state, replies = dialog.handle(state, Event.other())
    assert new_state == state and replies[0].text == Texts("en")("input.not_text")
    assert len(replies) == 2  # and the current question again


def test_commands(dialog: Dialog) -> None:
    state = started(dialog, "kk")
    _, replies = dialog.handle(state, Event.command("help"))
    assert "/code" in replies[0].text
    shown, replies = dialog.handle(state, Event.command("code", "21471"))
    assert shown.code == "2147-1"
    _, replies = dialog.handle(state, Event.command("code", "2148"))
    assert "2147" in replies[0].text or "2149" in replies[0].text
    again, _ = dialog.handle(state, Event.command("lang"))
    assert again.step is Step.LANGUAGE
    fresh, _ = dialog.handle(state, Event.command("new"))
    assert fresh.step is Step.TITLE and fresh.lang == "kk"


def test_state_survives_json_and_bad_json_starts_fresh(dialog: Dialog) -> None:
    state = started(dialog)
    state, _ = dialog.handle(state, Event.text("кассир"))
    assert DialogState.from_json(state.to_json()) == state
    for broken in ["", "{", "[]", '{"step": "nowhere"}', '{"lang": 5, "offered": "x", "answers": []}', "null"]:
        restored = DialogState.from_json(broken)
        assert isinstance(restored.step, Step)


def test_related_occupations_from_the_card(dialog: Dialog) -> None:
    state = started(dialog)
    state, replies = dialog.handle(state, Event.text("электросварщик"))
    related = next(d for d in all_buttons(replies) if d.startswith("related:"))
    state, replies = dialog.handle(state, Event.button(related))
    offered = [d for d in all_buttons(replies) if d.startswith("pick:")]
    assert any(d.startswith("pick:7212-") for d in offered)  # the sibling occupation group
    assert any(d.split(":")[1][:4] in ("7214", "7126", "8219") for d in offered)  # groups people confuse
    state, replies = dialog.handle(state, Event.button(offered[0]))
    assert state.step is Step.RESULT and state.code == offered[0].split(":")[1]
