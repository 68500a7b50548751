"""Abbreviations in job titles are expanded before matching."""

import pytest

from knowledge.abbreviations import abbreviations, expand_abbreviations


@pytest.mark.parametrize(
    ("typed", "expanded"),
    [
        ("Гл. бух", "главный бухгалтер"),
        ("гл.бух", "главный бухгалтер"),
        ("вед. инж.-программист", "ведущий инженер-программист"),
        ("нач-к цеха", "начальник цеха"),
        ("зам. директора", "заместитель директора"),
        ("орынб.", "орынбасары"),
        ("sr dev", "senior developer"),
        ("сварщик", "сварщик"),
        ("Старший", "Старший"),
    ],
)
def test_expansion(typed: str, expanded: str) -> None:
    assert expand_abbreviations(typed) == expanded


def test_table_is_clean() -> None:
    table = abbreviations()
    assert len(table) > 50
    assert all(key and value and key == key.lower() for key, value in table.items())
