"""Turn nbgrader's ``grades.csv`` into a CSV that Canvas or Moodle imports: one row per student, one column per lesson.

nbgrader's gradebook stays where the grading happens; ``nbgrader export`` writes it as ``grades.csv`` (one row per
student and assignment), and this script pivots that file into the layout each learning management system reads:

    nbgrader export --to grades.csv
    python scripts/lms_grades.py grades.csv --canvas canvas.csv      # Canvas: Grades > Import
    python scripts/lms_grades.py grades.csv --moodle moodle.csv      # Moodle: Grades > Import > CSV file
    python scripts/lms_grades.py grades.csv --canvas canvas.csv --canvas-roster canvas_export.csv

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
by hand (INSTRUCTORS.md, "Short answers graded by hand"): grade them, then export.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

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


def read_nbgrader_export(text: str) -> Gradebook:
    """Parse the CSV ``nbgrader export`` writes (its default ``CsvExportPlugin``)."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [name for name in NBGRADER_COLUMNS if name not in header]
    if missing:
        raise ValueError(f"not a grades.csv of nbgrader export: missing columns {missing}, found {header}")
    book = Gradebook()
    for row in reader:
        assignment, student = row["assignment"], row["student_id"]
        book.assignments[assignment] = float(row["max_score"])
        book.students.setdefault(student, {name: row[name] or "" for name in ("first_name", "last_name", "email")})
        book.scores[(student, assignment)] = float(row["score"])
    return book


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("grades", type=Path, help="the CSV that nbgrader export wrote (grades.csv)")
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
        book = read_nbgrader_export(args.grades.read_text(encoding="utf-8"))
        roster = args.canvas_roster.read_text(encoding="utf-8-sig") if args.canvas_roster else None
        outputs = []
        if args.canvas:
            outputs.append((args.canvas, canvas_csv(book, args.canvas_id_column, roster, args.canvas_match_column)))
        if args.moodle:
            outputs.append((args.moodle, moodle_csv(book)))
    except (OSError, ValueError) as error:
        parser.error(str(error))
    for path, text in outputs:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}: {len(book.students)} students, {len(book.assignments)} assignments "
              f"({', '.join(f'{name} out of {_number(points)}' for name, points in book.assignments.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
