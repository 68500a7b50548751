"""The group card: one NKZ group explained for a person, as plain text.

Shared by the dialog's result (`kasip chat`, later Telegram) and by
``kasip code``, so a group looks the same wherever it is shown.  Only
plain text here: transports add their own markup if they want it.
"""

from __future__ import annotations

from bot.i18n import Texts
from knowledge.codes import Level, is_canonical
from knowledge.display import display_name
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


def render_card(group: Group, tree: NkzTree, lang: str) -> str:
    """The full card: names in both official languages, path, skill level, contents."""
    texts = Texts(lang)
    other = "ru" if lang == "kk" else "kk"
    lines = [
        group_heading(group, lang),
        f"{texts('card.other_name')}: {display_name(group.name(other))}",
        f"{texts(f'level.{int(group.level)}')}",
        "",
        f"{texts('card.path')}:",
    ]
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
    lines += ["", texts("card.source")]
    return "\n".join(lines)


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
