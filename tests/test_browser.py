"""End-to-end: JupyterLab runs a lesson's widget cell, and a real headless browser moves the widget like a student.

What a student does, and what these tests check, each on a stand-in notebook that holds the lesson's own widget
cell and nothing else (``widget_cell_notebook``: the session's one run and nbval's second seed execute every lesson,
so the browser does not execute them again; what it tests is the widgets in a real page, not the lesson's numbers):
* lesson 01: run the Gaussian explorer's cell, move its "real fraction" slider with the keyboard: the plot is
  redrawn, and no cell shows an error;
* lesson 05: run the explorer's cell, move "real fraction" (and "generations" down to 2, to keep it short), press
  Run: the progress bar counts the generations, the summary and the figures show the new run, and no error appears
  (neither in a cell's output nor in the explorer's error line);
* lesson 09: the same with the language model's explorer (``TextExplorer``; JupyterLab only).

Lessons 01 and 05 run in JupyterLab 4 (``/lab/tree/<notebook>``) and again in Notebook 7 (``/notebooks/<notebook>``,
served by the same server through the ``notebook`` package's server extension; the two share the notebook panel,
menus and widget manager, so the same selectors find the cells, the Run menu and the widgets in both). In Notebook 7
the sliders move with PageUp/PageDown, End: Notebook 7 takes the arrow keys for its own cell navigation before a
focused slider sees them (see ``SLIDER_KEYS``); lesson 01's test warns while that is so.

One JupyterLab server serves the module's tests (per test worker; ``lab_server``), each test in a folder of its own
whose kernels are shut down after it (``lab``). The kernel runs the fast profile (``COLLAPSE_KIT_PROFILE=fast``) with
an empty run cache of its own (in its notebook's folder), so every Run really trains. Screenshots of the widget
(before.png, after.png; failure.png of the page when a test fails) and the
server's log go to ``tests/artifacts/<test name>/``; the log and the browser's console errors are printed on failure.

Needs Playwright (the ``test`` extra) and Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``;
Playwright's own browser download is not used). Without them these tests are skipped, except in CI
(``COLLAPSE_KIT_CI=1``), where a missing browser is a failure. The Notebook 7 tests also need the ``notebook``
package, version 7 (installed with nbgrader, in the ``test`` extra); they are skipped without it, except in CI.
Run only these: ``pytest -m browser``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
LESSON_01 = REPO / "lessons" / "01_gaussian_telephone_game.ipynb"
LESSON_05 = REPO / "lessons" / "05_real_data_fraction.ipynb"
LESSON_09 = REPO / "lessons" / "09_a_language_model.ipynb"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

CHROMIUM = Path("/usr/bin/chromium")
# --no-sandbox: CI runs as root; --disable-dev-shm-usage: a container's /dev/shm may hold only 64 MB.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
IN_CI = os.environ.get("COLLAPSE_KIT_CI") == "1"
# The pages a notebook opens in: ui -> the application name its page config gives (checked on opening).
UI_NAMES = {"lab": "JupyterLab", "notebook": "Jupyter Notebook"}
# The keys (up, down) a keyboard user moves a focused slider with, in each page. JupyterLab leaves the arrow keys
# to the slider. Notebook 7 takes them first for its own cell navigation (ArrowRight: go to the next heading; it
# handles keys in the capture phase, JupyterLab in the bubbling phase), so there the slider moves with PageUp and
# PageDown (5 steps a press) or Home and End. test_..._in_notebook_7 warns while the arrow keys miss the slider.
SLIDER_KEYS = {"lab": ("ArrowRight", "ArrowLeft"), "notebook": ("PageUp", "PageDown")}

# Seconds; generous, as other work may share the CPU. Each test prints what it took (pytest -s).
SERVER_START_TIMEOUT = 60
RUN_CELLS_TIMEOUT = 900  # lesson 05's Run All Cells took 409 s in the fast profile on 2 busy cores
EXPLORER_RUN_TIMEOUT = 300
REDRAW_TIMEOUT = 30

# Where the widgets are, in the words of the page. A widget's area is the cell output that holds its controls.
SLIDER_LABEL = "real fraction"
# Each test opens a stand-in notebook: the lesson's own first code cell with this text (widget_cell_notebook).
GAUSSIAN_EXPLORER_CELL = "gaussian_explorer("  # lesson 01
EXPLORER_CELL = "CollapseExplorer("  # lesson 05
TEXT_EXPLORER_CELL = "TextExplorer("  # lesson 09
# The widgets' error and summary lines, once widgets.py names them (add_class); until then: their HTML texts.
WIDGET_ERROR = ".collapse-kit-error"
EXPLORER_SUMMARY = ".collapse-kit-summary"
ERROR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'


def missing_notebook_7_reason() -> str | None:
    """Why the Notebook 7 tests cannot run here, or None when they can."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("notebook")
    except PackageNotFoundError:
        return "the notebook package (Notebook 7) is not installed: pip install 'notebook>=7,<8'"
    if not installed.startswith("7."):
        return f"notebook {installed} is installed, not Notebook 7: pip install 'notebook>=7,<8'"
    return None


def skip_or_fail(reason: str) -> None:
    """Skip the test for ``reason``; in CI fail instead, where no browser test may be skipped."""
    if IN_CI:
        pytest.fail(f"{reason} (COLLAPSE_KIT_CI=1: the browser tests may not be skipped in CI)")
    pytest.skip(reason)


def missing_browser_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright not installed: pip install -e '.[test]'"
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM}: apt-get install chromium"
    return None


# ---------------------------------------------------------------- JupyterLab server


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_pids(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (kernels run in their own session, so killing the group misses them)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            # the command name may hold spaces and parentheses: the fields after the last ")" are safe
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class JupyterLab:
    """A JupyterLab server on a free port with a random token, serving a temporary folder of notebooks.

    With the ``notebook`` package installed, the same server serves Notebook 7's pages too (``/notebooks/...``).
    """

    def __init__(self, workspace: Path, state: Path, cache: str):
        """``cache``: the run cache the kernels use ($COLLAPSE_KIT_CACHE; a relative path is taken from each
        kernel's own folder, the folder of its notebook)."""
        self.workspace, self.port, self.token = workspace, free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = state / "jupyterlab.log"
        config_dir = state / "config"  # no user settings, shortcuts or server config of the developer's
        (config_dir / "labconfig").mkdir(parents=True)
        # The news pop-up would ask a question over the notebook; the data dir stays the venv's (widget extension).
        (config_dir / "labconfig" / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
        # Every cell in the page, scrolled into view or not: otherwise an error below the fold would go unseen.
        tracker = state / "user-settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
        tracker.parent.mkdir(parents=True)
        tracker.write_text(json.dumps({"windowingMode": "none"}))
        env = {**os.environ, "COLLAPSE_KIT_PROFILE": "fast", "COLLAPSE_KIT_CACHE": cache,
               "JUPYTER_CONFIG_DIR": str(config_dir), "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
               "IPYTHONDIR": str(state / "ipython"), "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                   f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                   f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={workspace}",
                   f"--LabApp.workspaces_dir={state / 'workspaces'}",
                   f"--LabApp.user_settings_dir={state / 'user-settings'}",
                   "--LabApp.extension_manager=readonly"]  # no look-ups on PyPI
        if os.geteuid() == 0:  # CI containers run as root
            command.append("--allow-root")
        with open(self.log_path, "w") as log:  # the server writes to its own copy of the file descriptor
            self.process = subprocess.Popen(command, cwd=workspace, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_until_ready(self, timeout: float = SERVER_START_TIMEOUT) -> None:
        """Wait until /api/status answers with the token (raises with the log if the server dies or stays silent)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode}:\n{self.log()}")
            with contextlib.suppress(OSError):  # refused, reset or an HTTP error: not ready yet
                self._api("status", timeout=5)
                return
            time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not answer {self.url}/api/status within {timeout} s:\n{self.log()}")

    def notebook_url(self, name: str, ui: str = "lab") -> str:
        """The page that opens notebook ``name``: in JupyterLab (``ui="lab"``) or in Notebook 7 (``"notebook"``)."""
        if ui == "notebook":  # Notebook 7's page for one notebook (it keeps no layout between sessions)
            return f"{self.url}/notebooks/{name}?token={self.token}"
        # ?reset: open the notebook alone, whatever an earlier session left in the workspace
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"

    def _api(self, path: str, method: str = "GET", timeout: float = 10):
        """The server's REST answer to ``method path`` (JSON, or None when it sends no body)."""
        request = urllib.request.Request(f"{self.url}/api/{path}", headers={"Authorization": f"token {self.token}"},
                                         method=method)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def kernel_states(self) -> dict[str, str]:
        """The server's view of its kernels: notebook path -> "starting", "idle", "busy", ..."""
        return {session["path"]: session["kernel"]["execution_state"] for session in self._api("sessions")
                if session.get("kernel")}

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def shut_down_kernels(self, folder: str) -> None:
        """Shut down the kernels of the notebooks under ``folder`` (their sessions), as closing them would."""
        for session in self._api("sessions"):
            if session["path"].startswith(f"{folder}/"):
                self._api(f"sessions/{session['id']}", method="DELETE", timeout=60)

    def stop(self) -> None:
        """Stop the server, its kernels and anything else it started; never leaves a process behind."""
        if self.process.poll() is None:
            descendants = child_pids(self.process.pid)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)  # the server shuts its kernels down on SIGTERM
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            for pid in descendants:  # a kernel that outlived its server
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def chromium():
    """Headless Chromium (Debian's), shared by the tests of this module and closed after them."""
    reason = missing_browser_reason()
    if reason is not None:
        skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def widget_cell_notebook(lesson: Path, marker: str, folder: Path) -> Path:
    """A stand-in for ``lesson`` in the browser: a notebook holding only the lesson's own first code cell that
    contains ``marker`` (the cell that shows its widget; it imports what it uses). The browser drives the lesson's
    widget without executing the lesson once more: the session's one run (conftest.py) and nbval's second seed
    execute every lesson, and these tests check the widgets, not the lesson's numbers."""
    if not lesson.exists():
        pytest.fail(f"lesson notebook missing: {lesson}")
    notebook = json.loads(lesson.read_text())
    cells = [cell for cell in notebook["cells"] if cell["cell_type"] == "code" and marker in "".join(cell["source"])]
    if not cells:
        pytest.fail(f"no code cell of {lesson.name} contains {marker!r}")
    notebook["cells"] = [cells[0]]
    path = folder / f"{lesson.stem}_widget.ipynb"
    path.write_text(json.dumps(notebook))
    return path


@pytest.fixture(scope="module")
def lab_server(chromium, tmp_path_factory):
    """One JupyterLab server for this module's tests (per test worker): starting and stopping one costs about 10 s.
    Each test works in a folder of its own (``lab``). The run cache is a relative path, so each kernel's cache is
    in its notebook's folder: every test starts on an empty cache, and its explorer really trains."""
    root = tmp_path_factory.mktemp("jupyterlab")
    workspace, state = root / "workspace", root / "state"
    workspace.mkdir()
    state.mkdir()
    server = JupyterLab(workspace, state, "collapse-kit-cache")
    try:
        server.wait_until_ready()
        yield server
    finally:
        server.stop()


@dataclass
class LabFolder:
    """One test's view of the shared server: its own folder (``workspace``) of notebooks, their kernels only, and a
    staging folder outside the server for the notebooks it writes before opening them."""

    server: JupyterLab
    folder: str
    staging: Path

    @property
    def workspace(self) -> Path:
        return self.server.workspace / self.folder

    @property
    def log_path(self) -> Path:
        return self.server.log_path

    def log(self) -> str:
        return self.server.log()

    def notebook_url(self, name: str, ui: str = "lab") -> str:
        return self.server.notebook_url(f"{self.folder}/{name}", ui)

    def kernel_states(self) -> dict[str, str]:
        """This test's kernels: notebook path -> "starting", "idle", "busy", ..."""
        return {path: state for path, state in self.server.kernel_states().items()
                if path.startswith(f"{self.folder}/")}


@pytest.fixture
def lab(lab_server, tmp_path, request):
    """This test's folder on the shared server, empty, with an empty run cache; copy notebooks into
    ``lab.workspace`` before opening. Its kernels are shut down after the test."""
    folder = re.sub(r"[^\w-]", "_", request.node.name)
    (lab_server.workspace / folder).mkdir()
    try:
        yield LabFolder(lab_server, folder, tmp_path)
    finally:
        lab_server.shut_down_kernels(folder)


@pytest.fixture
def page(chromium, lab, request):
    """A new browser tab; on failure its screenshot and the server's log are kept and printed."""
    artifacts = ARTIFACTS / re.sub(r"[^\w.-]", "_", request.node.name)
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.artifacts = artifacts
    tab.console = []  # the browser's console errors, printed on failure

    def keep_console_error(message):
        if message.type == "error":
            tab.console.append(message.text)

    tab.on("console", keep_console_error)
    failed_before = request.session.testsfailed
    try:
        yield tab
    finally:
        try:
            if request.session.testsfailed > failed_before:
                with contextlib.suppress(Exception):  # a dead page must not hide the test's own error
                    tab.screenshot(path=artifacts / "failure.png")
                print(f"\n--- screenshots: {artifacts}")
                print("--- browser console errors:\n" + "\n".join(tab.console))
                print(f"--- JupyterLab log ({lab.log_path}):\n{lab.log()}")
        finally:
            context.close()
            with contextlib.suppress(OSError):
                shutil.copy(lab.log_path, artifacts / "jupyterlab.log")


# ---------------------------------------------------------------- what a student does in JupyterLab


def wait_until(condition, timeout: float, what: str, interval: float = 0.25):
    """Poll ``condition()`` until it returns something truthy (returned); fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:.0f} s for {what}")
        time.sleep(interval)


def open_notebook(page, lab, notebook: Path, ui: str = "lab") -> None:
    """Copy ``notebook`` into the server's folder, open it in ``ui`` ("lab" or "notebook": Notebook 7), and wait
    for its kernel to be idle."""
    if not notebook.exists():
        pytest.fail(f"lesson notebook missing: {notebook}")
    if ui == "notebook" and missing_notebook_7_reason() is not None:
        skip_or_fail(missing_notebook_7_reason())
    shutil.copy(notebook, lab.workspace / notebook.name)
    page.goto(lab.notebook_url(notebook.name, ui))
    page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for(timeout=60_000)
    app = json.loads(page.locator("#jupyter-config-data").text_content()).get("appName")
    assert app == UI_NAMES[ui], f"{page.url} opened in {app!r}, not in {UI_NAMES[ui]!r}"
    wait_for_idle_kernel(page, lab, timeout=60)


def kernel_idle(page, lab) -> bool:
    """True when the kernel is idle both for the server and for the page (the toolbar's kernel indicator).

    The page alone is not enough: its indicator may read "idle" before the kernel is even connected, and a cell
    run then would ask for a kernel in a dialog.
    """
    no_dialog(page)
    indicator = page.locator(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator")
    shown = indicator.first.get_attribute("data-status") if indicator.count() else None
    return shown == "idle" and set(lab.kernel_states().values()) == {"idle"}


def no_dialog(page) -> None:
    """Fail at once if JupyterLab asks something (a kernel choice, an error) instead of waiting for a timeout."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count():
        pytest.fail(f"JupyterLab shows a dialog: {' '.join(dialog.first.inner_text().split())}")


def wait_for_idle_kernel(page, lab, timeout: float) -> None:
    wait_until(lambda: kernel_idle(page, lab), timeout, "the kernel to be idle")


def cell_prompts(page) -> list[str]:
    """The code cells' prompts: "[ ]:" not run yet, "[*]:" running or queued, "[3]:" done.

    textContent rather than innerText: cells scrolled out of view count too.
    """
    return page.locator(".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt").evaluate_all(
        "prompts => prompts.map(prompt => prompt.textContent)")


def wait_for_cells(page, lab, code_cells: int, timeout: float, what: str) -> None:
    """Wait until the first ``code_cells`` code cells have run and the kernel is idle; fail at a cell's error."""

    def done() -> bool:
        if not kernel_idle(page, lab):
            return False
        errors = error_outputs(page)
        if errors:  # running stops at a failing cell: say so now, not after the timeout
            pytest.fail(f"a cell failed during {what}:\n" + "\n".join(errors))
        prompts = cell_prompts(page)[:code_cells]
        return len(prompts) == code_cells and all(re.search(r"\[\d+\]", prompt) for prompt in prompts)

    wait_until(done, timeout, f"{what} to finish (code cells numbered, kernel idle)", 0.5)


def run_all_cells(page, lab, timeout: float = RUN_CELLS_TIMEOUT) -> float:
    """Run > Run All Cells from the menu; wait until every code cell has run. Returns the seconds it took."""
    start = time.monotonic()
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    wait_for_cells(page, lab, len(cell_prompts(page)), timeout, "Run All Cells")
    return time.monotonic() - start


def label(scope, text: str):
    """The widget labels (slider, dropdown, ... descriptions) under ``scope`` that read exactly ``text``."""
    return scope.locator(".widget-label", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


def button(scope, text: str):
    """The widget buttons under ``scope`` that read exactly ``text`` (their icon is not part of the text)."""
    return scope.locator("button.widget-button", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


def widget_area(page, also_has):
    """The cell output holding the widget with a "real fraction" slider and ``also_has`` (a locator).

    Scoped this way, other figures and widgets of the lesson do not count: only this widget's images and texts.
    """
    area = page.locator(".jp-OutputArea-output").filter(has=label(page, SLIDER_LABEL)).filter(has=also_has)
    wait_until(lambda: area.count() > 0, 30, f"a widget with a {SLIDER_LABEL!r} slider in the notebook's outputs")
    return area.first


def slider(area, text: str):
    """The slider of ``area`` labelled ``text``."""
    return area.locator(".widget-slider").filter(has=label(area.page, text))


def move_slider(area, text: str, steps: int, keys: tuple[str, str] = SLIDER_KEYS["lab"]) -> tuple[str, str]:
    """Focus the slider's handle and press ``keys[0]`` (up; ``keys[1]`` down when ``steps`` < 0) ``abs(steps)``
    times, as a keyboard user would.

    Returns the readout before and after (e.g. "0%" and "20%").
    """
    before = slider_readout(area, text)
    handle = slider(area, text).locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(abs(steps)):
        handle.press(keys[0] if steps > 0 else keys[1])
    wait_until(lambda: slider_readout(area, text) != before, 5, f"the {text!r} readout to change from {before}")
    return before, slider_readout(area, text)


def arrow_key_moves_slider(area, text: str) -> bool:
    """Focus the slider's handle and press ArrowRight once: True if its readout changes within 2 s."""
    before = slider_readout(area, text)
    handle = slider(area, text).locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    handle.focus()
    handle.press("ArrowRight")
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        if slider_readout(area, text) != before:
            return True
        time.sleep(0.1)
    return False


def slider_readout(area, text: str) -> str:
    """What the slider labelled ``text`` shows next to it (e.g. "20%", "4")."""
    return slider(area, text).locator(".widget-readout").inner_text().strip()


def progress_text(area) -> str:
    """The explorer's progress label: "idle", "running", "generation 2/4", "done" or "error"."""
    return " ".join(area.locator(".widget-hprogress .widget-label").all_inner_texts()).strip()


def image_sources(area) -> list[str]:
    """The ``src`` of every image the widget shows (PNG data URLs): they change when a figure is redrawn."""
    return [image.get_attribute("src") or "" for image in area.locator("img").all()]


def error_outputs(page) -> list[str]:
    """The texts of the notebook's stderr and error outputs that mention an error or a traceback."""
    texts = page.locator(f".jp-NotebookPanel {ERROR_OUTPUT}").evaluate_all("outputs => outputs.map(o => o.textContent)")
    return [text for text in texts if "Error" in text or "Traceback" in text]


def summary_text(area) -> str:
    """The explorer's summary line of its last run ("" before any run)."""
    named = area.locator(EXPLORER_SUMMARY)
    texts = (named if named.count() else area.locator(".widget-html")).all_inner_texts()
    return " ".join(text.strip() for text in texts).strip()


def widget_errors(area) -> list[str]:
    """What the widget's error line shows (empty when fine): the named error widget, else any "Error:" text."""
    named = area.locator(WIDGET_ERROR)
    if named.count():
        return [text for text in named.all_inner_texts() if text.strip()]
    return [text for text in area.locator(".widget-html").all_inner_texts() if "Error:" in text]


def screenshot(page, area, name: str) -> Path:
    path = page.artifacts / f"{name}.png"
    area.screenshot(path=path)
    print(f"screenshot: {path}")
    return path


# ---------------------------------------------------------------- the tests


def check_lesson_01(page, lab, ui: str) -> None:
    """Lesson 01's explorer cell in ``ui``: run it, move the Gaussian explorer's "real fraction"; the plot is
    redrawn."""
    open_notebook(page, lab, widget_cell_notebook(LESSON_01, GAUSSIAN_EXPLORER_CELL, lab.staging), ui)
    seconds = run_all_cells(page, lab)
    print(f"lesson 01 ({UI_NAMES[ui]}): Run All Cells (the explorer's cell) took {seconds:.1f} s")
    assert error_outputs(page) == [], "the explorer's cell printed an error"

    explorer = widget_area(page, also_has=label(page, "samples N"))
    explorer.scroll_into_view_if_needed()
    images_before = image_sources(explorer)
    assert images_before, "the Gaussian explorer shows no plot before the slider moves"
    screenshot(page, explorer, "before")

    start = time.monotonic()
    # 20% with the arrow keys, 25% with PageUp
    before, after = move_slider(explorer, SLIDER_LABEL, steps=4 if ui == "lab" else 1, keys=SLIDER_KEYS[ui])
    print(f"lesson 01 ({UI_NAMES[ui]}): real fraction {before} -> {after}")
    wait_until(lambda: image_sources(explorer) not in ([], images_before), REDRAW_TIMEOUT, "the plot to be redrawn")
    wait_for_idle_kernel(page, lab, timeout=REDRAW_TIMEOUT)
    print(f"lesson 01 ({UI_NAMES[ui]}): redraw took {time.monotonic() - start:.1f} s")
    screenshot(page, explorer, "after")

    assert widget_errors(explorer) == [], "the Gaussian explorer shows an error"
    assert error_outputs(page) == [], "an error appeared in the notebook after moving the slider"
    if ui == "notebook" and not arrow_key_moves_slider(explorer, SLIDER_LABEL):
        # not a failure of the lesson's widgets: Notebook 7 keeps the arrow keys for itself (see SLIDER_KEYS)
        warnings.warn("Notebook 7: ArrowRight on a focused slider moves to the next heading instead of moving the "
                      "slider; students there must use PageUp/PageDown, Home/End or the mouse", stacklevel=1)


def check_explorer_run(page, lab, ui: str, lesson: Path, cell: str) -> None:
    """An explorer's cell of ``lesson`` (its first code cell containing ``cell``) in ``ui``: move "real fraction"
    and "generations" (down to 2, to keep it short), press Run: the progress bar counts the generations, the summary
    and the figures show the new run, and no error appears (neither in a cell's output nor in the explorer's error
    line). Lesson 05's ``CollapseExplorer`` and lesson 09's ``TextExplorer`` have the same controls."""
    name = f"lesson {lesson.name[:2]} ({UI_NAMES[ui]})"
    open_notebook(page, lab, widget_cell_notebook(lesson, cell, lab.staging), ui)
    print(f"{name}: the explorer's cell took {run_all_cells(page, lab):.1f} s")

    explorer = widget_area(page, also_has=button(page, "Run"))
    explorer.scroll_into_view_if_needed()
    summary_before, images_before = summary_text(explorer), image_sources(explorer)
    screenshot(page, explorer, "before")

    # a new fraction (the run cache starts empty), so the explorer really trains: 4 arrow steps from the
    # explorer's first 0% (20%), or one PageUp (25%)
    before, after = move_slider(explorer, SLIDER_LABEL, steps=4 if ui == "lab" else 1, keys=SLIDER_KEYS[ui])
    print(f"{name}: real fraction {before} -> {after}")
    generations = int(slider_readout(explorer, "generations"))
    if generations > 2:  # fewer generations, a shorter test; the run is still new, so it really trains
        if ui == "lab":
            move_slider(explorer, "generations", steps=2 - generations)
        else:  # 5 steps a PageDown: End (12), then PageDown twice (7, 2); 2 generations show "generation 1/2"
            move_slider(explorer, "generations", steps=1, keys=("End", "Home"))
            move_slider(explorer, "generations", steps=-2, keys=SLIDER_KEYS[ui])
    start, progress_seen = time.monotonic(), set()
    button(explorer, "Run").click()

    def new_run_shown() -> bool:
        progress_seen.add(progress_text(explorer))
        if widget_errors(explorer):
            pytest.fail(f"the explorer shows an error: {widget_errors(explorer)}")
        return (progress_text(explorer) == "done" and summary_text(explorer) not in ("", summary_before)
                and button(explorer, "Run").is_enabled() and kernel_idle(page, lab))

    wait_until(new_run_shown, EXPLORER_RUN_TIMEOUT, "the explorer to show its new run (progress 'done')", 0.5)
    print(f"{name}: the explorer's run took {time.monotonic() - start:.1f} s; progress shown: "
          f"{sorted(progress_seen)}; summary: {summary_text(explorer)}")
    screenshot(page, explorer, "after")

    assert error_outputs(page) == [], "an error appeared in the notebook after pressing Run"
    assert image_sources(explorer) not in ([], images_before), "the explorer's figures did not change after Run"
    assert any(text.startswith("generation") for text in progress_seen), \
        f"the progress bar never counted generations while the explorer trained (saw {sorted(progress_seen)})"


def test_lesson_01_gaussian_plot_redraws_when_the_real_fraction_slider_moves(page, lab):
    """Lesson 01 in JupyterLab 4: Run All Cells, move the explorer's "real fraction"; the plot is redrawn."""
    check_lesson_01(page, lab, "lab")


def test_lesson_01_gaussian_plot_redraws_in_notebook_7(page, lab):
    """Lesson 01 in Notebook 7 (/notebooks/...): the same student steps and checks as in JupyterLab."""
    check_lesson_01(page, lab, "notebook")


def test_lesson_05_explorer_reruns_when_the_real_fraction_slider_moves(page, lab):
    """Lesson 05 in JupyterLab 4: move "real fraction" in the explorer and press Run; it shows the new run."""
    check_explorer_run(page, lab, "lab", LESSON_05, EXPLORER_CELL)


def test_lesson_05_explorer_reruns_in_notebook_7(page, lab):
    """Lesson 05 in Notebook 7 (/notebooks/...): the explorer's steps and checks of the JupyterLab test."""
    check_explorer_run(page, lab, "notebook", LESSON_05, EXPLORER_CELL)


def test_lesson_09_text_explorer_reruns_when_the_real_fraction_slider_moves(page, lab):
    """Lesson 09 in JupyterLab 4: move "real fraction" in the language model's explorer and press Run; it shows the
    new run."""
    check_explorer_run(page, lab, "lab", LESSON_09, TEXT_EXPLORER_CELL)


# ---------------------------------------------------------------- Run All through an unanswered exercise

def student_version(lesson: Path, folder: Path) -> Path:
    """The student edition's notebook of ``lesson`` (scripts/student_edition.py), written into ``folder``."""
    sys.path.insert(0, str(REPO / "scripts"))
    import student_edition

    path = folder / lesson.name
    path.write_text(student_edition.notebook_file(student_edition.student_notebook(json.loads(lesson.read_text()))))
    return path


def check_run_all_goes_on(page, lab, ui: str) -> None:
    """Run All Cells on lesson 00's student edition, its exercise unanswered: the stub and its tests fail, and every
    later code cell runs all the same (their ``raises-exception`` tags)."""
    notebook = student_version(REPO / "lessons" / "00_start_here.ipynb", lab.staging)
    cells = [cell for cell in json.loads(notebook.read_text())["cells"] if cell["cell_type"] == "code"]
    graded = [index for index, cell in enumerate(cells)
              if {"solution", "grade"} & {key for key, on in cell["metadata"].get("nbgrader", {}).items() if on}]
    assert graded and graded[-1] < len(cells) - 1, "lesson 00 needs code after its exercise for this test"
    open_notebook(page, lab, notebook, ui)
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()

    def all_ran() -> bool:
        prompts = cell_prompts(page)
        return kernel_idle(page, lab) and len(prompts) == len(cells) and all(
            re.search(r"\[\d+\]", prompt) for prompt in prompts)

    wait_until(all_ran, 120, f"Run All Cells in {UI_NAMES[ui]} to run every cell past the exercise")  # ~10 s
    failed = page.locator(".jp-NotebookPanel .jp-CodeCell").evaluate_all(
        f"cells => cells.map((cell, i) => cell.querySelector('{ERROR_OUTPUT}') ? i : -1).filter(i => i >= 0)")
    assert failed and set(failed) <= set(graded), f"cells {failed} failed; only the exercise's {graded} may"


def test_run_all_goes_on_past_an_unanswered_exercise_in_jupyterlab(page, lab):
    check_run_all_goes_on(page, lab, "lab")


def test_run_all_goes_on_past_an_unanswered_exercise_in_notebook_7(page, lab):
    check_run_all_goes_on(page, lab, "notebook")
