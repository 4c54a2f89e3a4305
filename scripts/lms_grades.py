"""Turn nbgrader's grades (its gradebook, or nbgrader export's grades.csv) into a CSV that Canvas or Moodle imports.

nbgrader's gradebook stays where the grading happens. This script reads it, either itself (``--gradebook
gradebook.db``, through nbgrader's API, read-only) or as ``nbgrader export`` writes it (``grades.csv``, one row per
student and assignment), and pivots it into the layout each learning management system reads:

    python scripts/lms_grades.py --gradebook gradebook.db --canvas canvas.csv   # Canvas: Grades > Import
    python scripts/lms_grades.py --gradebook gradebook.db --moodle moodle.csv   # Moodle: Grades > Import > CSV file
    nbgrader export --to grades.csv
    python scripts/lms_grades.py grades.csv --canvas canvas.csv --canvas-roster canvas_export.csv

**Grades right or refused.** ``nbgrader export`` writes its CSV without quoting, so a comma in a name (``Smith,
Jr.``) or an email shifts the columns of that row. The CSV route therefore refuses any row it cannot read for
certain, with the file, the line and the fault, and exits 1: a row with more or fewer fields than the header, a
score or maximum that is not a number, a second row for the same student and assignment. The gradebook route has no
such problem. A byte-order mark (a CSV saved again by Excel) is skipped. An assignment whose rows give different
maximum scores (an export pieced together from two versions of a lesson) is read, with a warning on stderr: its
``Points Possible`` is the largest.

* **Canvas**: the layout of Canvas's own gradebook export: ``Student, ID, SIS User ID, SIS Login ID, Section``, one
  column per assignment, a ``Points Possible`` row, then the students. Without a roster, the nbgrader student id goes
  in ``SIS Login ID`` (on a JupyterHub it is the student's login); ``--canvas-id-column`` picks another column. With
  ``--canvas-roster`` (the CSV that Canvas's *Export Entire Gradebook* writes), every student keeps the roster's
  name, Canvas ID and section, matched on ``--canvas-match-column``, and an assignment that already exists in Canvas
  keeps its column (``03_recursive_training (4512)``), so the import updates it instead of creating a new one.
* **Moodle**: ``Username, Email address, First name, Last name`` and one column per assignment. On the import page
  map *Username* (or *Email address*) to the user field of the same name, and each lesson to its grade item.

Every cell is nbgrader's score after any late penalty; a lesson a student never submitted is 0, as in nbgrader's
export (which cannot tell it from a submission collected without a timestamp). Short answers count only once graded
by hand (INSTRUCTORS.md, "Short answers graded by hand"): grade them, then run this script.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

NBGRADER_COLUMNS = ("assignment", "student_id", "last_name", "first_name", "email", "score", "max_score")
CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "    Points Possible"  # as Canvas writes it in its own export (leading spaces included)
MOODLE_IDENTITY = ("Username", "Email address", "First name", "Last name")


@dataclass
class Gradebook:
    """nbgrader's export, by student and assignment."""

    assignments: dict[str, float] = field(default_factory=dict)  # name -> points possible, in nbgrader's order
    students: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> first_name, last_name, email
    scores: dict[tuple[str, str], float] = field(default_factory=dict)  # (student, assignment) -> score
    warnings: list[str] = field(default_factory=list)  # read, but worth a look (main prints them on stderr)


def _header(rows, name: str) -> list[str]:
    """The header of a grades.csv (line 1), checked for nbgrader's columns."""
    header = next(rows, None)
    if not header:
        raise ValueError(f"{name}, line 1: no header: an empty file, not a grades.csv of nbgrader export")
    missing = [column for column in NBGRADER_COLUMNS if column not in header]
    if missing:
        raise ValueError(f"{name}, line 1: not a grades.csv of nbgrader export: missing columns {missing}, "
                         f"found {header}")
    return header


def _checked_row(fields: list[str], header: list[str], name: str, line: int) -> dict[str, str]:
    """One row of a grades.csv by column, refused if its fields do not line up with the header."""
    if len(fields) > len(header):
        raise ValueError(f"{name}, line {line}: {len(fields)} fields where the header has {len(header)}: a comma in "
                         f"a name or an email? nbgrader export does not quote them, so the columns shift; read the "
                         f"gradebook instead (--gradebook gradebook.db) or remove the comma in nbgrader")
    if len(fields) < len(header):
        raise ValueError(f"{name}, line {line}: {len(fields)} fields where the header has {len(header)}: "
                         f"the row is cut short")
    return dict(zip(header, fields))


def _points(row: dict[str, str], column: str, name: str, line: int) -> float:
    """The number in ``column`` of a row (a score or a maximum), refused if it is not a finite number."""
    text = row[column].strip()
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"{name}, line {line}: {column} must be a number, got {row[column]!r} "
                         f"(student {row['student_id']!r}, assignment {row['assignment']!r})")
    return value


def _mixed_maximum_warnings(maxima: dict[str, dict[float, list[int]]], name: str) -> list[str]:
    """A warning for each assignment whose rows give different maximum scores (``{assignment: {max: lines}}``)."""
    warnings = []
    for assignment, lines_by_points in maxima.items():
        if len(lines_by_points) > 1:
            seen = ", ".join(f"{points:g} on {len(lines)} row(s) from line {lines[0]}"
                             for points, lines in sorted(lines_by_points.items()))
            warnings.append(f"{name}: assignment {assignment!r} has different maximum scores across rows ({seen}); "
                            f"Points Possible is {max(lines_by_points):g}, the largest: check that every student "
                            f"was graded on the same version of the lesson")
    return warnings


def read_nbgrader_export(text: str, name: str = "grades.csv") -> Gradebook:
    """Parse the CSV ``nbgrader export`` writes (its default ``CsvExportPlugin``); ``name`` is the file's, for the
    messages. A leading byte-order mark is skipped.

    Raises:
        ValueError: naming the file, the line and the fault, for a missing column, a row with more or fewer fields
            than the header (nbgrader does not quote a name with a comma), a score or maximum that is not a number,
            or a second row for the same student and assignment.
    """
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = _header(rows, name)
    book = Gradebook()
    maxima: dict[str, dict[float, list[int]]] = {}
    first_line: dict[tuple[str, str], int] = {}
    for fields in rows:
        if not fields:
            continue  # a blank line (the end of the file, say)
        row = _checked_row(fields, header, name, rows.line_num)
        assignment, student = row["assignment"], row["student_id"]
        if (student, assignment) in first_line:
            raise ValueError(f"{name}, line {rows.line_num}: a second row for student {student!r} in assignment "
                             f"{assignment!r} (the first is on line {first_line[(student, assignment)]})")
        first_line[(student, assignment)] = rows.line_num
        points = _points(row, "max_score", name, rows.line_num)
        maxima.setdefault(assignment, {}).setdefault(points, []).append(rows.line_num)
        book.assignments[assignment] = max(points, book.assignments.get(assignment, points))
        book.students.setdefault(student, {column: row[column] for column in ("first_name", "last_name", "email")})
        book.scores[(student, assignment)] = _points(row, "score", name, rows.line_num)
    book.warnings += _mixed_maximum_warnings(maxima, name)
    return book


def read_gradebook(path: Path) -> Gradebook:
    """Read nbgrader's gradebook database (``gradebook.db``) through nbgrader's API, read-only, as ``nbgrader
    export`` reads it: each assignment's points, and each student's score after any late penalty (0 without a
    submission). Names and emails come through whole, commas included.

    Raises:
        ValueError: naming the file, if it does not exist or is not an nbgrader gradebook.
        RuntimeError: if nbgrader is not installed.
    """
    try:
        from nbgrader.api import Gradebook as NbgraderGradebook
        from sqlalchemy.exc import DBAPIError
    except ModuleNotFoundError as error:
        raise RuntimeError(f"--gradebook reads the gradebook with nbgrader, which is not installed here ({error}): "
                           f"pip install -e '.[coursework]', or give the CSV of nbgrader export") from error

    if not path.is_file():
        raise ValueError(f"{path}: no such file (the gradebook is gradebook.db in the course folder)")
    # Read-only: nbgrader's Gradebook adds a missing course or table on opening; course_id "" adds none.
    url = f"sqlite:///file:{quote(str(path.resolve()))}?mode=ro&uri=true"
    book = Gradebook()
    try:
        with NbgraderGradebook(url, course_id="") as gradebook:
            for assignment in gradebook.assignments:
                book.assignments[assignment.name] = float(assignment.max_score)
            for student in gradebook.students:
                book.students[student.id] = {"first_name": student.first_name or "",
                                             "last_name": student.last_name or "", "email": student.email or ""}
                for assignment in book.assignments:
                    book.scores[(student.id, assignment)] = _submission_score(gradebook, assignment, student.id)
    except DBAPIError as error:
        raise ValueError(f"{path}: not an nbgrader gradebook ({error.orig})") from error
    return book


def _submission_score(gradebook, assignment: str, student: str) -> float:
    """A student's score in an assignment, as nbgrader export computes it: after the late penalty, never below 0;
    0 without a submission."""
    from nbgrader.api import MissingEntry

    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return 0.0
    return max(0.0, submission.score - (submission.late_submission_penalty or 0.0))


def read_text(path: Path) -> str:
    """A file's text as UTF-8 (a byte-order mark kept: the readers skip it).

    Raises:
        ValueError: naming the file and the byte, if it is not UTF-8.
    """
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text (byte {error.start}: {error.reason}); save it as CSV UTF-8") \
            from error


def _number(value: float) -> str:
    return f"{value:g}"


def score_cell(book: Gradebook, student: str, assignment: str) -> str:
    """The cell of one grade (empty for a student nbgrader does not know, such as Canvas's test student)."""
    score = book.scores.get((student, assignment))
    return "" if score is None else _number(score)


def _write(rows: list[list[str]]) -> str:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue()


def sortable_name(person: dict[str, str], student: str) -> str:
    """Canvas's "Last, First", or the student id when nbgrader has no name."""
    last, first = person.get("last_name", ""), person.get("first_name", "")
    return ", ".join(part for part in (last, first) if part) or student


def read_canvas_roster(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the student rows of a Canvas gradebook export: the rows with a Canvas ID (the Points Possible
    and posting-policy rows have none)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in CANVAS_IDENTITY if name not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"not a Canvas gradebook export: missing columns {missing}")
    rows = [row for row in reader if (row["ID"] or "").strip()]
    return list(reader.fieldnames), rows


def canvas_column(assignment: str, roster_header: list[str]) -> str:
    """The roster's column of an assignment (``name (canvas id)``), or the bare name for a new one."""
    for column in roster_header:
        if re.fullmatch(rf"{re.escape(assignment)} \(\d+\)", column) or column == assignment:
            return column
    return assignment


def canvas_csv(book: Gradebook, id_column: str = "SIS Login ID",
               roster: str | None = None, match_column: str = "SIS Login ID") -> str:
    """The Canvas import file (see the module's docstring)."""
    for name, value in (("id_column", id_column), ("match_column", match_column)):
        if value not in CANVAS_IDENTITY[1:4]:
            raise ValueError(f"{name} must be one of {CANVAS_IDENTITY[1:4]}, got {value!r}")
    if roster is None:
        columns = list(book.assignments)
        people = [{"Student": sortable_name(person, student), "ID": "", "SIS User ID": "", "SIS Login ID": "",
                   "Section": "", id_column: student, "_student": student}
                  for student, person in book.students.items()]
    else:
        header, rows = read_canvas_roster(roster)
        columns = [canvas_column(assignment, header) for assignment in book.assignments]
        people = [{**{name: row[name] for name in CANVAS_IDENTITY}, "_student": row[match_column].strip()}
                  for row in rows]
        unknown = sorted(set(book.students) - {person["_student"] for person in people})
        if unknown:
            raise ValueError(f"students graded by nbgrader but not in the Canvas roster's {match_column!r} column: "
                             f"{unknown}; fix the ids or choose another --canvas-match-column")
    table = [[*CANVAS_IDENTITY, *columns],
             [CANVAS_POINTS_ROW, "", "", "", "", *(_number(points) for points in book.assignments.values())]]
    for person in people:
        table.append([*(person[name] for name in CANVAS_IDENTITY),
                      *(score_cell(book, person["_student"], assignment) for assignment in book.assignments)])
    return _write(table)


def moodle_csv(book: Gradebook) -> str:
    """The Moodle import file (see the module's docstring)."""
    table = [[*MOODLE_IDENTITY, *book.assignments]]
    for student, person in book.students.items():
        table.append([student, person["email"], person["first_name"], person["last_name"],
                      *(score_cell(book, student, assignment) for assignment in book.assignments)])
    return _write(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=Path(__file__).name, description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("grades", type=Path, nargs="?", help="the CSV that nbgrader export wrote (grades.csv)")
    source.add_argument("--gradebook", type=Path, help="nbgrader's gradebook (gradebook.db), read instead of a CSV")
    parser.add_argument("--canvas", type=Path, help="write the Canvas import file here")
    parser.add_argument("--moodle", type=Path, help="write the Moodle import file here")
    parser.add_argument("--canvas-roster", type=Path, help="Canvas's own gradebook export, for IDs and sections")
    parser.add_argument("--canvas-match-column", default="SIS Login ID", choices=CANVAS_IDENTITY[1:4],
                        help="the roster column that holds nbgrader's student ids (default: SIS Login ID)")
    parser.add_argument("--canvas-id-column", default="SIS Login ID", choices=CANVAS_IDENTITY[1:4],
                        help="without a roster: the column that gets nbgrader's student ids (default: SIS Login ID)")
    args = parser.parse_args(argv)
    if not (args.canvas or args.moodle):
        parser.error("name at least one output: --canvas FILE and/or --moodle FILE")
    try:
        if args.gradebook:
            book = read_gradebook(args.gradebook)
        else:
            book = read_nbgrader_export(read_text(args.grades), str(args.grades))
        roster = read_text(args.canvas_roster).removeprefix("\ufeff") if args.canvas_roster else None
        outputs = []
        if args.canvas:
            outputs.append((args.canvas, canvas_csv(book, args.canvas_id_column, roster, args.canvas_match_column)))
        if args.moodle:
            outputs.append((args.moodle, moodle_csv(book)))
    except (OSError, ValueError, RuntimeError) as error:
        # One line, and nothing written: a file that cannot be read for certain gives no grades at all.
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 1
    for warning in book.warnings:
        print(f"{parser.prog}: warning: {warning}", file=sys.stderr)
    for path, text in outputs:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}: {len(book.students)} students, {len(book.assignments)} assignments "
              f"({', '.join(f'{name} out of {_number(points)}' for name, points in book.assignments.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
