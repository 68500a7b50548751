"""Readable forms of the official NKZ names, which the source writes in capitals.

The official names stay exactly as published (``Group.name_ru``/``name_kz``);
this module only makes a *display* form: sentence case, with abbreviations
kept in capitals (РК, ТиПО, ИТ, ЖОО…) and the proper names of the state
(Республика Казахстан, Президент, Парламент…) capitalised.  It is a
convenience for reading; when in doubt, the official form is shown next to it.

>>> display_name("СЛЕСАРЬ ПО РЕМОНТУ ЭВМ")
'Слесарь по ремонту ЭВМ'
>>> display_name("ПРЕПОДАВАТЕЛЬ КОЛЛЕДЖА ТИПО")
'Преподаватель колледжа ТиПО'
>>> display_name("АКИМЫ ОБЛАСТЕЙ, СТОЛИЦЫ И ГОРОДА РЕСПУБЛИКАНСКОГО ЗНАЧЕНИЯ")
'Акимы областей, столицы и города республиканского значения'
"""

from __future__ import annotations

import re
from functools import lru_cache

ABBREVIATIONS = {
    # Russian
    "РК": "РК", "ИТ": "ИТ", "ВУЗ": "ВУЗ", "ИКТ": "ИКТ", "ЭВМ": "ЭВМ", "АЗС": "АЗС", "ПТО": "ПТО",
    "ТВЧ": "ТВЧ", "ЖД": "ЖД", "КИП": "КИП", "КИПИА": "КИПиА", "ТИПО": "ТиПО", "СМИ": "СМИ",
    "ЧПУ": "ЧПУ", "ЛЭП": "ЛЭП", "ГСМ": "ГСМ", "ЖБИ": "ЖБИ", "АСУ": "АСУ", "ТП": "ТП", "СНГ": "СНГ",
    "ООН": "ООН", "ЕАЭС": "ЕАЭС", "МВД": "МВД", "КНБ": "КНБ", "ЭКСПО": "ЭКСПО", "ЦОН": "ЦОН",
    # Kazakh
    "ЖОО": "ЖОО", "ТЖКБ": "ТжКБ", "ЭЕМ": "ЭЕМ", "ЖҚС": "ЖҚС", "ККЖ": "ККЖ", "ЖЖТ": "ЖЖТ",
    "БАҚ": "БАҚ", "ТМД": "ТМД", "БҰҰ": "БҰҰ", "ІІМ": "ІІМ", "ҰҚК": "ҰҚК", "ЖЖМ": "ЖЖМ", "ХҚКО": "ХҚКО",
    # Latin
    "IT": "IT", "HR": "HR", "PR": "PR", "SMM": "SMM", "IELTS": "IELTS", "SEO": "SEO", "CNC": "CNC",
    "3D": "3D", "2D": "2D",
}
"""Upper-case tokens that stay as written (value: the form to show)."""

_ALWAYS_PROPER = re.compile(r"^(КАЗАХСТАН|ҚАЗАҚСТАН|АСТАН|ЕЛБАСЫ|ПАРЛАМЕНТ|МАЖИЛИС|МӘЖІЛІС|СЕНАТ)")
_STATE_NEIGHBOUR = re.compile(r"^(РЕСПУБЛИК|ПРЕЗИДЕНТ)")
_NEAR_COUNTRY = re.compile(r"^(КАЗАХСТАН|ҚАЗАҚСТАН|РЕСПУБЛИК)")
_TOKEN = re.compile(r"[0-9]*[^\W\d_]+|\S")


def _case_token(token: str, previous: str, following: str) -> str:
    upper = token.upper()
    if upper in ABBREVIATIONS:
        return ABBREVIATIONS[upper]
    if _ALWAYS_PROPER.match(upper):
        return token[:1].upper() + token[1:].lower()
    if _STATE_NEIGHBOUR.match(upper) and (
        _NEAR_COUNTRY.match(previous.upper()) or _NEAR_COUNTRY.match(following.upper())
    ):
        return token[:1].upper() + token[1:].lower()
    return token.lower()


@lru_cache(maxsize=4096)
def display_name(official: str) -> str:
    """Sentence-case form of an official upper-case name (already mixed-case names pass as they are)."""
    text = " ".join(official.replace("\xa0", " ").split())
    if any(ch.islower() for ch in text):
        return text[:1].upper() + text[1:]
    words = [m.group(0) for m in _TOKEN.finditer(text)]
    alpha = [w for w in words if w[-1:].isalpha()]
    cased: dict[int, str] = {}
    for i, word in enumerate(alpha):
        previous = alpha[i - 1] if i > 0 else ""
        following = alpha[i + 1] if i + 1 < len(alpha) else ""
        cased[i] = _case_token(word, previous, following)
    out: list[str] = []
    position = 0
    alpha_index = 0
    for match in _TOKEN.finditer(text):
        out.append(text[position : match.start()])
        word = match.group(0)
        if word[-1:].isalpha():
            out.append(cased[alpha_index])
            alpha_index += 1
        else:
            out.append(word)
        position = match.end()
    out.append(text[position:])
    result = "".join(out)
    for i, ch in enumerate(result):
        if ch.isalpha():
            return result[:i] + ch.upper() + result[i + 1 :]
    return result
