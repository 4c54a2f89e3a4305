"""The lessons as files: committed without outputs, and built the way the course promises (tests/…, lessons/).

conftest.py runs every lesson itself (pytest collects lessons/*.ipynb); these tests check what running cannot.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted((REPO / "lessons").glob("*.ipynb"))
IDS = [path.stem for path in LESSONS]


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def test_the_lessons_are_numbered_from_00_without_a_gap():
    assert len(LESSONS) >= 10 and [path.name[:2] for path in LESSONS] == [f"{n:02d}" for n in range(len(LESSONS))], \
        [p.name for p in LESSONS]


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lesson_is_committed_without_outputs(path):
    dirty = [i for i, cell in enumerate(_cells(path))
             if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} hold outputs; clear them (Kernel > Restart and Clear Outputs)"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_cell_has_an_id_of_its_own(path):
    """nbformat renames a repeated id on load (and nbgrader and the site key cells by it): each must be unique."""
    ids = [cell.get("id") for cell in _cells(path)]
    assert None not in ids and len(set(ids)) == len(ids), \
        f"{path.name}: repeated or missing cell ids {sorted({i for i in ids if ids.count(i) > 1} | {None} & set(ids))}"


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
    """A code exercise with its solution between the markers, graded tests with points, and short answers (markdown
    cells graded by hand) that carry their own points."""
    cells = _cells(path)
    graded = [c for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")
              or c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    solutions = [c for c in graded if c["cell_type"] == "code" and c["metadata"]["nbgrader"].get("solution")]
    tests = [c for c in graded if c["cell_type"] == "code" and c["metadata"]["nbgrader"].get("grade")]
    written = [c for c in graded if c["cell_type"] == "markdown"]
    assert solutions, f"{path.name}: no 'your turn' exercise cell"
    for cell in solutions:
        assert "### BEGIN SOLUTION" in _source(cell) and "### END SOLUTION" in _source(cell)
    assert tests and all(c["metadata"]["nbgrader"]["points"] > 0 for c in tests), f"{path.name}: no graded test"
    for cell in written:
        meta = cell["metadata"]["nbgrader"]
        assert meta.get("solution") and meta.get("grade") and meta.get("points", 0) > 0, \
            f"{path.name}: markdown cell {meta.get('grade_id')} must be a manually graded answer (solution and grade)"
    ids = [c["metadata"]["nbgrader"]["grade_id"] for c in graded]
    assert len(ids) == len(set(ids)), f"{path.name}: duplicate nbgrader grade_id in {ids}"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lesson_asks_for_a_prediction_before_the_run_that_answers_it(path):
    """One predict-then-observe item: a question naming a few choices, a cell that records the student's choice
    (empty, so the lesson runs untouched), the cells that answer it, then ``predicted`` with what the run observed,
    computed, never typed in."""
    cells = _cells(path)
    records = [i for i, c in enumerate(cells)
               if c["cell_type"] == "code" and re.search(r"^my_prediction\s*=", _source(c), re.M)]
    assert len(records) == 1, f"{path.name}: expected one cell that records my_prediction, found {len(records)}"
    record = records[0]
    recorded = re.fullmatch(r'my_prediction = ""  # (.+)', _source(cells[record]).strip())
    assert recorded, f"{path.name}: the prediction cell should hold only my_prediction = \"\" and the choices"
    choices = re.findall(r'"([^"]+)"', recorded.group(1))
    assert len(choices) >= 2, f"{path.name}: the prediction cell's comment should name the choices, in quotes"
    question = cells[record - 1]
    assert question["cell_type"] == "markdown" and "predict" in _source(question).lower(), \
        f"{path.name}: the prediction cell should follow the markdown cell that asks for the prediction"
    asked = " ".join(_source(question).split())  # a choice may wrap over two lines of markdown
    missing = [choice for choice in choices if f'"{choice}"' not in asked]
    assert not missing, f"{path.name}: the question should state every choice; it lacks {missing}"

    observes = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and "predicted(" in _source(c)]
    assert len(observes) == 1 and observes[0] > record, f"{path.name}: one predicted(...) cell after the prediction"
    between = [c for c in cells[record + 1:observes[0]] if c["cell_type"] == "code"]
    assert between, f"{path.name}: no cell between the prediction and predicted(...) runs what answers it"
    calls = [node for node in ast.walk(ast.parse(_source(cells[observes[0]])))
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "predicted"]
    assert len(calls) == 1 and len(calls[0].args) >= 3, f"{path.name}: call predicted(prediction, observed, question)"
    prediction, observed = calls[0].args[:2]
    assert isinstance(prediction, ast.Name) and prediction.id == "my_prediction", ast.unparse(prediction)
    assert not isinstance(observed, ast.Constant), \
        f"{path.name}: observed is typed in ({ast.unparse(observed)}); compute it from the lesson's results"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lesson_ends_with_check_cells(path):
    code = [_source(c) for c in _cells(path) if c["cell_type"] == "code"]
    assert any(re.search(r"\bcheck(_verdict)?\(", source) for source in code[-2:]), \
        f"{path.name}: no check cell (check or check_verdict) at the end"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lesson_never_chooses_its_profile_in_code(path):
    for cell in _cells(path):
        source = _source(cell)
        if cell["cell_type"] == "code":
            assert "COLLAPSE_KIT_PROFILE" not in source and "os.environ" not in source, path.name
            assert not re.search(r"for_profile\(\s*['\"]", source), f"{path.name} names a profile in code"


def glossary_anchors() -> set[str]:
    """The anchors Sphinx gives site/glossary.md's terms (``term-`` and the term, each run of other characters than
    letters, digits, dots and underscores one hyphen, as sphinx.util.nodes.make_id writes them)."""
    text = (REPO / "site" / "glossary.md").read_text(encoding="utf-8")
    block = text.split("```{glossary}\n", 1)[1].rsplit("```", 1)[0]
    terms = [line for line in block.split("\n") if line and not line[0].isspace()]
    return {"term-" + re.sub(r"[^a-zA-Z0-9._]+", "-", term).strip("-") for term in terms}


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_glossary_links_open_the_sites_glossary_wherever_the_lesson_opens(path):
    """JupyterLab, Notebook 7, VS Code, Binder and Colab open a relative link as a raw file, without its anchor, or
    not at all: every glossary link is the site's page (course_address rewrites it when the course moves), and each
    anchor is a term the glossary defines."""
    sys.path.insert(0, str(REPO / "scripts"))
    import course_address

    anchors, page = glossary_anchors(), course_address.pages_url() + "site/glossary.html#"
    text = "".join(_source(cell) for cell in _cells(path) if cell["cell_type"] == "markdown")
    assert "glossary.md" not in text, f"{path.name} links the glossary's source file: link {page}term-..."
    for anchor in re.findall(re.escape(page) + r"([^)\s]+)\)", text):
        assert anchor in anchors, f"{path.name} links {anchor!r}, which site/glossary.md does not define"
