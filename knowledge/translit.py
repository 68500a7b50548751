"""Kazakh in both alphabets: Cyrillic ↔ the 2021 Latin alphabet, and a folded key for matching.

Kazakhstan is moving from Cyrillic to the Latin alphabet approved in 2021
(A Ä B D E F G Ğ H I İ J K L M N Ñ O Ö P Q R S Ş T U Ū Ü V Y Z).  People
already write Kazakh in Latin letters — by the standard, or informally
without diacritics ("mugalim", "jurgizushi", "aspaz").  Kasip keeps its
data in Cyrillic, so:

* :func:`cyrillic_to_latin` writes Cyrillic Kazakh by the 2021 alphabet
  (Russian-only letters as the standard's transition rules suggest:
  ц→ts, ч→ch, щ→şş, ё→io, ю→iu, я→ia, ъ and ь dropped);
* :func:`latin_to_cyrillic` reads standard and informal Latin back into
  Cyrillic, as well as an unambiguous reading allows;
* :func:`fold` reduces either script to plain ASCII letters, so that
  "mūğalım", "mugalim" and "мұғалім" meet in one key for fuzzy matching.

>>> cyrillic_to_latin("Қазақстан Республикасы")
'Qazaqstan Respublikasy'
>>> latin_to_cyrillic("mūğalım")
'мұғалім'
>>> fold("мұғалім") == fold("mugalim") == fold("mūğalım")
True
"""

from __future__ import annotations

import re

_CYR_TO_LAT = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e", "ё": "io",
    "ж": "j", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n",
    "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "ū",
    "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "ş", "щ": "şş", "ъ": "",
    "ы": "y", "і": "ı", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}

# Reading Latin back: longest spellings first; informal digraphs included.
_LAT_TO_CYR_MULTI = (("şş", "щ"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("iu", "ю"), ("ia", "я"), ("yu", "ю"), ("ya", "я"))
_LAT_TO_CYR = {
    "a": "а", "ä": "ә", "á": "ә", "b": "б", "c": "ц", "ç": "ч", "d": "д", "e": "е", "f": "ф",
    "g": "г", "ğ": "ғ", "ǵ": "ғ", "h": "х", "ı": "і", "j": "ж", "k": "к", "l": "л", "m": "м",
    "n": "н", "ñ": "ң", "ń": "ң", "ŋ": "ң", "o": "о", "ö": "ө", "ó": "ө", "p": "п", "q": "қ",
    "r": "р", "s": "с", "ş": "ш", "t": "т", "u": "у", "ū": "ұ", "ú": "ұ", "ü": "ү", "v": "в",
    "w": "у", "x": "кс", "y": "ы", "ý": "ы", "z": "з",
}
_VOWELS_LAT = set("aäeıioöuūüyáóúý")
_STANDARD_ONLY = set("ıäğñöūüş")

_FOLD = {
    # Latin diacritics → plain letters
    "ä": "a", "á": "a", "ğ": "g", "ǵ": "g", "ı": "i", "i̇": "i", "ñ": "n", "ń": "n", "ŋ": "n", "ö": "o",
    "ó": "o", "ş": "sh", "ç": "ch", "ū": "u", "ú": "u", "ü": "u", "ý": "y", "w": "u", "q": "k", "x": "h",
    "j": "zh", "c": "ts", "y": "y",
}


def cyrillic_to_latin(text: str) -> str:
    """Write Cyrillic Kazakh in the 2021 Latin alphabet, keeping case and everything else."""
    out: list[str] = []
    for ch in text:
        latin = _CYR_TO_LAT.get(ch.lower())
        if latin is None:
            out.append(ch)
        elif ch.isupper() and latin:
            out.append(latin[0].upper() + latin[1:])
        else:
            out.append(latin)
    return "".join(out)


def latin_to_cyrillic(text: str) -> str:
    """Read Latin-script Kazakh (standard 2021 or informal) into Cyrillic.

    Ambiguities are settled the way Kazakh spelling usually goes: ``i``
    after a vowel is й; otherwise, in text written with the 2021 letters
    (ı ä ğ ñ ö ū ü ş), ``i`` is и, and in informal text without them ``i``
    is і (by far the more common letter in Kazakh words).
    """
    standard = any(ch in _STANDARD_ONLY for ch in text.lower())
    out: list[str] = []
    lower = text.lower()
    i = 0
    while i < len(text):
        piece = lower[i : i + 2]
        multi = next((cyr for lat, cyr in _LAT_TO_CYR_MULTI if piece == lat), None)
        if multi is not None:
            out.append(multi.upper() if text[i].isupper() else multi)
            i += 2
            continue
        ch = lower[i]
        if ch == "i":
            after_vowel = i > 0 and lower[i - 1] in _VOWELS_LAT
            cyr = "й" if after_vowel else ("и" if standard else "і")
        elif ch == "İ".lower():
            cyr = "и"
        else:
            cyr = _LAT_TO_CYR.get(ch)
        if cyr is None:
            out.append(text[i])
        else:
            out.append(cyr.upper() if text[i].isupper() else cyr)
        i += 1
    return "".join(out)


def fold(text: str) -> str:
    """An ASCII key shared by Cyrillic, standard Latin and informal Latin Kazakh.

    Lower case; Cyrillic is first written in Latin; diacritics and the
    informal spellings then collapse to plain letters.  Distinctions that
    informal writers drop (қ/к, ұ/ү/у, і/и/ы stays y) are dropped here too.
    """
    latin = cyrillic_to_latin(text.lower())
    latin = latin.replace("i̇", "i")
    out = "".join(_FOLD.get(ch, ch) for ch in latin)
    out = out.replace("y", "i")  # ы/і/и: informal writers mix them freely
    return re.sub(r"[^a-z0-9]+", " ", out).strip()
