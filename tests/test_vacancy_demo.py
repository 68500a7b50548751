"""The committed demo vacancies: real, deduplicated, with provenance, in step with their converter."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from db.build_demo import collect_rows
from db.connection import open_database
from db.demo import DEMO_FILE, load_demo
from db.migrations import migrate
from db.vacancy_rows import build_row
from knowledge.tree import load_tree

SOURCES = DEMO_FILE.parent / "SOURCES.md"


def demo_rows() -> list[dict]:
    with gzip.open(DEMO_FILE, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_the_demo_file_is_real_deduplicated_data_with_provenance() -> None:
    rows = demo_rows()
    assert 3500 <= len(rows) <= 3700 and DEMO_FILE.stat().st_size < 1_000_000
    assert len({(r["source"], r["source_id"]) for r in rows}) == len(rows)
    tree = load_tree()
    for row in rows:
        assert row["source"] == "hh" and row["source_id"].isdigit() and row["title"]
        assert row["url"].startswith("https://") and row["source_id"] in row["url"] and "?" not in row["url"]
        assert "<highlighttext>" not in row.get("description", "")
        assert build_row(**row) is not None  # every row passes the import's own checks
        if "nkz_code" in row:
            assert tree.get(row["nkz_code"]) is not None and row["code_origin"] == "auto"
            assert "+resolver-" in row["code_version"] and 0 < row["code_confidence"] <= 1
    assert sum("nkz_code" in r for r in rows) > 0.95 * len(rows)
    dates = sorted(r["published"] for r in rows if "published" in r)
    assert dates[0] >= "2023-06-01" and dates[-1] <= "2026-12-31"


def test_the_demo_file_matches_its_converter() -> None:
    """Rebuilding from ../shared gives the same vacancies (codes aside): the file is not edited by hand."""
    rebuilt = {(r.source, r.source_id): r.to_json() for r in collect_rows()[0]}
    shipped = {}
    for row in demo_rows():
        for key in ("nkz_code", "code_origin", "code_confidence", "code_version"):
            row.pop(key, None)
        shipped[(row["source"], row["source_id"])] = row
    assert shipped == rebuilt


def test_sources_note_says_where_it_comes_from() -> None:
    text = SOURCES.read_text(encoding="utf-8")
    for needed in (
        "Zhanahmet01p/Job_analyze",
        "743de3e6f415294c6860ff657351cc16442bcaf9",
        "silvermete0r/HH.kz_IT_jobs_Parser",
        "e4b8a029fdfabb2c2cd0012a6b2dc2b05a622cb1",
        "AlyaraSDU/Project-1",
        "4ce501c0cb1575cf7e92c4dfbfe8f3202b6ddd8b",
        "none stated",
        "python -m db.build_demo",
    ):
        assert needed in text, needed


def test_load_demo_once_and_only_if_empty(tmp_path: Path) -> None:
    db = open_database(tmp_path / "k.sqlite")
    migrate(db)
    first = load_demo(db, if_empty=True)
    assert first is not None and first.added == len(demo_rows()) and first.rejected == 0
    assert load_demo(db, if_empty=True) is None
    again = load_demo(db)
    assert (again.added, again.updated, again.unchanged) == (0, 0, first.added)
    coded = sum(1 for r in demo_rows() if "nkz_code" in r)
    assert db.execute("SELECT count(*) FROM vacancies WHERE code_origin = 'auto'").fetchone()[0] == coded
