"""Kazakh in both alphabets, and the folded key that lets them meet."""

import pytest

from knowledge.translit import cyrillic_to_latin, fold, latin_to_cyrillic


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Қазақстан Республикасының", "Qazaqstan Respublikasynyñ"),
        ("мұғалім", "mūğalım"),
        ("жүргізуші", "jürgızuşı"),
        ("бағдарламашы", "bağdarlamaşy"),
        ("сатушы-кеңесші", "satuşy-keñesşı"),
        ("үйіне", "üiıne"),
        ("Өскемен", "Öskemen"),
        ("әкім", "äkım"),
        ("Шымкент", "Şymkent"),
    ],
)
def test_cyrillic_to_latin_2021_and_back(cyrillic: str, latin: str) -> None:
    assert cyrillic_to_latin(cyrillic) == latin
    assert latin_to_cyrillic(latin) == cyrillic


@pytest.mark.parametrize(
    ("informal", "cyrillic"),
    [("aspaz", "аспаз"), ("qazaqsha", "қазақша"), ("zhurgizushi", "жургізуші"), ("satushy", "сатушы")],
)
def test_informal_latin_is_read(informal: str, cyrillic: str) -> None:
    assert latin_to_cyrillic(informal) == cyrillic


def test_all_spellings_fold_to_one_key() -> None:
    assert fold("мұғалім") == fold("mūğalım") == fold("mugalim") == fold("MUGALIM")
    assert fold("жүргізуші") == fold("zhurgizushi") == fold("jurgizushi".replace("j", "zh"))
    assert fold("Қазақстан") == fold("Kazakstan") == fold("Qazaqstan")
