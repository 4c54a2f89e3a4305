"""The figures of README.md and the guides: each file exists and each image says in words what it shows (its alt
text, written by scripts/draw_docs_figures.py from the figure's own description)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "site" / "guides").glob("*.md"))]
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+\.png)\)")


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_figure_exists_and_says_what_it_shows(page):
    for alt, target in IMAGE.findall(page.read_text(encoding="utf-8")):
        assert (page.parent / target).resolve().is_file(), f"{page.name} shows {target}, which does not exist"
        assert len(alt.split()) >= 12, f"{page.name}: the alt text of {target} says too little: {alt!r}"


def test_the_readme_shows_a_figure():
    assert IMAGE.search((REPO / "README.md").read_text(encoding="utf-8"))
