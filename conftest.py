"""Test-session setup shared by the unit tests and the lessons, and the lessons' own test: each lesson run once.

The lessons' kernels inherit this process's environment, so the profile, the seed and the cache are chosen here,
before any kernel starts: the fast profile (unless the shell names one), the lessons' seed (``--lesson-seed N``, else
the shell's ``COLLAPSE_KIT_SEED``, else 0; CI runs the lessons under a second seed this way) and one fresh cache
folder for the whole session, so a lesson reuses the runs of the lessons before it, as it does for a student, and
nothing touches ~/.cache.

Each lesson is executed at most once per session (``LessonRuns``, in a kernel from this environment): its test
(``lessons/NN_name.ipynb::runs_top_to_bottom``, collected from lessons/) and every test that reads an executed lesson
(the website build, the coursework round trip; the browser tests reuse the runs it cached) share that one run. The
test fails if any cell raises (a failed check cell included), or if the graded test of an exercise passes when the
exercise is left as nbgrader hands it out (an untouched student version would earn points). That second check runs
in the same kernel, just before the exercise's own cell: the stub nbgrader releases, then the exercise's test, both
outside the notebook's history and outputs.
"""

from __future__ import annotations

import copy
import dataclasses
import fcntl
import fnmatch
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

REPO = Path(__file__).resolve().parent
LESSONS = REPO / "lessons"
LESSON_PATTERN = "[0-9][0-9]_*.ipynb"
CELL_TIMEOUT = 1800  # seconds per cell, as the site build allows (site/conf.py); a lesson cell takes at most ~1 min


def pytest_addoption(parser):
    parser.addoption("--lesson-seed", type=int, default=None, metavar="N",
                     help="run the lessons with COLLAPSE_KIT_SEED=N (every check cell must hold for any seed)")


def pytest_configure(config):
    nbval = config.getoption("nbval_lax", False) or config.getoption("nbval", False)
    if nbval and getattr(config.option, "dist", "no") == "load":  # what -n alone picks
        config.option.dist = "loadfile"  # nbval under xdist: a notebook's cells together, in order, in one kernel
    os.environ.setdefault("COLLAPSE_KIT_PROFILE", "fast")
    if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
        # Workers run side by side, each with its own kernels: one thread each, not each torch using every core
        # (OpenMP threads spinning on a busy core slowed lessons down several times on 2 cores).
        os.environ.setdefault("OMP_NUM_THREADS", "1")
    seed = config.getoption("--lesson-seed")
    if seed is not None:
        if seed < 0:
            raise ValueError(f"--lesson-seed must be a whole number >= 0, got {seed}")
        os.environ["COLLAPSE_KIT_SEED"] = str(seed)
    if "COLLAPSE_KIT_CACHE" not in os.environ:
        folder = tempfile.mkdtemp(prefix="collapse-kit-test-cache-")
        os.environ["COLLAPSE_KIT_CACHE"] = folder
        config._collapse_kit_cache = folder
    # The lessons' environment, fixed now: tests/conftest.py later points each unit test at a cache of its own.
    config.collapse_kit_lesson_runs = LessonRuns(config, dict(os.environ))


def pytest_unconfigure(config):
    folder = getattr(config, "_collapse_kit_cache", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def lesson_paths() -> list[Path]:
    """Every lesson notebook, in order: lessons/NN_name.ipynb."""
    return sorted(LESSONS.glob(LESSON_PATTERN))


# ----------------------------------------------------------------------------------------------------------------
# One run per lesson and session
# ----------------------------------------------------------------------------------------------------------------

@dataclass
class StubProbe:
    """An exercise's graded test run against the stub nbgrader releases in place of the solution."""

    exercise: str  # the exercise cell's grade_id
    grade_id: str  # the graded test cell's grade_id
    stub: str  # the exercise cell as nbgrader's ClearSolutions releases it
    error: str | None  # what the test raised ("NameError: ..."), or None: it passed, so an untouched copy earns points


@dataclass
class LessonRun:
    """One execution of a lesson: the executed copy, what failed (None if nothing), and what each cell took."""

    lesson: Path
    seed: str
    notebook: Path  # the executed copy, outputs and widget state included, in the executed-lessons folder
    seconds: float
    cell_seconds: dict[int, float] = field(default_factory=dict)  # cell index -> seconds
    failure: str | None = None
    probes: list[StubProbe] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failure is None

    def to_json(self) -> str:
        return json.dumps({**dataclasses.asdict(self), "lesson": str(self.lesson), "notebook": str(self.notebook)})

    @classmethod
    def from_json(cls, text: str) -> "LessonRun":
        data = json.loads(text)
        return cls(**{**data, "lesson": Path(data["lesson"]), "notebook": Path(data["notebook"]),
                      "cell_seconds": {int(index): seconds for index, seconds in data["cell_seconds"].items()},
                      "probes": [StubProbe(**probe) for probe in data["probes"]]})


class LessonRuns:
    """The session's lesson runs: ``run(lesson)`` executes a lesson the first time it is asked for, then returns
    that same run; ``run_all(lessons)`` does so for several, executing first those that no one else is executing.

    The executed copies and a record of each run (``<lesson>.json``) are kept in one folder of pytest's temporary
    folder (``executed-lessons-seed<N>``), shared by pytest-xdist's workers (``-n auto``): a file lock per lesson
    makes the first worker to ask execute it while any other waits for it and then reads its record, so each lesson
    runs once per session however the tests are spread, and two workers execute two different lessons at once."""

    def __init__(self, config, env: dict[str, str]):
        self.config, self.env, self.runs = config, env, {}

    @property
    def seed(self) -> str:
        return self.env.get("COLLAPSE_KIT_SEED", "0")

    @property
    def cache_dir(self) -> Path:
        """The run cache the lessons' kernels fill ($COLLAPSE_KIT_CACHE of the session)."""
        return Path(self.env["COLLAPSE_KIT_CACHE"])

    @property
    def folder(self) -> Path:
        base = self.config._tmp_path_factory.getbasetemp()
        if hasattr(self.config, "workerinput"):  # an xdist worker's basetemp is <the session's>/popen-gwN
            base = base.parent
        folder = base / f"executed-lessons-seed{self.seed}"
        folder.mkdir(exist_ok=True)
        return folder

    def run(self, lesson: Path) -> LessonRun:
        lesson = Path(lesson).resolve()
        if lesson not in self.runs:
            self.runs[lesson] = self._shared_run(lesson, wait=True)
        return self.runs[lesson]

    def run_all(self, lessons) -> dict[Path, LessonRun]:
        """{lesson: its run} for every lesson of ``lessons``: first each one no other worker is executing, then the
        rest, waiting for them."""
        lessons = [Path(lesson).resolve() for lesson in lessons]
        for lesson in lessons:
            if lesson not in self.runs:
                found = self._shared_run(lesson, wait=False)
                if found is not None:
                    self.runs[lesson] = found
        return {lesson: self.run(lesson) for lesson in lessons}

    def _shared_run(self, lesson: Path, wait: bool) -> LessonRun | None:
        """The lesson's run: read from its record, or executed here under its lock (None: another worker holds
        the lock and ``wait`` is False)."""
        record = self.folder / f"{lesson.stem}.json"
        with open(self.folder / f"{lesson.stem}.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                return None
            if record.exists():
                return LessonRun.from_json(record.read_text())
            run = execute_lesson(lesson, self.folder / lesson.name, self.env)
            partial = record.with_suffix(".json.partial")
            partial.write_text(run.to_json())
            partial.replace(record)  # whole or absent: a worker never reads half a record
        print(f"\n{lesson.name} (seed {self.seed}) executed in {run.seconds:.1f} s{'' if run.ok else ': FAILED'}",
              flush=True)
        return run


@pytest.fixture(scope="session")
def lesson_runs(pytestconfig) -> LessonRuns:
    """The session's lesson runs (``LessonRuns``): ``lesson_runs.run(path)`` gives a lesson's one execution."""
    return pytestconfig.collapse_kit_lesson_runs


def released_stubs(notebook) -> dict[int, str]:
    """{index of an exercise's cell: that cell as nbgrader releases it (solution replaced by its stub)}; empty
    without nbgrader (the ``test`` extra)."""
    try:
        from nbgrader.preprocessors import ClearSolutions  # here: nbgrader is optional (the test extra)
    except ImportError:
        return {}
    released, _ = ClearSolutions().preprocess(copy.deepcopy(notebook), {})
    return {index: cell.source for index, (cell, original) in enumerate(zip(released.cells, notebook.cells))
            if cell.cell_type == "code" and original.metadata.get("nbgrader", {}).get("solution")}


def graded_tests_after(notebook, index: int) -> list[int]:
    """Indices of the graded test cells right after the exercise cell at ``index``."""
    found = []
    for later in range(index + 1, len(notebook.cells)):
        grader = notebook.cells[later].metadata.get("nbgrader", {})
        if notebook.cells[later].cell_type != "code" or not grader.get("grade") or grader.get("solution"):
            break
        found.append(later)
    return found


def probe_stub(client, notebook, index: int, stub: str) -> list[StubProbe]:
    """Run the released stub of the exercise at ``index``, then its graded tests, outside the notebook's history."""
    probes = []
    try:
        client.execute_cell(nbformat.v4.new_code_cell(stub), index, store_history=False)
    except CellExecutionError:
        pass  # the stub raises NotImplementedError where the solution was: that is the released exercise
    for test in graded_tests_after(notebook, index):
        error = None
        try:
            client.execute_cell(nbformat.v4.new_code_cell(notebook.cells[test].source), test, store_history=False)
        except CellExecutionError as raised:
            error = f"{raised.ename}: {raised.evalue}"
        probes.append(StubProbe(notebook.cells[index].metadata["nbgrader"]["grade_id"],
                                notebook.cells[test].metadata["nbgrader"]["grade_id"], stub, error))
    return probes


def execute_lesson(lesson: Path, executed: Path, env: dict[str, str]) -> LessonRun:
    """Execute ``lesson`` top to bottom in a fresh kernel (cwd: lessons/, environment ``env``), probing each exercise's
    stub first; write the executed copy to ``executed`` (also when a cell failed: it shows where)."""
    notebook = nbformat.read(lesson, as_version=4)
    stubs = released_stubs(notebook)
    run = LessonRun(lesson, env.get("COLLAPSE_KIT_SEED", "0"), executed, 0.0)
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, record_timing=False,
                            resources={"metadata": {"path": str(lesson.parent)}})
    started, count, index, cell = time.perf_counter(), 0, -1, nbformat.v4.new_code_cell("(starting the kernel)")
    try:
        with client.setup_kernel(env=env):
            info = client.wait_for_reply(client.kc.kernel_info())
            notebook.metadata["language_info"] = info["content"]["language_info"]
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue  # nbclient skips an empty code cell too: it gets no execution count
                if index in stubs:
                    run.probes += probe_stub(client, notebook, index, stubs[index])
                count += 1
                cell_started = time.perf_counter()
                try:
                    client.execute_cell(cell, index, execution_count=count)
                finally:
                    run.cell_seconds[index] = time.perf_counter() - cell_started
            client.set_widgets_metadata()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        first_line = (cell.source.strip().splitlines() or [""])[0][:70]
        run.failure = f"cell {index} ({first_line}):\n{error}"
    run.seconds = time.perf_counter() - started
    nbformat.write(notebook, executed)
    return run


# ----------------------------------------------------------------------------------------------------------------
# The lessons' test: pytest lessons/ (or one lesson: pytest lessons/03_recursive_training.ipynb)
# ----------------------------------------------------------------------------------------------------------------

def pytest_collect_file(file_path, parent):
    if parent.config.getoption("nbval_lax", False) or parent.config.getoption("nbval", False):
        return None  # nbval collects the lessons itself, a test per cell
    if file_path.suffix == ".ipynb" and file_path.parent == LESSONS and fnmatch.fnmatch(file_path.name, LESSON_PATTERN):
        return LessonFile.from_parent(parent, path=file_path)
    return None


class LessonFile(pytest.File):
    def collect(self):
        item = LessonItem.from_parent(self, name="runs_top_to_bottom")
        item.add_marker("slow")
        yield item


class LessonFailed(Exception):
    """A lesson cell raised, or an untouched exercise would earn points."""


class LessonItem(pytest.Item):
    """Every cell of the lesson runs without an error, and no graded test passes against its released stub."""

    def runtest(self):
        run = self.config.collapse_kit_lesson_runs.run(self.path)
        self.user_properties.append(("seconds", round(run.seconds, 1)))
        if not run.ok:
            raise LessonFailed(f"{self.path.name} (seed {run.seed}) failed at {run.failure}\n"
                               f"executed copy: {run.notebook}")
        earning = [probe.grade_id for probe in run.probes if probe.error is None]
        if earning:
            raise LessonFailed(f"{self.path.name}: {earning} pass with the exercise left as released (an untouched "
                               f"student version would earn their points)")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, LessonFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)
