"""Grading beyond nbgrader's exchange (issue 17, point 6): a class released in one command, graded by nbgrader, and its
grades carried to Canvas and Moodle as CSV files (scripts/release_class.py, scripts/lms_grades.py, INSTRUCTORS.md).

The end-to-end test grades a class of three made-up students on a stand-in lesson (two autograded exercises and a
short answer, tests/test_coursework.py's) in a course folder like an instructor's: release with the script, submit
(each student's copy of the released notebook with their answers), ``nbgrader autograde``, a short answer graded by
hand (what the formgrader stores), ``nbgrader export``, then both CSV files, row by row. It tests the route, not the
lessons, so it executes no lesson; the release script is tested on the real lessons, which it does not execute.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader", reason="nbgrader is in the test extra: pip install -e '.[test]'")
from nbgrader.api import Gradebook  # noqa: E402
from test_coursework import (  # noqa: E402  (the round trip's helpers and fixture, reused)
    COURSE_ID,
    TEXT_STUB,
    grading_env,
    make_course,
    nbgrader,
    stand_in_lesson,
    submit,
)
from test_coursework import venv_scripts_on_path as _path_fixture  # noqa: E402

venv_scripts_on_path = _path_fixture  # the fixture, found by pytest under its name (tests name it, never call it)

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import lms_grades  # noqa: E402
import release_class  # noqa: E402

LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
SCRIPT_SECONDS = 600

# The class: nbgrader id -> (first name, last name, email, answers by grade_id). Ada answers everything right; Grace
# gets the first exercise right and the second wrong; Alan hands in the released notebook untouched.
CLASS = {
    "ada": ("Ada", "Lovelace", "ada@example.edu", {
        "l99_real_images": "def real_images(samples_per_generation, real_fraction):\n"
                           "    return round(samples_per_generation * real_fraction)",
        "l99_strategy": "keeps_everything = 'accumulate'",
        "l99_explain": "Generation 0's real images stay in every later training set, so they keep pulling back."}),
    "grace": ("Grace", "Hopper", "grace@example.edu", {
        "l99_real_images": "def real_images(samples_per_generation, real_fraction):\n"
                           "    return round(samples_per_generation * real_fraction)",
        "l99_strategy": "keeps_everything = 'replace'",
        "l99_explain": "It keeps more data."}),
    "alan": ("Alan", "Turing", "alan@example.edu", {}),
}
HAND_GRADES = {"ada": 2.0, "grace": 1.0}  # the short answer (2 points), as the instructor grades it in the formgrader
EXPECTED = {"ada": 4.0, "grace": 2.0, "alan": 0.0}  # 1 + 1 + 2, 1 + 0 + 1, nothing


def run_script(script: str, *args: str, cwd: Path) -> str:
    """Run ``python scripts/<script> ARGS`` as an instructor would; fail the test with its output if it fails."""
    result = subprocess.run([sys.executable, str(REPO / "scripts" / script), *args], cwd=cwd, capture_output=True,
                            text=True, timeout=SCRIPT_SECONDS, check=False)
    assert result.returncode == 0, f"{script} {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def answered(released: Path, answers: dict[str, str], to: Path) -> Path:
    """A student's submission: the released notebook with the cells of ``answers`` (by grade_id) filled in."""
    notebook = nbformat.read(released, as_version=4)
    for cell in notebook.cells:
        cell.source = answers.get(cell.metadata.get("nbgrader", {}).get("grade_id"), cell.source)
    to.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, to)
    return to


def read_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# ----------------------------------------------------------------------------------------------------------------
# End to end: release, submit, autograde, grade by hand, export, Canvas and Moodle
# ----------------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded_class(tmp_path_factory, venv_scripts_on_path) -> dict:
    """A class of three graded on the stand-in lesson; returns the course folder and the files the route wrote."""
    folder = tmp_path_factory.mktemp("grading")
    course = make_course(folder / "course")
    lesson = stand_in_lesson(folder / "standin.ipynb")
    (course / "source" / "standin").mkdir(parents=True)
    shutil.copyfile(lesson, course / "source" / "standin" / lesson.name)
    env = grading_env(COLLAPSE_KIT_CACHE=str(folder / "cache"))

    run_script("release_class.py", "--course", str(course), "standin", cwd=course)
    released = course / "release" / "standin" / lesson.name
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gradebook:
        for student, (first, last, email, _) in CLASS.items():  # the roster, as `nbgrader db student add` makes it
            gradebook.update_or_create_student(student, first_name=first, last_name=last, email=email)
    for student, (*_, answers) in CLASS.items():
        submit(course, "standin", student, answered(released, answers, folder / "answers" / student / lesson.name))

    nbgrader(course, env, "autograde", "standin")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gradebook:
        for student, points in HAND_GRADES.items():  # what the formgrader stores when the instructor types a score
            grade = gradebook.find_grade("l99_explain", "standin", "standin", student)
            grade.manual_score = points
        gradebook.db.commit()
    nbgrader(course, env, "export", "--to", str(course / "grades.csv"))
    run_script("lms_grades.py", "grades.csv", "--canvas", "canvas.csv", "--moodle", "moodle.csv", cwd=course)
    return {"course": course, "released": released, "grades": (course / "grades.csv").read_text(),
            "canvas": (course / "canvas.csv").read_text(), "moodle": (course / "moodle.csv").read_text()}


@pytest.mark.slow
def test_the_class_is_released_by_the_script_as_a_student_version(graded_class):
    released = nbformat.read(graded_class["released"], as_version=4)
    text = "\n".join(cell.source for cell in released.cells)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "819" not in text
    assert [cell.source for cell in released.cells if cell.metadata.get("nbgrader", {}).get("grade_id")
            == "l99_explain"] == [TEXT_STUB]


@pytest.mark.slow
def test_nbgrader_export_holds_each_students_points_hand_grades_included(graded_class):
    rows = {row["student_id"]: row for row in csv.DictReader(io.StringIO(graded_class["grades"]))}
    assert {student: float(row["score"]) for student, row in rows.items()} == EXPECTED
    assert {row["max_score"] for row in rows.values()} == {"4.0"}


@pytest.mark.slow
def test_canvas_csv_has_canvas_columns_points_possible_and_one_row_per_student(graded_class):
    rows = read_rows(graded_class["canvas"])
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "standin"]
    assert rows[1] == ["    Points Possible", "", "", "", "", "4"]
    students = {row[3]: row for row in rows[2:]}
    assert set(students) == set(CLASS), "one row per student, nbgrader's id in SIS Login ID"
    for student, (first, last, _, _) in CLASS.items():
        assert students[student] == [f"{last}, {first}", "", "", student, "", f"{EXPECTED[student]:g}"]


@pytest.mark.slow
def test_moodle_csv_has_a_user_field_to_map_and_the_points(graded_class):
    rows = read_rows(graded_class["moodle"])
    assert rows[0] == ["Username", "Email address", "First name", "Last name", "standin"]
    assert sorted(rows[1:]) == sorted([student, email, first, last, f"{EXPECTED[student]:g}"]
                                      for student, (first, last, email, _) in CLASS.items())


# ----------------------------------------------------------------------------------------------------------------
# The release script on the real lessons
# ----------------------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_release_class_makes_a_clean_student_version_of_every_lesson_without_running_them(tmp_path,
                                                                                         venv_scripts_on_path):
    course = make_course(tmp_path / "course")
    printed = run_script("release_class.py", cwd=course)
    assert f"{len(LESSONS)} student versions" in printed
    for lesson in LESSONS:
        student = course / "release" / lesson.stem / lesson.name
        assert student.is_file(), f"no student version of {lesson.name}"
        assert release_class.student_version_problems(student) == [], lesson.name
        cells = json.loads(student.read_text(encoding="utf-8"))["cells"]
        assert all(cell.get("execution_count") is None for cell in cells if cell["cell_type"] == "code"), \
            f"{lesson.name} was executed"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gradebook:
        recorded = {assignment.name: assignment.max_score for assignment in gradebook.assignments}
    points = {lesson.stem: sum(cell.metadata.get("nbgrader", {}).get("points", 0)
                               for cell in nbformat.read(lesson, as_version=4).cells
                               if cell.metadata.get("nbgrader", {}).get("grade")) for lesson in LESSONS}
    assert recorded == points, "the gradebook records every lesson with its points"


def test_release_class_refuses_a_folder_that_is_not_a_course(tmp_path):
    with pytest.raises(RuntimeError, match="has no nbgrader_config.py"):
        release_class.release_class(tmp_path, ["00_start_here"])


def test_a_student_version_with_a_solution_left_in_is_caught(tmp_path):
    notebook = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_markdown_cell("The model answer.")
    answer.metadata["nbgrader"] = {"solution": True, "grade": True, "points": 2, "grade_id": "l99_explain"}
    notebook.cells = [nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"), answer]
    nbformat.write(notebook, tmp_path / "leaky.ipynb")
    assert release_class.student_version_problems(tmp_path / "leaky.ipynb") == [
        "cell 0: BEGIN SOLUTION", "cell 0: END SOLUTION", f"cell 1: a short answer that is not {TEXT_STUB!r}"]


# ----------------------------------------------------------------------------------------------------------------
# The CSV conversion on its own: several lessons, a missing submission, a Canvas roster
# ----------------------------------------------------------------------------------------------------------------

GRADES_HEADER = ("assignment,duedate,timestamp,student_id,last_name,first_name,email,raw_score,"
                 "late_submission_penalty,score,max_score")
GRADES_CSV = GRADES_HEADER + """
00_start_here,,2027-01-10 10:00:00,ada,Lovelace,Ada,ada@example.edu,3.0,0.0,3.0,3.0
00_start_here,,,bo,,,,0.0,0.0,0.0,3.0
03_recursive_training,,2027-01-12 09:30:00,ada,Lovelace,Ada,ada@example.edu,2.5,0.0,2.5,3.0
03_recursive_training,,,bo,,,,1.0,0.0,1.0,3.0
"""
ROSTER_CSV = """Student,ID,SIS User ID,SIS Login ID,Section,03_recursive_training (4512),Current Score
    Points Possible,,,,,3,
"Lovelace, Ada",101,S-1,ada,Lab A,,
"Bo, Bo",102,S-2,bo,Lab B,,
"Student, Test",999,,,,,
"""


def test_canvas_and_moodle_rows_from_several_lessons_and_a_missing_submission():
    book = lms_grades.read_nbgrader_export(GRADES_CSV)
    canvas = read_rows(lms_grades.canvas_csv(book))
    assert canvas[0][5:] == ["00_start_here", "03_recursive_training"] and canvas[1][5:] == ["3", "3"]
    assert canvas[2] == ["Lovelace, Ada", "", "", "ada", "", "3", "2.5"]
    assert canvas[3] == ["bo", "", "", "bo", "", "0", "1"], "no name: the id; no submission: 0, as nbgrader says"
    by_sis_id = read_rows(lms_grades.canvas_csv(book, id_column="SIS User ID"))
    assert by_sis_id[2][:4] == ["Lovelace, Ada", "", "ada", ""]
    moodle = read_rows(lms_grades.moodle_csv(book))
    assert moodle == [["Username", "Email address", "First name", "Last name", "00_start_here",
                       "03_recursive_training"],
                      ["ada", "ada@example.edu", "Ada", "Lovelace", "3", "2.5"], ["bo", "", "", "", "0", "1"]]


def test_a_canvas_roster_keeps_canvas_ids_sections_and_existing_assignment_columns():
    book = lms_grades.read_nbgrader_export(GRADES_CSV)
    rows = read_rows(lms_grades.canvas_csv(book, roster=ROSTER_CSV))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "00_start_here",
                       "03_recursive_training (4512)"], "an assignment Canvas has keeps its column: an update"
    assert rows[2:] == [["Lovelace, Ada", "101", "S-1", "ada", "Lab A", "3", "2.5"],
                        ["Bo, Bo", "102", "S-2", "bo", "Lab B", "0", "1"],
                        ["Student, Test", "999", "", "", "", "", ""]]
    with pytest.raises(ValueError, match=r"not in the Canvas roster's 'SIS User ID' column: \['ada', 'bo'\]"):
        lms_grades.canvas_csv(book, roster=ROSTER_CSV, match_column="SIS User ID")


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match=r"not a grades.csv of nbgrader export: missing columns \['assignment'"):
        lms_grades.read_nbgrader_export("student,score\nada,1\n")
    book = lms_grades.read_nbgrader_export(GRADES_CSV)
    with pytest.raises(ValueError, match="id_column must be one of"):
        lms_grades.canvas_csv(book, id_column="Email")
