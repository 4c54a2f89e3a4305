"""Make the student edition of the course: every lesson as nbgrader's student version, in one folder.

The lessons in ``lessons/`` are the instructor versions: worked solutions, hidden tests and model answers. The student
edition is made from them by this command, never kept by hand (``student/`` is git-ignored):

    python scripts/student_edition.py                    # every lesson -> student/lessons/<lesson>.ipynb
    python scripts/student_edition.py --output /tmp/ed   # another folder
    python scripts/student_edition.py --tag              # ... and commit it as the tag v<version>-student
    python scripts/student_edition.py --ref              # print that tag's name and stop

Each lesson's links to the instructor release (its Colab badge) are first made to open the student edition, then it
goes through nbgrader's own preprocessors, in the order ``nbgrader generate_assignment`` runs them (lock the exercise
cells; every ``### BEGIN SOLUTION`` region becomes ``# YOUR CODE HERE`` / ``raise NotImplementedError()``; outputs
cleared; checksums; hidden tests out; a short answer's model answer becomes ``YOUR ANSWER HERE``), without a
gradebook: the result is the notebook ``scripts/release_class.py`` hands a class, whose nbgrader_config.py rewrites
the links in the same place (tests/test_student_edition.py compares them). Each notebook is checked: no solution,
hidden test or model answer line of the lesson is left.

**Where students find it.** Binder, Colab, README's table and the website's launch buttons open the tag
``v<version>-student`` (scripts/course_address.py: ``student_ref``), a commit on top of the release whose lessons are
this edition and which has no INSTRUCTORS.md. ``--tag`` makes that commit and tag in the repository with git's
plumbing (the working tree, the index and the current branch are not touched); the workflow
``.github/workflows/student-edition.yml`` runs it when a release tag is pushed, and pushes the tag
(INSTRUCTORS.md, "The student edition"). The website shows the same student cells and downloads the same
notebooks (site/_ext/collapse_site.py imports this module); its worked solutions wait at the end of each page.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import course_address  # noqa: E402  (scripts/ is not a package)

LESSONS = REPO / "lessons"
DEFAULT_OUTPUT = REPO / "student"
# Files of the repository that the student tag leaves out: they describe the hidden tests and the model answers.
INSTRUCTOR_ONLY = ("INSTRUCTORS.md",)
# nbgrader's delimiters and stubs (its defaults; nbgrader_config.py keeps them).
SOLUTION = ("BEGIN SOLUTION", "END SOLUTION")
HIDDEN_TESTS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
TEXT_STUB = "YOUR ANSWER HERE"
README = """# The student edition of collapse-kit {version}

Made by `python scripts/student_edition.py` from the lessons of {repository} at {release}: every exercise is a stub
to fill in (`# YOUR CODE HERE`), the hidden tests and the model answers are gone. Do not edit these files: edit the
lessons and run the command again. Worked solutions for self-study are at the end of each lesson's page on the
course website: {site}
"""


def lesson_paths() -> list[Path]:
    """The instructor versions: ``lessons/00_start_here.ipynb``, ..., ``lessons/09_a_language_model.ipynb``."""
    return sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))


def _preprocessors() -> list:
    """nbgrader's preprocessors of ``generate_assignment``, in its order, less those that need a gradebook or a
    course folder (SaveCells, IncludeHeaderFooter, InstantiateTests: the lessons use no header and no autotests)."""
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearHiddenTests,
        ClearMarkScheme,
        ClearOutput,
        ClearSolutions,
        ComputeChecksums,
        LockCells,
    )

    return [LockCells(), ClearSolutions(), ClearOutput(), CheckCellMetadata(), ComputeChecksums(),
            ClearHiddenTests(), ClearMarkScheme(), ComputeChecksums(), CheckCellMetadata()]


def student_links(text: str) -> str:
    """``text`` with each Colab or Binder link of the course opening the student edition (``student_ref``), and each
    GitHub page of the instructor release (``github.com/<owner>/<name>/blob/v<version>/...``, ``/tree/...``) the same
    page of the student edition. pip's ``@v<version>`` stays: the package is the release's.

    Used on the markdown cells of every student version, before nbgrader locks and checksums them: by
    ``student_notebook`` here and, for ``nbgrader generate_assignment`` and scripts/release_class.py, by the
    preprocessor ``StudentEditionLinks`` of nbgrader_config.py.
    """
    ref = course_address.student_ref()
    for form in ("colab", "binder"):
        pattern = course_address.LINK_FORMS[form]
        text = pattern.sub(lambda match: match.group(0)[:match.start("ref") - match.start()] + ref
                           + match.group(0)[match.end("ref") - match.start():], text)
    page = re.compile(rf"(https://github\.com/{re.escape(course_address.slug())}/(?:blob|tree)/)"
                      rf"{re.escape(course_address.release_tag())}(?=/)")
    return page.sub(lambda match: match.group(1) + ref, text)


_LINK_CHARACTER = r"[^\s()<>\[\]\"'`]"


def instructor_release_links(text: str) -> list[str]:
    """The links of ``text`` that open the instructor release ``v<version>`` (its solutions, hidden tests and model
    answers) instead of its student edition: a path segment ``/v<version>`` followed by ``/``, ``?``, ``#`` or the
    link's end, as in ``blob/v0.2.0/`` or Binder's ``/v0.2.0?``; never ``v<version>-student``, nor pip's
    ``@v<version>``. No student version may hold one (scripts/release_class.py checks each)."""
    tag = re.escape(course_address.release_tag())
    return re.findall(rf"https?://{_LINK_CHARACTER}*/{tag}(?!-|\w|\.\w){_LINK_CHARACTER}*", text)


RUN_ALL_TAG = "raises-exception"  # JupyterLab and Notebook 7 run on past such a cell when it raises


def run_all_goes_on(cell) -> None:
    """Tag an exercise's code cell and its autograded tests ``raises-exception`` (in place): unanswered, the stub
    raises NotImplementedError and the tests fail, and Run All in JupyterLab or Notebook 7 then goes on past them to
    the rest of the lesson instead of stopping there (no later cell reads an answer: tests/test_run_all.py). Only
    in the student versions: in the lessons themselves an exercise that raises is a bug that nbval must report.
    Used by ``student_notebook`` and nbgrader_config.py's ``StudentEditionLinks``."""
    grading = cell.get("metadata", {}).get("nbgrader", {})
    if cell["cell_type"] == "code" and (grading.get("solution") or grading.get("grade")):
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if RUN_ALL_TAG not in tags:
            tags.append(RUN_ALL_TAG)


def student_notebook(lesson: dict):
    """The student version of the lesson ``lesson`` (a notebook's JSON, left unchanged), as an nbformat notebook.

    Raises:
        RuntimeError: naming the cell, if nbgrader refuses the lesson (a solution region outside a solution cell, a
            BEGIN without its END).
    """
    import nbformat

    notebook = nbformat.reads(json.dumps(lesson), as_version=4)  # a copy, sources joined as nbgrader reads them
    for cell in notebook.cells:  # first, as nbgrader_config.py's StudentEditionLinks: the checksums include them
        if cell.cell_type == "markdown":
            cell.source = student_links(cell.source)
        run_all_goes_on(cell)
    resources: dict = {}
    for preprocessor in _preprocessors():
        notebook, resources = preprocessor.preprocess(notebook, resources)
    return notebook


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def regions(source: str, begin: str, end: str) -> tuple[list[str], list[str]]:
    """(lines inside, lines outside) the ``begin`` ... ``end`` regions of ``source``, delimiter lines in neither, as
    nbgrader cuts them (a line that holds a delimiter opens or closes a region; an unclosed one runs to the end).

    The course's one cutter of nbgrader's regions (``SOLUTION``, ``HIDDEN_TESTS``): the student edition, the site
    (site/_ext/collapse_site.py), the syllabus's line counts (study_times.py) and the tests all read regions with it.
    """
    inside, outside, within = [], [], False
    for line in source.split("\n"):
        if begin in line:
            within = True
        elif end in line:
            within = False
        else:
            (inside if within else outside).append(line)
    return inside, outside


def instructor_lines(lesson: dict) -> tuple[dict[str, list[str]], set[str]]:
    """The lines of ``lesson`` no student file may hold, ``{"solution": ..., "hidden test": ..., "model answer":
    ...}``, and the lines of the same cells a student does see (an exercise's lines around its solution, a test
    cell's visible tests); all stripped, blank ones left out. A line of a solution quoted anywhere else (a hint in
    the prose, say) is a leak.

    A model answer is a markdown cell nbgrader marks solution and grade; an exercise cell without delimiters is a
    solution as a whole (nbgrader replaces the whole cell).
    """
    found: dict[str, list[str]] = {"solution": [], "hidden test": [], "model answer": []}
    public: set[str] = set()
    for cell in lesson["cells"]:
        source, grading = _source(cell), cell.get("metadata", {}).get("nbgrader", {})
        if grading.get("solution") and (cell["cell_type"] == "markdown" or SOLUTION[0] not in source):
            found["model answer" if cell["cell_type"] == "markdown" else "solution"] += source.split("\n")
            continue
        solution, rest = regions(source, *SOLUTION)
        hidden, rest = regions("\n".join(rest), *HIDDEN_TESTS)
        found["solution"] += solution
        found["hidden test"] += hidden
        if solution or hidden:
            public.update(line.strip() for line in rest)
    return ({kind: [line.strip() for line in lines if line.strip()] for kind, lines in found.items()},
            public - {""})


def leftovers(text: str, lesson: dict) -> list[str]:
    """What ``text`` (a student-facing file) still holds of ``lesson``'s instructor material: the delimiters, and
    every line of a solution, a hidden test or a model answer, unless the same cells also show that line to students
    (a test cell whose visible and hidden tests share a line, say)."""
    found = [delimiter for delimiter in SOLUTION + HIDDEN_TESTS if delimiter in text]
    lines = {line.strip() for line in text.split("\n")}
    kinds, public = instructor_lines(lesson)
    for kind, instructor in kinds.items():
        found += [f"{kind}: {line}" for line in instructor if line in lines and line not in public]
    return found


def notebook_file(notebook) -> str:
    """The text of a student notebook's file, as nbformat (and Jupyter) write it."""
    import nbformat

    return nbformat.writes(notebook) + "\n"


def notebook_text(notebook) -> str:
    """Every cell's source and every output's text of a notebook (a dict or an nbformat notebook)."""
    parts = []
    for cell in notebook["cells"]:
        source = cell["source"]
        parts.append("".join(source) if isinstance(source, list) else source)
        parts += [json.dumps(output) for output in cell.get("outputs", [])]
    return "\n".join(parts)


def write_edition(output: Path = DEFAULT_OUTPUT, lessons: list[Path] | None = None) -> list[Path]:
    """Write the student version of each of ``lessons`` (default: every lesson) to ``output/lessons/``, and a
    README; return the notebooks written.

    Raises:
        RuntimeError: naming the notebook and what it still holds, if a student version is not clean.
    """
    lessons = lesson_paths() if lessons is None else lessons
    folder = output / "lessons"
    if folder.resolve() == LESSONS.resolve():
        raise RuntimeError(f"the output {output} is the repository itself: its lessons would be overwritten")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for path in lessons:
        lesson = json.loads(path.read_text(encoding="utf-8"))
        student = student_notebook(lesson)
        problems = leftovers(notebook_text(student), lesson)
        problems += [f"a link to the instructor release: {link}"
                     for link in instructor_release_links(notebook_text(student))]
        problems += [f"cell {index}: outputs" for index, cell in enumerate(student.cells) if cell.get("outputs")]
        if problems:
            raise RuntimeError(f"the student version of {path.name} still holds: {problems}")
        target = folder / path.name
        target.write_text(notebook_file(student), encoding="utf-8")
        written.append(target)
    (output / "README.md").write_text(README.format(
        version=course_address.version(), repository=course_address.repository_url(),
        release=course_address.release_tag(), site=course_address.pages_url()), encoding="utf-8")
    return written


def _git(repo: Path, *args: str, env: dict | None = None, stdin: str | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, input=stdin,
                          env={**os.environ, **(env or {})}, check=False)
    if done.returncode:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def commit_edition(repo: Path, notebooks: list[Path], ref: str | None = None) -> str:
    """Commit ``notebooks`` (the student edition) as ``lessons/<name>`` on top of ``repo``'s HEAD, without
    INSTRUCTOR_ONLY files, and tag the commit ``ref`` (default: ``student_ref()``); return the commit's id.

    Works on git's objects only (a temporary index): the working tree, the index and the current branch are left
    as they are. HEAD must be the release (the tag ``release_tag()``), so that the edition is the release's.
    """
    ref = ref or course_address.student_ref()
    release = course_address.release_tag()
    head = _git(repo, "rev-parse", "HEAD")
    tags = _git(repo, "tag", "--points-at", head).split()
    if release not in tags:
        raise RuntimeError(f"HEAD ({head[:10]}) is not the release {release}: check out the tag {release} first "
                           f"(tags at HEAD: {tags or 'none'})")
    with tempfile.TemporaryDirectory() as folder:
        env = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
        _git(repo, "read-tree", head, env=env)
        for name in INSTRUCTOR_ONLY:
            _git(repo, "rm", "--cached", "--quiet", "--ignore-unmatch", name, env=env)
        for notebook in notebooks:
            blob = _git(repo, "hash-object", "-w", "--path", f"lessons/{notebook.name}", str(notebook))
            _git(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},lessons/{notebook.name}", env=env)
        tree = _git(repo, "write-tree", env=env)
    message = (f"The student edition of {release}\n\nMade by python scripts/student_edition.py --tag from {release} "
               f"({head}): no worked solution, hidden test or model answer.\n")
    commit = _git(repo, "commit-tree", tree, "-p", head, stdin=message)
    _git(repo, "tag", "--force", "--annotate", ref, commit, "--message", f"The student edition of {release}")
    return commit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help=f"the folder (default: {DEFAULT_OUTPUT.relative_to(REPO)}/)")
    parser.add_argument("--tag", action="store_true",
                        help="also commit the edition on top of the release and tag it (the working tree is untouched)")
    parser.add_argument("--ref", action="store_true", help="print the student edition's tag and stop")
    args = parser.parse_args(argv)
    if args.ref:
        print(course_address.student_ref())
        return 0
    try:
        written = write_edition(args.output.resolve())
        print(f"{len(written)} student versions in {args.output.resolve() / 'lessons'}")
        if args.tag:
            commit = commit_edition(REPO, written)
            print(f"tagged {course_address.student_ref()} at {commit[:10]}: push it with "
                  f"git push origin {course_address.student_ref()}")
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
