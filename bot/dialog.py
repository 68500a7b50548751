"""The conversation, free of any transport: events in, replies out.

The same dialog runs in the terminal (``kasip chat``) and — with the
Telegram transport — on Telegram.  It is a small state machine:

    language ──▶ title ──▶ choose ──▶ result
                   ▲          │          │
                   └──────────┴──────────┘  (another title at any time)

:meth:`Dialog.handle` takes the stored :class:`DialogState` and one
:class:`Event` and returns the new state and the replies.  It never raises
on user input and never reads or writes anything itself, so transports can
persist the state wherever they like and tests can drive it directly.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from bot.cards import group_heading, render_card
from bot.i18n import LANGUAGES, Texts
from knowledge.title_match import match_title
from knowledge.tree import NkzTree

MAX_INPUT_CHARS = 1000
"""Longer messages are cut before matching: a title never needs more."""

CANDIDATES_SHOWN = 5


class Step(StrEnum):
    LANGUAGE = "language"
    TITLE = "title"
    CHOOSE = "choose"
    RESULT = "result"


@dataclass(frozen=True)
class Button:
    """A choice offered to the person; ``data`` comes back in an Event."""

    label: str
    data: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Event:
    """What the person did: typed ``text``, pressed a button (``data``), or sent something else."""

    kind: str  # "text" | "button" | "command" | "other"
    value: str = ""
    argument: str = ""

    @classmethod
    def text(cls, value: str) -> Event:
        return cls("text", value)

    @classmethod
    def button(cls, data: str) -> Event:
        return cls("button", data)

    @classmethod
    def command(cls, name: str, argument: str = "") -> Event:
        return cls("command", name.lower().lstrip("/"), argument)

    @classmethod
    def other(cls) -> Event:
        return cls("other")


@dataclass
class DialogState:
    """Everything the dialog remembers between two messages; JSON-serialisable."""

    step: Step = Step.LANGUAGE
    lang: str | None = None
    candidates: list[str] = field(default_factory=list)
    code: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | None) -> DialogState:
        """Restore a state; anything unreadable starts a fresh conversation."""
        try:
            data = json.loads(raw or "{}")
            return cls(
                step=Step(data.get("step", Step.LANGUAGE)),
                lang=data.get("lang") if data.get("lang") in LANGUAGES else None,
                candidates=[str(c) for c in data.get("candidates", [])][:CANDIDATES_SHOWN],
                code=data.get("code"),
            )
        except (ValueError, TypeError, AttributeError):
            return cls()


_LANGUAGE_ANSWERS = {
    "kk": "kk", "kz": "kk", "қаз": "kk", "қазақша": "kk", "казахский": "kk", "kazakh": "kk", "qazaqsha": "kk",
    "ru": "ru", "рус": "ru", "русский": "ru", "орысша": "ru", "russian": "ru",
    "en": "en", "eng": "en", "english": "en", "английский": "en", "ағылшынша": "en",
}
_LANGUAGE_BUTTONS = (("kk", "Қазақша"), ("ru", "Русский"), ("en", "English"))


class Dialog:
    """The conversation logic over one classifier tree."""

    def __init__(self, tree: NkzTree):
        self.tree = tree

    # -- entry points -------------------------------------------------------

    def start(self, language_hint: str | None = None) -> tuple[DialogState, list[Reply]]:
        """A fresh conversation.  With a known language (Telegram gives one) skip the question."""
        hint = (language_hint or "").strip().lower().replace("_", "-").split("-")[0]
        if hint in LANGUAGES:
            texts = Texts(hint)
            return DialogState(step=Step.TITLE, lang=hint), [Reply(texts("greeting")), Reply(texts("ask.title"))]
        return DialogState(), [self._language_question()]

    def handle(self, state: DialogState, event: Event) -> tuple[DialogState, list[Reply]]:
        """Advance the conversation by one event."""
        if event.kind == "command":
            return self._command(state, event)
        if state.step is Step.LANGUAGE or state.lang is None:
            return self._choose_language(state, event)
        texts = Texts(state.lang)
        if event.kind == "other":
            return state, [Reply(texts("input.not_text"))]
        if event.kind == "button":
            return self._button(state, event.value)
        text = _clean(event.value)
        if state.step is Step.CHOOSE and text.isdigit() and len(text) <= 2:
            return self._pick(state, int(text))
        if not text:
            return state, [Reply(texts("input.empty"))]
        return self._search(state, text)

    # -- steps --------------------------------------------------------------

    def _language_question(self) -> Reply:
        texts = Texts("ru")
        return Reply(texts("language.prompt"), tuple(Button(label, f"lang:{code}") for code, label in _LANGUAGE_BUTTONS))

    def _choose_language(self, state: DialogState, event: Event) -> tuple[DialogState, list[Reply]]:
        answer = _clean(event.value).lower()
        if event.kind == "button" and event.value.startswith("lang:"):
            answer = event.value.split(":", 1)[1]
        lang = _LANGUAGE_ANSWERS.get(answer)
        if lang is None and answer.isdigit() and 1 <= int(answer) <= len(_LANGUAGE_BUTTONS):
            lang = _LANGUAGE_BUTTONS[int(answer) - 1][0]
        if lang is None:
            return DialogState(), [Reply(Texts("ru")("language.unknown"), self._language_question().buttons)]
        texts = Texts(lang)
        return DialogState(step=Step.TITLE, lang=lang), [Reply(texts("greeting")), Reply(texts("ask.title"))]

    def _search(self, state: DialogState, text: str) -> tuple[DialogState, list[Reply]]:
        texts = Texts(state.lang or "ru")
        direct = self.tree.lookup(text) if any(ch.isdigit() for ch in text) else None
        if direct is not None:
            return self._show(state, direct.code)
        matches = match_title(text, limit=CANDIDATES_SHOWN)
        if not matches:
            shown = text if len(text) <= 60 else text[:57] + "…"
            return DialogState(step=Step.TITLE, lang=state.lang), [Reply(texts("match.none", query=shown))]
        codes = [m.code for m in matches]
        buttons = [Button(group_heading(self.tree.get(code), state.lang or "ru"), f"pick:{code}") for code in codes]
        buttons.append(Button(texts("match.none_of_these"), "retry"))
        new_state = DialogState(step=Step.CHOOSE, lang=state.lang, candidates=codes)
        return new_state, [Reply(texts("match.header"), tuple(buttons))]

    def _pick(self, state: DialogState, number: int) -> tuple[DialogState, list[Reply]]:
        if 1 <= number <= len(state.candidates):
            return self._show(state, state.candidates[number - 1])
        if number == len(state.candidates) + 1:
            return self._button(state, "retry")
        return state, [Reply(Texts(state.lang or "ru")("choice.invalid"))]

    def _button(self, state: DialogState, data: str) -> tuple[DialogState, list[Reply]]:
        texts = Texts(state.lang or "ru")
        kind, _, value = data.partition(":")
        if kind == "pick" and value in state.candidates:
            return self._show(state, value)
        if kind == "retry" or kind == "another":
            return DialogState(step=Step.TITLE, lang=state.lang), [Reply(texts("match.retry"))]
        if kind == "lang":
            return self._choose_language(state, Event.button(data))
        # Stale or forged button: say so and repeat where we are.
        return state, [Reply(texts("choice.invalid"))]

    def _show(self, state: DialogState, code: str) -> tuple[DialogState, list[Reply]]:
        lang = state.lang or "ru"
        texts = Texts(lang)
        group = self.tree.get(code)
        if group is None:
            return DialogState(step=Step.TITLE, lang=lang), [Reply(texts("ask.title"))]
        card = Reply(render_card(group, self.tree, lang))
        follow = Reply(texts("after_card"), (Button(texts("action.another"), "another"),))
        return DialogState(step=Step.RESULT, lang=lang, code=code), [card, follow]

    def _command(self, state: DialogState, event: Event) -> tuple[DialogState, list[Reply]]:
        lang = state.lang or "ru"
        texts = Texts(lang)
        if event.value in ("start", "new"):
            if state.lang and event.value == "new":
                return DialogState(step=Step.TITLE, lang=lang), [Reply(texts("ask.title"))]
            return self.start()
        if event.value == "lang":
            return DialogState(), [self._language_question()]
        if event.value == "help":
            return state, [Reply(texts("help"))]
        if event.value == "code":
            return self._code(state, event.argument)
        return state, [Reply(texts("help"))]

    def _code(self, state: DialogState, raw: str) -> tuple[DialogState, list[Reply]]:
        lang = state.lang or "ru"
        texts = Texts(lang)
        group = self.tree.lookup(raw)
        if group is not None:
            return self._show(DialogState(step=Step.RESULT, lang=lang), group.code)
        return state, [code_not_found_reply(self.tree, raw, lang)]


def code_not_found_reply(tree: NkzTree, raw: str, lang: str) -> Reply:
    """What to say for a code that does not exist: the nearest real ones, or how codes look."""
    texts = Texts(lang)
    nearest = tree.nearest(raw)
    shown = _clean(raw)[:40]
    if not nearest:
        return Reply(texts("code.bad", raw=shown))
    lines = [texts("code.not_found", code=shown)]
    lines += [f"• {group_heading(g, lang)}" for g in nearest]
    return Reply("\n".join(lines))


def _clean(text: str) -> str:
    """Drop control characters and surrounding space; cut very long input."""
    kept = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text[: MAX_INPUT_CHARS * 2])
    return " ".join(kept.split())[:MAX_INPUT_CHARS]
