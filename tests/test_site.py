"""The course website (site/, scripts/build_site.py), built in the fast profile the way CI builds it, read as a
visitor would: every lesson, the verdict sheet, the glossary and the guides are pages; every lesson page shows a
figure from its run; no internal link is broken; every lesson page launches its own notebook on Binder and on Colab;
a widget is a still picture with a note that its sliders work when the lesson runs; the pages show the student
edition (scripts/student_edition.py: exercise stubs, no hidden test of the nbgrader lessons, INSTRUCTORS.md) with the
worked solutions, and every output a later cell computes from one, only in the toggles at the end of each lesson
page, the notebooks they offer for download are the student edition, and the launch buttons open it; each
hand-graded answer's model answer and its rubric row (read from INSTRUCTORS.md) wait in a closed toggle at the end
of its page, a self-check list follows each written-answer prompt, and each prediction's answer waits in a closed
toggle; no page shows the Colab install section; printed lines wrap; every image has alt text.

The build shows the lessons as this test session executed them (conftest.py runs each lesson once; the build's
execution cache, in a temporary folder, is filled with those runs), so it runs no lesson itself. Needs
the ``site`` extra (``pip install -e '.[site]'``, also in the ``test`` extra); without it these tests are skipped,
except in CI (``COLLAPSE_KIT_CI=1``), where they must run. Run only these: ``pytest -m site``.

``COLLAPSE_KIT_SITE_HTML=<folder>`` checks a site built already (e.g. ``site/_build/full/html`` after
``python scripts/build_site.py``; the Pages workflow checks the full build this way before publishing).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
import runpy
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

pytestmark = pytest.mark.site

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
IDS = [path.stem for path in LESSONS]
GUIDES = sorted((REPO / "site" / "guides").glob("*.md"))  # the site's Guides section (site/index.md)
SITE_PACKAGES = {"sphinx": "sphinx", "myst_nb": "myst-nb", "sphinx_book_theme": "sphinx-book-theme",
                 "nbgrader": "nbgrader"}  # nbgrader: the student edition the pages show
IN_CI = os.environ.get("COLLAPSE_KIT_CI") == "1"
BUILD_TIMEOUT = 3600  # seconds; generous: a lesson takes 4-30 s in the fast profile on 2 quiet cores (bench/README.md)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDGET_NOTE = "sliders work when you run the lesson"
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HIDDEN_BEGIN, HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"  # nbgrader's delimiters (nbgrader_config.py)
SOLUTION_BEGIN, SOLUTION_END = "BEGIN SOLUTION", "END SOLUTION"
ANSWER_NOTE = "write your answer down"  # what a page shows in place of a model answer (site/_ext/collapse_site.py)
SOLUTION_TOGGLE = "collapse-kit-solution"  # the class of a worked solution's <details> at the end of a lesson page
ANSWER_TOGGLE = "collapse-kit-answer"  # a model answer's and its rubric's <details> at the end of a lesson page
PREDICTION_TOGGLE = "collapse-kit-prediction"  # a prediction's answer: the <details> in its cell
SELF_CHECK = "collapse-kit-self-check"  # the self-check list under a written-answer prompt
CODE_STUB = "# YOUR CODE HERE"  # what an exercise cell shows (nbgrader's ClearSolutions.code_stub)
COLAB_SECTION, COLAB_MARK = "On Google Colab only", '"google.colab" in sys.modules'  # a lesson's install section


def site_setting(name: str):
    """A value of site/conf.py (the repository and branch the launch buttons point at), read from that one file."""
    return runpy.run_path(str(REPO / "site" / "conf.py"))[name]


@dataclass
class Page:
    """What a page links to and shows, read from its HTML."""

    path: Path
    ids: set = field(default_factory=set)
    links: list = field(default_factory=list)  # (tag, attribute, value) of every href and src
    output_images: list = field(default_factory=list)  # src of every <img> inside a cell's output
    launch_links: list = field(default_factory=list)  # href of every link in the launch-buttons menu
    widget_views: int = 0  # widget outputs left for JavaScript to draw (there should be none)
    stills: list = field(default_factory=list)  # [image srcs, text] of every widget drawn as a still picture
    texts: list = field(default_factory=list)  # the text a visitor reads (no script, no style), in pieces
    images: list = field(default_factory=list)  # (src, alt or None, inside a cell's output) of every <img>
    toggled: list = field(default_factory=list)  # the text inside the worked solutions' toggles, in pieces
    untoggled: list = field(default_factory=list)  # the text a visitor reads outside them, in pieces
    cells: list = field(default_factory=list)  # for each code cell in page order: is it inside a solution toggle?
    toggles: int = 0  # worked solutions' <details>
    details: list = field(default_factory=list)  # every <details> toggle (Toggle), in page order
    shown: list = field(default_factory=list)  # the text a visitor reads without opening any toggle, in pieces
    shown_alts: list = field(default_factory=list)  # the alt text of every <img> outside the toggles
    shown_images: list = field(default_factory=list)  # the src of every <img> outside the toggles
    self_checks: list = field(default_factory=list)  # (number of items, inside a toggle?) of every self-check list
    pieces: list = field(default_factory=list)  # (text piece, the innermost Toggle holding it, or None)

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def toggles_of(self, css_class: str) -> list["Toggle"]:
        return [toggle for toggle in self.details if css_class in toggle.classes]

    def text_outside(self, css_class: str) -> str:
        """The text a visitor reads, less what the toggles of class ``css_class`` hold."""
        return "".join(piece for piece, toggle in self.pieces if toggle is None or css_class not in toggle.classes)


@dataclass
class Toggle:
    """A ``<details>`` toggle of a page: its classes, whether it opens by itself, what it holds."""

    classes: set
    open: bool
    cells_before: int  # how many code cells of the page come before it
    summary: str = ""  # its <summary>'s text
    text: list = field(default_factory=list)  # the text inside it, its <summary> included, in pieces
    images: list = field(default_factory=list)  # the src of every <img> inside it


class _PageReader(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[tuple[str, set, Toggle | None]] = []  # open elements, their classes, a <details>' Toggle

    def _inside(self, css_class: str) -> bool:
        return any(css_class in classes for _, classes, _ in self.stack)

    def _toggle(self) -> Toggle | None:
        """The innermost open <details> toggle, or None."""
        return next((toggle for _, _, toggle in reversed(self.stack) if toggle is not None), None)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        if attributes.get("id"):
            self.page.ids.add(attributes["id"])
        if tag == "a" and attributes.get("name"):
            self.page.ids.add(attributes["name"])
        for name in ("href", "src"):
            if attributes.get(name) is not None:
                self.page.links.append((tag, name, attributes[name]))
        if tag == "script" and attributes.get("type") == "application/vnd.jupyter.widget-view+json":
            self.page.widget_views += 1
        if "collapse-kit-widget-still" in classes:
            self.page.stills.append([[], ""])
        if tag == "img":
            self.page.images.append((attributes.get("src"), attributes.get("alt"), self._inside("cell_output")))
            holder = self._toggle()
            if holder is not None:
                holder.images.append(attributes.get("src"))
            else:
                self.page.shown_images.append(attributes.get("src"))
                self.page.shown_alts.append(attributes.get("alt") or "")
        if tag == "details" and SOLUTION_TOGGLE in classes:
            self.page.toggles += 1
        toggle = None
        if tag == "details":
            toggle = Toggle(classes, "open" in attributes, len(self.page.cells))
            self.page.details.append(toggle)
        if tag == "div" and SELF_CHECK in classes:
            self.page.self_checks.append([0, self._toggle() is not None])
        if tag == "li" and self._inside(SELF_CHECK):
            self.page.self_checks[-1][0] += 1
        if tag == "div" and "cell" in classes:
            self.page.cells.append(self._inside(SOLUTION_TOGGLE) or SOLUTION_TOGGLE in classes)
        if tag == "img" and attributes.get("src"):
            if self._inside("cell_output"):
                self.page.output_images.append(attributes["src"])
            if self._inside("collapse-kit-widget-still"):
                self.page.stills[-1][0].append(attributes["src"])
        if tag == "a" and attributes.get("href") and self._inside("dropdown-launch-buttons"):
            self.page.launch_links.append(attributes["href"])
        if tag not in VOID_TAGS:
            self.stack.append((tag, classes, toggle))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not any(tag in ("script", "style") for tag, _, _ in self.stack):
            self.page.texts.append(data)
            (self.page.toggled if self._inside(SOLUTION_TOGGLE) else self.page.untoggled).append(data)
            holder = self._toggle()
            self.page.pieces.append((data, holder))
            (self.page.shown if holder is None else holder.text).append(data)
            if holder is not None and self.stack[-1][0] == "summary":
                holder.summary += data
        if self.page.stills and self._inside("collapse-kit-widget-still"):
            self.page.stills[-1][1] += data


def read_page(path: Path) -> Page:
    page = Page(path)
    reader = _PageReader(page)
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return page


class Site:
    """A built site: its folder and its pages, each read once."""

    def __init__(self, html: Path):
        self.html = html
        self._pages: dict[Path, Page] = {}

    def page(self, relative: str | Path) -> Page:
        path = (self.html / relative).resolve()
        if path not in self._pages:
            self._pages[path] = read_page(path)
        return self._pages[path]

    def all_pages(self) -> list[Page]:
        return [self.page(path.relative_to(self.html)) for path in sorted(self.html.rglob("*.html"))
                if "_static" not in path.relative_to(self.html).parts]


def lesson_page(notebook: Path) -> str:
    return f"lessons/{notebook.stem}.html"


def cell_sources(notebook: dict) -> list[tuple[dict, str]]:
    return [(cell, "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"])
            for cell in notebook["cells"]]


def between(source: str, begin: str, end: str) -> list[str]:
    """The non-blank lines of ``source`` between a line holding ``begin`` and the next holding ``end``."""
    sys.path.insert(0, str(REPO / "scripts"))
    import student_edition  # the course's one cutter of nbgrader's regions

    return [line for line in student_edition.regions(source, begin, end)[0] if line.strip()]


def instructor_only(notebook: Path) -> tuple[list[str], list[str]]:
    """(hidden test lines, model answer lines) of a lesson: what nbgrader keeps from students and the site hides."""
    hidden, answers = [], []
    for cell, source in cell_sources(json.loads(notebook.read_text(encoding="utf-8"))):
        hidden += between(source, HIDDEN_BEGIN, HIDDEN_END)
        grader = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] == "markdown" and grader.get("solution") and grader.get("grade"):
            answers += [line for line in source.split("\n") if line.strip()]
    return hidden, answers


def squeezed(text: str) -> str:
    return " ".join(text.split())


def words(text: str) -> str:
    """``text`` as its words only, so that a markdown line matches its rendering (emphasis, smart quotes, dashes)."""
    return " " + " ".join(re.findall(r"[^\W_]+", text.lower())) + " "


def shown_instructor_only(text: str, hidden: list[str], answers: list[str]) -> list[str]:
    """The delimiters, hidden test lines and model answer lines (of at least 4 words) that ``text`` shows."""
    shown = [delimiter for delimiter in (HIDDEN_BEGIN, HIDDEN_END) if delimiter in text]
    shown += [line for line in hidden if squeezed(line) in squeezed(text)]
    shown += [line for line in answers if len(words(line).split()) >= 4 and words(line) in words(text)]
    return shown


def is_internal(url: str) -> bool:
    """A link into the site itself: no scheme, no host (mailto:, https://, //host and data: are not)."""
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and bool(parts.path or parts.fragment)


def skip_or_fail(reason: str) -> None:
    """Skip for ``reason``; in CI fail instead, where the site tests may not be skipped."""
    if IN_CI:
        pytest.fail(f"{reason} (COLLAPSE_KIT_CI=1: the site tests may not be skipped in CI)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site(tmp_path_factory, lesson_runs) -> Site:
    """The site built by scripts/build_site.py in the session's profile and seed from the session's lesson runs
    (conftest.py: the build shows their outputs and runs no lesson itself), or the one named by
    COLLAPSE_KIT_SITE_HTML."""
    built = os.environ.get("COLLAPSE_KIT_SITE_HTML")
    if built:
        return Site(Path(built).resolve())
    missing = [package for module, package in SITE_PACKAGES.items() if importlib.util.find_spec(module) is None]
    if missing:
        skip_or_fail(f"the site extra is not installed (missing {', '.join(missing)}): pip install -e '.[site]'")
    failed = [lesson.name for lesson, run in lesson_runs.run_all(LESSONS).items() if not run.ok]
    assert not failed, f"lessons failed when this session ran them (their own tests show where): {failed}"
    folder = tmp_path_factory.mktemp("site")
    command = [sys.executable, str(REPO / "scripts" / "build_site.py"),
               "--profile", lesson_runs.env["COLLAPSE_KIT_PROFILE"], "--seed", lesson_runs.seed,
               "--executed", str(lesson_runs.folder),
               "--output", str(folder / "html"), "--cache", str(folder / "jupyter_cache")]
    done = subprocess.run(command, check=False, cwd=REPO, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert done.returncode == 0, f"the site build failed:\n{done.stdout[-6000:]}\n{done.stderr[-6000:]}"
    assert "Executing notebook" not in done.stdout + done.stderr, \
        f"the site build ran a lesson again instead of showing the session's run:\n{done.stdout[-6000:]}"
    print(done.stdout.splitlines()[-1])
    return Site(folder / "html")


def test_every_lesson_the_verdict_sheet_the_glossary_and_the_guides_are_pages(site):
    expected = ["index.html", "site/index.html", "site/glossary.html", "lessons/verdicts.html"]
    expected += [lesson_page(notebook) for notebook in LESSONS]
    expected += [f"site/guides/{guide.stem}.html" for guide in GUIDES]
    missing = [name for name in expected if not (site.html / name).is_file()]
    assert not missing, f"pages missing from {site.html}: {missing}"
    front = site.page("site/index.html")
    linked = {(front.path.parent / unquote(urlsplit(url).path)).resolve() for tag, _, url in front.links
              if tag == "a" and is_internal(url) and urlsplit(url).path}
    unlinked = [name for name in expected[2:] if (site.html / name).resolve() not in linked]
    assert not unlinked, f"the front page does not link to {unlinked}"


@pytest.mark.parametrize("notebook", LESSONS, ids=IDS)
def test_every_lesson_page_shows_a_figure_from_its_run(site, notebook):
    page = site.page(lesson_page(notebook))
    pngs = [src for src in page.output_images if urlsplit(src).path.endswith(".png") and is_internal(src)]
    assert pngs, f"{lesson_page(notebook)} shows no PNG figure in any cell output (did the lesson run?)"
    for src in pngs:
        image = (page.path.parent / unquote(urlsplit(src).path)).resolve()
        assert image.is_file(), f"{lesson_page(notebook)} shows {src}, which is not in the site"
        assert image.read_bytes()[:8] == PNG_SIGNATURE, f"{src} in {lesson_page(notebook)} is not a PNG"


def test_no_internal_link_is_broken(site):
    broken = []
    for page in site.all_pages():
        for tag, attribute, url in page.links:
            if not is_internal(url):
                continue
            parts = urlsplit(url)
            target = (page.path.parent / unquote(parts.path)).resolve() if parts.path else page.path
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.path.relative_to(site.html)}: <{tag} {attribute}={url!r}>"
            if not target.is_file() or site.html.resolve() not in target.parents:
                broken.append(f"{where}: no file {target}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in site.page(
                    target.relative_to(site.html)).ids:
                broken.append(f"{where}: no anchor #{parts.fragment} in {target.relative_to(site.html)}")
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:40])


@pytest.mark.parametrize("notebook", LESSONS, ids=IDS)
def test_every_lesson_page_launches_its_notebook_on_binder_and_colab(site, notebook):
    repository = urlsplit(site_setting("REPOSITORY")).path.strip("/")  # owner/name
    branch = site_setting("BRANCH")
    expected = f"lessons/{notebook.name}"
    binder, colab = {}, {}
    for href in site.page(lesson_page(notebook)).launch_links:
        url = urlsplit(href)
        if url.netloc == "mybinder.org":
            assert url.path == f"/v2/gh/{repository}/{branch}", href
            binder[href] = parse_qs(url.query)["urlpath"][0].removeprefix("lab/tree/")
        elif url.netloc == "colab.research.google.com":
            prefix = f"/github/{repository}/blob/{branch}/"
            assert url.path.startswith(prefix), href
            colab[href] = url.path.removeprefix(prefix)
    assert list(binder.values()) == [expected], f"{lesson_page(notebook)}'s Binder button: {binder or 'none'}"
    assert list(colab.values()) == [expected], f"{lesson_page(notebook)}'s Colab button: {colab or 'none'}"
    assert (REPO / expected).is_file()


def test_widgets_are_still_pictures_that_say_the_sliders_work_when_the_lesson_runs(site):
    pages = site.all_pages()
    left = [str(page.path.relative_to(site.html)) for page in pages if page.widget_views]
    assert not left, f"widget outputs left for JavaScript that is not loaded: {left}"
    with_widgets = [notebook for notebook in LESSONS
                    if "collapse_kit.faces.widgets import" in "".join("".join(cell["source"]) for cell in
                                                                json.loads(notebook.read_text())["cells"]
                                                                if cell["cell_type"] == "code")]
    assert with_widgets, "no lesson imports collapse_kit.faces.widgets: update this test"
    for notebook in with_widgets:
        stills = site.page(lesson_page(notebook)).stills
        assert stills, f"{lesson_page(notebook)} uses a widget but shows no still picture of it"
        for images, text in stills:
            assert images, f"a widget of {lesson_page(notebook)} shows no picture"
            assert WIDGET_NOTE in " ".join(text.split()), f"a widget of {lesson_page(notebook)} lacks its note"


@pytest.mark.parametrize("notebook", LESSONS, ids=IDS)
def test_no_page_shows_a_hidden_test_and_a_model_answer_only_in_its_toggle(site, notebook):
    hidden, answers = instructor_only(notebook)
    assert hidden and answers, f"{notebook.name} has no hidden test or no model answer: update this test"
    own = site.page(lesson_page(notebook))
    for page in site.all_pages():
        where = page.path.relative_to(site.html)
        raw = page.path.read_text(encoding="utf-8")
        assert HIDDEN_BEGIN not in raw and HIDDEN_END not in raw, f"{where} holds a hidden-test delimiter"
        # A model answer is on its own lesson page only, in the toggles at its end (the next test).
        text = page.text_outside(ANSWER_TOGGLE) if page.path == own.path else page.text
        shown = shown_instructor_only(text, hidden, answers)
        assert not shown, f"{where} shows lines of {notebook.name} outside a model answer's toggle: {shown}"
    assert ANSWER_NOTE in words(own.text).strip(), f"{lesson_page(notebook)} does not say {ANSWER_NOTE!r}"


def extension(name: str):
    """A module of the site's own extension (site/_ext: collapse_site, rubrics, solution_flow), imported."""
    if name == "collapse_site" and importlib.util.find_spec("sphinx") is None:
        skip_or_fail("the site extra is not installed (missing sphinx): pip install -e '.[site]'")
    sys.path.insert(0, str(REPO / "site" / "_ext"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(REPO / "site" / "_ext"))


def hand_graded(notebook: Path) -> list[tuple[dict, str, str]]:
    """(cell, grade_id, the prompt before it) of each hand-graded answer of a lesson (a markdown cell that nbgrader
    marks solution and grade: it holds the model answer)."""
    cells = cell_sources(json.loads(notebook.read_text(encoding="utf-8")))
    return [(cell, cell["metadata"]["nbgrader"]["grade_id"], cells[index - 1][1]) for index, (cell, _) in
            enumerate(cells) if cell["cell_type"] == "markdown" and cell["metadata"].get("nbgrader", {}).get("solution")
            and cell["metadata"]["nbgrader"].get("grade")]


def executed_lesson(site: Site, notebook: Path) -> dict:
    """The lesson as its page shows it ran, outputs included (scripts/build_site.py keeps it in executed/, beside the
    HTML folder)."""
    path = site.html.parent / "executed" / notebook.name
    if not path.is_file():
        pytest.fail(f"the site build kept no executed copy of {notebook.name} at {path} (scripts/build_site.py does)")
    return json.loads(path.read_text(encoding="utf-8"))


def output_lines(cell: dict) -> list[str]:
    """The lines a code cell's outputs print (streams, plain text where the page shows no richer form) with at least
    3 words."""
    lines = []
    for output in cell.get("outputs", []):
        data = output.get("data") or {}
        richer = {"image/png", "text/html"} & set(data)
        texts = [output.get("text", "")] + ([] if richer else [data.get("text/plain", "")])
        for text in texts:
            text = "".join(text) if isinstance(text, list) else text
            lines += [line for line in text.split("\n") if len(line.split()) >= 3]
    return lines


def output_pngs(cell: dict) -> list[bytes]:
    return [base64.b64decode("".join(png) if isinstance(png, list) else png) for output in cell.get("outputs", [])
            if (png := (output.get("data") or {}).get("image/png"))]


def image_bytes(page: Page, srcs: list) -> set[bytes]:
    """The bytes of the site's images ``srcs`` of ``page`` (those in the site)."""
    files = [(page.path.parent / unquote(urlsplit(src).path)).resolve() for src in srcs if src and is_internal(src)]
    return {path.read_bytes() for path in files if path.is_file()}


@pytest.mark.parametrize("notebook", LESSONS, ids=IDS)
def test_each_model_answer_and_its_rubric_row_wait_in_a_closed_toggle_at_the_end_of_its_page(site, notebook):
    graded = hand_graded(notebook)
    assert graded, f"{notebook.name} has no hand-graded answer: update this test"
    rubrics, shown_as = extension("rubrics").read(), extension("collapse_site")
    page = site.page(lesson_page(notebook))
    toggles = page.toggles_of(ANSWER_TOGGLE)
    assert len(toggles) == len(graded), f"{lesson_page(notebook)}: {len(toggles)} answer toggles, {len(graded)} answers"
    for (cell, grade_id, _), toggle in zip(graded, toggles):
        held = words("".join(toggle.text))
        assert not toggle.open, f"{lesson_page(notebook)}: the toggle of {grade_id} opens by itself"
        assert grade_id in toggle.summary, f"{lesson_page(notebook)}: the toggle of {grade_id} does not name it"
        answer = shown_as.model_answer_text("".join(cell["source"]))
        missing = [line for line in answer.split("\n") if len(words(line).split()) >= 4 and words(line) not in held]
        assert not missing, f"{lesson_page(notebook)}: the toggle of {grade_id} lacks these answer lines: {missing}"
        assert grade_id in rubrics, f"INSTRUCTORS.md has no rubric row for {grade_id}"
        cells = [text for row in rubrics[grade_id].rows for text in row] + list(rubrics[grade_id].columns)
        missing = [text for text in cells if words(text) not in held]
        assert not missing, f"{lesson_page(notebook)}: the toggle of {grade_id} lacks its rubric: {missing}"
    # At the end: after the worked solutions, no cell of the lesson follows the first model answer.
    assert all(page.cells[toggles[0].cells_before:]), f"{lesson_page(notebook)}: a lesson cell follows the answers"
    assert "model-answers" in page.ids


@pytest.mark.parametrize("notebook", LESSONS, ids=IDS)
def test_a_self_check_list_follows_each_written_answer_prompt(site, notebook):
    page = site.page(lesson_page(notebook))
    graded = hand_graded(notebook)
    assert len(page.self_checks) == len(graded), \
        f"{lesson_page(notebook)}: {len(page.self_checks)} self-check lists, {len(graded)} written answers"
    shown = words("".join(page.shown))
    for (items, in_toggle), (_, grade_id, prompt) in zip(page.self_checks, graded):
        assert 2 <= items <= 4 and not in_toggle, \
            f"{lesson_page(notebook)}, {grade_id}: {items} questions, in a toggle: {in_toggle}"
        last = [line for line in prompt.split("\n") if len(words(line).split()) >= 4][-1]
        start = shown.find(words(last))
        assert start >= 0, f"{lesson_page(notebook)} does not show the prompt of {grade_id}: {last!r}"
        check = shown.find(" check your own answer ", start)
        assert check >= 0 and len(shown[start:check].split()) < 80, \
            f"{lesson_page(notebook)}: no self-check list right after the prompt of {grade_id}"


@pytest.mark.parametrize("notebook", LESSONS, ids=IDS)
def test_each_prediction_s_answer_waits_in_a_closed_toggle(site, notebook):
    lesson = json.loads(notebook.read_text(encoding="utf-8"))
    predicting = [source for cell, source in cell_sources(lesson) if cell["cell_type"] == "code"
                  and re.search(r"(?<![\w.])predicted\(", source)]
    assert predicting, f"{notebook.name} has no predict-then-observe item: update this test"
    page = site.page(lesson_page(notebook))
    toggles = page.toggles_of(PREDICTION_TOGGLE)
    assert len(toggles) == len(predicting), \
        f"{lesson_page(notebook)}: {len(toggles)} prediction toggles, {len(predicting)} items"
    for toggle in toggles:
        assert not toggle.open and "[PREDICT]" in "".join(toggle.text), f"{lesson_page(notebook)}: {toggle}"
    assert "[PREDICT]" not in "".join(page.shown), f"{lesson_page(notebook)} shows a prediction's answer untoggled"


@pytest.mark.parametrize("notebook", LESSONS, ids=IDS)
def test_no_output_computed_from_a_solution_shows_outside_its_toggle(site, notebook):
    """Every output of a later cell that reads what a solution computed (site/_ext/solution_flow.py) is in that
    solution's toggle only: its printed lines and its figures."""
    lesson, executed = json.loads(notebook.read_text(encoding="utf-8")), executed_lesson(site, notebook)
    dependents = extension("solution_flow").solution_dependents(lesson)
    independent = {line for index, cell in enumerate(executed["cells"]) if index not in dependents
                   for line in output_lines(cell)}  # also printed where no solution is read: not the answer's
    page = site.page(lesson_page(notebook))
    shown, shown_images = squeezed("".join(page.shown)), image_bytes(page, page.shown_images)
    toggles = {toggle.summary.strip().rsplit(": ", 1)[-1]: toggle for toggle in page.toggles_of(SOLUTION_TOGGLE)}
    computed = 0
    for index, grade_id in dependents.items():
        lines = [line for line in output_lines(executed["cells"][index]) if line not in independent]
        pngs = output_pngs(executed["cells"][index])
        computed += len(lines) + len(pngs)
        assert not [line for line in lines if squeezed(line) in shown], \
            f"{lesson_page(notebook)} shows, outside the toggles, lines that cell {index} computes from {grade_id}"
        assert not shown_images & set(pngs), \
            f"{lesson_page(notebook)} shows, outside the toggles, a figure that cell {index} draws from {grade_id}"
        if lines or pngs:
            assert grade_id in toggles, f"{lesson_page(notebook)} has no worked-solution toggle of {grade_id}"
            held = squeezed("".join(toggles[grade_id].text))
            assert all(squeezed(line) in held for line in lines), f"the toggle of {grade_id} lacks cell {index}'s lines"
            assert set(pngs) <= image_bytes(page, toggles[grade_id].images), \
                f"the toggle of {grade_id} lacks cell {index}'s figure"
    if notebook.name.startswith("08_"):  # Run All goes on without an answer: only graded cells read the policy
        assert all((executed["cells"][index].get("metadata", {}).get("nbgrader") or {}).get("grade")
                   for index in dependents), f"{notebook.name}: cells other than graded ones read an answer: " \
                                             f"{dependents}"


def test_lesson_08_names_the_student_s_policy_only_inside_its_solution_toggle(site):
    """The capstone's answer is the student's policy: its label (the report's "evidence", and the figure's legend,
    both printed by the exercise's own cell) is in the toggle of l08_policy, never outside the toggles. Read from the
    lesson's run, whatever decides which cells move."""
    notebook = next(notebook for notebook in LESSONS if notebook.name.startswith("08_"))
    printed = "\n".join(line for cell in executed_lesson(site, notebook)["cells"] for line in output_lines(cell)
                        if (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id") == "l08_policy")
    found = re.search(r"""'evidence': (['"])(.+?)\1""", printed, flags=re.MULTILINE)  # the exercise's own report
    assert found, f"{notebook.name}'s report no longer names the policy: update this test"
    label = squeezed(found.group(2))
    page = site.page(lesson_page(notebook))
    assert label not in squeezed("".join(page.shown)), f"{lesson_page(notebook)} shows {label!r} outside the toggles"
    assert not [alt for alt in page.shown_alts if label in squeezed(alt)], \
        f"a figure outside the toggles of {lesson_page(notebook)} names the policy {label!r} in its alt text"
    policy = [toggle for toggle in page.toggles_of(SOLUTION_TOGGLE) if toggle.summary.strip().endswith(": l08_policy")]
    assert policy and label in squeezed("".join(policy[0].text)), f"the toggle of l08_policy does not show {label!r}"


@pytest.mark.parametrize("notebook", LESSONS, ids=IDS)
def test_the_notebook_a_lesson_page_offers_for_download_holds_no_hidden_test_or_model_answer(site, notebook):
    page = site.page(lesson_page(notebook))
    downloads = {(page.path.parent / unquote(urlsplit(url).path)).resolve() for tag, _, url in page.links
                 if tag == "a" and is_internal(url) and urlsplit(url).path.endswith(".ipynb")}
    if not downloads:
        pytest.skip(f"{lesson_page(notebook)} offers no notebook for download")
    hidden, answers = instructor_only(notebook)
    lesson = json.loads(notebook.read_text(encoding="utf-8"))
    for path in downloads:
        offered = json.loads(path.read_text(encoding="utf-8"))
        assert len(offered["cells"]) == len(lesson["cells"]), f"{path.name} lost cells"
        text = "\n".join(source for _, source in cell_sources(offered))
        shown = shown_instructor_only(text, hidden, answers)
        assert not shown, f"{path.relative_to(site.html)} holds instructor-only lines: {shown}"
        assert path.read_text(encoding="utf-8") == student_edition_file(notebook), \
            f"{path.relative_to(site.html)} is not the student edition of {notebook.name} (scripts/student_edition.py)"
        assert not worked_solution_lines(notebook, text), f"{path.name} holds a worked solution"


def student_edition():
    """scripts/student_edition.py, imported (skipped without nbgrader, except in CI)."""
    if importlib.util.find_spec("nbgrader") is None:
        skip_or_fail("nbgrader is not installed (the site extra has it): pip install -e '.[site]'")
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import student_edition as module
    finally:
        sys.path.remove(str(REPO / "scripts"))
    return module


def student_edition_file(notebook: Path) -> str:
    """The student edition of a lesson, as scripts/student_edition.py writes it."""
    module = student_edition()
    return module.notebook_file(module.student_notebook(json.loads(notebook.read_text(encoding="utf-8"))))


def worked_solution_lines(notebook: Path, text: str) -> list[str]:
    """The lines of ``notebook``'s worked solutions (code between the solution delimiters) that ``text`` shows,
    less those the student edition shows too (a line the exercise keeps outside its solution region)."""
    student = squeezed(student_edition_file(notebook))
    solutions = [line for cell, source in cell_sources(json.loads(notebook.read_text(encoding="utf-8")))
                 if cell["cell_type"] == "code" for line in between(source, SOLUTION_BEGIN, SOLUTION_END)]
    assert solutions, f"{notebook.name} has no {SOLUTION_BEGIN} region: update this test"
    return [line for line in solutions if squeezed(line) in squeezed(text) and squeezed(line) not in student]


@pytest.mark.parametrize("notebook", LESSONS, ids=IDS)
def test_worked_solutions_appear_only_in_the_toggles_at_the_end_of_each_lesson_page(site, notebook):
    page = site.page(lesson_page(notebook))
    lesson = json.loads(notebook.read_text(encoding="utf-8"))
    exercises = [cell for cell in lesson["cells"] if cell["cell_type"] == "code"
                 and cell["metadata"].get("nbgrader", {}).get("solution")]
    solutions = [line for cell, source in cell_sources(lesson) if cell in exercises
                 for line in between(source, SOLUTION_BEGIN, SOLUTION_END)]
    toggled, untoggled = squeezed("".join(page.toggled)), "".join(page.untoggled)
    assert page.toggles == len(exercises), \
        f"{lesson_page(notebook)}: {page.toggles} toggles, {len(exercises)} exercises"
    missing = [line for line in solutions if squeezed(line) not in toggled]
    assert not missing, f"{lesson_page(notebook)}'s toggles lack these solution lines: {missing}"
    shown = worked_solution_lines(notebook, untoggled)
    assert not shown, f"{lesson_page(notebook)} shows solution lines outside its toggles: {shown}"
    assert untoggled.count(CODE_STUB) == len(exercises), f"{lesson_page(notebook)}: each exercise shows its stub"
    # The toggles close the page: no cell of the lesson comes after the first one.
    first = page.cells.index(True)
    assert all(page.cells[first:]), f"{lesson_page(notebook)}: a lesson cell comes after the worked solutions"
    assert "worked-solutions" in page.ids


def test_no_lesson_page_shows_the_colab_install_section(site):
    for notebook in LESSONS:
        assert any(COLAB_SECTION in source for _, source in cell_sources(json.loads(notebook.read_text()))), \
            f"{notebook.name} has no {COLAB_SECTION!r} section: update this test"
        page = site.page(lesson_page(notebook))
        assert COLAB_SECTION not in page.text and COLAB_MARK not in page.text, f"{lesson_page(notebook)} shows it"
        assert "on-google-colab-only" not in page.ids
    # What follows the install cell under that heading stays (lesson 07's prediction).
    lesson = next(notebook for notebook in LESSONS if notebook.name.startswith("07_"))
    assert "Predict first." in page_text(site, lesson)


def test_long_printed_lines_wrap_inside_the_page(site):
    css = (site.html / "_static" / "collapse_site.css").read_text(encoding="utf-8")
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL))
    wrapping = [selector for selector, body in rules if re.search(r"white-space:\s*pre-wrap", body)]
    assert any(re.search(r"\.cell_output\s+pre\b", selector) for selector in wrapping), \
        f"no rule wraps the outputs' <pre> in collapse_site.css: {wrapping}"
    for notebook in LESSONS:
        assert any("collapse_site.css" in url for _, _, url in site.page(lesson_page(notebook)).links)


def test_every_image_of_the_site_has_alt_text_and_every_figure_its_own_words(site):
    missing, generic = [], []
    for page in site.all_pages():
        for src, alt, in_output in page.images:
            where = f"{page.path.relative_to(site.html)}: <img src={src!r}>"
            if not alt or not alt.strip() or alt.strip() in (src, Path(urlsplit(src or "").path).name):
                missing.append(f"{where} alt={alt!r}")
            elif in_output and alt.startswith("A figure drawn by a code cell"):
                generic.append(where)  # a figure of the course that lost its own description
    assert not missing, "images without alt text:\n" + "\n".join(missing[:40])
    assert not generic, "figures without their own description:\n" + "\n".join(generic[:40])


def page_text(site: Site, notebook: Path) -> str:
    return site.page(lesson_page(notebook)).text


def test_the_site_cuts_hidden_tests_as_nbgrader_does_and_reads_each_model_answer_s_rubric():
    """What the site shows of each lesson (site/_ext/collapse_site.py) against nbgrader's own student version: the
    same code without hidden tests; each model answer with a note, its self-check list and its rubric, read from
    INSTRUCTORS.md. No build needed."""
    for module, extra in (("sphinx", "site"), ("nbgrader", "coursework")):
        if importlib.util.find_spec(module) is None:
            skip_or_fail(f"the {extra} extra is not installed (missing {module}): pip install -e '.[{extra}]'")
    import nbformat
    from nbgrader.preprocessors import ClearHiddenTests
    sys.path.insert(0, str(REPO / "site" / "_ext"))
    try:
        from collapse_site import (
            MODEL_ANSWER_CLASS,
            SELF_CHECK_CLASS,
            as_shown,
            is_model_answer,
            model_answer_text,
            without_hidden_tests,
        )
        from rubrics import read
    finally:
        sys.path.remove(str(REPO / "site" / "_ext"))
    rubrics = read()
    for notebook in LESSONS:
        lesson = json.loads(notebook.read_text(encoding="utf-8"))
        shown = json.loads(notebook.read_text(encoding="utf-8"))
        assert as_shown(shown, code_cells=True), f"the site shows {notebook.name} unchanged"
        student, _ = ClearHiddenTests(enforce_metadata=False).preprocess(nbformat.reads(notebook.read_text(), 4), {})
        for (cell, source), (_, shown_source), expected in zip(cell_sources(lesson), cell_sources(shown),
                                                               student.cells):
            if is_model_answer(cell):
                rubric = rubrics[cell["metadata"]["nbgrader"]["grade_id"]]
                assert ANSWER_NOTE in shown_source and SELF_CHECK_CLASS in shown_source, (notebook.name, shown_source)
                assert model_answer_text(source) in shown_source and "Model answer**" not in shown_source
                assert f"{MODEL_ANSWER_CLASS}\n" in shown_source and rubric.markdown() in shown_source
            elif HIDDEN_BEGIN in source:
                assert shown_source == without_hidden_tests(source) == expected.source.rstrip(), (notebook.name, source)
            else:
                assert shown_source == source, (notebook.name, source)


def test_a_widget_state_gives_the_pictures_its_outputs_hold_and_a_progress_bar_its_text():
    """The still pictures come from the widget state an execution saves: Output widgets' PNGs, in order, through
    the boxes that hold them; a finished tqdm bar (HBox of HTML, progress, HTML) gives its text. No build needed."""
    if importlib.util.find_spec("sphinx") is None:
        skip_or_fail("the site extra is not installed (missing sphinx): pip install -e '.[site]'")
    sys.path.insert(0, str(REPO / "site" / "_ext"))
    try:
        from collapse_site import _widget_parts
    finally:
        sys.path.remove(str(REPO / "site" / "_ext"))
    png = PNG_SIGNATURE + b"picture"
    encoded = base64.b64encode(png).decode()
    state = {
        "box": {"model_name": "VBoxModel",
                "state": {"children": ["IPY_MODEL_slider", "IPY_MODEL_out", "IPY_MODEL_box"]}},
        "slider": {"model_name": "FloatSliderModel", "state": {"value": 0.5, "description": "real fraction"}},
        "out": {"model_name": "OutputModel", "state": {"outputs": [
            {"output_type": "display_data", "data": {"image/png": encoded, "text/plain": "<Figure>"}}]}},
        "bar": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_left", "IPY_MODEL_progress",
                                                                  "IPY_MODEL_right"]}},
        "left": {"model_name": "HTMLModel", "state": {"value": "generations: 100%"}},
        "progress": {"model_name": "IntProgressModel", "state": {"value": 6, "max": 6, "bar_style": "success"}},
        "stuck": {"model_name": "IntProgressModel", "state": {"value": 7, "max": 8, "bar_style": ""}},
        "right": {"model_name": "HTMLModel", "state": {"value": " 6/6 [00:21&lt;00:00, 3.50s/gen]"}},
    }
    assert _widget_parts(state, "box") == ([png], [], "")  # a box that holds itself is read once
    images, texts, progress = _widget_parts(state, "bar")
    assert (images, progress) == ([], "done") and texts == ["generations: 100%", "6/6 [00:21<00:00, 3.50s/gen]"]
    assert _widget_parts(state, "stuck")[2] == "gone"  # tqdm closed it (leave=False): the notebook hid it too
    assert _widget_parts(state, "closed") == ([], [], "")


def test_every_hand_graded_answer_has_its_rubric_in_instructors_md_and_a_self_check_list():
    """The rubrics' one home is INSTRUCTORS.md (site/_ext/rubrics.py reads it when the site is built): a row of 2, 1
    and 0 points for each short answer, the table of parts for the capstone memo. No build needed."""
    rubrics = extension("rubrics").read()
    guide = (REPO / "INSTRUCTORS.md").read_text(encoding="utf-8")
    graded = [(grade_id, cell) for notebook in LESSONS for cell, grade_id, _ in hand_graded(notebook)]
    assert len(graded) >= len(LESSONS), "fewer hand-graded answers than lessons: update this test"
    for grade_id, cell in graded:
        assert grade_id in rubrics, f"INSTRUCTORS.md has no rubric for {grade_id}"
        rubric = rubrics[grade_id]
        assert all(text in guide for row in rubric.rows for text in row), (grade_id, rubric.rows)
        points = cell["metadata"]["nbgrader"]["points"]
        if rubric.question:  # a short answer: one row, its points from the cell's down to 0
            assert rubric.columns == (f"{points} points", "1 point", "0 points") and len(rubric.rows) == 1, rubric
        else:  # the memo: one point for each part
            assert rubric.columns[1:] == ("1 point", "0 points") and len(rubric.rows) == points, rubric
        questions = rubric.self_check()
        assert 2 <= len(questions) <= 4 and all(question.rstrip("*").endswith("?") for question in questions), questions


def notebook_of(*cells: tuple[str, str | None]) -> dict:
    """A notebook of code cells (source, the grade_id of an exercise or None) for solution_flow's tests."""
    return {"cells": [{"cell_type": "code", "source": source, "metadata": {"nbgrader": {
        "grade_id": grade_id, "solution": True}} if grade_id else {}} for source, grade_id in cells]}


def test_the_cells_whose_output_a_solution_computes_are_read_from_the_code():
    solution_flow = extension("solution_flow")
    dependents = solution_flow.solution_dependents(notebook_of(
        ("import numpy as np\n### BEGIN SOLUTION\npolicy = base.replace(real_fraction=0)\n### END SOLUTION\n"
         "mine = evidence(policy)\nmine", "l_policy"),
        ("print(mine.label())", None),  # reads it: depends
        ("print(np.pi, base)", None),  # numpy was imported before the solution: does not
        ("rows = []\nrows.append(mine)", None),  # rows holds it now
        ("print(len(rows))", None),
        ("mine = evidence(base)\nprint(mine)", None),  # rebound from other names: free again
        ("print(mine)", None),
        ("for seed in range(3):\n    if seed:\n        kept = policy\nprint(kept)", None),
        ("%matplotlib inline\nshow(kept)", None),  # a magic, and a name bound inside a loop
        ("def one(n):\n    ### BEGIN SOLUTION\n    return n + 1\n    ### END SOLUTION\nprint(one(1))", "l_one"),
        ("value = one(2)\nprint(mine, value)", None),  # reads the second solution: its toggle
    ))
    assert dependents == {1: "l_policy", 3: "l_policy", 4: "l_policy", 7: "l_policy", 8: "l_policy", 10: "l_one"}
    # Lesson 08: the check and the figure that name the student's policy, not the verdicts that follow them.
    notebook = next(notebook for notebook in LESSONS if notebook.name.startswith("08_"))
    lesson = json.loads(notebook.read_text(encoding="utf-8"))
    dependents = solution_flow.solution_dependents(lesson)
    for index, (cell, source) in enumerate(cell_sources(lesson)):
        reads = re.search(r"\b(mine|report)\b", source)
        if cell["cell_type"] == "code" and not cell["metadata"].get("nbgrader") and reads:
            assert dependents.get(index) == "l08_policy", (index, source)
        if "family_wise(" in source:
            assert index not in dependents, (index, source)
