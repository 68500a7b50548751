"""A small suffix stripper for Kazakh, so that word forms of one stem meet.

Kazakh builds words by adding suffixes: пісір-е-мін "I cook", пісір-у-ші
"cook (person)", жүргіз-у "driving", жүргіз-у-ші "driver", дәнекерле-й-мін
"I weld", мұғалім-дер "teachers".  Matching a person's words to NKZ names
needs the shared stem, not the whole form.  This is not a full
morphological analyser: it strips known endings from the right, checks
that each ending fits the sound it follows (тар after voiceless consonants,
дар after voiced ones, лар after vowels — so бухгалтер keeps its "тер"),
and never leaves fewer than :data:`MIN_STEM` letters.  It is applied the
same way to the data and to what people type, so forms of a word meet.

>>> [stem(w) for w in ("пісіремін", "пісіруші", "жүргіземін", "жүргізуші", "жүргізу", "дәнекерлеймін")]
['пісір', 'пісір', 'жүргіз', 'жүргіз', 'жүргіз', 'дәнекерле']
>>> [stem(w) for w in ("бухгалтер", "бухгалтерлер", "мұғалім", "мұғалімі", "мұғаліммін", "мектепте")]
['бухгалтер', 'бухгалтер', 'мұғалім', 'мұғалім', 'мұғалім', 'мектеп']
"""

from __future__ import annotations

from functools import lru_cache

MIN_STEM = 3

VOWELS = set("аәеёиоөұүыіэюя")
VOICELESS = set("кқпстфхцчшщ")

_PERSON = ("сыңдар", "сіңдер", "мын", "мін", "бын", "бін", "пын", "пін", "мыз", "міз", "быз", "біз", "пыз", "піз", "сың", "сің", "сыз", "сіз")
_VERB_TENSE = ("атын", "етін", "йтын", "йтін", "ады", "еді", "йды", "йді", "ды", "ді", "ты", "ті")
_VERB_LINK = ("а", "е", "й")
_CASE = (
    "ның", "нің", "дың", "дің", "тың", "тің", "нан", "нен", "дан", "ден", "тан", "тен", "нда", "нде", "мен", "бен", "пен",
    "ға", "ге", "қа", "ке", "на", "не", "ны", "ні", "да", "де", "та", "те", "ды", "ді", "ты", "ті",
)
_POSSESSIVE = ("ымыз", "іміз", "ыңыз", "іңіз", "сы", "сі", "ы", "і")
_PLURAL = ("лар", "лер", "дар", "дер", "тар", "тер")
_AGENT = ("ушы", "уші", "шы", "ші")
_VERBAL_NOUN = ("у", "ю")


def _fits(stem: str, ending: str) -> bool:
    """Does *ending* follow *stem* by Kazakh sound rules (roughly)?"""
    last = stem[-1]
    first = ending[0]
    if first == "т":
        return last in VOICELESS
    if first == "д":
        return last not in VOICELESS and last not in VOWELS
    if first == "л":
        return last in VOWELS or last in "руй"
    if first in "бп" and ending in ("бен", "пен"):
        return (first == "п") == (last in VOICELESS)
    if first in "қк" and len(ending) == 2:  # dative қа/ке after voiceless only
        return last in VOICELESS
    if first in "ғг" and len(ending) == 2:
        return last not in VOICELESS
    if first == "н" and ending in ("на", "не", "ны", "ні", "ның", "нің"):
        return last in VOWELS
    if ending in ("сы", "сі"):
        return last in VOWELS
    if ending in ("ы", "і"):  # not the agent suffix шы/ші
        return last not in VOWELS and last != "ш"
    return True


def _strip(word: str, endings: tuple[str, ...]) -> str:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM and _fits(word[: -len(ending)], ending):
            return word[: -len(ending)]
    return word


def strip_predicate(word: str) -> str:
    """Only the personal ending: "вахтермін" → "вахтер", "аспазбын" → "аспаз" (loanwords keep their shape)."""
    return _strip(word.lower(), _PERSON)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The stem of one lower-case Kazakh word (Cyrillic)."""
    word = word.lower()
    verb = _strip(word, _PERSON)
    if verb != word and (verb[-1] in "аей" or verb.endswith(_VERB_TENSE)):
        # A finite verb: пісір-е-мін, дәнекерле-й-мін, жаса-ймын.
        return _strip(_strip(verb, _VERB_TENSE), _VERB_LINK)
    current = verb  # a noun, perhaps with a predicate ending: мұғалім-мін "I am a teacher"
    for endings in (_CASE, _POSSESSIVE, _PLURAL, _POSSESSIVE, _AGENT, _VERBAL_NOUN):
        current = _strip(current, endings)
    return current
