"""nbgrader (0.9) configuration of the collapse-kit course: every lesson is one assignment. See INSTRUCTORS.md.

nbgrader wants the instructor's notebooks at ``source/<assignment>/<notebook>.ipynb``; our lessons live flat in
``lessons/``. So each time nbgrader starts, this file links ``source/<lesson>/<lesson>.ipynb`` to
``lessons/<lesson>.ipynb`` in the course folder (the folder nbgrader runs in). The links are git-ignored, always
current, and editing through one edits the lesson itself. Where symbolic links are not allowed (some Windows
setups), the lesson is copied instead, and copied again whenever the lesson is newer.

    nbgrader generate_assignment 03_recursive_training   # -> release/03_recursive_training/, solutions removed

A course folder outside the repository works the same way: put an ``nbgrader_config.py`` there that holds
``load_subconfig("/path/to/collapse-kit/nbgrader_config.py")`` and run nbgrader from that folder.
"""

import os
import shutil
from pathlib import Path

c = get_config()  # noqa: F821 (nbgrader provides get_config when it loads this file)

LESSONS = Path(__file__).resolve().parent / "lessons"
COURSE = Path.cwd()  # nbgrader's course root: the folder it runs in (CourseDirectory.root's default)

c.CourseDirectory.course_id = "collapse-kit"
c.CourseDirectory.source_directory = "source"

# Grading runs every cell of a lesson. In the fast profile (which grading picks by itself, see
# collapse_kit.profiles) no cell should need more than a minute on 2 CPU cores; 300 s leaves room for a slow
# grading machine without letting a student's endless loop hold the grader for long.
c.ExecutePreprocessor.timeout = 300


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
