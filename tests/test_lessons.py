"""The lessons as files: committed without outputs, and built the way the course promises (tests/…, lessons/).

nbval runs every lesson itself (pytest collects lessons/*.ipynb); these tests check what running cannot.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

LESSONS = sorted((Path(__file__).resolve().parent.parent / "lessons").glob("*.ipynb"))
IDS = [path.stem for path in LESSONS]


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def test_there_are_nine_numbered_lessons():
    assert [path.name[:2] for path in LESSONS] == [f"{n:02d}" for n in range(9)], [p.name for p in LESSONS]


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lesson_is_committed_without_outputs(path):
    dirty = [i for i, cell in enumerate(_cells(path))
             if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} hold outputs; clear them (Kernel > Restart and Clear Outputs)"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lesson_states_goals_and_time(path):
    opening = _source(_cells(path)[0])
    assert opening.startswith("# "), f"{path.name} must open with a title"
    assert re.search(r"\*\*Time:\*\* about \d+ minutes", opening), f"{path.name}: no estimated time"
    if not path.name.startswith("00"):
        assert "Learning goals" in opening, f"{path.name}: no learning goals"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_code_cells_come_after_an_explanation(path):
    """Markdown says what to look for before code; at most three code cells (a run, its figure, its numbers) in a row.

    An exercise's graded test cell may follow its solution cell directly.
    """
    run = 0
    for index, cell in enumerate(_cells(path)):
        if cell["cell_type"] == "markdown":
            run = 0
        elif not cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            run += 1
            assert index > 0, f"{path.name} opens with code"
            assert run <= 3, f"{path.name}: cell {index} is the {run}th code cell in a row with no explanation"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lesson_has_an_exercise_with_solution_and_autograded_test(path):
    cells = _cells(path)
    solutions = [c for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
    tests = [c for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    assert solutions, f"{path.name}: no 'your turn' exercise cell"
    for cell in solutions:
        assert "### BEGIN SOLUTION" in _source(cell) and "### END SOLUTION" in _source(cell)
    assert tests and all(c["metadata"]["nbgrader"]["points"] > 0 for c in tests), f"{path.name}: no graded test"
    ids = [c["metadata"]["nbgrader"]["grade_id"] for c in solutions + tests]
    assert len(ids) == len(set(ids)), f"{path.name}: duplicate nbgrader grade_id in {ids}"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lesson_ends_with_check_cells(path):
    code = [_source(c) for c in _cells(path) if c["cell_type"] == "code"]
    assert any("check(" in source for source in code[-2:]), f"{path.name}: no check cell at the end"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lesson_never_chooses_its_profile_in_code(path):
    for cell in _cells(path):
        source = _source(cell)
        if cell["cell_type"] == "code":
            assert "COLLAPSE_KIT_PROFILE" not in source and "os.environ" not in source, path.name
            assert not re.search(r"profile_config\(\s*['\"]", source), f"{path.name} names a profile in code"
