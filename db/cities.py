"""Kazakhstan's cities under one name each, whatever form the text uses.

Vacancy sources and people write the same city many ways: ``Нур-Султан
(Астана)``, ``Astana``, ``Нұр-Сұлтан``; ``Алма-Ата``, ``Almaty``; ``Өскемен``
and ``Усть-Каменогорск``.  The store keeps one canonical Russian name per
city (the form hh.kz and most Kazakhstani job boards use), so that a search
for ``Almaty`` finds vacancies filed under ``Алматы``.

Only real synonyms are listed: current names in Russian, Kazakh and Latin
spelling, and former official names of the *same* city (Нур-Султан,
Алма-Ата, Семипалатинск, Капчагай …).  A former name that is also the name
of something else is left out — ``Акмола`` is the Akmola *region* too, and
``Жамбыл`` is a region and many villages — because guessing there would
file vacancies in the wrong place.

>>> normalize_city("Нур-Султан (Астана)")
'Астана'
>>> normalize_city("alma-ata")
'Алматы'
>>> city_region("Семей")
'Абайская область'
>>> normalize_city("Limassol") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class City:
    name_ru: str  # the canonical name stored in the database
    name_kk: str
    name_en: str
    region: str  # oblast (since the 2022 reform), or the city itself for Астана, Алматы, Шымкент
    synonyms: tuple[str, ...] = ()


# Regions after the 2022 reform (Абайская, Жетысуская, Улытауская were split off).
_ABAI = "Абайская область"
_AKMOLA = "Акмолинская область"
_AKTOBE = "Актюбинская область"
_ALMATY_REGION = "Алматинская область"
_ATYRAU = "Атырауская область"
_EAST = "Восточно-Казахстанская область"
_ZHAMBYL = "Жамбылская область"
_ZHETISU = "Жетысуская область"
_WEST = "Западно-Казахстанская область"
_KARAGANDA = "Карагандинская область"
_KOSTANAY = "Костанайская область"
_KYZYLORDA = "Кызылординская область"
_MANGYSTAU = "Мангистауская область"
_PAVLODAR = "Павлодарская область"
_NORTH = "Северо-Казахстанская область"
_TURKISTAN = "Туркестанская область"
_ULYTAU = "Улытауская область"

CITIES: tuple[City, ...] = (
    City("Астана", "Астана", "Astana", "Астана", ("Нур-Султан", "Нұр-Сұлтан", "Nur-Sultan", "Nursultan", "Целиноград")),
    City("Алматы", "Алматы", "Almaty", "Алматы", ("Алма-Ата", "Alma-Ata", "Almaty city")),
    City("Шымкент", "Шымкент", "Shymkent", "Шымкент", ("Чимкент", "Chimkent")),
    City("Караганда", "Қарағанды", "Karaganda", _KARAGANDA, ("Karagandy", "Qaraghandy", "Qaragandy")),
    City("Актобе", "Ақтөбе", "Aktobe", _AKTOBE, ("Aqtobe", "Актюбинск")),
    City("Тараз", "Тараз", "Taraz", _ZHAMBYL, ("Джамбул",)),
    City("Павлодар", "Павлодар", "Pavlodar", _PAVLODAR),
    City("Усть-Каменогорск", "Өскемен", "Oskemen", _EAST, ("Оскемен", "Ust-Kamenogorsk", "Ust Kamenogorsk")),
    City("Семей", "Семей", "Semey", _ABAI, ("Семипалатинск", "Semipalatinsk", "Semei")),
    City("Атырау", "Атырау", "Atyrau", _ATYRAU, ("Гурьев",)),
    City("Костанай", "Қостанай", "Kostanay", _KOSTANAY, ("Кустанай", "Qostanai", "Kostanai")),
    City("Кызылорда", "Қызылорда", "Kyzylorda", _KYZYLORDA, ("Qyzylorda", "Кзыл-Орда")),
    City("Уральск", "Орал", "Oral", _WEST, ("Uralsk",)),
    City("Петропавловск", "Петропавл", "Petropavl", _NORTH, ("Petropavlovsk",)),
    City("Актау", "Ақтау", "Aktau", _MANGYSTAU, ("Aqtau",)),
    City("Кокшетау", "Көкшетау", "Kokshetau", _AKMOLA, ("Кокчетав", "Kokchetav")),
    City("Талдыкорган", "Талдықорған", "Taldykorgan", _ZHETISU, ("Taldyqorgan",)),
    City("Туркестан", "Түркістан", "Turkistan", _TURKISTAN, ("Turkestan",)),
    City("Экибастуз", "Екібастұз", "Ekibastuz", _PAVLODAR),
    City("Темиртау", "Теміртау", "Temirtau", _KARAGANDA),
    City("Жезказган", "Жезқазған", "Zhezkazgan", _ULYTAU, ("Jezkazgan",)),
    City("Конаев", "Қонаев", "Konaev", _ALMATY_REGION, ("Капчагай", "Қапшағай", "Kapchagay", "Kapshagay", "Qonaev")),
    City("Балхаш", "Балқаш", "Balkhash", _KARAGANDA, ("Balqash",)),
    City("Рудный", "Рудный", "Rudny", _KOSTANAY, ("Rudnyy",)),
    City("Жанаозен", "Жаңаөзен", "Zhanaozen", _MANGYSTAU, ("Новый Узень", "Janaozen")),
    City("Сатпаев", "Сәтбаев", "Satpayev", _ULYTAU, ("Satbayev", "Сатбаев")),
    City("Степногорск", "Степногорск", "Stepnogorsk", _AKMOLA),
    City("Щучинск", "Щучинск", "Shchuchinsk", _AKMOLA),
    City("Косшы", "Қосшы", "Kosshy", _AKMOLA),
    City("Аксай", "Ақсай", "Aksai", _WEST, ("Aksay",)),
    City("Курчатов", "Курчатов", "Kurchatov", _ABAI),
    City("Риддер", "Риддер", "Ridder", _EAST, ("Лениногорск",)),
    City("Лисаковск", "Лисаков", "Lisakovsk", _KOSTANAY),
    City("Житикара", "Жітіқара", "Zhitikara", _KOSTANAY),
    City("Аркалык", "Арқалық", "Arkalyk", _KOSTANAY),
    City("Хромтау", "Хромтау", "Khromtau", _AKTOBE),
    City("Кандыагаш", "Қандыағаш", "Kandyagash", _AKTOBE),
    City("Жанатас", "Жаңатас", "Zhanatas", _ZHAMBYL),
    City("Кульсары", "Құлсары", "Kulsary", _ATYRAU),
    City("Каскелен", "Қаскелең", "Kaskelen", _ALMATY_REGION),
    City("Талгар", "Талғар", "Talgar", _ALMATY_REGION),
    City("Есик", "Есік", "Esik", _ALMATY_REGION, ("Иссык",)),
    City("Отеген-Батыр", "Өтеген батыр", "Otegen Batyr", _ALMATY_REGION),
    City("Аксу", "Ақсу", "Aksu", _PAVLODAR),
    City("Кентау", "Кентау", "Kentau", _TURKISTAN),
    City("Сарыагаш", "Сарыағаш", "Saryagash", _TURKISTAN),
    City("Шахтинск", "Шахтинск", "Shakhtinsk", _KARAGANDA),
    City("Байконур", "Байқоңыр", "Baikonur", _KYZYLORDA, ("Baikonyr", "Байконыр")),
    City("Аягоз", "Аягөз", "Ayagoz", _ABAI),
    City("Текели", "Текелі", "Tekeli", _ZHETISU),
    City("Жаркент", "Жаркент", "Zharkent", _ZHETISU),
)

# Kazakh letters that Russian spelling writes with the nearest Russian letter;
# folding them lets "Қарағанды" and "Карагaнды" meet.
_KAZAKH_FOLD = str.maketrans("әғқңөұүһі", "агкноуухи")
_PREFIX = re.compile(r"^(?:г\.|г |город |гор\.|city of )\s*")
_SUFFIX = re.compile(r"\s+(?:қаласы|каласы|city|г\.?|город)$")
_QUALIFIER = re.compile(r"\s*\((?:казахстан|қазақстан|kazakhstan|кз|kz)\)\s*$", re.IGNORECASE)


def _key(text: str) -> str:
    """A spelling-insensitive key: lower case, ё→е, Kazakh letters folded, one kind of separator."""
    text = text.strip().lower().replace("ё", "е").translate(_KAZAKH_FOLD)
    text = _PREFIX.sub("", text)
    text = _SUFFIX.sub("", text)
    text = re.sub(r"[\s\-‐‑–—_.,']+", " ", text)
    return text.strip()


@lru_cache(maxsize=1)
def _index() -> dict[str, City]:
    index: dict[str, City] = {}
    for city in CITIES:
        for form in (city.name_ru, city.name_kk, city.name_en, *city.synonyms):
            key = _key(form)
            if key in index and index[key] is not city:
                raise ValueError(f"city form {form!r} is ambiguous")  # a bug in the table above
            index[key] = city
    return index


def find_city(raw: str | None) -> City | None:
    """The city a text names, or None when it is unknown or empty.

    Handles hh.kz's ``Нур-Султан (Астана)`` (tries the whole text, then the
    part before and inside the brackets), ``г. Алматы``, ``Алматы қаласы``
    and the ``(Казахстан)`` qualifier hh adds to names shared with Russia.
    """
    if not raw or not raw.strip():
        return None
    text = _QUALIFIER.sub("", raw.strip())
    index = _index()
    tries = [text]
    bracket = re.match(r"^(.*?)\((.*?)\)\s*$", text)
    if bracket:
        tries += [bracket.group(1), bracket.group(2)]
    for candidate in tries:
        city = index.get(_key(candidate))
        if city is not None:
            return city
    return None


def normalize_city(raw: str | None) -> str | None:
    """The canonical (Russian) name of a known city, else None."""
    city = find_city(raw)
    return city.name_ru if city else None


@lru_cache(maxsize=4096)
def clean_city(raw: str | None) -> str | None:
    """What to store: the canonical name when known, else the source's text tidied.

    Unknown places (villages, districts, cities abroad) are kept as the
    source wrote them — minus surrounding spaces and hh's ``(Казахстан)``
    qualifier — rather than dropped or guessed.
    """
    if raw is None or not raw.strip():
        return None
    known = normalize_city(raw)
    if known:
        return known
    return re.sub(r"\s+", " ", _QUALIFIER.sub("", raw.strip())) or None


@lru_cache(maxsize=1024)
def city_region(name: str | None) -> str | None:
    """The region (oblast) of a known city, else None."""
    city = find_city(name)
    return city.region if city else None
