"""User-facing texts: one JSON catalogue per language, with a fallback.

Every sentence Kasip shows a person lives in ``bot/locales/<lang>.json``;
code refers to texts by key.  A key missing from a catalogue falls back to
Russian and then English, so a half-translated new feature still speaks, and
a test checks that every catalogue has every key.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from string import Formatter

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("kk", "ru", "en")
FALLBACK_ORDER = ("ru", "en")
DEFAULT_LANGUAGE = "ru"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    path = LOCALES_DIR / f"{lang}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def normalize_language(value: str | None) -> str:
    """Map a Telegram language code or a person's answer to kk/ru/en (default ru)."""
    if not value:
        return DEFAULT_LANGUAGE
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


class Texts:
    """The texts of one language: ``Texts("kk")("greeting")``."""

    def __init__(self, lang: str):
        self.lang = normalize_language(lang)

    def __call__(self, key: str, **values: object) -> str:
        for lang in (self.lang, *FALLBACK_ORDER):
            template = catalogue(lang).get(key)
            if template is not None:
                return template.format(**values) if values else template
        raise KeyError(f"no text for {key!r} in any catalogue")


def placeholders(template: str) -> set[str]:
    """Names used in a template, for checking that translations agree."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}
