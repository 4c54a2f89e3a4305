"""nbgrader (0.9) configuration of the collapse-kit course: every lesson is one assignment. See INSTRUCTORS.md.

nbgrader wants the instructor's notebooks at ``source/<assignment>/<notebook>.ipynb``; our lessons live flat in
``lessons/``. So each time nbgrader starts, this file links ``source/<lesson>/<lesson>.ipynb`` to
``lessons/<lesson>.ipynb`` in the course folder (the folder nbgrader runs in). The links are git-ignored, always
current, and editing through one edits the lesson itself. Where symbolic links are not allowed (some Windows
setups), the lesson is copied instead, and copied again whenever the lesson is newer.

    nbgrader generate_assignment 03_recursive_training   # -> release/03_recursive_training/, solutions removed

A student version's links to the instructor release (the Colab badge) open the student edition instead
(StudentEditionLinks below), and the feedback shows no hidden test (ClearHiddenTestsAndTheirTracebacks).

A course folder outside the repository works the same way: put an ``nbgrader_config.py`` there that holds
``load_subconfig("/path/to/collapse-kit/nbgrader_config.py")`` and run nbgrader from that folder.
"""

import os
import shutil
import sys
from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, NbGraderPreprocessor
from traitlets import List

c = get_config()  # noqa: F821 (nbgrader provides get_config when it loads this file)

LESSONS = Path(__file__).resolve().parent / "lessons"
sys.path.insert(0, str(Path(__file__).resolve().parent / "scripts"))
import student_edition  # noqa: E402  (scripts/ is not a package)

COURSE = Path.cwd()  # nbgrader's course root: the folder it runs in (CourseDirectory.root's default)

c.CourseDirectory.course_id = "collapse-kit"
c.CourseDirectory.source_directory = "source"

# Grading runs every cell of a lesson. In the fast profile (which grading picks by itself, see
# collapse_kit.core.profiles) no cell should need more than a minute on 2 CPU cores; 300 s leaves room for a slow
# grading machine without letting a student's endless loop hold the grader for long.
c.ExecutePreprocessor.timeout = 300


class ClearHiddenTestsAndTheirTracebacks(ClearHiddenTests):
    """Feedback: remove the hidden tests from each test cell, and cut its errors down to their last line.

    The autograded notebook, which ``nbgrader generate_feedback`` turns into the student's HTML, holds the hidden
    tests again (grading put them back). By default the feedback shows them (jupyter/nbgrader#917), and the
    traceback of a failed test quotes the lines around the failing one, hidden ones included. So in a test
    cell that had hidden tests, an error keeps only ``ErrorName: message``: the student still sees which assertion
    message they got, and a hidden test's own message (if it has one), never its code.
    """

    # nbconvert configures this for every preprocessor; unused here, declared so nbgrader does not warn about it.
    display_data_priority = List().tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        had_hidden_tests = self.begin_test_delimeter in cell.source
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if had_hidden_tests:
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"\x1b[0;31m{output.ename}\x1b[0m: {output.evalue}"]
        return cell, resources


# nbgrader 0.9's own list is [GetGrades, CSSHTMLHeaderPreprocessor]; ours removes the hidden tests in between.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTestsAndTheirTracebacks, CSSHTMLHeaderPreprocessor]


class StudentEditionLinks(NbGraderPreprocessor):
    """Student version: every link of a markdown cell to the instructor release (the Colab badge's ``blob/v<version>/``)
    opens the student edition ``v<version>-student`` instead (scripts/student_edition.py, ``student_links``), and each
    exercise and autograded test cell is tagged so that Run All goes on past it unanswered (``run_all_goes_on``).

    It runs first, so that the cells nbgrader locks, checksums and records in the gradebook already hold the student
    links: the notebook ``nbgrader generate_assignment`` and scripts/release_class.py hand a class is then the
    student edition's, cell for cell (tests/test_student_edition.py).
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "markdown":
            cell.source = student_edition.student_links(cell.source)
        student_edition.run_all_goes_on(cell)  # Run All goes on past an unanswered exercise
        return cell, resources


c.GenerateAssignment.preprocessors = [StudentEditionLinks,
                                      *GenerateAssignment.class_traits()["preprocessors"].default()]


def link_lessons(lessons: Path, source: Path) -> list[str]:
    """Make ``source/<lesson>/<lesson>.ipynb`` point at each ``lessons/<lesson>.ipynb``; return the lesson names.

    Also removes links left behind by a lesson that was renamed or deleted.
    """
    names = sorted(path.stem for path in lessons.glob("[0-9]*.ipynb"))
    for name in names:
        lesson, link = lessons / f"{name}.ipynb", source / name / f"{name}.ipynb"
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() and link.resolve() == lesson.resolve():
            continue
        if link.exists() and not link.is_symlink() and link.stat().st_mtime >= lesson.stat().st_mtime:
            continue  # an up-to-date copy (no symbolic links here)
        if link.is_symlink() or link.exists():
            link.unlink()
        try:
            link.symlink_to(os.path.relpath(lesson, link.parent))
        except (OSError, ValueError):  # no symlink permission, or (Windows) lesson and link on different drives
            shutil.copy2(lesson, link)
    for stale in source.glob("*/*.ipynb"):
        if stale.is_symlink() and not stale.exists():
            stale.unlink()
            if not any(stale.parent.iterdir()):
                stale.parent.rmdir()  # else nbgrader lists an assignment without notebooks
    return names


if LESSONS.is_dir():
    link_lessons(LESSONS, COURSE / "source")
