"""The group card: one NKZ group explained for a person, as plain text.

Shared by the dialog's result (`kasip chat`, later Telegram) and by
``kasip code``, so a group looks the same wherever it is shown.  Only
plain text here: transports add their own markup if they want it.

Official facts (codes, names) come from the NKZ tree; what the work is,
its tasks, the groups it is confused with and the ISCO-08 crosswalk come
from Kasip's own group knowledge.
"""

from __future__ import annotations

from bot.i18n import Texts
from knowledge.codes import Level, is_canonical
from knowledge.display import display_name
from knowledge.group_knowledge import GroupKnowledge, load_knowledge
from knowledge.isco import isco_titles
from knowledge.tree import Group, NkzTree

MAX_LISTED = 12
"""How many children or example titles a card lists before saying "and N more"."""


def group_heading(group: Group, lang: str) -> str:
    """"7212 Сварщики и газорезчики" in the person's language (Russian for English)."""
    return f"{group.code} {display_name(group.name(lang))}"


def skill_line(group: Group, texts: Texts) -> str:
    skill = group.skill_level
    if skill.low is None:
        return texts("skill.none")
    if not skill.fixed:
        return texts("skill.managers", isco08=skill.isco08)
    return texts(f"skill.{skill.low}")


def render_card(group: Group, tree: NkzTree, lang: str, knowledge: GroupKnowledge | None = None) -> str:
    """The full card: names, what the work is, tasks, path, skill level, contents, neighbours."""
    knowledge = knowledge or load_knowledge()
    texts = Texts(lang)
    other = "ru" if lang == "kk" else "kk"
    lines = [
        group_heading(group, lang),
        f"{texts('card.other_name')}: {display_name(group.name(other))}",
        f"{texts(f'level.{int(group.level)}')}",
    ]
    lines += _about(group, knowledge, texts, lang)
    lines += ["", f"{texts('card.path')}:"]
    for depth, step in enumerate(tree.path(group.code)):
        lines.append(f"{'  ' * depth}{step.code} {display_name(step.name(lang))}")
    lines += ["", f"{texts('card.skill')}: {skill_line(group, texts)}"]
    notes = []
    if group.residual:
        notes.append(texts("card.residual"))
    if group.undivided:
        notes.append(texts("card.undivided"))
    if not is_canonical(group.code):
        notes.append(texts("card.irregular"))
    if notes:
        lines += [""] + notes
    lines += _contents(group, tree, texts, lang)
    lines += _neighbours(group, tree, knowledge, texts, lang)
    lines += _crosswalk(group, knowledge, texts)
    lines += ["", texts("card.source")]
    if group.unit and knowledge.description(group.unit, lang):
        lines.append(texts("card.knowledge_source"))
    return "\n".join(lines)


def _about(group: Group, knowledge: GroupKnowledge, texts: Texts, lang: str) -> list[str]:
    """What the work is: the group's own description, or its occupation group's line and its unit's."""
    paragraphs: list[str] = []
    occupation = group.parent if group.level is Level.TITLE else group.code
    distinction = knowledge.distinction(occupation or "", lang) if group.level >= Level.OCCUPATION else None
    if distinction:
        paragraphs.append(distinction)
    description = knowledge.description(group.unit or group.code, lang)
    if description:
        paragraphs.append(description)
    lines: list[str] = []
    if paragraphs:
        lines += ["", f"{texts('card.about')}:", *paragraphs]
    tasks = knowledge.task_list(group.unit, lang) if group.unit else []
    if tasks:
        lines += ["", f"{texts('card.tasks')}:"] + [f"• {task}" for task in tasks]
    return lines


def _contents(group: Group, tree: NkzTree, texts: Texts, lang: str) -> list[str]:
    """Children for groups above occupation level; example titles below."""
    if group.level is Level.TITLE:
        return []
    if group.level >= Level.OCCUPATION:
        items, heading = tree.titles(group.code), texts("card.titles")
    else:
        items, heading = tree.children(group.code), texts("card.children")
    if not items:
        return []
    lines = ["", f"{heading}:"]
    lines += [f"• {item.code} {display_name(item.name(lang))}" for item in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        lines.append(texts("card.more", count=len(items) - MAX_LISTED))
    return lines


def _neighbours(group: Group, tree: NkzTree, knowledge: GroupKnowledge, texts: Texts, lang: str) -> list[str]:
    confusions = knowledge.confused_with(group.unit) if group.unit else []
    shown = [(tree.get(c.code), c) for c in confusions if tree.get(c.code) is not None]
    if not shown:
        return []
    lines = ["", f"{texts('card.confused')}:"]
    for other, confusion in shown:
        reason = confusion.why.get(lang) or confusion.why.get("ru", "")
        lines.append(f"• {group_heading(other, lang)} — {reason}")
    return lines


def _crosswalk(group: Group, knowledge: GroupKnowledge, texts: Texts) -> list[str]:
    crosswalk = knowledge.crosswalk.get(group.unit or "")
    if crosswalk is None:
        return []
    titles = isco_titles()
    named = "; ".join(f"{code} {titles.get(code, '')}".strip() for code in crosswalk.isco)
    if crosswalk.relation == "national" and not crosswalk.isco:
        relation = texts("isco.national_none")
    else:
        relation = f"{texts(f'isco.{crosswalk.relation}')}: {named}"
    return ["", f"{texts('card.isco')}: {relation}"]
