"""Grades right or refused (issue 26): scripts/lms_grades.py reads nbgrader's grades without a silent mistake.

``nbgrader export`` writes grades.csv unquoted, so a student named ``Smith, Jr.`` shifts that row's columns; the
script once turned such a row into a wrong grade and exited 0. Now a row it cannot read for certain stops it with
the file, the line and the fault (exit 1, nothing written), and ``--gradebook`` reads nbgrader's gradebook itself,
where the name comes through whole. A byte-order mark (Excel's "CSV UTF-8") is skipped; an assignment whose rows
disagree on its maximum is read with a warning. The route end to end (release, autograde, export, both LMS files) is
tests/test_grading.py's.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import lms_grades  # noqa: E402

HEADER = ("assignment,duedate,timestamp,student_id,last_name,first_name,email,raw_score,late_submission_penalty,"
          "score,max_score\n")
ADA = "03_recursive_training,,2027-01-12 09:30:00,ada,Lovelace,Ada,ada@example.edu,2.0,0.0,2.0,3.0\n"
# As nbgrader's CsvExportPlugin writes John Smith, Jr.: no quotes, so "Smith" and " Jr." are two fields.
SMITH = "03_recursive_training,,2027-01-12 09:45:00,js,Smith, Jr.,John,js@example.edu,2.5,0.0,2.5,3.0\n"


def run(tmp_path: Path, capsys, *args: str) -> tuple[int, str, str]:
    """``python scripts/lms_grades.py ARGS`` in ``tmp_path``: (exit code, stdout, stderr)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        code = lms_grades.main(list(args))
    printed = capsys.readouterr()
    return code, printed.out, printed.err


def rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def assert_refused(code: int, err: str, *expected: str) -> None:
    """A refused file: exit 1 and one line on stderr that holds each of ``expected``."""
    assert code == 1, f"a refused file exits 1, got {code}"
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"one line of error, got:\n{err}"
    for part in expected:
        assert part in lines[0], f"{part!r} not in {lines[0]!r}"


# ----------------------------------------------------------------------------------------------------------------
# A comma in a name: refused in the CSV, graded right from the gradebook
# ----------------------------------------------------------------------------------------------------------------

def test_a_comma_in_a_name_stops_the_csv_route_naming_the_line_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "grades.csv").write_text(HEADER + ADA + SMITH, encoding="utf-8")
    with pytest.raises(ValueError, match=r"^grades.csv, line 3: 12 fields where the header has 11: a comma in a name"):
        lms_grades.read_nbgrader_export(HEADER + ADA + SMITH)
    code, out, err = run(tmp_path, capsys, "grades.csv", "--canvas", "canvas.csv", "--moodle", "moodle.csv")
    assert_refused(code, err, "grades.csv, line 3", "12 fields where the header has 11", "--gradebook")
    assert not (tmp_path / "canvas.csv").exists() and not (tmp_path / "moodle.csv").exists(), out


def test_a_row_cut_short_or_a_score_that_is_not_a_number_is_refused_naming_the_line():
    with pytest.raises(ValueError, match=r"^grades.csv, line 2: 10 fields where the header has 11: the row is cut"):
        lms_grades.read_nbgrader_export(HEADER + ADA.rsplit(",", 1)[0] + "\n")
    with pytest.raises(ValueError, match=r"^marks.csv, line 3: score must be a number, got 'n/a' \(student 'bo'"):
        lms_grades.read_nbgrader_export(HEADER + ADA + "03_recursive_training,,,bo,,,,0.0,0.0,n/a,3.0\n", "marks.csv")
    with pytest.raises(ValueError, match=r"^grades.csv, line 3: max_score must be a number, got 'nan'"):
        lms_grades.read_nbgrader_export(HEADER + ADA + "03_recursive_training,,,bo,,,,0.0,0.0,0.0,nan\n")
    with pytest.raises(ValueError, match=r"^grades.csv, line 3: a second row for student 'ada' in assignment "
                                         r"'03_recursive_training' \(the first is on line 2\)"):
        lms_grades.read_nbgrader_export(HEADER + ADA + ADA)


@pytest.fixture(scope="module")
def gradebook_with_a_comma(tmp_path_factory) -> Path:
    """A course folder whose gradebook.db (made with nbgrader's API) grades Ada 2 and John Smith, Jr. 2.5 out of 3
    in lesson 03, and Bo, who submitted nothing; plus the grades.csv that nbgrader's own exporter writes from it."""
    pytest.importorskip("nbgrader", reason="nbgrader is in the coursework and test extras")
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin
    from sqlalchemy.exc import SAWarning

    folder = tmp_path_factory.mktemp("course")
    lesson = "03_recursive_training"
    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
        # A new gradebook asks alembic (from PATH) for its schema version: this Python's, even if not activated.
        patch.setenv("PATH", str(Path(sys.executable).parent), prepend=os.pathsep)
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's add_submission, not ours
        with Gradebook(f"sqlite:///{folder / 'gradebook.db'}", course_id="collapse-kit") as gradebook:
            for student, first, last in (("ada", "Ada", "Lovelace"), ("js", "John", "Smith, Jr."), ("bo", None, None)):
                gradebook.update_or_create_student(student, first_name=first, last_name=last,
                                                   email=f"{student}@example.edu" if first else None)
            gradebook.add_assignment(lesson)
            gradebook.add_notebook(lesson, lesson)
            gradebook.add_grade_cell("l03_explain", lesson, lesson, max_score=3, cell_type="markdown")
            for student, points in (("ada", 2.0), ("js", 2.5)):
                gradebook.add_submission(lesson, student)
                gradebook.find_grade("l03_explain", lesson, lesson, student).manual_score = points
            gradebook.db.commit()
            CsvExportPlugin(to=str(folder / "grades.csv")).export(gradebook)
    return folder


@pytest.mark.coursework
def test_nbgraders_own_export_of_a_comma_is_refused_and_the_gradebook_grades_it_right(gradebook_with_a_comma,
                                                                                      capsys):
    folder = gradebook_with_a_comma
    export = (folder / "grades.csv").read_text(encoding="utf-8").splitlines()
    smith = next(number for number, line in enumerate(export, start=1) if ",js," in line)
    code, _, err = run(folder, capsys, "grades.csv", "--canvas", "canvas.csv")
    assert_refused(code, err, f"grades.csv, line {smith}", "a comma in a name")

    code, out, err = run(folder, capsys, "--gradebook", "gradebook.db", "--canvas", "canvas.csv",
                         "--moodle", "moodle.csv")
    assert code == 0 and err == "", err
    assert "3 students, 1 assignments (03_recursive_training out of 3)" in out
    canvas = rows(folder / "canvas.csv")
    assert canvas[1] == ["    Points Possible", "", "", "", "", "3"]
    assert sorted(canvas[2:]) == [["Lovelace, Ada", "", "", "ada", "", "2"],
                                  ["Smith, Jr., John", "", "", "js", "", "2.5"], ["bo", "", "", "bo", "", "0"]]
    assert ["js", "js@example.edu", "John", "Smith, Jr.", "2.5"] in rows(folder / "moodle.csv")


def test_a_gradebook_that_is_missing_or_not_a_gradebook_is_refused_naming_it(tmp_path, capsys):
    code, _, err = run(tmp_path, capsys, "--gradebook", "gradebook.db", "--moodle", "moodle.csv")
    assert_refused(code, err, "gradebook.db: no such file")
    pytest.importorskip("nbgrader", reason="nbgrader is in the coursework and test extras")
    (tmp_path / "grades.db").write_text(HEADER + ADA, encoding="utf-8")
    code, _, err = run(tmp_path, capsys, "--gradebook", "grades.db", "--moodle", "moodle.csv")
    assert_refused(code, err, "grades.db: not an nbgrader gradebook")
    assert (tmp_path / "grades.db").read_text(encoding="utf-8") == HEADER + ADA, "read-only: the file is untouched"


# ----------------------------------------------------------------------------------------------------------------
# A byte-order mark, a missing column, mixed maximum scores
# ----------------------------------------------------------------------------------------------------------------

def test_a_byte_order_mark_is_accepted_and_changes_nothing(tmp_path, capsys):
    (tmp_path / "plain.csv").write_text(HEADER + ADA, encoding="utf-8")
    (tmp_path / "excel.csv").write_text(HEADER + ADA, encoding="utf-8-sig")  # what Excel's "CSV UTF-8" writes
    assert (tmp_path / "excel.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    outputs = {}
    for name in ("plain", "excel"):
        code, _, err = run(tmp_path, capsys, f"{name}.csv", "--canvas", f"{name}_canvas.csv",
                           "--moodle", f"{name}_moodle.csv")
        assert code == 0 and err == "", err
        outputs[name] = [(tmp_path / f"{name}_{lms}.csv").read_text(encoding="utf-8") for lms in ("canvas", "moodle")]
    assert outputs["excel"] == outputs["plain"]
    assert rows(tmp_path / "excel_moodle.csv")[1] == ["ada", "ada@example.edu", "Ada", "Lovelace", "2"]


def test_a_missing_column_is_refused_naming_the_column(tmp_path, capsys):
    without_max = "".join(line.rsplit(",", 1)[0] + "\n" for line in (HEADER, ADA))
    with pytest.raises(ValueError, match=r"^grades.csv, line 1: not a grades.csv of nbgrader export: missing "
                                         r"columns \['max_score'\]"):
        lms_grades.read_nbgrader_export(without_max)
    (tmp_path / "grades.csv").write_text(without_max, encoding="utf-8")
    code, _, err = run(tmp_path, capsys, "grades.csv", "--moodle", "moodle.csv")
    assert_refused(code, err, "grades.csv, line 1", "missing columns ['max_score']")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    code, _, err = run(tmp_path, capsys, "empty.csv", "--moodle", "moodle.csv")
    assert_refused(code, err, "empty.csv, line 1: no header")
    assert not (tmp_path / "moodle.csv").exists()


def test_mixed_maximum_scores_are_read_with_a_warning_on_stderr(tmp_path, capsys):
    # Bo was graded when lesson 03 was out of 4: the export mixes two versions of the lesson.
    mixed = HEADER + ADA + "03_recursive_training,,,bo,,,,1.0,0.0,1.0,4.0\n"
    book = lms_grades.read_nbgrader_export(mixed)
    assert book.assignments == {"03_recursive_training": 4.0}, "Points Possible is the largest maximum"
    assert len(book.warnings) == 1 and "'03_recursive_training' has different maximum scores across rows " \
        "(3 on 1 row(s) from line 2, 4 on 1 row(s) from line 3)" in book.warnings[0]
    assert lms_grades.read_nbgrader_export(HEADER + ADA).warnings == [], "one maximum: no warning"

    (tmp_path / "grades.csv").write_text(mixed, encoding="utf-8")
    code, out, err = run(tmp_path, capsys, "grades.csv", "--canvas", "canvas.csv")
    assert code == 0 and "wrote canvas.csv" in out
    assert err.startswith("lms_grades.py: warning: grades.csv: assignment '03_recursive_training' has different "
                          "maximum scores"), err
    assert "Points Possible is 4, the largest" in err
    assert rows(tmp_path / "canvas.csv")[1][5:] == ["4"]
