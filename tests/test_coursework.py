"""The nbgrader round trip of every lesson: student version, full marks for the solutions, zero for an untouched copy.

What an instructor does (INSTRUCTORS.md), in a temporary course folder whose ``nbgrader_config.py`` loads the
repository's: ``nbgrader generate_assignment <lesson>``, then ``nbgrader autograde <lesson>`` on two submissions,
the lesson itself (solutions in) and the student version as released (nothing filled in), then
``nbgrader generate_feedback <lesson>``: the HTML each student gets shows their score and the visible tests, never a
hidden one. Each lesson's short answer is graded by hand: the lesson's model answer waits for a grader, the
untouched "YOUR ANSWER HERE" gets 0 from nbgrader itself.

Grading executes every lesson twice. The runs are deterministic and cached on disk, so the second execution and
any earlier one of the same lesson (nbval's, with the same ``$COLLAPSE_KIT_CACHE``) load instead of training.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader", reason="nbgrader is in the test extra: pip install -e '.[test]'")
from nbgrader.api import Gradebook  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted((REPO / "lessons").glob("[0-9]*.ipynb"))
COURSE_ID = "collapse-kit"
SOLUTION, UNTOUCHED = "solution", "untouched"  # the two student ids of each round trip
TEXT_STUB = "YOUR ANSWER HERE"  # what nbgrader (ClearSolutions.text_stub) puts in place of a written answer
# The session's cache, as the repository's conftest.py chose it before any test ran (tests/conftest.py later points
# each unit test at a private one): the lessons' nbval runs use the same, so each experiment trains once per session.
SESSION_CACHE = os.environ.get("COLLAPSE_KIT_CACHE")
NBGRADER_SECONDS = 1200  # per nbgrader command: a hung kernel fails the test instead of the whole CI run


@pytest.fixture(scope="module", autouse=True)
def venv_scripts_on_path():
    """nbgrader runs ``alembic`` (its database migrations) from PATH: find this Python's, even if not activated."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", str(Path(sys.executable).parent), prepend=os.pathsep)
        yield


# ----------------------------------------------------------------------------------------------------------------
# Helpers: the course folder, nbgrader's commands, and what the notebooks hold
# ----------------------------------------------------------------------------------------------------------------

def make_course(folder: Path) -> Path:
    """A course folder as INSTRUCTORS.md describes one outside the repository: its config loads the repository's."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text(f"load_subconfig({str(REPO / 'nbgrader_config.py')!r})\n")
    return folder


def grading_env(**settings: str) -> dict[str, str]:
    """This process's environment, without a profile or nbgrader marker from the caller, plus ``settings``."""
    env = {name: value for name, value in os.environ.items()
           if name not in ("COLLAPSE_KIT_PROFILE", "NBGRADER_EXECUTION", "NBGRADER_VALIDATING")}
    env.update(settings)
    return env


def nbgrader(course: Path, env: dict[str, str], *args: str) -> str:
    """Run ``nbgrader ARGS`` in ``course`` as an instructor would; fail the test with its log if it fails."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                            text=True, timeout=NBGRADER_SECONDS, check=False)
    log = f"$ nbgrader {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, f"nbgrader failed (exit {result.returncode}):\n{log}"
    return log


def submit(course: Path, assignment: str, student: str, notebook: Path) -> None:
    """Put ``notebook`` where ``nbgrader collect`` would: submitted/<student>/<assignment>/<notebook>.ipynb."""
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notebook, folder / notebook.name)


def nbgrader_cells(notebook) -> list:
    """The cells nbgrader grades or clears: those with ``nbgrader`` metadata marking a solution or a grade."""
    return [cell for cell in notebook.cells
            if cell.metadata.get("nbgrader", {}).get("solution") or cell.metadata.get("nbgrader", {}).get("grade")]


def written_answers(notebook) -> list:
    """The short answers graded by hand: markdown cells marked as a solution and a grade (nbgrader's "Manually
    graded answer"). Each is the model answer; ``generate_assignment`` replaces the whole cell by ``TEXT_STUB``."""
    return [cell for cell in notebook.cells if cell.cell_type == "markdown"
            and cell.metadata.get("nbgrader", {}).get("solution") and cell.metadata.get("nbgrader", {}).get("grade")]


def split_test_lines(source: str) -> tuple[list[str], list[str]]:
    """A test cell's non-empty lines: (the visible ones, the hidden ones between ``### BEGIN/END HIDDEN TESTS``)."""
    visible, hidden, inside = [], [], False
    for line in source.splitlines():
        if "### BEGIN HIDDEN TESTS" in line:
            inside = True
        elif "### END HIDDEN TESTS" in line:
            inside = False
        elif line.strip():
            (hidden if inside else visible).append(line.strip())
    return visible, hidden


def hidden_lines(source: str) -> list[str]:
    """The non-empty lines between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``."""
    return split_test_lines(source)[1]


class _ShownText(HTMLParser):
    """Collects the text a browser shows for an HTML page: no tags, no styles or scripts, entities decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.hidden_depth = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden_depth += tag in ("style", "script")

    def handle_endtag(self, tag):
        self.hidden_depth -= tag in ("style", "script")

    def handle_data(self, data):
        if not self.hidden_depth:
            self.parts.append(data)


def feedback_text(course: Path, assignment: str, notebook: str, student: str) -> str:
    """What a student reads in their feedback: the text of feedback/<student>/<assignment>/<notebook>.html.

    The HTML highlights code token by token (``<span class="k">assert</span> ...``), so a test line appears whole only
    in the shown text.
    """
    parser = _ShownText()
    parser.feed((course / "feedback" / student / assignment / f"{notebook}.html").read_text(encoding="utf-8"))
    return "".join(parser.parts)


def cell_scores(course: Path, assignment: str, notebook: str, student: str) -> dict[str, tuple[float, float]]:
    """``{grade_id: (score, max_score)}`` of one autograded notebook, from the course's gradebook."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gradebook:
        submission = gradebook.find_submission_notebook(notebook, assignment, student)
        return {grade.name: (grade.score, grade.max_score) for grade in submission.grades}


def manual_grading(course: Path, assignment: str, notebook: str, student: str) -> dict[str, tuple]:
    """``{grade_id: (auto_score, needs_manual_grade)}`` of the answers graded by hand (markdown grade cells) of one
    autograded notebook. nbgrader leaves ``auto_score`` at None and flags the cell when the student wrote something,
    and gives 0 without a flag when the cell still holds the stub (its comment then reads "No response.")."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gradebook:
        submission = gradebook.find_submission_notebook(notebook, assignment, student)
        return {grade.name: (grade.auto_score, grade.needs_manual_grade) for grade in submission.grades
                if grade.cell_type == "markdown"}


def error_cells(notebook) -> list[str]:
    """``"cell N (grade_id or first line): ErrorName"`` for every code cell whose outputs hold an error."""
    found = []
    for index, cell in enumerate(notebook.cells):
        errors = [output.ename for output in cell.get("outputs", []) if output.output_type == "error"]
        if errors:
            label = cell.metadata.get("nbgrader", {}).get("grade_id") or cell.source.strip().split("\n")[0][:60]
            found.append(f"cell {index} ({label}): {', '.join(errors)}")
    return found


def round_trip(course: Path, assignment: str, lesson: Path, env: dict[str, str]) -> dict:
    """Generate the student version of ``lesson``, autograde it and the lesson itself; return what came out."""
    started = time.perf_counter()
    source_folder = course / "source" / assignment
    source_folder.mkdir(parents=True, exist_ok=True)
    if not (source_folder / lesson.name).exists():
        shutil.copyfile(lesson, source_folder / lesson.name)
    nbgrader(course, env, "generate_assignment", assignment, "--force")
    released = course / "release" / assignment / lesson.name
    submit(course, assignment, SOLUTION, lesson)
    submit(course, assignment, UNTOUCHED, released)
    seconds = {"generate": time.perf_counter() - started}
    log = ""
    for student in (SOLUTION, UNTOUCHED):  # one at a time, to time each; the solution fills the cache first
        started = time.perf_counter()
        log += nbgrader(course, env, "autograde", assignment, "--student", student, "--force")
        seconds[f"autograde {student}"] = time.perf_counter() - started
    started = time.perf_counter()
    log += nbgrader(course, env, "generate_feedback", assignment, "--force")  # converts; executes nothing
    seconds["feedback"] = time.perf_counter() - started
    return {
        "source": nbformat.read(lesson, as_version=4),
        "released": nbformat.read(released, as_version=4),
        "graded": {student: nbformat.read(course / "autograded" / student / assignment / lesson.name, as_version=4)
                   for student in (SOLUTION, UNTOUCHED)},
        "scores": {student: cell_scores(course, assignment, lesson.stem, student) for student in (SOLUTION, UNTOUCHED)},
        "manual": {student: manual_grading(course, assignment, lesson.stem, student)
                   for student in (SOLUTION, UNTOUCHED)},
        "feedback": {student: feedback_text(course, assignment, lesson.stem, student)
                     for student in (SOLUTION, UNTOUCHED)},
        "log": log,
        "seconds": seconds,
    }


def check_round_trip(outcome: dict) -> None:
    """The claims of INSTRUCTORS.md about one lesson's round trip, with messages that name the cell."""
    source, released = outcome["source"], outcome["released"]
    released_text = "\n".join(cell.source for cell in released.cells)

    # The student version: solutions and hidden tests gone, every exercise still there as a stub.
    assert "### BEGIN SOLUTION" not in released_text, "a solution was left in the student version"
    assert "HIDDEN TESTS" not in released_text, "hidden-test markers were left in the student version"
    for cell in nbgrader_cells(source):
        for line in hidden_lines(cell.source):
            assert line not in released_text, f"hidden test line {line!r} of {cell.metadata.nbgrader.grade_id} " \
                                              "is visible in the student version"
    assert not any(cell.get("outputs") for cell in released.cells), "the student version should have no outputs"
    stubs = [cell for cell in released.cells if cell.metadata.get("nbgrader", {}).get("solution")]
    assert stubs and all("NotImplementedError" in cell.source for cell in stubs if cell.cell_type == "code"), \
        "every exercise cell of the student version should be a stub that raises NotImplementedError"
    written = [cell.metadata.nbgrader.grade_id for cell in written_answers(source)]
    released_written = {cell.metadata.nbgrader.grade_id: cell.source for cell in written_answers(released)}
    assert released_written == {grade_id: TEXT_STUB for grade_id in written}, \
        f"every short answer of the student version should read {TEXT_STUB!r}: {released_written}"
    for cell in written_answers(source):
        for line in filter(None, (line.strip() for line in cell.source.splitlines())):
            assert line not in released_text, f"the model answer of {cell.metadata.nbgrader.grade_id} is in the " \
                                              f"student version: {line!r}"

    # The lesson itself earns every autograded point, its short answers wait for a grader, and grading it raises
    # nothing anywhere.
    scores, manual = outcome["scores"], outcome["manual"]
    assert scores[SOLUTION], "the gradebook holds no graded cells for this lesson"
    lost = {name: score for name, score in scores[SOLUTION].items() if name not in written and score[0] != score[1]}
    assert not lost, f"the solutions lose points (grade_id: (score, max)): {lost}\n{outcome['log'][-3000:]}"
    assert manual[SOLUTION] == {grade_id: (None, True) for grade_id in written}, \
        f"each written answer should be in the gradebook, ungraded and flagged for manual grading: {manual[SOLUTION]}"
    assert not error_cells(outcome["graded"][SOLUTION]), \
        f"cells of the solved lesson fail under grading: {error_cells(outcome['graded'][SOLUTION])}"

    # An untouched student version earns nothing, and grading still runs it to the last cell. (Its exercises fail,
    # and so may later cells that use an exercise's result.)
    earned = {name: score for name, score in scores[UNTOUCHED].items() if score[0] != 0}
    assert not earned, f"an untouched student version earns points (grade_id: (score, max)): {earned}"
    assert manual[UNTOUCHED] == {grade_id: (0.0, False) for grade_id in written}, \
        f"an unanswered short answer should get 0 from nbgrader, with nothing to grade by hand: {manual[UNTOUCHED]}"
    skipped = [index for index, cell in enumerate(outcome["graded"][UNTOUCHED].cells)
               if cell.cell_type == "code" and cell.get("execution_count") is None]
    assert not skipped, f"grading an untouched student version stopped early: cells {skipped} never ran"

    # The feedback of both: score and visible tests shown, hidden tests not (nbgrader_config.py, INSTRUCTORS.md).
    for student in (SOLUTION, UNTOUCHED):
        check_feedback(outcome["feedback"][student], source, scores[student], student)


def check_feedback(feedback: str, source, scores: dict[str, tuple[float, float]], student: str) -> None:
    """The feedback ``student`` gets for a lesson: their score and every visible test line, no hidden test line.

    ``feedback`` is the text of the HTML (``feedback_text``), ``source`` the instructor's lesson, ``scores`` the
    student's ``{grade_id: (score, max_score)}``.
    """
    score, possible = sum(score for score, _ in scores.values()), sum(most for _, most in scores.values())
    heading = f"(Score: {round(score, 2)} / {round(possible, 2)})"  # as nbgrader's feedback template writes it
    assert heading in feedback, f"the feedback of {student!r} does not show the score {heading}"
    for cell in written_answers(source):
        score, most = scores[cell.metadata.nbgrader.grade_id]
        line = f"Written response (Score: {round(score, 2)} / {round(most, 2)})"
        assert line in feedback, f"the feedback of {student!r} does not list {line!r}"
    assert "HIDDEN TESTS" not in feedback, f"hidden-test markers are in the feedback of {student!r}"
    for cell in nbgrader_cells(source):
        if cell.metadata.nbgrader.get("solution"):
            continue  # the student's own code, not a test
        visible, hidden = split_test_lines(cell.source)
        grade_id = cell.metadata.nbgrader.grade_id
        for line in visible:
            assert line in feedback, f"visible test line {line!r} of {grade_id} is missing from the feedback of " \
                                     f"{student!r}"
        for line in hidden:
            assert line not in feedback, f"hidden test line {line!r} of {grade_id} is shown in the feedback of " \
                                         f"{student!r} (code or traceback)"


# ----------------------------------------------------------------------------------------------------------------
# A stand-in lesson that follows the lessons' conventions: the machinery, checked in seconds
# ----------------------------------------------------------------------------------------------------------------

def exercise_cells(grade_id: str, solution: str, tests: str, hidden_tests: str) -> list:
    """A "your turn" exercise as the lessons write it: a solution cell, then its autograded test cell."""
    solution_cell = nbformat.v4.new_code_cell(solution)
    solution_cell.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False, "grade_id": grade_id,
                                          "schema_version": 3, "task": False}
    test_cell = nbformat.v4.new_code_cell(f"{tests}\n### BEGIN HIDDEN TESTS\n{hidden_tests}\n### END HIDDEN TESTS")
    test_cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 1,
                                      "grade_id": f"{grade_id}_test", "schema_version": 3, "task": False}
    return [solution_cell, test_cell]


def written_answer_cell(grade_id: str, model_answer: str):
    """A short answer as the lessons write it: a markdown cell graded by hand, holding the model answer."""
    cell = nbformat.v4.new_markdown_cell(model_answer)
    cell.metadata["nbgrader"] = {"grade": True, "solution": True, "locked": False, "points": 2,
                                 "grade_id": grade_id, "schema_version": 3, "task": False}
    return cell


def stand_in_lesson(path: Path) -> Path:
    """Write a lesson in the lessons' conventions to ``path``: two exercises and a short answer graded by hand. It
    reports the profile grading chose."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# A stand-in lesson\nWhich profile does grading run in?"),
        nbformat.v4.new_code_cell("from collapse_kit.profiles import current_profile\n"
                                  "print('profile:', current_profile())"),
        nbformat.v4.new_markdown_cell("## Your turn\nHow many real images does one generation hold?"),
        *exercise_cells(
            "l99_real_images",
            "def real_images(samples_per_generation, real_fraction):\n"
            "    ### BEGIN SOLUTION\n    return round(samples_per_generation * real_fraction)\n"
            "    ### END SOLUTION",
            "assert real_images(100, 0.5) == 50, 'half of 100 images is 50'",
            "assert real_images(4096, 0.2) == 819"),
        nbformat.v4.new_markdown_cell("## Your turn\nName the strategy that keeps every earlier set."),
        *exercise_cells(
            "l99_strategy",
            "### BEGIN SOLUTION\nkeeps_everything = 'accumulate'\n### END SOLUTION",
            "assert isinstance(keeps_everything, str)",
            "assert keeps_everything == 'accumulate'"),
        nbformat.v4.new_markdown_cell("## In your own words\nWhy does keeping every earlier set slow the collapse?"),
        written_answer_cell("l99_explain", "The real images of generation 0 stay in every training set."),
    ]
    nbformat.write(notebook, path)
    return path


@pytest.mark.coursework
def test_stand_in_lesson_round_trip_and_grading_picks_the_fast_profile(tmp_path):
    course = make_course(tmp_path / "course")
    lesson = stand_in_lesson(tmp_path / "standin.ipynb")
    # No COLLAPSE_KIT_PROFILE: nbgrader's own NBGRADER_EXECUTION must select the fast profile.
    outcome = round_trip(course, "standin", lesson, grading_env(COLLAPSE_KIT_CACHE=str(tmp_path / "cache")))
    check_round_trip(outcome)
    assert outcome["scores"][SOLUTION] == {"l99_real_images_test": (1.0, 1.0), "l99_strategy_test": (1.0, 1.0),
                                           "l99_explain": (0.0, 2.0)}  # the short answer waits for a grader
    assert outcome["manual"] == {SOLUTION: {"l99_explain": (None, True)}, UNTOUCHED: {"l99_explain": (0.0, False)}}
    assert "No response." in outcome["feedback"][UNTOUCHED], "an unanswered short answer should say so in the feedback"
    printed = [output.get("text", "") for output in outcome["graded"][SOLUTION].cells[1].outputs]
    assert "profile: fast" in "".join(printed), f"grading ran the lessons in another profile: {printed}"


@pytest.mark.coursework
def test_feedback_of_a_failed_hidden_test_shows_its_message_not_its_code(tmp_path):
    # A student whose answers pass the visible tests and fail the hidden ones: by default nbgrader's feedback would
    # show the hidden asserts twice, in the test cell and in the traceback that quotes the failing line.
    course = make_course(tmp_path / "course")
    lesson = stand_in_lesson(tmp_path / "standin.ipynb")
    env = grading_env(COLLAPSE_KIT_CACHE=str(tmp_path / "cache"))
    course_source = course / "source" / "standin"
    course_source.mkdir(parents=True)
    shutil.copyfile(lesson, course_source / lesson.name)
    nbgrader(course, env, "generate_assignment", "standin")
    answers = {"l99_real_images": "def real_images(samples_per_generation, real_fraction):\n"
                                  "    return samples_per_generation // 2  # right for 0.5 only",
               "l99_strategy": "keeps_everything = 'replace'"}
    notebook = nbformat.read(course / "release" / "standin" / lesson.name, as_version=4)
    for cell in notebook.cells:
        cell.source = answers.get(cell.metadata.get("nbgrader", {}).get("grade_id"), cell.source)
    submitted = tmp_path / "answered" / lesson.name
    submitted.parent.mkdir()
    nbformat.write(notebook, submitted)
    submit(course, "standin", "visible_only", submitted)
    nbgrader(course, env, "autograde", "standin")
    nbgrader(course, env, "generate_feedback", "standin")

    scores = cell_scores(course, "standin", "standin", "visible_only")
    assert scores == {"l99_real_images_test": (0.0, 1.0), "l99_strategy_test": (0.0, 1.0), "l99_explain": (0.0, 2.0)}, \
        scores
    graded = nbformat.read(course / "autograded" / "visible_only" / "standin" / lesson.name, as_version=4)
    tracebacks = "".join("".join(output.traceback) for cell in graded.cells for output in cell.get("outputs", [])
                         if output.output_type == "error")
    assert "819" in tracebacks, "the autograded notebook should quote the failing hidden assert (what we hide)"
    feedback = feedback_text(course, "standin", "standin", "visible_only")
    check_feedback(feedback, nbformat.read(lesson, as_version=4), scores, "visible_only")
    assert feedback.count("AssertionError") == 2, "each failed test should still name its error in the feedback"


def test_nbgrader_config_names_the_course_links_the_lessons_and_allows_slow_cells(tmp_path, monkeypatch):
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import Execute
    from traitlets.config import PyFileConfigLoader

    monkeypatch.chdir(tmp_path)  # the config links the lessons into the folder nbgrader runs in
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    assert config.CourseDirectory.course_id == COURSE_ID
    assert Execute(config=config).timeout >= 300, "grading a lesson cell in the fast profile may take minutes"
    assert CourseDirectory(config=config).source_directory == "source"
    for lesson in LESSONS:
        link = tmp_path / "source" / lesson.stem / lesson.name
        assert link.exists() and link.read_bytes() == lesson.read_bytes(), f"{link} should show {lesson}"


def test_nbgrader_config_clears_hidden_tests_from_feedback(tmp_path, monkeypatch):
    from nbgrader.preprocessors import ClearHiddenTests
    from traitlets.config import PyFileConfigLoader

    monkeypatch.chdir(tmp_path)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    steps = config.GenerateFeedback.preprocessors
    assert any(issubclass(step, ClearHiddenTests) for step in steps), \
        "nbgrader generate_feedback would show the hidden tests to students (jupyter/nbgrader#917)"
    names = [step.__name__ for step in steps]
    assert names[0] == "GetGrades" and names[-1] == "CSSHTMLHeaderPreprocessor", \
        f"the feedback still needs nbgrader's own steps (scores first, styles last): {names}"


def test_source_links_follow_lessons_that_are_added_edited_and_renamed(tmp_path, monkeypatch):
    from traitlets.config import Config

    monkeypatch.chdir(tmp_path)
    namespace = {"get_config": Config, "__file__": str(REPO / "nbgrader_config.py")}
    exec((REPO / "nbgrader_config.py").read_text(), namespace)  # noqa: S102 (our own config file)
    lessons, source = tmp_path / "lessons", tmp_path / "course" / "source"
    lessons.mkdir()
    (lessons / "01_first.ipynb").write_text("first")
    assert namespace["link_lessons"](lessons, source) == ["01_first"]
    (lessons / "01_first.ipynb").write_text("edited")
    assert (source / "01_first" / "01_first.ipynb").read_text() == "edited"
    (lessons / "01_first.ipynb").rename(lessons / "01_renamed.ipynb")
    assert namespace["link_lessons"](lessons, source) == ["01_renamed"]
    assert sorted(path.name for path in source.iterdir()) == ["01_renamed"], "the old name left an assignment behind"


# ----------------------------------------------------------------------------------------------------------------
# The lessons themselves
# ----------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.stem for lesson in LESSONS])
def test_every_lesson_has_graded_exercises_in_the_course_conventions(lesson):
    cells = nbformat.read(lesson, as_version=4).cells
    number = lesson.stem.split("_")[0]
    solutions = [(index, cell) for index, cell in enumerate(cells)
                 if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code"]
    assert solutions, f"{lesson.name} has no 'your turn' exercise cell (nbgrader solution: true)"
    for index, cell in solutions:
        meta = cell.metadata.nbgrader
        assert meta["grade_id"].startswith(f"l{number}_"), f"grade_id {meta['grade_id']!r} should start l{number}_"
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source, meta["grade_id"]
        test = cells[index + 1] if index + 1 < len(cells) else None
        assert test is not None and test.metadata.get("nbgrader", {}).get("grade"), \
            f"exercise {meta['grade_id']} should be followed by its autograded test cell"
        test_meta = test.metadata.nbgrader
        assert test_meta["grade_id"] == f"{meta['grade_id']}_test", test_meta["grade_id"]
        assert test_meta.get("locked") and test_meta.get("points", 0) > 0, test_meta
        visible = test.source.split("### BEGIN HIDDEN TESTS")[0]
        assert "assert" in visible, f"{test_meta['grade_id']} should show the student at least one assert"
        assert test.source.count("### BEGIN HIDDEN TESTS") == test.source.count("### END HIDDEN TESTS"), \
            f"{test_meta['grade_id']}: unbalanced hidden-test markers"


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.stem for lesson in LESSONS])
def test_every_lesson_has_one_short_answer_graded_by_hand(lesson):
    """A markdown question asking for 2-4 sentences, then a markdown cell that nbgrader grades by hand (2 points)
    and that holds the model answer; ``generate_assignment`` replaces the whole cell by YOUR ANSWER HERE."""
    notebook = nbformat.read(lesson, as_version=4)
    number = lesson.stem.split("_")[0]
    marked = [cell for cell in notebook.cells if cell.cell_type == "markdown" and cell.metadata.get("nbgrader")]
    answers = written_answers(notebook)
    assert len(answers) == 1 and marked == answers, \
        f"{lesson.name} should have one markdown cell with nbgrader metadata, its short answer; found {len(marked)}"
    answer = answers[0]
    assert answer.metadata.nbgrader == {"grade": True, "grade_id": f"l{number}_explain", "locked": False, "points": 2,
                                        "schema_version": 3, "solution": True, "task": False}, answer.metadata.nbgrader
    assert "BEGIN SOLUTION" not in answer.source and "END SOLUTION" not in answer.source, \
        "the whole cell is the model answer: nbgrader replaces all of it, no markers needed"
    assert len(answer.source.split()) >= 30 and answer.source.strip() != TEXT_STUB, "the cell should hold a model answer"
    index = notebook.cells.index(answer)
    question = notebook.cells[index - 1]
    assert question.cell_type == "markdown" and not question.metadata.get("nbgrader"), \
        f"{lesson.name}: the short answer should follow the markdown cell that asks the question"
    assert "2-4 sentences" in " ".join(question.source.split()), f"{lesson.name}: the question should ask for 2-4 " \
                                                                  "sentences"


@pytest.fixture(scope="module")
def lessons_course(tmp_path_factory) -> Path:
    """One course folder (and gradebook) for all lessons, as an instructor would keep it."""
    return make_course(tmp_path_factory.mktemp("course"))


@pytest.mark.coursework
@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.stem for lesson in LESSONS])
def test_lesson_round_trip_full_marks_for_solutions_zero_for_untouched(lesson, lessons_course, record_property):
    cache = SESSION_CACHE or str(lessons_course / "cache")
    env = grading_env(COLLAPSE_KIT_PROFILE="fast", COLLAPSE_KIT_CACHE=cache)
    outcome = round_trip(lessons_course, lesson.stem, lesson, env)
    for step, seconds in outcome["seconds"].items():
        record_property(f"{step} seconds", round(seconds, 1))
    print(f"{lesson.stem}: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in outcome["seconds"].items()))
    check_round_trip(outcome)
