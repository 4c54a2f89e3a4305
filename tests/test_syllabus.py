"""The syllabus (site/syllabus.md): its numbers are what scripts/study_times.py computes from the lessons now, the
lessons' headers give the same study times, and the counting and the session plans do what the page says."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import study_times  # noqa: E402

SYLLABUS = REPO / "site" / "syllabus.md"


@pytest.fixture(scope="module")
def loads():
    return study_times.course()


def test_the_syllabus_says_what_the_lessons_say_now(loads):
    page = SYLLABUS.read_text(encoding="utf-8")
    assert page == study_times.syllabus_text(page, study_times.blocks(loads)), \
        "site/syllabus.md is out of date: run python scripts/study_times.py"


def test_every_lesson_header_gives_the_syllabus_study_time(loads):
    assert not study_times.stale_headers(loads), "run python scripts/study_times.py:\n" + \
        "\n".join(study_times.stale_headers(loads))


def test_every_number_of_the_page_is_generated():
    # Outside the generated parts the page may name lessons, chapters, claims, seeds and the 95% level, never a time
    # or a point count.
    page = study_times.MARKER.sub("", SYLLABUS.read_text(encoding="utf-8"))
    for sentence in re.findall(r"[^.\n]*\d+\s*(?:min|minutes|h\b|hours?|points?|%)[^.\n]*", page):
        assert "95%" in sentence, f"a number written by hand in site/syllabus.md: {sentence.strip()!r}"


def test_the_site_lists_the_syllabus():
    index = (REPO / "site" / "index.md").read_text(encoding="utf-8")
    toctrees = re.findall(r"```\{toctree\}\n(.*?)```", index, re.S)
    assert any(re.search(r"^/?syllabus$", tree, re.M) for tree in toctrees), "site/index.md: syllabus in a toctree"


def test_markdown_words_skip_link_targets_comments_and_table_rules():
    text = ("# A title\n[![badge](https://x.org/b.svg)](https://x.org/n) Read **this**, then run it.\n"
            "<!-- a note to authors -->\n| a | b |\n|---|--:|\n| 1 | 2 |\n")
    # A, title, [![badge]], Read, **this**, then, run, it. | a | b | 1 | 2 (the table's cells; its rule is not text)
    assert study_times.markdown_words(text) == 12


def test_code_lines_skip_comments_blank_lines_and_hidden_tests():
    source = ("# set up\nx = 1\n\nassert x == 1\n### BEGIN HIDDEN TESTS\nassert x > 0\n### END HIDDEN TESTS\n"
              "print(x)  # shows 1\n")
    assert study_times.code_lines(source) == 3


def stand_in_lesson(path: Path) -> Path:
    """A lesson as the course writes one: title, two code cells, a prediction, an exercise of 2 points with its test
    (hidden part included), and a short answer of 2 points holding a model answer."""
    notebook = nbformat.v4.new_notebook()
    solution = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION")
    solution.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False, "grade_id": "l99_answer",
                                     "schema_version": 3}
    test = nbformat.v4.new_code_cell("assert isinstance(answer, int)\n### BEGIN HIDDEN TESTS\nassert answer == 42\n"
                                     "### END HIDDEN TESTS")
    test.metadata["nbgrader"] = {"solution": False, "grade": True, "locked": True, "points": 2,
                                 "grade_id": "l99_answer_test", "schema_version": 3}
    written = nbformat.v4.new_markdown_cell("A model answer of nine words that nobody reads.")
    written.metadata["nbgrader"] = {"solution": True, "grade": True, "locked": False, "points": 2,
                                    "grade_id": "l99_explain", "schema_version": 3}
    notebook.cells = [
        # 9 words: "#" and "·" are not words
        nbformat.v4.new_markdown_cell("# 99 · A stand-in\n**Time:** about 5 minutes to study."),
        nbformat.v4.new_code_cell("import math\nprint(math.pi)"),
        nbformat.v4.new_code_cell('my_prediction = ""  # "yes" or "no"'),
        solution, test, written,
    ]
    nbformat.write(notebook, path)
    return path


def test_a_lesson_is_counted_as_its_student_version(tmp_path):
    path = stand_in_lesson(tmp_path / "99_stand_in.ipynb")
    load = study_times.lesson_load(path, {"99_stand_in.ipynb": 90.0})
    assert (load.number, load.title) == ("99", "A stand-in")
    assert load.words == 9, "the model answer is not read"
    assert (load.code_cells, load.code_lines) == (3, 4), "the solution cell and the hidden test are not read"
    assert (load.autograded_points, load.written_points, load.predictions) == (2, 2, 1)
    rates = study_times
    assert load.total_minutes == pytest.approx(
        9 / rates.READING_WORDS_PER_MINUTE + 4 / rates.CODE_LINES_PER_MINUTE + 3 * rates.MINUTES_PER_CODE_CELL
        + 4 * rates.MINUTES_PER_POINT + rates.MINUTES_PER_PREDICTION + 90 / 60)
    assert study_times.header_text("**Time:** about 5 minutes to study.", load) == \
        f"**Time:** about {study_times.header_minutes(load)} minutes to study."


def test_a_lesson_without_a_measured_compute_time_is_named(tmp_path):
    path = stand_in_lesson(tmp_path / "99_stand_in.ipynb")
    with pytest.raises(ValueError, match="99_stand_in.ipynb has no measured compute time"):
        study_times.lesson_load(path, {})


def test_every_session_plan_holds_every_lesson_once_and_fits_its_sessions(loads):
    for title, length, sessions in study_times.PLANS:
        study_times.check_plan((title, length, sessions))
        rows = study_times.plan_rows((title, length, sessions))
        assert sum(row["in_class"] + row["before"] + row["after"] for row in rows) == \
            pytest.approx(sum(load.total_minutes for load in loads)), f"{title}: every minute of study is placed"
    crowded = ("one long afternoon", 60, (("everything", tuple(load.number for load in loads)),))
    with pytest.raises(ValueError, match="session 1: its lessons need .* more than its 60 minutes"):
        study_times.check_plan(crowded)
    with pytest.raises(ValueError, match="every lesson once, in order"):
        study_times.check_plan(("out of order", 500, (("all", ("01", "00")),)))


def test_the_weights_are_the_lessons_nbgrader_points(loads):
    points = {}
    for path in sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        points[path.name[:2]] = sum(cell.metadata.get("nbgrader", {}).get("points", 0) for cell in notebook.cells
                                    if cell.metadata.get("nbgrader", {}).get("grade"))
    assert {load.number: load.points for load in loads} == points
    block = study_times.weights_block(loads)
    assert f"**{sum(points.values()):g} points**" in block
