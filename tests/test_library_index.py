"""Which lesson uses what (site/guides/library.md's index): generated from the notebooks by
scripts/library_index.py, never kept by hand; this test fails when a lesson starts or stops using a name and the
index was not regenerated."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import library_index  # noqa: E402  (scripts/ is not a package)


def test_the_library_guides_index_is_what_the_lessons_use_now():
    page = library_index.GUIDE.read_text(encoding="utf-8")
    assert page == library_index.guide_text(page, library_index.index()), \
        "site/guides/library.md's index is out of date: run python scripts/library_index.py"


def test_a_name_is_used_when_imported_or_reached_through_an_imported_module():
    code = ("from collapse_kit.evidence import claims\nfrom collapse_kit.vae.loop import run_experiment as run\n"
            "claims.recursion()\nx = claims.GENERATION\n")
    assert library_index.used_names(code) == {"collapse_kit.vae.loop.run_experiment",
                                              "collapse_kit.evidence.claims.recursion",
                                              "collapse_kit.evidence.claims.GENERATION"}
    assert library_index.used_names("import numpy as np\nnp.mean([1])\n") == set()


def test_every_lesson_that_runs_the_vae_is_indexed_under_its_loop():
    found = library_index.index()
    assert {"03", "04", "06", "07"} <= set(found["collapse_kit.vae.loop.run_experiment"])
    lessons = sorted(path.name[:2] for path in library_index.LESSONS.glob("[0-9][0-9]_*.ipynb"))
    assert found["collapse_kit.evidence.checks.predicted"] == lessons  # every lesson has a predict-first item
