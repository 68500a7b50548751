"""Code syntax: what people type becomes a canonical NKZ code, or nothing."""

import pytest

from knowledge.codes import Level, is_residual, is_undivided, level_of, normalize_code, parent_code


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("2", "2"),
        ("21", "21"),
        ("214", "214"),
        ("2147", "2147"),
        ("2147-1", "2147-1"),
        ("2147-1-001", "2147-1-001"),
        ("21471", "2147-1"),
        ("21471001", "2147-1-001"),
        ("2147 1 001", "2147-1-001"),
        (" 2147.1 ", "2147-1"),
        ("2147–1", "2147-1"),
        ("X", "Х"),
        ("x1000", "Х1000"),
        ("X1000-0", "Х1000-0"),
        ("Х 1000 0", "Х1000-0"),
        ("40", "40"),
    ],
)
def test_typed_codes_become_canonical(typed: str, canonical: str) -> None:
    assert normalize_code(typed) == canonical


@pytest.mark.parametrize(
    "typed", ["", "   ", "0", "0123", "abc", "2147-12", "2147-1-01", "214711", "X12", "1" * 40, "7212; DROP TABLE", "7️⃣"]
)
def test_non_codes_are_rejected(typed: str) -> None:
    assert normalize_code(typed) is None


def test_levels_and_parents() -> None:
    assert level_of("2147-1-001") is Level.TITLE
    assert level_of("Х1000") is Level.UNIT
    assert parent_code("2147-1-001") == "2147-1"
    assert parent_code("2147") == "214"
    assert parent_code("Х1000") == "Х"
    assert parent_code("2") is None


def test_residual_and_undivided_markers() -> None:
    assert is_residual("2149") and is_residual("5149") and is_residual("2147-9")
    assert not is_residual("2147") and not is_residual("9") and not is_residual("2147-9-009")
    assert is_undivided("4120") and is_undivided("9120") and is_undivided("2331-0")
    assert not is_undivided("40") and not is_undivided("Х1000")
