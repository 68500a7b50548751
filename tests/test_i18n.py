"""Every text exists in kk, ru and en, with the same placeholders."""

import json

import pytest

from bot.i18n import LANGUAGES, LOCALES_DIR, Texts, normalize_language, placeholders


def load(lang: str) -> dict[str, str]:
    return json.loads((LOCALES_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    reference = load("ru")
    for lang in LANGUAGES:
        catalogue = load(lang)
        assert set(catalogue) == set(reference), lang
        for key, template in catalogue.items():
            assert template.strip(), (lang, key)
            assert placeholders(template) == placeholders(reference[key]), (lang, key)


def test_kazakh_catalogue_is_kazakh() -> None:
    kazakh_letters = set("әғқңөұүһі")
    texts = [t for k, t in load("kk").items() if not k.startswith("language.")]
    assert sum(bool(kazakh_letters & set(t.lower())) for t in texts) > 0.8 * len(texts)


@pytest.mark.parametrize(("raw", "lang"), [("kk", "kk"), ("ru-RU", "ru"), ("en_US", "en"), ("de", "ru"), (None, "ru"), ("", "ru")])
def test_language_codes(raw: str | None, lang: str) -> None:
    assert normalize_language(raw) == lang


def test_formatting_and_missing_keys() -> None:
    assert "5" in Texts("kk")("card.more", count=5)
    with pytest.raises(KeyError):
        Texts("en")("no.such.key")
