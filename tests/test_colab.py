"""The lessons on Google Colab: a badge that opens each lesson there, and a first code cell that installs the course
and turns on Colab's widget manager on Colab, and does nothing anywhere else (nbval, nbgrader, Binder, a laptop).

Colab cannot be reached from a test, so it is simulated by the one trait the cell looks at: a ``google.colab`` module
in ``sys.modules`` (Colab's kernel imports the real one at start). The stand-in's ``output`` counts the calls to
``enable_custom_widget_manager()``. The cell is turned into Python by IPython's own input transformer, as a kernel
does, and run with a ``get_ipython()`` that records ``%pip`` instead of running pip; starting a process fails the test.
"""

from __future__ import annotations

import builtins
import json
import os
import shlex
import subprocess
import sys
import types
from pathlib import Path

import pytest
from IPython.core.inputtransformer2 import TransformerManager

from collapse_kit.faces import colab

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
IDS = [path.stem for path in LESSONS]
README = (REPO / "README.md").read_text(encoding="utf-8")
sys.path.insert(0, str(REPO / "scripts"))
import course_address  # noqa: E402  (the course's address and release: pyproject.toml and collapse_kit.__version__)

SLUG = course_address.slug()
COURSE = course_address.pip_requirement()  # what pip installs on Colab, pinned to the release, and nothing else


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _first_code_cell(path: Path) -> tuple[int, dict]:
    return next((index, cell) for index, cell in enumerate(_cells(path)) if cell["cell_type"] == "code")


def colab_badge(lesson: Path) -> str:
    """The "Open In Colab" badge of one lesson, as the lessons and README's course table write it."""
    return ("[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({course_address.colab_url(f'lessons/{lesson.name}')})")


COLAB_CELL = _source(_first_code_cell(LESSONS[0])[1])  # every lesson's first code cell is this one (tested below)


class RecordingShell:
    """Stands in for ``get_ipython()``: records the magics and shell commands a cell asks for, and runs none."""

    def __init__(self):
        self.magics, self.commands = [], []

    def run_line_magic(self, name, line, _stack_depth=1):
        self.magics.append((name, line))

    def run_cell_magic(self, name, line, cell):
        self.magics.append((name, line))

    def system(self, command):  # ``!pip ...``
        self.commands.append(command)

    def getoutput(self, command, split=True, depth=0):  # ``x = !pip ...``
        self.commands.append(command)
        return []


class WidgetOutput:
    """The stand-in ``google.colab.output``: counts how often the custom widget manager was turned on."""

    def __init__(self):
        self.custom_widget_manager_enabled = 0

    def enable_custom_widget_manager(self):
        self.custom_widget_manager_enabled += 1


def run_cell(code: str) -> tuple[RecordingShell, list[str]]:
    """Run a notebook cell as an IPython kernel would, with magics recorded; return the shell and the imports made."""
    python = TransformerManager().transform_cell(code)
    shell, imports = RecordingShell(), []

    def recording_import(name, globals=None, locals=None, fromlist=(), level=0):
        imports.append(name)
        return builtins.__import__(name, globals, locals, fromlist, level)

    namespace = {"get_ipython": lambda: shell, "__builtins__": {**vars(builtins), "__import__": recording_import}}
    exec(compile(python, "<the lessons' Colab cell>", "exec"), namespace)  # noqa: S102 (the lessons' own cell)
    return shell, imports


@pytest.fixture(autouse=True)
def no_process_starts(monkeypatch):
    """A cell that ran pip through ``subprocess`` or ``os.system`` would really install: fail the test instead."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"the Colab cell started a process {args!r}: on Colab, install with %pip")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(os, "system", refuse)


@pytest.fixture
def on_colab(monkeypatch) -> WidgetOutput:
    """A simulated Colab kernel: a stand-in ``google.colab`` whose ``output`` records the widget manager calls."""
    module = types.ModuleType("google.colab")
    module.output = WidgetOutput()
    monkeypatch.setitem(sys.modules, "google.colab", module)
    return module.output


@pytest.fixture
def off_colab(monkeypatch):
    """Any other kernel: no ``google.colab`` loaded."""
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)


def test_on_colab_the_first_cell_installs_exactly_the_course_and_turns_on_widgets(on_colab):
    shell, _ = run_cell(COLAB_CELL)
    assert shell.commands == [], f"install with %pip (the kernel's own pip), not a shell command: {shell.commands}"
    assert [name for name, _ in shell.magics] == ["pip"], f"expected one %pip, got {shell.magics}"
    command, *arguments = shlex.split(shell.magics[0][1])
    options = [word for word in arguments if word.startswith("-")]
    requirements = [word for word in arguments if not word.startswith("-")]
    assert command == "install", f"%pip {shell.magics[0][1]}"
    assert requirements == [COURSE], f"install exactly the course from {SLUG}, got {requirements}"
    assert set(options) <= {"-q", "--quiet"}, \
        f"pip must keep Colab's own torch: no --upgrade, --force-reinstall or other options, got {options}"
    assert not any("torch" in word for word in arguments), f"name neither torch nor torchvision: {arguments}"
    assert on_colab.custom_widget_manager_enabled == 1, "the cell should turn on Colab's custom widget manager once"


def test_anywhere_else_the_first_cell_does_nothing(off_colab):
    shell, imports = run_cell(COLAB_CELL)
    assert shell.magics == [] and shell.commands == [], f"off Colab nothing is installed: {shell.magics}"
    assert imports == ["sys"], f"off Colab the cell should import nothing but sys, got {imports}"
    assert "google.colab" not in sys.modules


def test_setup_colab_turns_on_the_widget_manager_on_colab(on_colab):
    assert colab.setup_colab() is True
    assert on_colab.custom_widget_manager_enabled == 1


def test_setup_colab_does_nothing_elsewhere(off_colab):
    assert colab.setup_colab() is False
    assert "google.colab" not in sys.modules


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_lesson_opens_with_the_same_colab_cell(path):
    index, cell = _first_code_cell(path)
    assert _source(cell) == COLAB_CELL, f"{path.name}: the first code cell should be {LESSONS[0].name}'s Colab cell"
    assert "google.colab" in COLAB_CELL, f"{LESSONS[0].name}'s first code cell is not the Colab cell"
    assert "nbgrader" not in cell["metadata"], f"{path.name}: the Colab cell is neither graded nor an exercise"
    explanation = _cells(path)[index - 1]
    assert explanation["cell_type"] == "markdown" and "Colab" in _source(explanation), \
        f"{path.name}: a markdown cell before the Colab cell should say it only does something on Colab"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_lesson_has_an_open_in_colab_badge_under_its_title(path):
    opening = _source(_cells(path)[0]).splitlines()
    assert opening[0].startswith("# ") and colab_badge(path) in opening[1:3], \
        f"{path.name}: put its Colab badge right under the title: {colab_badge(path)}"


def test_the_course_table_has_a_colab_badge_for_every_lesson():
    # The table opens the student edition (scripts/student_edition.py): its badges, and each lesson's page.
    table = README.split("## The course at a glance", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| [")]
    for path in LESSONS:
        row = next((line for line in rows if f"({course_address.pages_url()}lessons/{path.stem}.html)" in line), None)
        student = course_address.colab_url(f"lessons/{path.name}", course_address.student_ref())
        badge = colab_badge(path).replace(course_address.colab_url(f"lessons/{path.name}"), student)
        assert row is not None and badge in row, \
            f"README's course table: no student-edition Colab badge for {path.name}"
