"""From text in Kazakh, Russian or English to the terms the resolver compares.

A *term* is the form of a word that different word forms share:

* Russian: the pymorphy3 lemma (сварщиком → сварщик, варю → варить), plus a
  derivational root marked with "~" (сварщик, сварка, сварить → ~свар), so
  that the doer, the action and the verb meet;
* Kazakh: the stem from :mod:`knowledge.kazakh_stem` (жүргізуші, жүргізу,
  жүргіземін → жүргіз); Kazakh in Latin letters is read into Cyrillic first;
* English: the Snowball stem (welder, welding → weld / welder).

A word without Kazakh letters may be Russian or Kazakh (аспаз, сатушы):
words pymorphy3 does not know are analysed both ways.  The same function
analyses the classifier's data and what people type, so both sides meet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pymorphy3
import snowballstemmer

from knowledge.abbreviations import expand_abbreviations
from knowledge.kazakh_stem import stem as kazakh_stem
from knowledge.kazakh_stem import strip_predicate
from knowledge.translit import fold, latin_to_cyrillic

KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

STOP_WORDS = frozenset(
    # Russian
    "и в во на по с со к ко у о об от до из за для при без над под про или а но же ли то это как что кто "
    "я мы вы он она они мой моя мои наш наша свой своя его ее их также еще очень все весь вся всё "
    "работаю работать работа работе работу работаем занимаюсь заниматься делаю делать являюсь быть был была "
    "сейчас тоже там тут где когда который которая которые есть нет да разный разные различный другой другие "
    "время времени часть основном основная главным образом обычно иногда день каждый "
    # Kazakh
    "және мен бен пен да де та те ал бірақ немесе үшін туралы сияқты бұл осы ол олар біз сен сіз менің "
    "жұмыс жұмысым жұмыста істеймін істейм жасаймын боламын болып айналысамын негізінен көбінесе кейде әр күні "
    # English
    "the a an and or of in on at to for with by from as is am are was were be been i we you he she they my our "
    "work works working job do does doing also mostly mainly usually sometimes every day time part".split()
)

_FOLDED_KAZAKH_STOP: frozenset[str] | None = None


def _is_latin_kazakh_stop(word: str) -> bool:
    """"men", "zhumys", "bolyp": Kazakh stop words typed in Latin letters."""
    global _FOLDED_KAZAKH_STOP
    if _FOLDED_KAZAKH_STOP is None:
        _FOLDED_KAZAKH_STOP = frozenset(fold(w) for w in STOP_WORDS if re.search("[а-яәғқңөұүһі]", w))
    return fold(word) in _FOLDED_KAZAKH_STOP or fold(latin_to_cyrillic(word)) in _FOLDED_KAZAKH_STOP


DERIVATIVE_WORDS = frozenset(
    "заместитель зам вице главный ведущий старший младший стажер стажёр ученик практикант "
    "орынбасары орынбасар бас жетекші аға кіші тағылымгер оқушы "
    "deputy vice chief lead senior junior trainee apprentice intern".split()
)
"""Words that make a derivative title (NKZ methodology, rule 4): dropped unless they mean management."""

_RU_DERIVATION = (
    "тельница", "ирование", "ировать", "льщица", "льщик", "тельство", "ование", "овать", "щица", "чица",
    "ение", "ание", "тель", "щик", "чик", "ист", "ша", "ка", "ия", "ить", "ать", "ять", "еть",
)
_MIN_ROOT = 4

_morph: pymorphy3.MorphAnalyzer | None = None
_english = snowballstemmer.stemmer("english")


def morph() -> pymorphy3.MorphAnalyzer:
    global _morph
    if _morph is None:
        _morph = pymorphy3.MorphAnalyzer()
    return _morph


@dataclass(frozen=True)
class Word:
    """One word of the text and the terms it stands for (the first is the main one)."""

    surface: str
    terms: tuple[str, ...]
    derivative: bool = False


def words(text: str) -> list[str]:
    """Lower-case words, abbreviations expanded, ё→е, hyphenated compounds kept whole."""
    expanded = expand_abbreviations(unmix_scripts(text)).lower().replace("ё", "е")
    return _WORD.findall(expanded)


_LOOKALIKES = str.maketrans("ABCEHIKMOPTXYaceiopxyk", "АВСЕНІКМОРТХУасеіорхук")
CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[A-Za-z]")
_LETTERS = re.compile(r"[^\W\d_]+")


def unmix_scripts(text: str) -> str:
    """Latin letters that look Cyrillic, inside a Cyrillic word, read as the Cyrillic ones.

    "CАНТЕХНИК" with a Latin C, "МАШИНИСI" with a Latin I: over four hundred
    NKZ titles are written so, and people type them too.  Only words that mix
    the two scripts change ("IT-специалист" keeps its IT; "Sauda" stays Latin).
    """
    if not (_LATIN.search(text) and CYRILLIC.search(text)):
        return text
    return _LETTERS.sub(_unmix_word, text)


def written_words(text: str) -> list[str]:
    """Lower-case words as they are written (look-alike letters unmixed, ё→е, no abbreviations expanded)."""
    return _LETTERS.findall(unmix_scripts(text).lower().replace("ё", "е"))


def _unmix_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if _LATIN.search(word) and CYRILLIC.search(word):
        return word.translate(_LOOKALIKES)
    return word


@lru_cache(maxsize=131072)
def russian_terms(word: str) -> tuple[str, ...]:
    """Lemmas (up to two readings) and the derivational root of a Russian word."""
    try:
        parses = morph().parse(word)
    except ValueError:  # pymorphy3 fails on characters Unicode gives no name (found by hypothesis)
        return (word,)
    # "пеку", "варю", "мою": in a description of one's work a first-person verb is the verb,
    # not the homonymous noun (пек, Варя) or pronoun (мой).
    first_person = [p for p in parses if p.tag.POS == "VERB" and "1per" in p.tag]
    if first_person:
        parses = first_person
    lemmas: list[str] = []
    top = parses[0].score if parses else 0
    for parse in parses[:4]:
        if parse.score >= 0.25 * top and parse.normal_form not in lemmas:
            lemmas.append(parse.normal_form.replace("ё", "е"))
        if len(lemmas) == 2:
            break
    terms = list(lemmas) or [word]
    for lemma in list(terms):
        root = russian_root(lemma)
        if root != lemma and f"~{root}" not in terms:
            terms.append(f"~{root}")
    return tuple(terms)


def russian_root(lemma: str) -> str:
    for ending in _RU_DERIVATION:
        if lemma.endswith(ending) and len(lemma) - len(ending) >= _MIN_ROOT:
            return lemma[: -len(ending)]
    return lemma


@lru_cache(maxsize=131072)
def is_known_russian(word: str) -> bool:
    try:
        return morph().word_is_known(word)
    except ValueError:
        return False


@lru_cache(maxsize=131072)
def cyrillic_terms(word: str, kazakh_context: bool = False) -> tuple[str, ...]:
    """Terms of a Cyrillic word, Kazakh, Russian, or a Russian word with a Kazakh ending.

    In a Kazakh text, words without Kazakh letters (мал, бала, аспаз) are
    read both ways; a Russian word with a Kazakh personal ending
    ("вахтермін", "лаборантпын") also gets the Russian word's terms.
    """
    terms: list[str] = []
    if KAZAKH_LETTERS & set(word):
        terms.append(kazakh_stem(word))
    elif is_known_russian(word):
        terms += russian_terms(word)
        if kazakh_context:
            terms.append(kazakh_stem(word))
    else:
        terms += [*russian_terms(word), kazakh_stem(word)]
    base = strip_predicate(word)
    if base != word and not KAZAKH_LETTERS & set(base) and len(base) >= 4 and is_known_russian(base):
        terms += russian_terms(base)
    return tuple(dict.fromkeys(terms))


@lru_cache(maxsize=131072)
def latin_terms(word: str, english_only: bool = False) -> tuple[str, ...]:
    """English stem first; the Kazakh reading of the same letters second (unless known English)."""
    english = _english.stemWord(word)
    if english_only:
        return (english,)
    kazakh = kazakh_stem(latin_to_cyrillic(word))
    return tuple(dict.fromkeys((english, kazakh)))


def analyze(text: str, lang: str | None = None) -> list[Word]:
    """Every meaningful word of *text* with its terms (see :func:`_analyze`); cached per text."""
    return list(_analyze(text, lang))


@lru_cache(maxsize=8192)
def _analyze(text: str, lang: str | None = None) -> tuple[Word, ...]:
    """Every meaningful word of *text* with its terms; stop words left out.

    ``lang="en"`` says the text is known to be English (an English title):
    its Latin words are then not also read as Kazakh.
    """
    result: list[Word] = []
    kazakh_context = bool(KAZAKH_LETTERS & set(text))
    for surface in words(text):
        pieces = [surface] if surface in DERIVATIVE_WORDS else surface.split("-")
        for piece in pieces:
            if piece in STOP_WORDS or len(piece) < 2:
                continue
            if re.search("[a-z]", piece):
                if lang != "en" and _is_latin_kazakh_stop(piece):
                    continue
                terms = latin_terms(piece, english_only=lang == "en")
            else:
                terms = cyrillic_terms(piece, kazakh_context)
            derivative = piece in DERIVATIVE_WORDS or (terms[0] in DERIVATIVE_WORDS)
            result.append(Word(piece, terms, derivative))
        if "-" in surface and surface not in DERIVATIVE_WORDS:
            # Keep the compound too: "продавец-консультант", "инженер-программист".
            joined = surface.replace("-", "")
            result.append(Word(surface, (joined,), False))
    return tuple(result)


_KEYBOARD = str.maketrans(
    "qwertyuiop[]asdfghjkl;'zxcvbnm,.`QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>~",
    "йцукенгшщзхъфывапролджэячсмитьбюёЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮЁ",
)


def from_latin_keyboard(text: str) -> str:
    """Russian typed with the keyboard left on English: "ghjlfdtw" → "продавец"."""
    return text.translate(_KEYBOARD)
