"""Vacancies in the dialog, over the real store loaded with the real demo vacancies."""

from __future__ import annotations


import pytest

from bot.dialog import Dialog, DialogState, Event, Step
from bot.vacancies import StoreVacancyFinder
from db.connection import open_database
from db.demo import load_demo
from db.migrations import migrate
from knowledge.resolver import get_resolver
from knowledge.tree import NkzTree


@pytest.fixture(scope="module")
def dialog(tree: NkzTree, tmp_path_factory: pytest.TempPathFactory) -> Dialog:
    db = open_database(tmp_path_factory.mktemp("vac") / "k.sqlite")
    migrate(db)
    load_demo(db)
    return Dialog(tree, get_resolver(), StoreVacancyFinder(db))


def at_card(dialog: Dialog, code: str) -> DialogState:
    state = DialogState(step=Step.TITLE, lang="ru")
    state, _ = dialog.handle(state, Event.command("code", code))
    assert "vac" in state.offered
    return state


def test_vacancies_ask_the_city_then_list_real_links(dialog: Dialog) -> None:
    state = at_card(dialog, "2512")
    state, replies = dialog.handle(state, Event.button("vac"))
    assert state.step is Step.CITY and "city:Астана" in state.offered
    state, replies = dialog.handle(state, Event.text("Нур-Султан"))  # the old name of Astana
    assert state.step is Step.VACANCIES and state.city == "Астана"
    text = replies[0].text
    assert "https://hh.ru/vacancy/" in text and "Астана" in text
    assert state.shown_vacancies and any(d.startswith("vmore:") for d in state.offered)


def test_paging_changing_city_and_the_chart(dialog: Dialog) -> None:
    state = at_card(dialog, "2512")
    state, _ = dialog.handle(state, Event.button("vac"))
    state, first = dialog.handle(state, Event.button("city:Алматы"))
    first_ids = list(state.shown_vacancies)
    more = next(d for d in state.offered if d.startswith("vmore:"))
    state, second = dialog.handle(state, Event.button(more))
    assert state.vacancy_offset == 5 and len(state.shown_vacancies) == 5
    assert set(first_ids).isdisjoint(state.shown_vacancies)  # paging never repeats
    assert first[0].text != second[0].text
    state, chart = dialog.handle(state, Event.button("vchart"))
    assert chart[0].photo is not None and chart[0].photo.startswith(b"\x89PNG")
    state, ask = dialog.handle(state, Event.button("vcity"))
    assert state.step is Step.CITY
    state, unknown = dialog.handle(state, Event.text("Атлантида"))
    assert state.step is Step.CITY and "Не знаю такого города" in unknown[0].text
    state, anywhere = dialog.handle(state, Event.button("city:*"))
    assert state.city == "" and "все города" in anywhere[0].text


def test_vacancies_command_needs_a_code_first(dialog: Dialog) -> None:
    state = DialogState(step=Step.TITLE, lang="kk")
    _, replies = dialog.handle(state, Event.command("vacancies"))
    assert "кодыңызды" in replies[0].text


def test_a_remembered_city_is_used_at_once(dialog: Dialog) -> None:
    state = at_card(dialog, "8322")
    state.city = "Астана"
    state, replies = dialog.handle(state, Event.button("vac"))
    assert state.step is Step.VACANCIES


def test_a_group_with_no_vacancies_widens_or_says_so(dialog: Dialog) -> None:
    state = at_card(dialog, "6222")
    state, _ = dialog.handle(state, Event.button("vac"))
    state, replies = dialog.handle(state, Event.button("city:Шымкент"))
    assert replies[0].text  # either widened matches or a polite "none"
