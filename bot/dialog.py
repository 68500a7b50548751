"""The conversation, free of any transport: events in, replies out.

The same dialog runs in the terminal (``kasip chat``) and on Telegram.  It
is a small state machine:

    language ──▶ title ──▶ duties ──▶ clarify ──▶ result
                   │  (a clear title goes straight to the result)   │
                   └──────────────── another job, /new ─────────────┘

:meth:`Dialog.handle` takes the stored :class:`DialogState` and one
:class:`Event` and returns the new state and the replies.  It never raises
on user input and never reads or writes anything itself, so transports can
persist the state wherever they like and tests can drive it directly.
Buttons carry short data strings (≤ 64 bytes, as Telegram requires) that are
validated against the state on arrival: a stale or forged button gets a
polite word and the current step again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.cards import group_heading, render_card
from bot.i18n import LANGUAGES, Texts
from knowledge.codes import Level
from knowledge.display import display_name
from knowledge.resolver import ANSWERS, Resolution, Resolver
from knowledge.tree import NkzTree

if TYPE_CHECKING:  # the dialog only talks to the interface, never to the store
    from bot.vacancies import VacancyFinder

MAX_INPUT_CHARS = 2000
"""One message longer than this is cut: a job description never needs more."""
MAX_DUTIES_CHARS = 6000
SHORTLIST = 5
ALTERNATIVES = 3
RELATED = 8
MAX_CALLBACK_BYTES = 64


class Step(StrEnum):
    LANGUAGE = "language"
    TITLE = "title"
    DUTIES = "duties"
    CLARIFY = "clarify"
    RESULT = "result"
    CITY = "city"
    VACANCIES = "vacancies"


@dataclass(frozen=True)
class Button:
    """A choice offered to the person; ``data`` comes back in an Event."""

    label: str
    data: str


@dataclass(frozen=True)
class Reply:
    """Text for the person, with optional buttons and an optional picture (PNG; the text is its caption)."""

    text: str
    buttons: tuple[Button, ...] = ()
    photo: bytes | None = None


@dataclass(frozen=True)
class Event:
    """What the person did: typed ``text``, pressed a button (``data``), a command, or sent something else."""

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
    title: str = ""
    duties: str = ""
    answers: dict[str, str] = field(default_factory=dict)
    offered: list[str] = field(default_factory=list)  # button data valid at this step
    code: str | None = None
    alternatives: list[str] = field(default_factory=list)
    city: str | None = None  # for vacancies; "" means any city
    vacancy_offset: int = 0
    shown_vacancies: list[int] = field(default_factory=list)  # ids on the page last shown

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False)  # every field is a plain JSON value

    def copy_fields(self) -> dict[str, object]:
        """The fields, with fresh copies of the lists and the dict (they hold plain values only).

        Not ``dataclasses.asdict``: its deep recursion cost every turn about
        a fifth of a millisecond, which shows when hundreds of people write at once.
        """
        return {name: value.copy() if isinstance(value, (list, dict)) else value for name, value in self.__dict__.items()}

    @classmethod
    def from_json(cls, raw: str | None) -> DialogState:
        """Restore a state; anything unreadable starts a fresh conversation."""
        try:
            data = json.loads(raw or "{}")
            answers = data.get("answers") or {}
            return cls(
                step=Step(data.get("step", Step.LANGUAGE)),
                lang=data.get("lang") if data.get("lang") in LANGUAGES else None,
                title=str(data.get("title") or "")[:MAX_INPUT_CHARS],
                duties=str(data.get("duties") or "")[:MAX_DUTIES_CHARS],
                answers={str(k): str(v) for k, v in answers.items()} if isinstance(answers, dict) else {},
                offered=[str(c) for c in data.get("offered", [])][:12],
                code=data.get("code") if isinstance(data.get("code"), str) else None,
                alternatives=[str(c) for c in data.get("alternatives", [])][:ALTERNATIVES],
                city=str(data["city"])[:80] if isinstance(data.get("city"), str) else None,
                vacancy_offset=max(0, int(data.get("vacancy_offset") or 0)),
                shown_vacancies=[int(i) for i in data.get("shown_vacancies", []) if isinstance(i, int)][:20],
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
    """The conversation logic over the classifier and the resolver."""

    def __init__(self, tree: NkzTree, resolver: Resolver, vacancies: VacancyFinder | None = None):
        self.tree = tree
        self.resolver = resolver
        self.vacancies = vacancies

    # -- entry points -------------------------------------------------------

    def start(self, language_hint: str | None = None) -> tuple[DialogState, list[Reply]]:
        """A fresh conversation.  With a known language (Telegram gives one) skip the question."""
        hint = (language_hint or "").strip().lower().replace("_", "-").split("-")[0]
        if hint in LANGUAGES:
            return self._greet(hint)
        return DialogState(offered=[f"lang:{c}" for c, _ in _LANGUAGE_BUTTONS]), [self._language_question()]

    def handle(self, state: DialogState, event: Event) -> tuple[DialogState, list[Reply]]:
        """Advance the conversation by one event."""
        if event.kind == "command":
            return self._command(state, event)
        if state.step is Step.LANGUAGE or state.lang is None:
            return self._choose_language(event)
        texts = Texts(state.lang)
        if event.kind == "other":
            return state, [Reply(texts("input.not_text"))] + self._repeat(state)
        if event.kind == "button":
            return self._button(state, event.value)
        text = _clean(event.value)
        if state.step is Step.CLARIFY and text.isdigit() and len(text) <= 2:
            return self._pick_number(state, int(text))
        if not any(ch.isalpha() or ch.isdigit() for ch in text):
            return state, [Reply(texts("input.empty"))]
        if state.step is Step.CITY:
            return self._city_typed(state, text)
        if any(ch.isdigit() for ch in text) and len(text) <= 16:
            group = self.tree.lookup(text)
            if group is not None:
                return self._show(state, group.code, None)
        if state.step in (Step.TITLE, Step.RESULT, Step.VACANCIES):
            fresh = DialogState(step=Step.TITLE, lang=state.lang, title=text)
            return self._resolve(fresh, after_title=True)
        duties = f"{state.duties}\n{text}".strip()[-MAX_DUTIES_CHARS:]
        return self._resolve(_replace(state, duties=duties), after_title=False)

    # -- steps --------------------------------------------------------------

    def _language_question(self) -> Reply:
        return Reply(Texts("ru")("language.prompt"), tuple(Button(label, f"lang:{code}") for code, label in _LANGUAGE_BUTTONS))

    def _greet(self, lang: str) -> tuple[DialogState, list[Reply]]:
        """The greeting in *lang*, with the three language buttons to switch, then the first question."""
        texts = Texts(lang)
        switch = tuple(Button(label, f"lang:{code}") for code, label in _LANGUAGE_BUTTONS)
        skip = Button(texts("button.skip_title"), "skip")
        offered = ["skip", *(b.data for b in switch)]
        state = DialogState(step=Step.TITLE, lang=lang, offered=offered)
        return state, [Reply(f"{texts('greeting')}\n\n{texts('ask.title')}", (*switch, skip))]

    def _choose_language(self, event: Event) -> tuple[DialogState, list[Reply]]:
        answer = _clean(event.value).lower()
        if event.kind == "button" and event.value.startswith("lang:"):
            answer = event.value.split(":", 1)[1]
        lang = _LANGUAGE_ANSWERS.get(answer)
        if lang is None and answer.isdigit() and 1 <= int(answer) <= len(_LANGUAGE_BUTTONS):
            lang = _LANGUAGE_BUTTONS[int(answer) - 1][0]
        if lang is None:
            state, _ = self.start()
            return state, [Reply(Texts("ru")("language.unknown"), self._language_question().buttons)]
        return self._greet(lang)

    def _resolve(self, state: DialogState, after_title: bool) -> tuple[DialogState, list[Reply]]:
        lang = state.lang or "ru"
        texts = Texts(lang)
        result = self.resolver.resolve(title=state.title, duties=state.duties, lang=lang, answers=state.answers)
        if result.confident:
            return self._show(state, result.candidates[0].code, result)
        if after_title and not state.duties:
            # The title alone was not enough: ask what the work is.
            done = Button(texts("button.done"), "done")
            return _replace(state, step=Step.DUTIES, offered=["done"]), [Reply(texts("ask.duties"), (done,))]
        return self._clarify(state, result)

    def _clarify(self, state: DialogState, result: Resolution) -> tuple[DialogState, list[Reply]]:
        texts = Texts(state.lang or "ru")
        question = result.question
        buttons: list[Button] = []
        if question is not None and question.kind in ANSWERS and question.kind not in state.answers:
            header = texts(f"question.{question.kind}")
            buttons = [Button(texts(f"answer.{value}"), f"ans:{question.kind}:{value}") for value in question.options]
        elif question is not None and question.kind == "which_most_time" and "which_most_time" not in state.answers:
            header = texts("question.which_most_time")
            clauses = _clause_texts(state)
            for option in question.options:
                index = int(option)
                if index < len(clauses):
                    buttons.append(Button(_short(clauses[index], 60), f"ans:which_most_time:{index}"))
        if not buttons:
            header = texts("match.header")
            codes = list(question.options) if question is not None and question.kind == "shortlist" else []
            codes = codes or [c.code for c in result.candidates[:SHORTLIST]]
            buttons = [Button(group_heading(self.tree.get(code), state.lang or "ru"), f"pick:{code}") for code in codes if self.tree.get(code)]
        buttons.append(Button(texts("match.none_of_these"), "retry"))
        new_state = _replace(state, step=Step.CLARIFY, offered=[b.data for b in buttons])
        return new_state, [Reply(f"{header}\n{texts('clarify.more')}", tuple(buttons))]

    def _pick_number(self, state: DialogState, number: int) -> tuple[DialogState, list[Reply]]:
        if 1 <= number <= len(state.offered):
            return self._button(state, state.offered[number - 1])
        return state, [Reply(Texts(state.lang or "ru")("choice.invalid"))] + self._repeat(state)

    def _button(self, state: DialogState, data: str) -> tuple[DialogState, list[Reply]]:
        lang = state.lang or "ru"
        texts = Texts(lang)
        if len(data.encode()) > MAX_CALLBACK_BYTES or data not in state.offered:
            if data.startswith("lang:") and data[5:] in LANGUAGES:
                return self._choose_language(Event.button(data))
            return state, [Reply(texts("stale.button"))] + self._repeat(state)
        kind, _, value = data.partition(":")
        if kind == "lang":
            return self._choose_language(Event.button(data))
        if kind == "pick":
            return self._show(state, value, None)
        if kind == "ans":
            question, _, answer = value.partition(":")
            answers = {**state.answers, question: answer}
            return self._resolve(_replace(state, answers=answers), after_title=False)
        if kind == "skip":
            done = Button(texts("button.done"), "done")
            return _replace(state, step=Step.DUTIES, offered=["done"]), [Reply(texts("ask.duties"), (done,))]
        if kind == "done":
            if not (state.title or state.duties):
                return state, [Reply(texts("input.empty"))] + self._repeat(state)
            return self._clarify(state, self.resolver.resolve(state.title, state.duties, lang, state.answers))
        if kind == "retry":
            done = Button(texts("button.done"), "done")
            fresh = _replace(state, step=Step.DUTIES, answers={}, offered=["done"])
            return fresh, [Reply(texts("match.retry"), (done,))]
        if kind == "new":
            return self._greet(lang)
        if kind == "related":
            return self._related(state, value)
        if kind in ("vac", "vmore", "vcity", "vchart", "city"):
            return self._vacancy_button(state, kind, value)
        return state, [Reply(texts("stale.button"))] + self._repeat(state)

    def _related_codes(self, code: str) -> list[str]:
        """Sibling occupation groups in the same unit, then the units people confuse with this one."""
        group = self.tree.get(code)
        if group is None or group.unit is None:
            return []
        occupation = group.parent if group.level is Level.TITLE else group.code
        siblings = [g.code for g in self.tree.children(group.unit) if g.code != occupation and g.level is Level.OCCUPATION]
        neighbours = [c for c in self._knowledge().neighbours(group.unit) if self.tree.get(c)]
        return list(dict.fromkeys(siblings + neighbours))[:RELATED]

    def _knowledge(self):
        from knowledge.group_knowledge import load_knowledge

        return load_knowledge()

    def _related(self, state: DialogState, code: str) -> tuple[DialogState, list[Reply]]:
        lang = state.lang or "ru"
        texts = Texts(lang)
        codes = self._related_codes(code)
        buttons = [Button(group_heading(self.tree.get(c), lang), f"pick:{c}") for c in codes]
        buttons.append(Button(texts("action.start_over"), "new"))
        new_state = _replace(state, offered=[b.data for b in buttons])
        return new_state, [Reply(texts("related.header"), tuple(buttons))]

    def _show(self, state: DialogState, code: str, result: Resolution | None) -> tuple[DialogState, list[Reply]]:
        lang = state.lang or "ru"
        texts = Texts(lang)
        group = self.tree.get(code)
        if group is None:
            return _replace(state, step=Step.TITLE), [Reply(texts("ask.title"))]
        lines = [render_card(group, self.tree, lang)]
        alternatives: list[str] = []
        if result is not None:
            lines += ["", f"{texts('result.why')}:"]
            top = result.candidates[0]
            if top.matched:
                lines.append("• " + texts("result.matched", title=display_name(top.matched[0])))
            if result.rule:
                lines.append("• " + texts("result.rule", rule=texts(f"rule.{result.rule}")))
            lines.append("• " + texts("result.sure", percent=round(100 * top.score)))
            alternatives = [c.code for c in result.candidates[1 : 1 + ALTERNATIVES] if c.unit != top.unit]
        buttons = [Button(group_heading(self.tree.get(a), lang), f"pick:{a}") for a in alternatives]
        if self.vacancies is not None:
            buttons.append(Button(texts("action.vacancies"), "vac"))
        if self._related_codes(code):
            buttons.append(Button(texts("action.related"), f"related:{code}"))
        buttons += [Button(texts("action.not_right"), "retry"), Button(texts("action.start_over"), "new")]
        replies = [Reply("\n".join(lines))]
        follow = texts("result.alternatives") if alternatives else texts("after_card")
        replies.append(Reply(follow, tuple(buttons)))
        new_state = _replace(state, step=Step.RESULT, code=code, alternatives=alternatives, offered=[b.data for b in buttons])
        return new_state, replies

    def _repeat(self, state: DialogState) -> list[Reply]:
        """The question of the current step again, with its buttons."""
        texts = Texts(state.lang or "ru")
        if state.step is Step.LANGUAGE:
            return [self._language_question()]
        if state.step is Step.TITLE:
            return [Reply(texts("ask.title"), (Button(texts("button.skip_title"), "skip"),))]
        if state.step is Step.DUTIES:
            return [Reply(texts("ask.duties"), (Button(texts("button.done"), "done"),))]
        if state.step is Step.CLARIFY:
            result = self.resolver.resolve(state.title, state.duties, state.lang, state.answers)
            return self._clarify(state, result)[1]
        if state.step is Step.RESULT and state.code:
            return [Reply(texts("after_card"), (Button(texts("action.not_right"), "retry"), Button(texts("action.start_over"), "new")))]
        return [Reply(texts("ask.title"))]

    def _command(self, state: DialogState, event: Event) -> tuple[DialogState, list[Reply]]:
        lang = state.lang or "ru"
        texts = Texts(lang)
        if event.value == "start" or (event.value == "new" and not state.lang):
            return self.start()
        if event.value == "new":
            return self._greet(lang)
        if event.value == "lang":
            return self.start()
        if event.value == "help":
            return state, [Reply(texts("help"))]
        if event.value == "vacancies":
            if self.vacancies is None or not state.code:
                return state, [Reply(texts("vacancy.no_code"))]
            return self._vacancy_button(state, "vac", "")
        if event.value == "code":
            group = self.tree.lookup(event.argument)
            if group is not None:
                return self._show(_replace(state, lang=lang), group.code, None)
            return state, [code_not_found_reply(self.tree, event.argument, lang)]
        return state, [Reply(texts("help"))]


    # -- vacancies ------------------------------------------------------------------------------

    def _vacancy_button(self, state: DialogState, kind: str, value: str) -> tuple[DialogState, list[Reply]]:
        if self.vacancies is None or not state.code:
            return state, [Reply(Texts(state.lang or "ru")("vacancy.no_code"))]
        if kind == "vcity" or (kind == "vac" and state.city is None):
            return self._ask_city(state, "vacancy.ask_city")
        if kind == "city":
            return self._vacancy_page(_replace(state, city="" if value == "*" else value), 0)
        if kind == "vmore":
            return self._vacancy_page(state, int(value) if value.isdigit() else 0)
        if kind == "vchart":
            texts = Texts(state.lang or "ru")
            unit = (self.tree.get(state.code).unit if self.tree.get(state.code) else None) or state.code
            png = self.vacancies.chart(unit, state.lang or "ru")
            return state, [Reply(texts("vacancy.chart_caption", code=unit), photo=png)] if png else []
        return self._vacancy_page(state, 0)

    def _ask_city(self, state: DialogState, key: str) -> tuple[DialogState, list[Reply]]:
        from bot.vacancies import POPULAR_CITIES, city_label

        texts = Texts(state.lang or "ru")
        buttons = [Button(city_label(city, state.lang or "ru"), f"city:{city}") for city in POPULAR_CITIES]
        buttons.append(Button(texts("vacancy.any"), "city:*"))
        return _replace(state, step=Step.CITY, offered=[b.data for b in buttons]), [Reply(texts(key), tuple(buttons))]

    def _city_typed(self, state: DialogState, text: str) -> tuple[DialogState, list[Reply]]:
        city = self.vacancies.city(text) if self.vacancies else None
        if city is None:
            return self._ask_city(state, "vacancy.unknown_city")
        return self._vacancy_page(_replace(state, city=city), 0)

    def _vacancy_page(self, state: DialogState, offset: int) -> tuple[DialogState, list[Reply]]:
        from bot.vacancies import PAGE_SIZE, render_page

        lang = state.lang or "ru"
        texts = Texts(lang)
        city = state.city or None
        result = self.vacancies.page(state.code, city, offset, PAGE_SIZE)
        group = self.tree.get(state.code)
        unit = group.unit if group is not None and group.unit else state.code
        stats = self.vacancies.stats(unit, city) if result.items else None
        buttons: list[Button] = []
        if result.has_more:
            buttons.append(Button(texts("vacancy.more"), f"vmore:{offset + PAGE_SIZE}"))
        buttons.append(Button(texts("vacancy.change_city"), "vcity"))
        if result.items:
            buttons.append(Button(texts("vacancy.chart"), "vchart"))
            buttons.append(Button(texts("vacancy.subscribe"), "vsub"))
        buttons.append(Button(texts("vacancy.back"), f"pick:{state.code}"))
        new_state = _replace(
            state, step=Step.VACANCIES, vacancy_offset=offset, offered=[b.data for b in buttons],
            shown_vacancies=[v.id for v in result.items],
        )
        return new_state, [Reply(render_page(result, stats, lang), tuple(buttons))]


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


def _replace(state: DialogState, **changes: object) -> DialogState:
    data = state.copy_fields()
    data.update(changes)
    return DialogState(**data)


def _clause_texts(state: DialogState) -> list[str]:
    """The clauses as the resolver numbers them (title first, then the duties)."""
    from knowledge.rules import clauses

    return [c.text for c in clauses(state.title, state.duties)]


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean(text: str) -> str:
    """Drop control characters and surrounding space; cut very long input."""
    kept = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text[: MAX_INPUT_CHARS * 2])
    return " ".join(kept.split())[:MAX_INPUT_CHARS]
