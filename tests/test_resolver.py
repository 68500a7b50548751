"""The resolver on the real classifier and knowledge: rules, languages, hostile input, accuracy floors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge import rules
from knowledge.evaluation import evaluate, read_cases
from knowledge.index import build_index, fingerprint, load_index
from knowledge.resolver import Resolver, get_resolver
from knowledge.tree import NkzTree

DEVSET = Path(__file__).resolve().parent / "devset"


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return get_resolver()


def top_unit(resolver: Resolver, title: str = "", duties: str = "", **kwargs) -> str:
    return resolver.resolve(title, duties, **kwargs).candidates[0].unit


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.text(max_size=200), duties=st.text(max_size=600))
def test_any_text_gets_real_codes_and_never_raises(title: str, duties: str) -> None:
    resolver = get_resolver()
    result = resolver.resolve(title, duties)
    assert result.candidates
    for candidate in result.candidates:
        assert resolver.tree.get(candidate.code) is not None
        assert 0.0 <= candidate.score <= 1.0
    assert result.version.startswith("nkz2017-")


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀😀", "?!…", "1234567890", "<script>alert(1)</script>", "'; DROP TABLE vacancies; --",
     'title:"повар" OR NEAR(a b) AND *', "\x00\x01\x1b[2J", "ЖҰМЫС ЖОҚ", "a" * 100_000, "сварщик " * 20_000],
)
def test_hostile_input(resolver: Resolver, text: str) -> None:
    result = resolver.resolve(text, text[:50])
    assert result.candidates and resolver.tree.get(result.candidates[0].code) is not None


def test_nothing_said_is_coded_as_such(resolver: Resolver) -> None:
    assert resolver.resolve("", "").candidates[0].code == "Х5000"
    assert resolver.resolve("😀", "").candidates[0].code == "Х4000"


def test_a_typed_code_is_taken_as_it_is(resolver: Resolver) -> None:
    result = resolver.resolve("7212", "")
    assert result.candidates[0].code == "7212" and result.confident and result.rule == rules.CODE_TYPED
    assert resolver.resolve("2147-1-001", "").candidates[0].code == "2147-1"


@pytest.mark.parametrize(
    ("title", "duties", "unit", "rule"),
    [
        ("", "веду программы на радио, а также организую концерты", "2656", rules.HIGHEST_SKILL),
        ("помощник пекаря", "пеку хлеб и продаю его покупателям", "7512", rules.PRODUCTION_FIRST),
        ("главный агроном", "выращиваю зерновые и руковожу группой агрономов", "1310", None),
        ("ведущий химик", "провожу химические анализы в лаборатории", "2113", rules.DERIVATIVE_IGNORED),
        ("помощник бухгалтера", "ввожу первичные документы в 1С", "3313", None),
        ("", "у меня своя парикмахерская, я ИП, сама стригу клиентов", "5141", rules.SELF_EMPLOYED),
    ],
)
def test_the_seed_rules(resolver: Resolver, title: str, duties: str, unit: str, rule: str | None) -> None:
    result = resolver.resolve(title, duties)
    assert result.candidates[0].unit == unit
    if rule is not None:
        assert result.rule == rule or any(note.startswith(rule) for note in result.notes)


def test_derivative_words_are_dropped_but_exact_titles_kept(resolver: Resolver) -> None:
    assert top_unit(resolver, "старший сварщик") == "7212"
    assert top_unit(resolver, "главный бухгалтер") == "1221"  # NKZ lists it among finance managers


@pytest.mark.parametrize(
    ("title", "duties", "units"),
    [
        ("", "Мұғаліммін, мектепте математика сабағын беремін", {"2350", "2361"}),
        ("аспазшымын", "асханада тамақ пісіремін", {"5120", "3434"}),
        ("", "Jük kölıgın jürgızemın, qūrylys materialdaryn tasimyn", {"8332"}),
        ("zhurgizushi", "taksi zhurgizemin", {"8322"}),
        ("", "Мен сварщикпін, стройкада трубаларды пісіремін", {"7212"}),
        ("truck driver", "", {"8332"}),
        ("ghjlfdtw", "", {"5210", "5223"}),
    ],
)
def test_kazakh_latin_mixed_english_and_wrong_keyboard(resolver: Resolver, title: str, duties: str, units: set[str]) -> None:
    found = [c.unit for c in resolver.resolve(title, duties).candidates[:3]]
    assert units & set(found), found


def test_answers_feed_back(resolver: Resolver) -> None:
    plain = resolver.resolve("агроном", "")
    managed = resolver.resolve("агроном", "", answers={"manages_people": "yes"})
    manager_score = lambda r: max((c.score for c in r.candidates if c.unit.startswith("1")), default=0.0)  # noqa: E731
    assert manager_score(managed) > manager_score(plain)
    hand = resolver.resolve("", "работаю на производстве, делаю детали", answers={"hand_or_machine": "hand"})
    machine = resolver.resolve("", "работаю на производстве, делаю детали", answers={"hand_or_machine": "machine"})
    assert hand.candidates[0].unit[0] == "7" or machine.candidates[0].unit[0] == "8"


def test_unsure_answers_come_with_a_question(resolver: Resolver) -> None:
    result = resolver.resolve("специалист", "")
    assert not result.confident and result.question is not None
    if result.question.kind == "shortlist":
        units = [code.split("-")[0] for code in result.question.options]
        assert len(result.question.options) <= 5 and all(units.count(u) <= 2 for u in units)


def test_index_cache_is_used_and_survives_corruption(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KASIP_CACHE_DIR", str(tmp_path))
    cached = tmp_path / f"resolver-index-{fingerprint()}.pickle"
    cached.write_bytes(b"not a pickle")
    index = load_index()  # rebuilds over the broken file
    assert index.fingerprint == fingerprint() and cached.stat().st_size > 1_000_000
    assert load_index().fingerprint == index.fingerprint  # and loads it the next time


def test_build_index_covers_every_occupation_group(tree: NkzTree) -> None:
    index = load_index()
    from knowledge.codes import Level

    regular = [g.code for g in tree.at_level(Level.OCCUPATION) if g.code != "2331-001"]
    assert sorted(index.occupations) == sorted(regular)
    assert callable(build_index)


@pytest.mark.parametrize(
    "title, duties, unit",
    [
        ("кассир в супермаркете", "", "5220"),  # the workplace is in a shop manager's group name, not the cashier's
        ("кассир в аптеке", "", "5220"),  # …nor the pharmacy cashier's
        ("управляющий рестораном", "", "1412"),  # said to be the head: a manager
        ("заведующая детским садом", "", "1341"),
        ("", "руковожу отделом продаж, у меня 10 человек в подчинении", "1"),
    ],
)
def test_managers_are_those_who_say_they_lead(resolver: Resolver, title: str, duties: str, unit: str) -> None:
    assert top_unit(resolver, title, duties).startswith(unit)
    assert rules.names_a_manager("Заведующая детским садом") and rules.names_a_manager("мейрамхананың басшысы")
    assert not rules.names_a_manager("кассир в супермаркете") and not rules.names_a_manager("менеджер по продажам")


@pytest.mark.parametrize("alias, unit", [("nail technician", "5142"), ("steel fixer", "7111"), ("бухгалтерша", "2411")])
def test_aliases_speak_for_their_group_like_official_titles(resolver: Resolver, alias: str, unit: str) -> None:
    """Aliases are in the group's document too, so an exact alias is not outvoted by a group sharing one word."""
    assert top_unit(resolver, alias) == unit


def test_the_education_a_text_names_tells_professionals_from_technicians() -> None:
    assert rules.education_asked("Требования: высшее техническое образование, опыт от 3 лет") == "higher"
    assert rules.education_asked("Образование средне-специальное (колледж)") == "vocational"
    assert rules.education_asked("жоғары білімі бар маман") == "higher"
    assert rules.education_asked("высшее или среднее специальное образование") is None  # both: no signal
    assert rules.education_asked("преподаю в колледже информатику") is None  # a workplace, not the person's education


def test_mixed_scripts_and_source_misspellings_are_read_as_meant(resolver: Resolver, tree: NkzTree) -> None:
    from knowledge.index import searchable
    from knowledge.terms import unmix_scripts

    assert unmix_scripts("CАНТЕХНИК, МАШИНИСI") == "САНТЕХНИК, МАШИНИСІ"  # Latin C and I inside Cyrillic words
    assert unmix_scripts("IT-специалист, Sauda ortalyğy") == "IT-специалист, Sauda ortalyğy"  # whole-script words stay
    assert top_unit(resolver, "CАНТЕХНИК") == "7126"
    assert "ВЕТЕРИНАРИЯ" in searchable(tree.get("1342").name_kz)
    assert "ВЕТЕРЕНАРИЯ" in tree.get("1342").name_kz  # the official name itself is shown as published
    assert top_unit(resolver, "ветеренар") == "2250"  # a person's typo no longer meets the source's


def test_accuracy_floors_on_the_development_set(resolver: Resolver) -> None:
    """Guards against regressions; the full report is `kasip bench accuracy`."""
    report = evaluate(resolver, read_cases(sorted(DEVSET.glob("*.jsonl"))))
    assert report.overall.n >= 400
    assert report.overall.rate(4, 1) >= 0.75
    assert report.overall.rate(4, 3) >= 0.90
    assert report.overall.rate(1, 1) >= 0.90  # major group; the target is 92%, measured by kasip bench accuracy
    assert report.confident_precision >= 0.90
    assert report.by_lang["ru"].rate(4, 1) - report.by_lang["kk"].rate(4, 1) <= 0.10


_ANSWERS_DIGEST = """
import hashlib, json, sys
from pathlib import Path
from knowledge.evaluation import read_cases
from knowledge.resolver import get_resolver
resolver = get_resolver()
answers = []
for case in read_cases(Path(p) for p in sys.argv[1:]):
    result = resolver.resolve(title=case.title, duties=case.duties, lang=case.lang)
    answers.append([[c.code, c.score, list(c.matched)] for c in result.candidates] + [result.confident, result.rule])
print(hashlib.sha256(json.dumps(answers, ensure_ascii=False).encode()).hexdigest())
"""


def test_answers_do_not_depend_on_the_hash_seed_of_the_process_that_built_the_index(tmp_path: Path) -> None:
    """Two processes with different string hashing build their own index and must answer alike.

    (A typo vocabulary once kept set order: "ветеренар" was corrected differently from one build to the next.)
    """
    import os
    import subprocess
    import sys

    cases = [str(p) for p in sorted((Path(__file__).parent / "devset").glob("*.jsonl"))]
    runs = [  # side by side: each builds an index of its own (half a minute)
        subprocess.Popen(
            [sys.executable, "-c", _ANSWERS_DIGEST, *cases],
            env={**os.environ, "PYTHONHASHSEED": seed, "KASIP_CACHE_DIR": str(tmp_path / f"cache-{seed}")},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent,
        )
        for seed in ("1", "2")
    ]
    digests = []
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err[-2000:]
        digests.append(out.strip())
    assert digests[0] == digests[1]
