"""Reading a description the way the NKZ methodology asks: clauses, time shares and signals.

The seed's rules for jobs that mix duties need to know *which* duties a
person has and how they split their time: "30% математика, 70% физика",
"в основном пеку хлеб, иногда продаю".  This module cuts a description
into clauses, attaches the share of time each one takes when the person
says so, and spots the signals the rules turn on: managing people, being
self-employed, being an assistant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


# Rule names, as reported in every resolution ("why this code").
HIGHEST_SKILL = "highest_skill_level"
MOST_TIME = "most_time"
PRODUCTION_FIRST = "production_first"
DERIVATIVE_IGNORED = "derivative_title_ignored"
DERIVATIVE_KEPT = "derivative_title_kept_management"
SELF_EMPLOYED = "self_employed_not_manager"
CODE_TYPED = "code_typed"
EXACT_TITLE = "exact_title"
ANSWER = "answer"

_SPLIT = re.compile(
    r"[.;!?\n]+|,|\s+(?:а также|а ещё|и ещё|плюс|кроме того|и|а|and also|and|also|as well as|және де|сондай-ақ|және|әрі)\s+",
    re.IGNORECASE,
)
_SHARE = re.compile(r"(\d{1,3})\s*(?:%|процент\w*|пайыз\w*|percent)", re.IGNORECASE)
_MOSTLY = re.compile(
    r"\b(в основном|основн\w+|большую часть|больше всего|главным образом|mostly|mainly|most of (?:my|the) time|"
    r"негізінен|көбінесе|көбіне|уақытымның көбі)\b",
    re.IGNORECASE,
)
_SOMETIMES = re.compile(r"\b(иногда|изредка|немного|sometimes|occasionally|a bit|кейде|аздап)\b", re.IGNORECASE)

_MANAGEMENT = re.compile(
    r"(руковож|руковод(?:ит|ство)|управляю|возглавля|заведую|подчин[её]н|в подчинении|мои сотрудники|команд[аеуы] из|"
    r"распределяю задачи|ставлю задачи|контролирую работу|"
    r"басқарамын|басшылық|жетекшілік|бағынышт|қол астымда|"
    r"\bmanag(?:e|ing)\b|\blead(?:ing)? (?:a |the )?team|\bsupervis|\bmy team\b|\breports? to me)",
    re.IGNORECASE,
)
_MANAGER_TITLE = re.compile(
    r"(руковод|директор|заведу|управляющ|начальник|\bглава\b|председател|\bшеф\b|заместител|\bзам\b|"
    r"басшы|меңгеруш|бастық|төраға|жетекші|басқарушы|"
    r"\bhead\b|\bdirector\b|\bchief\b|\bceo\b|\bcfo\b|\bcto\b|\bcoo\b|\bowner\b)",
    re.IGNORECASE,
)
_SELF_EMPLOYED = re.compile(
    r"(\bип\b|индивидуальн\w+ предприним|самозанят|сво[йеюя]\w* (?:бизнес|дело|мастерск|салон|точк|магазин|автосервис|гараж)|"
    r"на себя работаю|работаю на себя|"
    r"жеке кәсіпкер|өз бизнес|өз ісім|өзіме жұмыс|"
    r"self-employed|\bfreelanc|my own (?:business|shop|salon|garage)|own business)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Clause:
    text: str
    share: float | None  # share of working time, 0–1, when the person said so
    from_title: bool = False


def split_clauses(text: str) -> list[str]:
    parts = [p.strip(" ,:-—") for p in _SPLIT.split(text) if p and p.strip(" ,:-—")]
    return [p for p in parts if any(ch.isalpha() for ch in p)]


def clauses(title: str, duties: str) -> list[Clause]:
    """The title as one clause, then the duties cut into clauses, with shares of time."""
    found: list[Clause] = []
    if title.strip():
        found.append(Clause(title.strip(), None, from_title=True))
    for part in split_clauses(duties):
        found.append(Clause(part, _share_of(part)))
    return found


def _share_of(clause: str) -> float | None:
    match = _SHARE.search(clause)
    if match and 0 < int(match.group(1)) <= 100:
        return int(match.group(1)) / 100
    if _MOSTLY.search(clause):
        return 0.7
    if _SOMETIMES.search(clause):
        return 0.2
    return None


_NEGATION = re.compile(r"(\bне\b|\bнет\b|\bникем\b|\bникого\b|n't\b|\bnot\b|\bno\b|\bnever\b|\bnobody\b|\bжоқ\b|\bешкім)\W*(?:\w+\W+){0,2}$", re.IGNORECASE)


def manages_people(text: str) -> bool:
    """Does the person lead other people?  "I don't manage anyone" does not count."""
    for match in _MANAGEMENT.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        if not _NEGATION.search(before):
            return True
    return False


_HIGHER_EDUCATION = re.compile(
    r"(высш\w*\s+(?:[\w-]+\s+){0,3}образован|бакалавр|магистр|"
    r"жоғары\s+(?:[\w-]+\s+){0,3}біл|"
    r"higher education|bachelor|master'?s degree|university degree)",
    re.IGNORECASE,
)
_VOCATIONAL_EDUCATION = re.compile(
    r"(средн\w*[\s-]+специальн|средне-специальн|средн\w*\s+профессиональн|техническ\w+\s+и\s+профессиональн\w+\s+образован|"
    r"техникалық және кәсіптік|арнаулы орта|"
    r"vocational (?:education|training|qualification)|technical college diploma)",
    re.IGNORECASE,
)


def education_asked(text: str) -> str | None:
    """"higher" or "vocational" when the text names one level of education (a vacancy's requirement,
    or "у меня высшее"), None when it names none or both ("высшее или средне-специальное").

    NKZ's skill levels are defined by education: professionals (major group 2)
    by higher education, technicians and associate professionals (3) by
    post-secondary vocational training — the boundary the resolver most often
    gets wrong on real vacancies.
    """
    higher = bool(_HIGHER_EDUCATION.search(text))
    vocational = bool(_VOCATIONAL_EDUCATION.search(text))
    if higher == vocational:
        return None
    return "higher" if higher else "vocational"


def names_a_manager(text: str) -> bool:
    """Does the text call the person a head of something (директор, заведующий, басшы, head of …)?

    Group names of major group 1 carry the workplace ("…in restaurants",
    "…in retail"), so "кассир в супермаркете" matches a shop manager's name
    by its workplace alone.  Without a word like these, and without saying
    they lead people, a person is not placed among managers on that evidence.
    """
    return bool(_MANAGER_TITLE.search(text))


def self_employed(text: str) -> bool:
    return bool(_SELF_EMPLOYED.search(text))


def is_production(unit: str) -> bool:
    """Producing goods: skilled farming, crafts, plant operation, cooking (the 'production first' side)."""
    return unit[:1] in ("6", "7", "8") and not unit.startswith("83") or unit in ("5120", "3434")


def is_selling_or_transport(unit: str) -> bool:
    return unit.startswith(("52", "83", "95", "96")) or unit in ("3322", "3339")
