"""Run All goes through an unanswered exercise (issue 26, point 3): each lesson's student edition, every exercise left
as released (nbgrader's stub), executed top to bottom with errors allowed, raises only in the exercises' own cells and
their graded tests; every later cell runs, since none depends on an answer. Slow: it executes every lesson once more
(fast profile, unless the shell names one)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader", reason="nbgrader is in the coursework, site and test extras")
from nbclient import NotebookClient  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
sys.path.insert(0, str(REPO / "scripts"))
import student_edition  # noqa: E402


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("student")
    assert student_edition.main(["--output", str(folder)]) == 0
    return folder / "lessons"


def is_graded_test(cell: dict) -> bool:
    grading = cell.get("metadata", {}).get("nbgrader") or {}
    return cell["cell_type"] == "code" and bool(grading.get("grade")) and not grading.get("solution")


def exercise_cells(instructor: dict) -> set[int]:
    """The indices of every exercise cell and of the graded test cells right after it."""
    cells, found = instructor["cells"], set()
    for index, cell in enumerate(cells):
        grading = cell.get("metadata", {}).get("nbgrader") or {}
        if cell["cell_type"] == "code" and grading.get("solution"):
            found.add(index)
            later = index + 1
            while later < len(cells) and is_graded_test(cells[later]):
                found.add(later)
                later += 1
    return found


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.stem for lesson in LESSONS])
def test_run_all_goes_through_every_unanswered_exercise(edition, lesson, tmp_path):
    notebook = nbformat.read(edition / lesson.name, as_version=4)
    env = {**os.environ, "COLLAPSE_KIT_PROFILE": os.environ.get("COLLAPSE_KIT_PROFILE", "fast")}
    env.setdefault("COLLAPSE_KIT_CACHE", str(tmp_path / "cache"))
    client = NotebookClient(notebook, timeout=600, allow_errors=True,
                            resources={"metadata": {"path": str(lesson.parent)}})
    client.execute(env=env)
    allowed = exercise_cells(json.loads(lesson.read_text(encoding="utf-8")))
    failed = {index: f"{output['ename']}: {output['evalue']}"[:300] for index, cell in enumerate(notebook.cells)
              if cell.cell_type == "code" for output in cell.get("outputs", []) if output["output_type"] == "error"}
    assert set(failed) & allowed, f"{lesson.name}: no unanswered exercise raised; is the edition the released one?"
    later = {index: error for index, error in failed.items() if index not in allowed}
    assert not later, f"{lesson.name}: cells that fail when an exercise is left unanswered: {later}"
