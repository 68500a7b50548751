"""NKZ 2017 as Kasip stores it: complete, consistent, and identical to the official source."""

from __future__ import annotations

import csv
import re

import pytest

from knowledge.build.nkz import KNOWN_IRREGULAR_CODES
from knowledge.codes import Level, is_canonical, level_of, parent_code
from knowledge.tree import NkzTree

from .conftest import SHARED

SOURCE_CSV = SHARED / "data" / "nkz2017_esutd_d_position" / "nkz2017_actual.csv"


def test_official_counts(tree: NkzTree) -> None:
    counts = {level: len(tree.at_level(level)) for level in Level}
    assert counts == {
        Level.MAJOR: 10,
        Level.SUB_MAJOR: 41,
        Level.MINOR: 141,
        Level.UNIT: 444,
        Level.OCCUPATION: 1276,
        Level.TITLE: 12194,
    }


def test_every_parent_exists_and_is_one_level_up(tree: NkzTree) -> None:
    for group in tree:
        if group.level is Level.MAJOR:
            assert group.parent is None
            continue
        parent = tree.get(group.parent or "")
        assert parent is not None, group.code
        if group.code.startswith("Х") and group.level is Level.UNIT:
            assert parent.level is Level.MAJOR  # major group Х has no sub-major or minor groups
        elif group.code not in KNOWN_IRREGULAR_CODES:
            assert parent.level == group.level - 1, group.code
            assert parent.code == parent_code(group.code)


def test_codes_follow_the_nkz_patterns(tree: NkzTree) -> None:
    irregular = [g.code for g in tree if not is_canonical(g.code)]
    assert irregular == list(KNOWN_IRREGULAR_CODES)
    for group in tree:
        if group.code in KNOWN_IRREGULAR_CODES:
            continue
        assert level_of(group.code) is group.level, group.code


def test_no_duplicate_codes_and_both_names_everywhere(tree: NkzTree) -> None:
    codes = [g.code for g in tree]
    assert len(codes) == len(set(codes)) == 14106
    for group in tree:
        assert group.name_ru.strip() and group.name_kz.strip(), group.code
        assert re.search("[А-ЯЁа-яё]", group.name_ru), group.code


def test_every_unit_has_occupation_groups(tree: NkzTree) -> None:
    for unit in tree.at_level(Level.UNIT):
        assert any(child.level is Level.OCCUPATION for child in tree.children(unit.code)), unit.code


def test_residual_and_undivided_groups_are_marked(tree: NkzTree) -> None:
    assert tree.get("2149").residual and tree.get("5149").residual
    assert "н.в.д.г" in tree.get("2149").name_ru.lower()
    assert tree.get("4120").undivided and tree.get("9120").undivided
    assert not tree.get("2147").residual and not tree.get("2147").undivided


@pytest.mark.parametrize(
    ("code", "label", "best"),
    [("2147", "4", 4), ("3151", "3", 3), ("4120", "2", 2), ("8322-1", "2", 2), ("9111", "1", 1), ("1121", "3–4", 4), ("1411", "3–4", 3), ("Х3000", "—", None)],
)
def test_skill_levels(tree: NkzTree, code: str, label: str, best: int | None) -> None:
    skill = tree.get(code).skill_level
    assert skill.label == label
    assert skill.best == best


def test_the_conductor_example(tree: NkzTree) -> None:
    group = tree.lookup("5111-2-002")
    assert group.name_kz == "СУ КӨЛІГІНДЕГІ ЖОЛСЕРІК"
    assert group.name_ru == "ПРОВОДНИК НА ВОДНОМ ТРАНСПОРТЕ"
    assert [g.code for g in tree.path(group.code)] == ["5", "51", "511", "5111", "5111-2", "5111-2-002"]
    assert group.skill_level.label == "2"


def test_lookup_accepts_what_people_type(tree: NkzTree) -> None:
    assert tree.lookup("21471").code == "2147-1"
    assert tree.lookup("x1000").code == "Х1000"
    assert tree.lookup("2331-001").code == "2331-001"
    assert tree.lookup("9999") is None
    assert tree.lookup("'; DROP TABLE groups; --") is None


def test_nearest_codes_for_a_missing_code(tree: NkzTree) -> None:
    nearest = [g.code for g in tree.nearest("2148")]
    assert nearest[0] in {"2147", "2149"} and all(code.startswith("214") for code in nearest)
    assert tree.nearest("not a code") == []


@pytest.mark.skipif(not SOURCE_CSV.exists(), reason="../shared is not beside the project")
def test_identical_to_the_official_source(tree: NkzTree) -> None:
    """Every code and both official names exactly as ESUTD publishes them, nothing more, nothing less."""
    with SOURCE_CSV.open(encoding="utf-8", newline="") as handle:
        source = {row["code"]: row for row in csv.DictReader(handle)}
    assert set(source) == {g.code for g in tree}
    for group in tree:
        row = source[group.code]
        assert (group.name_ru, group.name_kz) == (row["name_ru"], row["name_kz"]), group.code
        assert int(row["level"]) == group.level and (row["parent_code"] or None) == group.parent
