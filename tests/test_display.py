"""Display forms change letter case only, and keep abbreviations and state names right."""

import pytest

from knowledge.display import display_name
from knowledge.tree import NkzTree


@pytest.mark.parametrize(
    ("official", "shown"),
    [
        ("СЛЕСАРЬ ПО РЕМОНТУ ЭВМ", "Слесарь по ремонту ЭВМ"),
        ("ПРЕПОДАВАТЕЛЬ КОЛЛЕДЖА ТИПО", "Преподаватель колледжа ТиПО"),
        ("БІЛІМ БЕРУ САЛАСЫНДАҒЫ КОЛЛЕДЖДЕР МЕН БАСҚА ТЖКБ ҰЙЫМДАРЫ", "Білім беру саласындағы колледждер мен басқа ТжКБ ұйымдары"),
        ("ЖОО ОҚЫТУШЫСЫ", "ЖОО оқытушысы"),
        ("ИТ-АУДИТОР", "ИТ-аудитор"),
        ("ПРЕМЬЕР-МИНИСТР РЕСПУБЛИКИ КАЗАХСТАН", "Премьер-министр Республики Казахстан"),
        ("ҚАЗАҚСТАН РЕСПУБЛИКАСЫНЫҢ ПРЕМЬЕР-МИНИСТРІ", "Қазақстан Республикасының премьер-министрі"),
        ("ГОРОДА РЕСПУБЛИКАНСКОГО ЗНАЧЕНИЯ", "Города республиканского значения"),
        ("ИНЖЕНЕРЫ ПО 3D МОДЕЛИРОВАНИЮ", "Инженеры по 3D моделированию"),
        ("ФЛЕЙТИСТ\xa0", "Флейтист"),
        ("Машинист железнодорожного крана", "Машинист железнодорожного крана"),
    ],
)
def test_display_forms(official: str, shown: str) -> None:
    assert display_name(official) == shown


def test_display_changes_only_letter_case_and_spacing(tree: NkzTree) -> None:
    for group in tree:
        for name in (group.name_ru, group.name_kz):
            shown = display_name(name)
            assert shown.lower() == " ".join(name.replace("\xa0", " ").split()).lower(), group.code
