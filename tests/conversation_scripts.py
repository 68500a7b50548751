"""Conversation scripts shared by the terminal and the Telegram tests.

A script is a list of steps a person takes and what they must see:

* ``("say", text)`` — type a message;
* ``("press", n)`` — press the n-th button (1-based) of the last message that had buttons;
* ``("press_label", prefix)`` — press the first button whose label starts with *prefix*;
* ``("expect", regex)`` — something shown since the previous step matches.

The same script runs through ``kasip chat`` (buttons are numbered choices)
and through the real bot against the fake Telegram server.
"""

from __future__ import annotations

SCRIPTS: dict[str, list[tuple[str, object]]] = {
    "ru_clear_title": [
        ("say", "/start"),
        ("press_label", "Русский"),
        ("expect", "Кем вы работаете"),
        ("say", "электросварщик"),
        ("expect", r"7212-\d"),
        ("expect", "Уровень квалификации: 2"),
        ("expect", "Почему этот код"),
    ],
    "kk_teacher_with_duties": [
        ("say", "/start"),
        ("press_label", "Қазақша"),
        ("say", "мұғалім"),
        ("expect", "Жұмыста уақытыңыздың көбін"),
        ("say", "мектепте 5-9 сыныптарға математика сабағын беремін"),
        ("expect", r"23\d\d"),
    ],
    "en_unclear_then_pick": [
        ("say", "/start"),
        ("press_label", "English"),
        ("say", "specialist"),
        ("expect", "Tell me what you do"),
        ("say", "I help people in an office"),
        ("expect", "None of these"),
        ("press", 1),
        ("expect", r"\d{4}"),
    ],
    "ru_code_lookup_and_help": [
        ("say", "/start"),
        ("press_label", "Русский"),
        ("say", "/code 21471"),
        ("expect", "2147-1"),
        ("say", "/code 2148"),
        ("expect", "Ближайшие существующие коды"),
        ("say", "/help"),
        ("expect", "/code 7212"),
    ],
}
