"""The lessons' tables of README.md and the site's front page, written from each lesson's own metadata
(scripts/course_tables.py): a new lesson brings its row; an edited row is edited in its lesson."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import course_tables  # noqa: E402  (scripts/ is not a package)


def test_both_tables_are_what_the_lessons_say_now():
    for page, text in course_tables.pages().items():
        assert page.read_text(encoding="utf-8") == text, \
            f"{page.relative_to(REPO)}'s lessons' table is out of date: run python scripts/course_tables.py"


def test_every_lesson_has_a_row_in_both_tables():
    rows = course_tables.readme_table().split("\n")[2:], course_tables.index_table().split("\n")[2:]
    assert len(rows[0]) == len(rows[1]) == len(list(course_tables.LESSONS.glob("[0-9][0-9]_*.ipynb")))


def test_a_lesson_without_its_entry_is_named(tmp_path, monkeypatch):
    (tmp_path / "10_a_coin.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    monkeypatch.setattr(course_tables, "LESSONS", tmp_path)
    with pytest.raises(ValueError, match="10_a_coin.ipynb: its notebook metadata must hold collapse_kit"):
        course_tables.lessons()
