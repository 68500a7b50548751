"""The hand-written group knowledge: complete where written, in three languages, never copied."""

from __future__ import annotations

import pytest

from knowledge.build import check_content
from knowledge.codes import Level
from knowledge.group_knowledge import GROUPS_DIR, load_knowledge, read_knowledge
from knowledge.isco import isco_unit_codes
from knowledge.tree import NkzTree


def test_every_file_passes_the_checker(tree: NkzTree) -> None:
    """Codes exist, texts present in kk/ru/en, 4–8 tasks, no placeholders or duplicates, no copying."""
    report = check_content.check(sorted(GROUPS_DIR.glob("*.json")), tree=tree)
    assert report.problems == []


def test_checker_catches_what_it_promises(tree: NkzTree, tmp_path) -> None:
    bad = tmp_path / "bad.json"
    isco_sentence = (  # ISCO-08's own definition of 7212, word for word
        "Welders and flame cutters weld and cut metal parts using gas flame, electric arc and other sources of heat"
    )
    bad.write_text(
        """{"groups": {
          "9999": {"description": {"kk": "x", "ru": "y", "en": "z"}},
          "7212": {"description": {"kk": "TODO", "ru": "Сварщики варят.", "en": "%s."},
                   "tasks": {"kk": ["а"], "ru": ["б", "в"], "en": []},
                   "isco08": {"codes": ["7777"], "relation": "same-ish", "note": ""}},
          "7212-1": {"distinction": {"ru": "Сварщики варят."}}
        }, "aliases": [{"text": "", "lang": "xx", "code": "1", "kind": "slang"}]}"""
        % isco_sentence,
        encoding="utf-8",
    )
    problems = "\n".join(check_content.check([bad], tree=tree).problems)
    for expected in [
        "9999: no such NKZ code",
        "placeholder-like kk text",
        "tasks, want 4-8",
        "task counts differ",
        "relation 'same-ish'",
        "7777 does not exist",
        "distinction lacks kk",
        "copies ISCO/ESCO wording" if check_content.foreign_shingles() is not None else "",
        "kind 'slang'",
    ]:
        assert expected in problems, expected


def test_crosswalk_codes_exist_in_isco08() -> None:
    knowledge = load_knowledge()
    units = isco_unit_codes()
    for code, crosswalk in knowledge.crosswalk.items():
        assert set(crosswalk.isco) <= units, code
        assert crosswalk.relation in ("same", "part-of", "merges", "national")


def test_no_copying_from_isco_or_esco() -> None:
    foreign = check_content.foreign_shingles()
    if foreign is None:
        pytest.skip("../shared (ISCO-08 and ESCO texts) is not beside the project")
    knowledge = read_knowledge()
    texts = [t for by_lang in knowledge.descriptions.values() for t in by_lang.values()]
    texts += [t for by_lang in knowledge.tasks.values() for items in by_lang.values() for t in items]
    texts += [t for by_lang in knowledge.distinctions.values() for t in by_lang.values()]
    copied = [t for t in texts if check_content.shingles(t) & foreign]
    assert copied == []


def test_units_described_have_everything(tree: NkzTree) -> None:
    knowledge = load_knowledge()
    for code in knowledge.tasks:
        group = tree.get(code)
        assert group is not None and group.level is Level.UNIT
        for lang in ("kk", "ru", "en"):
            assert knowledge.description(code, lang)
            assert 4 <= len(knowledge.task_list(code, lang)) <= 8
        assert code in knowledge.crosswalk


def test_every_group_is_described(tree: NkzTree) -> None:
    """All 10 major, 41 sub-major, 141 minor and 444 unit groups, and every occupation group."""
    report = check_content.check(sorted(GROUPS_DIR.glob("*.json")), complete=True, tree=tree)
    assert report.problems == []
    knowledge = load_knowledge()
    for group in tree:
        if group.level <= Level.UNIT:
            assert all(knowledge.description(group.code, lang) for lang in ("kk", "ru", "en")), group.code
        elif group.level is Level.OCCUPATION and group.code != "2331-001":
            assert knowledge.distinction(group.code, "kk") and knowledge.distinction(group.code, "ru"), group.code
    assert len(knowledge.crosswalk) == 444


def test_english_titles_come_through_the_crosswalk(tree: NkzTree) -> None:
    import csv

    from knowledge.index import ENGLISH_ALIASES_FILE

    with ENGLISH_ALIASES_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) > 10_000
    knowledge = load_knowledge()
    for row in rows[:: max(1, len(rows) // 500)]:
        assert tree.get(row["code"]) is not None
        assert row["isco08"] in knowledge.crosswalk[row["code"]].isco
        assert row["source"] in ("ilo-index", "esco-preferred", "esco-alt")
