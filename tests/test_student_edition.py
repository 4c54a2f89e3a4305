"""The student edition (scripts/student_edition.py): made from the lessons by a command, it is what a class gets from
nbgrader, holds no worked solution, hidden test or model answer, opens itself on Colab, and is published as the tag
``v<version>-student`` that Binder, Colab, README and the website open (issue 17, point 1).

The website's side (its pages show the student cells, its downloads are this edition, its worked solutions wait in
toggles at the end of each lesson page) is checked by tests/test_site.py; README's links by tests/test_colab.py and
tests/test_course_address.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("nbgrader", reason="nbgrader is in the coursework, site and test extras")

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
IDS = [path.stem for path in LESSONS]
sys.path.insert(0, str(REPO / "scripts"))
import course_address  # noqa: E402
import release_class  # noqa: E402
import student_edition  # noqa: E402

CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"  # nbgrader's ClearSolutions.code_stub["python"]
TEXT_STUB = "YOUR ANSWER HERE"
DELIMITERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
# A link to the instructor release (solutions, hidden tests, model answers): Colab's blob/v<version>/, Binder's
# /v<version>? and any /v<version>/ path; v<version>-student and pip's @v<version> do not match.
_TAG = re.escape(course_address.release_tag())
INSTRUCTOR_RELEASE = re.compile(rf"blob/{_TAG}/|/{_TAG}\?|/{_TAG}/")


def instructor_links(text: str) -> list[str]:
    """The lines of ``text`` that link the instructor release."""
    return [line.strip() for line in text.split("\n") if INSTRUCTOR_RELEASE.search(line)]


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def region_lines(text: str, begin: str, end: str) -> list[str]:
    """The non-blank lines of ``text`` between a line holding ``begin`` and the next holding ``end``, stripped."""
    return [line.strip() for line in student_edition.regions(text, begin, end)[0] if line.strip()]


def outside(text: str, begin: str, end: str) -> str:
    """``text`` without its ``begin`` ... ``end`` regions (delimiter lines included)."""
    return "\n".join(student_edition.regions(text, begin, end)[1])


def grading(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    """The student edition of every lesson, written by the command into a temporary folder."""
    folder = tmp_path_factory.mktemp("student")
    assert student_edition.main(["--output", str(folder)]) == 0
    return folder


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_the_student_edition_holds_no_worked_solution_hidden_test_or_model_answer(edition, lesson):
    instructor = json.loads(lesson.read_text(encoding="utf-8"))
    student = json.loads((edition / "lessons" / lesson.name).read_text(encoding="utf-8"))
    assert len(student["cells"]) == len(instructor["cells"]), "a cell was added or lost"
    solutions, hidden, answers = [], [], []
    for teacher, pupil in zip(instructor["cells"], student["cells"]):
        text, shown = source(teacher), source(pupil)
        assert not pupil.get("outputs"), "a student version has no outputs"
        assert not any(delimiter in shown for delimiter in DELIMITERS), shown
        hidden += region_lines(text, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
        if grading(teacher).get("solution") and teacher["cell_type"] == "code":
            solutions += region_lines(text, "BEGIN SOLUTION", "END SOLUTION")
            stub = [line.strip() for line in shown.split("\n")]  # indented like the region it replaces
            assert all(line in stub for line in CODE_STUB.split("\n")), f"an exercise shows its stub:\n{shown}"
        if grading(teacher).get("solution") and teacher["cell_type"] == "markdown":
            answers += [line.strip() for line in text.split("\n") if line.strip()]
            assert shown == TEXT_STUB, f"a short answer is {TEXT_STUB!r}, got {shown!r}"
    assert solutions and hidden and answers, \
        f"{lesson.name} has no exercise, hidden test or short answer: update this test"
    student_lines = {line.strip() for cell in student["cells"] for line in source(cell).split("\n")}
    # A solution line may stay only where its own cell shows it outside the solution too (a visible test).
    public = {line.strip() for cell in instructor["cells"] if cell["cell_type"] == "code" and grading(cell)
              for line in outside(outside(source(cell), "BEGIN SOLUTION", "END SOLUTION"),
                                  "BEGIN HIDDEN TESTS", "END HIDDEN TESTS").split("\n")}
    left = [line for line in solutions + hidden + answers if line in student_lines and line not in public]
    assert not left, f"the student edition of {lesson.name} still holds: {left}"
    assert (edition / "README.md").read_text(encoding="utf-8").startswith("# The student edition")


@pytest.mark.slow
@pytest.mark.coursework
def test_the_student_edition_is_what_nbgrader_hands_a_class(edition, tmp_path):
    # nbgrader generate_assignment for every lesson, in a course folder of its own (INSTRUCTORS.md): each student
    # version is the edition's notebook, cell for cell (checksums, locks and the Colab badge that opens the student
    # edition included), and links the instructor release nowhere.
    (tmp_path / "nbgrader_config.py").write_text(f"load_subconfig({str(REPO / 'nbgrader_config.py')!r})\n")
    released = release_class.release_class(tmp_path, release_class.lesson_names())
    assert sorted(released) == IDS
    for name, path in released.items():
        nbgrader = json.loads(path.read_text(encoding="utf-8"))
        ours = json.loads((edition / "lessons" / f"{name}.ipynb").read_text(encoding="utf-8"))
        assert ours["metadata"] == nbgrader["metadata"]
        assert len(ours["cells"]) == len(nbgrader["cells"])
        for index, (theirs, mine) in enumerate(zip(nbgrader["cells"], ours["cells"])):
            assert mine["metadata"] == theirs["metadata"], (name, index)
            assert source(mine) == source(theirs), (name, index)
            assert mine["cell_type"] == theirs["cell_type"] and mine.get("outputs") == theirs.get("outputs")
        assert not instructor_links(path.read_text(encoding="utf-8")), f"{name} as released links the instructor tag"


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_the_student_edition_opens_itself_on_colab_and_installs_its_release(edition, lesson):
    text = (edition / "lessons" / lesson.name).read_text(encoding="utf-8")
    student_badge = course_address.colab_url(f"lessons/{lesson.name}", course_address.student_ref())
    assert student_badge in text, f"{lesson.name}'s badge opens the student edition"
    assert course_address.colab_url(f"lessons/{lesson.name}") not in text, "no link to the instructor version"
    assert course_address.pip_requirement() in text, "Colab installs the package of the release"
    assert course_address.student_ref() == course_address.release_tag() + "-student"


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_the_student_edition_links_no_instructor_release(edition, lesson):
    assert instructor_links(lesson.read_text(encoding="utf-8")), f"{lesson.name}: its badge links the release; " \
        "if no lesson does any more, this test checks nothing: update it"
    left = instructor_links((edition / "lessons" / lesson.name).read_text(encoding="utf-8"))
    assert not left, f"the student edition of {lesson.name} links the instructor release: {left}"


# A lesson of our own with every kind of link to the instructor release, and two that must stay as they are.
_SLUG, _RELEASE, _STUDENT = course_address.slug(), course_address.release_tag(), course_address.student_ref()
LINKS_LESSON = "\n".join([
    f"[Colab]({course_address.colab_url('lessons/99_links.ipynb')})",
    f"[Binder]({course_address.binder_url('lessons/99_links.ipynb')})",
    f"[the data notice](https://github.com/{_SLUG}/blob/{_RELEASE}/collapse_kit/assets/NOTICE.md)",
    f"[the lessons](https://github.com/{_SLUG}/tree/{_RELEASE}/lessons)",
    "[nbgrader's issue](https://github.com/jupyter/nbgrader/issues/917)",
])
STUDENT_LINKS_LESSON = "\n".join([
    f"[Colab]({course_address.colab_url('lessons/99_links.ipynb', _STUDENT)})",
    f"[Binder]({course_address.binder_url('lessons/99_links.ipynb', _STUDENT)})",
    f"[the data notice](https://github.com/{_SLUG}/blob/{_STUDENT}/collapse_kit/assets/NOTICE.md)",
    f"[the lessons](https://github.com/{_SLUG}/tree/{_STUDENT}/lessons)",
    "[nbgrader's issue](https://github.com/jupyter/nbgrader/issues/917)",
])
INSTALL = f'%pip install "{course_address.pip_requirement()}"'  # the package of the release: stays


def links_lesson() -> dict:
    """A notebook in the lessons' layout: a markdown cell of links, and the install cell."""
    return {"cells": [{"cell_type": "markdown", "id": "links", "metadata": {}, "source": LINKS_LESSON},
                      {"cell_type": "code", "id": "install", "metadata": {}, "outputs": [], "execution_count": None,
                       "source": INSTALL}],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def test_every_link_to_the_instructor_release_opens_the_student_edition_instead():
    assert len(instructor_links(LINKS_LESSON)) == 4 and not instructor_links(STUDENT_LINKS_LESSON + INSTALL)
    assert student_edition.student_links(LINKS_LESSON) == STUDENT_LINKS_LESSON
    assert len(student_edition.instructor_release_links(LINKS_LESSON)) == 4
    assert student_edition.instructor_release_links(STUDENT_LINKS_LESSON + "\n" + INSTALL) == []
    student = student_edition.student_notebook(links_lesson())
    assert [cell.source for cell in student.cells] == [STUDENT_LINKS_LESSON, INSTALL]


def test_a_released_notebook_opens_the_student_edition_and_a_leftover_link_is_caught(tmp_path, monkeypatch):
    # nbgrader generate_assignment through release_class.py, in a course folder that loads the repository's
    # nbgrader_config.py: one real lesson and our lesson of links (the whole class is the slow test above).
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent), prepend=os.pathsep)  # nbgrader's alembic
    (tmp_path / "nbgrader_config.py").write_text(f"load_subconfig({str(REPO / 'nbgrader_config.py')!r})\n")
    (tmp_path / "source" / "99_links").mkdir(parents=True)
    (tmp_path / "source" / "99_links" / "99_links.ipynb").write_text(json.dumps(links_lesson()), encoding="utf-8")
    released = release_class.release_class(tmp_path, [LESSONS[0].stem, "99_links"])
    for name, path in released.items():
        text = path.read_text(encoding="utf-8")
        assert not instructor_links(text), f"{name} as released links the instructor release"
        assert course_address.pip_requirement() in text, f"{name} installs the package of the release"
    lesson = json.loads(released[LESSONS[0].stem].read_text(encoding="utf-8"))
    assert course_address.colab_url(f"lessons/{LESSONS[0].name}", _STUDENT) in source(lesson["cells"][0])
    ours = json.loads(released["99_links"].read_text(encoding="utf-8"))
    assert [source(cell) for cell in ours["cells"]] == [STUDENT_LINKS_LESSON, INSTALL]

    (tmp_path / "leftover.ipynb").write_text(json.dumps(links_lesson()), encoding="utf-8")
    problems = release_class.student_version_problems(tmp_path / "leftover.ipynb")
    assert len(problems) == 4 and all(problem.startswith("cell 0: a link to the instructor release, https://")
                                      for problem in problems), problems


def test_a_lesson_that_quotes_its_solution_in_prose_stops_the_command(tmp_path):
    lesson = json.loads(LESSONS[0].read_text(encoding="utf-8"))
    exercise = next(cell for cell in lesson["cells"] if grading(cell).get("solution") and cell["cell_type"] == "code")
    line = region_lines(source(exercise), "BEGIN SOLUTION", "END SOLUTION")[0]
    lesson["cells"].append({"cell_type": "markdown", "id": "a-hint", "metadata": {}, "source": f"A hint:\n\n{line}\n"})
    quoting = tmp_path / "lessons" / LESSONS[0].name
    quoting.parent.mkdir()
    quoting.write_text(json.dumps(lesson), encoding="utf-8")
    with pytest.raises(RuntimeError, match=f"still holds: .*solution: {re.escape(line.strip())}"):
        student_edition.write_edition(tmp_path / "out", [quoting])
    # A solution region outside an exercise cell: nbgrader itself refuses it.
    lesson["cells"][-1] = {"cell_type": "code", "id": "a-hint", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": "### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n"}
    quoting.write_text(json.dumps(lesson), encoding="utf-8")
    with pytest.raises(RuntimeError, match="non-solution cell"):
        student_edition.write_edition(tmp_path / "out", [quoting])
    # Nor may it write over the instructor lessons.
    with pytest.raises(RuntimeError, match="is the repository itself"):
        student_edition.write_edition(REPO, [])


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_student_tag_is_a_commit_on_the_release_with_the_student_lessons_and_no_instructor_guide(
        edition, tmp_path, monkeypatch):
    # A repository like the course's: two lessons, INSTRUCTORS.md, Binder's folder; the release tag at HEAD.
    for name, value in (("NAME", "Course Bot"), ("EMAIL", "bot@example.org")):
        monkeypatch.setenv(f"GIT_AUTHOR_{name}", value)
        monkeypatch.setenv(f"GIT_COMMITTER_{name}", value)
    repo = tmp_path / "course"
    for path in LESSONS[:2] + [REPO / "INSTRUCTORS.md", REPO / "binder" / "requirements.txt"]:
        (repo / path.relative_to(REPO)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, repo / path.relative_to(REPO))
    git(repo, "init", "--quiet")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "the release")
    release, ref = course_address.release_tag(), course_address.student_ref()
    git(repo, "tag", release)
    head = git(repo, "rev-parse", "HEAD")
    notebooks = [edition / "lessons" / path.name for path in LESSONS[:2]]

    commit = student_edition.commit_edition(repo, notebooks)

    assert git(repo, "rev-parse", f"{ref}^{{commit}}") == commit
    assert git(repo, "rev-parse", f"{commit}^") == head, "the student edition sits on the release"
    for notebook in notebooks:
        assert git(repo, "show", f"{ref}:lessons/{notebook.name}") + "\n" == notebook.read_text(encoding="utf-8")
    files = git(repo, "ls-tree", "-r", "--name-only", ref).split("\n")
    assert "INSTRUCTORS.md" not in files and "binder/requirements.txt" in files
    # Nothing of the working tree, the index or the branch moved.
    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "status", "--porcelain") == ""
    assert (repo / "lessons" / LESSONS[0].name).read_text(encoding="utf-8") == LESSONS[0].read_text(encoding="utf-8")

    (repo / "notes.md").write_text("after the release\n")
    git(repo, "add", "notes.md")
    git(repo, "commit", "--quiet", "-m", "not a release")
    with pytest.raises(RuntimeError, match=f"is not the release {release}"):
        student_edition.commit_edition(repo, notebooks)


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_run_all_goes_on_past_an_unanswered_exercise_in_the_student_edition_only(edition, lesson):
    """Each exercise and autograded test cell of the student edition is tagged ``raises-exception`` (JupyterLab and
    Notebook 7 then run on past it when, unanswered, it raises), and no other cell is; the lesson itself tags none,
    so that nbval reports an exercise whose worked solution raises."""
    ours = json.loads((edition / "lessons" / lesson.name).read_text(encoding="utf-8"))
    for index, cell in enumerate(ours["cells"]):
        grading = cell["metadata"].get("nbgrader", {})
        graded = cell["cell_type"] == "code" and bool(grading.get("solution") or grading.get("grade"))
        assert (student_edition.RUN_ALL_TAG in cell["metadata"].get("tags", [])) == graded, (lesson.name, index)
    assert student_edition.RUN_ALL_TAG not in lesson.read_text(encoding="utf-8"), lesson.name
