"""Make the student version of every lesson for a class in one command: ``nbgrader generate_assignment`` for each.

Usage, from the course folder (the repository root, or a folder of your own whose ``nbgrader_config.py`` loads the
repository's, INSTRUCTORS.md):

    python /path/to/collapse-kit/scripts/release_class.py                  # every lesson -> release/<lesson>/
    python scripts/release_class.py --course ~/teaching/collapse-kit-2027  # another course folder
    python scripts/release_class.py 00_start_here 03_recursive_training    # some lessons only

For each lesson it does what ``nbgrader generate_assignment <lesson> --force`` does (solutions, hidden tests and model
answers out, outputs cleared, the assignment and its points recorded in ``gradebook.db``; with the course's
nbgrader_config.py, every link to the instructor release, such as the Colab badge, opens the student edition
``v<version>-student`` instead), in one process, and then checks each student version: no ``BEGIN SOLUTION``, no
hidden test, every short answer ``YOUR ANSWER HERE``, no link to the instructor release. Nothing is executed. Hand
out ``release/`` (the exchange, a learning management system, or a git repository that nbgitpuller pulls:
INSTRUCTORS.md).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import student_edition  # noqa: E402  (scripts/ is not a package)

TEXT_STUB = "YOUR ANSWER HERE"  # what nbgrader puts in place of a short answer (ClearSolutions.text_stub)
LEFT_OVER = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def lesson_names() -> list[str]:
    """The course's lessons, as nbgrader assignments: ``00_start_here``, ..., ``09_a_language_model``."""
    return sorted(path.stem for path in (REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))


@contextlib.contextmanager
def working_directory(folder: Path):
    """nbgrader works in the folder it runs in (the course root); our config links the lessons there."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def student_version_problems(path: Path) -> list[str]:
    """What a student version must not hold: solution or hidden-test markers, a model answer, outputs, a link to the
    instructor release (a course folder whose nbgrader_config.py does not load the repository's has none of its
    StudentEditionLinks)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for index, cell in enumerate(notebook["cells"]):
        source = "".join(cell["source"])
        problems += [f"cell {index}: {marker}" for marker in LEFT_OVER if marker in source]
        problems += [f"cell {index}: a link to the instructor release, {link}"
                     for link in student_edition.instructor_release_links(source)]
        grading = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] == "markdown" and grading.get("solution") and source.strip() != TEXT_STUB:
            problems.append(f"cell {index}: a short answer that is not {TEXT_STUB!r}")
        if cell.get("outputs"):
            problems.append(f"cell {index}: outputs")
    return problems


def release_class(course: Path, lessons: list[str]) -> dict[str, Path]:
    """``nbgrader generate_assignment --force`` for each of ``lessons`` in ``course``; return each student version.

    Raises:
        RuntimeError: naming the lesson, with nbgrader's log, if nbgrader fails or a student version still holds
            a solution, a hidden test, a model answer or an output.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    course = course.resolve()
    if not (course / "nbgrader_config.py").is_file():
        config_file = str(REPO / "nbgrader_config.py")
        raise RuntimeError(f"{course} has no nbgrader_config.py: run from the repository root, or make a course "
                           f"folder whose nbgrader_config.py holds load_subconfig({config_file!r})")
    # nbgrader runs alembic (its database migrations) from PATH: use this Python's, even if not activated.
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    released = {}
    with working_directory(course):
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
        coursedir = CourseDirectory(config=config, root=str(course))
        api = NbGraderAPI(coursedir=coursedir, config=config)
        for name in lessons:
            started = time.perf_counter()
            result = api.generate_assignment(name, force=True, create=True)
            notebook = course / coursedir.release_directory / name / f"{name}.ipynb"
            if not result["success"] or not notebook.is_file():
                raise RuntimeError(f"nbgrader generate_assignment {name} failed:\n{result.get('error', '')}\n"
                                   f"{result.get('log', '')}")
            problems = student_version_problems(notebook)
            if problems:
                raise RuntimeError(f"{notebook} is not a clean student version: {problems}")
            released[name] = notebook
            print(f"released {notebook.relative_to(course)} ({time.perf_counter() - started:.1f} s)")
    return released


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="assignments to release (default: every lesson)")
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="the course folder (default: here)")
    args = parser.parse_args(argv)
    try:
        released = release_class(args.course, args.lessons or lesson_names())
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{len(released)} student versions in {args.course.resolve() / 'release'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
