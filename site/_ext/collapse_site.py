"""The course website's own Sphinx extension (site/conf.py): what myst-nb and the book theme leave to the course.

* **A fresh execution cache.** jupyter-cache keys a lesson by its code cells only, but a lesson's outputs also
  depend on the course library and its shipped data. The cache folder records a digest of those; when it differs,
  the folder is emptied, and Sphinx reads every lesson again, so every lesson runs again (the experiments come back
  from collapse-kit's own run cache when their code did not change, so this costs little).
* **Widgets as still pictures.** A static page has no kernel, so a slider cannot redraw anything. Each widget output
  becomes the picture the widget showed when the lesson ran (read from the widget state the execution saved), with
  a note that the sliders work when the lesson runs; a finished progress bar becomes its last line. No widget
  JavaScript is loaded (``nb_ipywidgets_js = {}``).
* **The verdict sheet.** lessons/verdicts.md is written by scripts/write_verdict_sheet.py; a build without it says so.
* **The student edition, with worked solutions at the end.** The lessons are nbgrader's instructor versions
  (INSTRUCTORS.md). A page shows what a student gets (scripts/student_edition.py, nbgrader's student version): every
  code cell shows the student edition's source (an exercise its ``# YOUR CODE HERE`` stub, a test cell no hidden
  test), while the cells ran as the instructor wrote them (a ``doctree-read`` handler rewrites the shown code, so
  jupyter-cache, which keys a lesson by its code cells, runs the same code as before). Each exercise's worked
  solution, with what it printed or drew, waits in a closed ``<details>`` toggle of a "Worked solutions" section at
  the end of the page, and a line under the exercise points there. So does the output of every later cell that
  computes it from the solution (solution_flow.py reads which from the code: lesson 08's check and figure name the
  student's policy), under a line in its place. The page's "download .ipynb" file (``_sources/``) and its Colab
  badge, like the launch buttons, are the student edition's.
* **Every answer for a self-learner, after trying.** Each hand-graded answer cell (a markdown cell that nbgrader marks
  ``solution`` and ``grade``) becomes, when Sphinx reads the lesson (``source-read``; markdown cells do not run and
  are not part of the cache key), a line asking the reader to write theirs, a self-check list (2-4 questions a reader
  asks of their own answer, derived from its rubric) and its model answer with its rubric, read from INSTRUCTORS.md
  (the rubric's one home: rubrics.py). The model answer and rubric then move (``doctree-read``) into a closed toggle
  of a "Model answers" section at the end of the page, and a line points there. Each predict-then-observe item's
  answer (the output of the cell that calls ``predicted``) waits in a closed toggle under that cell.
* **Pages for readers.** A lesson's "On Google Colab only" section (a note and the install cell) is not on its page;
  the notebook keeps it. Every figure's ``<img>`` has its figure's alt text (collapse_kit.faces.figure_style writes it
  into
  each PNG).
"""

from __future__ import annotations

import ast
import base64
import hashlib
import html
import io
import json
import os
import re
import shutil
import sys
from importlib import metadata
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

if str(Path(__file__).resolve().parent) not in sys.path:  # this extension's own modules (conf.py adds the folder)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
import rubrics  # noqa: E402
import solution_flow  # noqa: E402

LOGGER = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[2]
LIBRARY = REPO / "collapse_kit"
VERDICT_SHEET = REPO / "lessons" / "verdicts.md"
STAMP = "collapse-kit-library.sha256"
WIDGET_VIEW = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.DOTALL)
# nbgrader's delimiters of hidden tests (ClearHiddenTests' defaults; nbgrader_config.py keeps them).
HIDDEN_BEGIN = "BEGIN HIDDEN TESTS"
HIDDEN_END = "END HIDDEN TESTS"
ANSWER_NOTE = ("*On this page: write your answer down (or in the notebook: the launch buttons at the top of the page "
               "open it), then check it yourself.*")
SELF_CHECK_CLASS = "collapse-kit-self-check"  # the self-check list under a written-answer prompt
SELF_CHECK_TITLE = "**Check your own answer** before you compare it with the model answer:"
MODEL_ANSWER_CLASS = "collapse-kit-model-answer"  # a model answer and its rubric, moved to the end of the page
MODEL_ANSWER_LABEL = re.compile(r"^\s*\*\*Model answer\*\*\s*(\([^)]*\))?\s*\.?\s*")  # the cell's own first words
RUBRIC_TITLE = "**The rubric** an instructor grades it by ({points} points):"
WIDGET_NOTE = ("On this page the widget is a still picture: what it drew when the lesson ran. Its sliders work "
               "when you run the lesson (Binder or Colab: the launch button at the top of the page; or your own "
               "Jupyter).")


def library_digest() -> str:
    """Digest of what a lesson's outputs depend on besides its own code: the package, its assets, torch's version."""
    digest = hashlib.sha256()
    files = sorted(LIBRARY.glob("*.py")) + sorted(path for path in (LIBRARY / "assets").glob("*") if path.is_file())
    for path in files:
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    for package in ("torch", "numpy", "matplotlib"):
        try:
            digest.update(f"{package} {metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package} missing".encode())
    return digest.hexdigest()


def refresh_execution_cache(app, config) -> None:
    """Empty the execution cache when the course library changed since the lessons in it ran."""
    if config.nb_execution_mode != "cache" or not config.nb_execution_cache_path:
        return
    folder = Path(config.nb_execution_cache_path)
    stamp = folder / STAMP
    digest = library_digest()
    if folder.exists() and (not stamp.exists() or stamp.read_text().strip() != digest):
        LOGGER.info(f"collapse-kit: the course library changed since the lessons in {folder} ran: running them again")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest + "\n")


def reread_lessons_when_the_library_changed(app, env, added, changed, removed) -> list[str]:
    """Sphinx re-reads a page only when its source changed; a lesson's page also changes with the library, with
    this extension (which draws its widgets), and with the rubrics in INSTRUCTORS.md."""
    shaping = sorted(Path(__file__).parent.glob("*.py")) + [REPO / "scripts" / "student_edition.py",
                                                             rubrics.INSTRUCTORS]
    digest = library_digest() + "".join(hashlib.sha256(path.read_bytes()).hexdigest() for path in shaping)
    if getattr(env, "collapse_kit_library", None) == digest:
        return []
    env.collapse_kit_library = digest
    return sorted(name for name in env.found_docs if name.startswith("lessons/") and name not in added | changed)


def without_hidden_tests(source: str) -> str:
    """``source`` without its hidden-test regions, delimiter lines included, as nbgrader's ClearHiddenTests cuts them
    (a line that contains a delimiter opens or closes a region); an unclosed region is hidden to the end."""
    if HIDDEN_BEGIN not in source:
        return source
    kept = _student_edition().regions(source, HIDDEN_BEGIN, HIDDEN_END)[1]
    if source.count(HIDDEN_BEGIN) > source.count(HIDDEN_END):
        LOGGER.warning(f"collapse-kit: a cell's {HIDDEN_BEGIN} has no {HIDDEN_END}: hidden to the end of the cell")
    return "\n".join(kept).rstrip()


def is_model_answer(cell: dict) -> bool:
    """A hand-graded answer cell of nbgrader (a markdown cell marked solution and grade): it holds the model answer."""
    grader = (cell.get("metadata") or {}).get("nbgrader") or {}
    return cell.get("cell_type") == "markdown" and bool(grader.get("solution")) and bool(grader.get("grade"))


def model_answer_text(source: str) -> str:
    """A model answer cell's answer, without its label ("**Model answer** (the student version shows ...).")."""
    return MODEL_ANSWER_LABEL.sub("", without_hidden_tests(source), count=1).strip()


def answer_as_shown(cell: dict, rubric: rubrics.Rubric | None) -> str:
    """What the page shows of a hand-graded answer cell, in markdown: ANSWER_NOTE, the self-check list (a container of
    class SELF_CHECK_CLASS) and the model answer with its rubric (a container of class MODEL_ANSWER_CLASS, which
    ``model_answers_at_the_end`` moves into a closed toggle at the end of the page)."""
    text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    points = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("points", "")
    lines = [ANSWER_NOTE, ""]
    if rubric is not None:
        lines += [f":::{{container}} {SELF_CHECK_CLASS}", SELF_CHECK_TITLE, ""]
        lines += [f"- {question}" for question in rubric.self_check()] + [":::", ""]
    lines += [f":::{{container}} {MODEL_ANSWER_CLASS}", model_answer_text(text), ""]
    if rubric is not None:
        lines += [RUBRIC_TITLE.format(points=points), "", rubric.markdown()]
    return "\n".join(lines + [":::"])


def as_shown(notebook: dict, code_cells: bool) -> bool:
    """Turn ``notebook`` (its JSON) into what the site shows, in place: each model answer becomes ``answer_as_shown``
    (with its rubric from INSTRUCTORS.md) and every markdown cell loses its hidden tests; with ``code_cells``, so
    does every code cell (never for the notebook that runs: the hidden tests must run, and the execution cache is
    keyed on the code cells). True if it changed."""
    changed, found = False, None
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        if is_model_answer(cell):
            found = rubrics.read() if found is None else found
            grade_id = cell["metadata"]["nbgrader"].get("grade_id")
            if grade_id not in found:
                LOGGER.warning(f"collapse-kit: INSTRUCTORS.md has no rubric for the hand-graded answer {grade_id!r} "
                               "(a row of the table under 'Short answers graded by hand', or a section's table)")
            shown = answer_as_shown(cell, found.get(grade_id))
        elif cell.get("cell_type") == "markdown" or (code_cells and cell.get("cell_type") == "code"):
            shown = without_hidden_tests(text)
        else:
            continue
        if shown != text:
            cell["source"] = shown.splitlines(keepends=True) if isinstance(source, list) else shown
            changed = True
    return changed


def answers_as_shown(app, docname, source) -> None:
    """``source-read``: a lesson's markdown cells as the site shows them (``as_shown``: each hand-graded answer with
    its self-check list, model answer and rubric; its code cells run as they are)."""
    if Path(app.env.doc2path(docname)).suffix != ".ipynb":
        return
    notebook = json.loads(source[0])
    if as_shown(notebook, code_cells=False):
        source[0] = json.dumps(notebook, ensure_ascii=False)


def hide_hidden_tests(app, doctree) -> None:
    """``doctree-read``: the shown source of each code cell without its hidden tests (the cell ran with them)."""
    for cell_input in list(doctree.findall(nodes.container)):
        if cell_input.get("nb_element") != "cell_code_source":
            continue
        for block in list(cell_input.findall(nodes.literal_block)):
            code = block.astext()
            shown = without_hidden_tests(code)
            if shown == code:
                continue
            # Sphinx highlights a literal block only when its rawsource is its text: change both.
            block.rawsource = shown
            block.children = []
            block += nodes.Text(shown)
            if not shown.strip():
                block.parent.remove(block)
        if not cell_input.children:
            cell_input.parent.remove(cell_input)


def publish_notebooks_as_shown(app, exception) -> None:
    """``build-finished``: the lessons' "download .ipynb" copies (``_sources/``) are the student edition
    (scripts/student_edition.py: nbgrader's student version, the notebook Binder and Colab open), not the instructor
    lessons Sphinx copies: no worked solution, hidden test or model answer."""
    builder = app.builder
    if exception or builder.format != "html" or not app.config.html_copy_source:
        return
    suffix = app.config.html_sourcelink_suffix
    for docname in sorted(app.env.found_docs):
        source = Path(app.env.doc2path(docname))
        if source.suffix != ".ipynb":
            continue
        name = docname + source.suffix
        if suffix and not name.endswith(suffix):
            name += suffix
        copy = Path(app.outdir) / "_sources" / name
        if not copy.is_file():
            continue
        edition = _student_edition()
        student = edition.student_notebook(json.loads(source.read_text(encoding="utf-8")))
        copy.write_text(edition.notebook_file(student), encoding="utf-8")


def check_verdict_sheet(app) -> None:
    if not VERDICT_SHEET.exists():
        LOGGER.warning("lessons/verdicts.md is missing: write it with python scripts/write_verdict_sheet.py")


def _widget_parts(state: dict, model_id: str, seen: set | None = None) -> tuple[list[bytes], list[str], str]:
    """(PNG images, texts, progress) of the widget ``model_id`` and its children, in order. ``progress`` is "" (no
    progress bar), "done" (a finished bar that stays: tqdm marks it "success") or "gone" (any other bar: tqdm closes
    a ``leave=False`` bar when it ends, though its last state stays in the saved widget state)."""
    seen = set() if seen is None else seen
    if model_id in seen or model_id not in state:
        return [], [], ""
    seen.add(model_id)
    entry = state[model_id]
    model = entry.get("state", {})
    name = entry.get("model_name") or model.get("_model_name", "")
    images, texts = [], []
    progress = ("done" if model.get("bar_style") == "success" else "gone") if name.endswith("ProgressModel") else ""
    for output in model.get("outputs", []) or []:
        png = (output.get("data") or {}).get("image/png")
        if png:
            images.append(base64.b64decode("".join(png) if isinstance(png, list) else png))
    if name in ("HTMLModel", "LabelModel") and model.get("value"):
        texts.append(" ".join(html.unescape(re.sub(r"<[^>]+>", "", str(model["value"]))).split()))
    for child in model.get("children", []) or []:
        if isinstance(child, str) and child.startswith("IPY_MODEL_"):
            child_images, child_texts, child_progress = _widget_parts(state, child[len("IPY_MODEL_"):], seen)
            images, texts, progress = images + child_images, texts + child_texts, progress or child_progress
    return images, texts, progress


def _still(app, state: dict, model_id: str) -> list[nodes.Element]:
    """What a page shows for one widget: its pictures and a note; a finished progress bar's line; nothing for a
    widget closed before the lesson ended (it left the notebook too)."""
    if model_id not in state:
        return []
    images, texts, progress = _widget_parts(state, model_id)
    if progress and not images:
        line = " ".join(text for text in texts if text)
        if progress != "done" or not line:
            return []
        block = nodes.literal_block(line, line, classes=["collapse-kit-progress"])
        block["language"] = "text"
        return [block]
    still = nodes.container(classes=["collapse-kit-widget-still"])
    output_folder = Path(app.env.mystnb_config.output_folder)
    for png in images:
        path = output_folder / f"{hashlib.sha256(png).hexdigest()}.png"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(png)
        alt = figure_description(png) or "the widget's figure"
        still += nodes.image(uri="/" + os.path.relpath(path, app.srcdir), alt=alt)
    note = nodes.note()
    note += nodes.paragraph(text=WIDGET_NOTE)
    still += note
    return [still]


def widgets_as_pictures(app, doctree) -> None:
    """Replace each widget output of a lesson by what it showed when the lesson ran (before Sphinx collects the
    page's images, so the pictures are copied into the site like any figure)."""
    env = app.env
    js_files = getattr(env, "nb_metadata", {}).get(env.docname, {}).get("js_files", {})
    state_script = js_files.pop("ipywidgets_state", None)  # read here; the page need not carry the state
    views = [node for node in doctree.findall(nodes.raw) if WIDGET_VIEW.search(node.astext())]
    if not views:
        return
    state = json.loads(state_script[1]["body"]).get("state", {}) if state_script else {}
    for node in views:
        view = json.loads(WIDGET_VIEW.search(node.astext()).group(1))
        view = json.loads(view) if isinstance(view, str) else view
        node.replace_self(_still(app, state, view.get("model_id", "")))


def glossary_terms_as_link_targets(app, doctree):
    """Let a lesson's markdown link reach a glossary term, ``[nat](../site/glossary.md#term-nat)``.

    Sphinx files a glossary term as an object of its standard domain, while MyST resolves ``page.md#id`` only
    against the page's headings and labels. Filing each term's id (``term-`` and the term, spaces as hyphens, e.g.
    ``term-KL-divergence``) as an anonymous label of its page lets the link resolve; a link to a term the glossary
    lacks still warns, and so fails the build.
    """
    standard = app.env.get_domain("std")
    for term in doctree.findall(nodes.term):
        for node_id in term["ids"]:
            standard.anonlabels[node_id] = (app.env.docname, node_id)


# --- The student edition on the page (issue 17): the exercise cells show the student's stub, the worked solutions
# wait at the end of the page, the download is the student edition, the launch links open it. -------------------------

SOLUTIONS_ID = "worked-solutions"
SOLUTIONS_TITLE = "Worked solutions"
SOLUTIONS_INTRO = ("Try each exercise before you open its solution: the check cell under it tells you when you have "
                   "it. Each solution is the instructor's version of the exercise cell, with what it printed or drew "
                   "when this page was built.")
SOLUTION_POINTER = "Stuck? The worked solution of this exercise is under {link} at the end of this page."
LATER_OUTPUT_POINTER = ("What this cell prints or draws comes from your answer to \"{exercise}\": it waits with that "
                        "exercise's worked solution, under {link} at the end of this page.")
LATER_OUTPUT_INTRO = "A later cell of the lesson, and what it printed or drew with this solution:"
ANSWERS_ID = "model-answers"
ANSWERS_TITLE = "Model answers"
ANSWERS_INTRO = ("Write your own answer first and check it against the list under the question. Each toggle holds "
                 "one good answer among several (other wordings and other correct mechanisms are as good) and the "
                 "rubric an instructor grades it by.")
ANSWER_POINTER = "Written yours? Compare it with the model answer and its rubric under {link} at the end of this page."
PREDICTION_NAME = "my_prediction"  # the variable a predict-then-observe item asks the student to set
PREDICTION_NOTE = ("On this page: make your prediction now, before you read on. What the run observed waits in a "
                   "closed toggle under the cell that compares it with your prediction.")
PREDICTION_SUMMARY = "What the run observed (open it once you have predicted)"
SOLUTION_DELIMITERS = ("BEGIN SOLUTION", "END SOLUTION")  # nbgrader's (nbgrader_config.py keeps them)
COLAB_SECTION = "On Google Colab only"  # a lesson's install section: for Colab, not for a reader of the site
COLAB_MARK = '"google.colab" in sys.modules'


def _student_edition():
    """scripts/student_edition.py, imported (the one home of what a student gets: nbgrader's student version)."""
    scripts = str(REPO / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    import student_edition

    return student_edition


def _lesson(app, docname: str) -> tuple[dict, object] | None:
    """(instructor notebook JSON, student notebook) of the lesson ``docname``; None for a page that is no lesson."""
    path = Path(app.env.doc2path(docname))
    if path.suffix != ".ipynb":
        return None
    lesson = json.loads(path.read_text(encoding="utf-8"))
    return lesson, _student_edition().student_notebook(lesson)


def student_links_on_the_page(app, docname, source) -> None:
    """``source-read``: a lesson's Colab and Binder links (its badge) open the student edition, as the launch
    buttons do. Markdown cells only: they do not run and are not part of the execution cache's key."""
    if Path(app.env.doc2path(docname)).suffix != ".ipynb":
        return
    notebook = json.loads(source[0])
    changed = False
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        shown = _student_edition().student_links(text)
        if shown != text:
            cell["source"], changed = shown, True
    if changed:
        source[0] = json.dumps(notebook, ensure_ascii=False)


def _section_title(node: nodes.Node) -> str:
    """The title of the section that holds ``node`` (its nearest), or ""."""
    while node is not None and not isinstance(node, nodes.section):
        node = node.parent
    titles = [child for child in (node.children if node is not None else []) if isinstance(child, nodes.title)]
    return titles[0].astext() if titles else ""


def _replace_code(cell: nodes.Element, code: str) -> None:
    """Show ``code`` as the source of the code cell ``cell`` (its input block; the cell loses it if ``code`` is
    blank)."""
    for cell_input in list(cell.findall(nodes.container)):
        if cell_input.get("nb_element") != "cell_code_source":
            continue
        for block in list(cell_input.findall(nodes.literal_block)):
            # Sphinx highlights a literal block only when its rawsource is its text: change both.
            block.rawsource = code
            block.children = []
            block += nodes.Text(code)
        if not code.strip():
            cell_input.parent.remove(cell_input)


def _solution_code(source: str) -> str:
    """A solution cell's source as a worked solution shows it: without nbgrader's delimiter lines."""
    lines = [line for line in source.split("\n") if not any(mark in line for mark in SOLUTION_DELIMITERS)]
    return without_hidden_tests("\n".join(lines)).strip("\n")


def _pointer(template: str, title: str, anchor: str, css_class: str) -> nodes.paragraph:
    """A line of the page that points to the section ``title`` (``#anchor``): ``template`` with ``{link}``."""
    pointer = nodes.paragraph(classes=[css_class])
    before, after = template.split("{link}")
    pointer += nodes.Text(before)
    pointer += nodes.reference("", title, internal=True, refuri=f"#{anchor}")
    pointer += nodes.Text(after)
    return pointer


def _code_cell(code: str, outputs: list, language: str) -> nodes.container:
    """A code cell for a toggle: ``code`` (in ``language``) and its output containers."""
    cell = nodes.container(classes=["cell", "collapse-kit-solution-cell"], nb_element="cell_code")
    cell_input = nodes.container(classes=["cell_input"], nb_element="cell_code_source")
    block = nodes.literal_block(code, code)
    block["language"] = language
    cell_input += block
    cell += cell_input
    for output in outputs:
        cell += output
    return cell


def _toggle(css_class: str, summary: str, content: list[nodes.Node]) -> list[nodes.Node]:
    """A closed ``<details>`` toggle of class ``css_class`` around ``content``."""
    return [nodes.raw("", f'<details class="{css_class}">\n<summary>{html.escape(summary)}</summary>\n', format="html"),
            *content, nodes.raw("", "</details>\n", format="html")]


def _outputs(cell: nodes.Element) -> list[nodes.Element]:
    return [child for child in cell.children if isinstance(child, nodes.Element)
            and child.get("nb_element") == "cell_code_output"]


def _solutions_section(entries: list[tuple[str, str, list, list]], language: str = "python") -> nodes.section:
    """The page's closing section: one ``<details>`` toggle per exercise, closed, with the solution's code (in
    ``language``, as the page's cells) and outputs, then each later cell that computed its output from it.
    ``entries``: (summary, code, output containers, [(a later cell's code, its output containers)])."""
    section = nodes.section(ids=[SOLUTIONS_ID], names=[SOLUTIONS_ID], classes=["collapse-kit-solutions"])
    section += nodes.title(text=SOLUTIONS_TITLE)
    section += nodes.paragraph(text=SOLUTIONS_INTRO)
    for summary, code, outputs, later in entries:
        content = [_code_cell(code, outputs, language)]
        for later_code, later_outputs in later:
            content.append(nodes.paragraph(text=LATER_OUTPUT_INTRO, classes=["collapse-kit-solution-pointer"]))
            content.append(_code_cell(later_code, later_outputs, language))
        section += _toggle("collapse-kit-solution", summary, content)
    return section


def student_cells_on_the_page(app, doctree) -> None:
    """``doctree-read``: every code cell of a lesson shows the student edition's source (an exercise its stub, a
    test cell no hidden test), and each exercise's worked solution, with its outputs, moves into a toggle of a
    closing "Worked solutions" section, which a line under the exercise points to. The outputs of each later cell
    computed from a solution (solution_flow.py) move into that solution's toggle too, and a line in their place
    points there. The cells ran as the instructor wrote them (the execution cache is keyed on their code); only what
    the page shows changes."""
    found = _lesson(app, app.env.docname)
    if found is None:
        return
    lesson, student = found
    dependents = solution_flow.solution_dependents(lesson)
    entries, language = {}, "python"
    for cell in list(doctree.findall(nodes.container)):
        if cell.get("nb_element") != "cell_code" or cell.get("cell_index") is None:
            continue
        index = cell["cell_index"]
        source = "".join(lesson["cells"][index]["source"])
        shown = student.cells[index].source
        outputs = _outputs(cell) if index in dependents else []
        # Outputs that show nothing (a progress bar gone when it ended) stay; the others go to the solution.
        if any(output.astext().strip() or next(output.findall(nodes.image), None) for output in outputs):
            if dependents[index] in entries:
                for output in outputs:
                    cell.remove(output)
                exercise, _, _, later = entries[dependents[index]]
                later.append((shown, outputs))
                pointer = LATER_OUTPUT_POINTER.replace("{exercise}", exercise.rsplit(": ", 1)[0])
                cell.parent.insert(cell.parent.index(cell) + 1, _pointer(pointer, SOLUTIONS_TITLE, SOLUTIONS_ID,
                                                                         "collapse-kit-solution-pointer"))
            else:
                LOGGER.warning(f"collapse-kit: {app.env.docname}: cell {index} computes its output from "
                               f"{dependents[index]}, which has no worked solution before it: its output stays")
        if shown == source:
            continue
        language = next(iter(cell.findall(nodes.literal_block)), {}).get("language", language)
        _replace_code(cell, shown)
        grader = lesson["cells"][index].get("metadata", {}).get("nbgrader", {})
        if not grader.get("solution"):
            continue
        outputs = _outputs(cell)
        for output in outputs:
            cell.remove(output)
        exercise = _section_title(cell) or "Exercise"
        grade_id = grader.get("grade_id", f"cell {index}")
        entries[grade_id] = (f"{exercise}: {grade_id}", _solution_code(source), outputs, [])
        cell.parent.insert(cell.parent.index(cell) + 1, _pointer(SOLUTION_POINTER, SOLUTIONS_TITLE, SOLUTIONS_ID,
                                                                 "collapse-kit-solution-pointer"))
    if entries:
        sections = [child for child in doctree.children if isinstance(child, nodes.section)]
        (sections[0] if sections else doctree).append(_solutions_section(list(entries.values()), language))


def model_answers_at_the_end(app, doctree) -> None:
    """``doctree-read``: each model answer with its rubric (``answer_as_shown``'s container) moves into a closed
    toggle of a closing "Model answers" section, after the worked solutions, and a line in its place points there."""
    found = _lesson(app, app.env.docname)
    if found is None:
        return
    grade_ids = [cell["metadata"]["nbgrader"].get("grade_id") for cell in found[0]["cells"] if is_model_answer(cell)]
    answers = [node for node in doctree.findall(nodes.container) if MODEL_ANSWER_CLASS in node["classes"]]
    if len(answers) != len(grade_ids):
        LOGGER.warning(f"collapse-kit: {app.env.docname} has {len(grade_ids)} hand-graded answers but "
                       f"{len(answers)} model answers on its page: they stay where they are")
        return
    if not answers:
        return
    section = nodes.section(ids=[ANSWERS_ID], names=[ANSWERS_ID], classes=["collapse-kit-answers"])
    section += nodes.title(text=ANSWERS_TITLE)
    section += nodes.paragraph(text=ANSWERS_INTRO)
    for grade_id, answer in zip(grade_ids, answers):
        summary = f"{_section_title(answer) or 'Your answer'}: the model answer and its rubric ({grade_id})"
        answer.parent.insert(answer.parent.index(answer), _pointer(ANSWER_POINTER, ANSWERS_TITLE, ANSWERS_ID,
                                                                   "collapse-kit-solution-pointer"))
        answer.parent.remove(answer)
        section += _toggle("collapse-kit-answer", summary, [answer])
    sections = [child for child in doctree.children if isinstance(child, nodes.section)]
    (sections[0] if sections else doctree).append(section)


def _calls(source: str, name: str) -> bool:
    """Whether the code ``source`` calls a function named ``name`` (``name(...)`` or ``module.name(...)``)."""
    try:
        tree = solution_flow.parse_cell(source)
    except SyntaxError:
        return False
    return any(isinstance(node, ast.Call) and name in (getattr(node.func, "id", None), getattr(node.func, "attr", None))
               for node in ast.walk(tree))


def predictions_behind_a_toggle(app, doctree) -> None:
    """``doctree-read``: the output of each cell that calls ``predicted`` (what the run observed: the answer of a
    predict-then-observe item) waits in a closed toggle in its cell, and a line under the cell where the lesson asks
    for the prediction (``my_prediction = ...``) says so: a reader predicts before seeing the answer."""
    found = _lesson(app, app.env.docname)
    if found is None:
        return
    lesson = found[0]
    for cell in list(doctree.findall(nodes.container)):
        if cell.get("nb_element") != "cell_code" or cell.get("cell_index") is None:
            continue
        source = "".join(lesson["cells"][cell["cell_index"]]["source"])
        if re.search(rf"^{PREDICTION_NAME}\s*=", source, flags=re.MULTILINE) and not _calls(source, "predicted"):
            cell.parent.insert(cell.parent.index(cell) + 1,
                               nodes.paragraph(text=PREDICTION_NOTE, classes=["collapse-kit-solution-pointer"]))
        outputs = _outputs(cell)
        if not outputs or not _calls(source, "predicted"):
            continue
        first = cell.index(outputs[0])
        for output in outputs:
            cell.remove(output)
        cell.insert(first, _toggle("collapse-kit-prediction", PREDICTION_SUMMARY, outputs))


def hide_colab_install_section(app, doctree) -> None:
    """``doctree-read``: drop a lesson's "On Google Colab only" section from the page, its heading, its note (what
    comes before the install cell) and its install cell: a reader of the site needs none of them. What follows the
    install cell under that heading (lesson 07's prediction) stays, in the section before. The notebook keeps all;
    the cell still runs (it does nothing outside Colab). Before Sphinx collects the page's table of contents."""
    for section in list(doctree.findall(nodes.section)):
        titles = [child for child in section.children if isinstance(child, nodes.title)]
        if not titles or titles[0].astext().strip() != COLAB_SECTION:
            continue
        installs = [index for index, child in enumerate(section.children) if isinstance(child, nodes.container)
                    and child.get("nb_element") == "cell_code" and COLAB_MARK in child.astext()]
        if not installs:
            LOGGER.warning(f"collapse-kit: {app.env.docname}'s section {COLAB_SECTION!r} has no install cell "
                           f"(one holding {COLAB_MARK}): it stays on the page")
            continue
        section["ids"], section["names"] = [], []  # else docutils hands them to what replaces the section
        section.replace_self(section.children[installs[0] + 1:] or [nodes.comment()])


def figure_description(png: bytes) -> str:
    """The ``Description`` a PNG carries (every figure of collapse_kit writes its alt text there), or ""."""
    from PIL import Image  # matplotlib's own dependency

    try:
        with Image.open(io.BytesIO(png)) as image:
            return " ".join(str(image.text.get("Description", "")).split())
    except (OSError, ValueError, AttributeError):
        return ""


def alt_text_for_figures(app, doctree) -> None:
    """``doctree-read``: every image a lesson's cell drew gets its figure's own words as ``alt`` (the PNG's
    ``Description``, collapse_kit.faces.figure_style); an image without them is described by the cell's section."""
    output_folder = Path(app.env.mystnb_config.output_folder)
    for image in doctree.findall(nodes.image):
        uri = image.get("uri", "")
        if image.get("alt") and image["alt"] != uri or "://" in uri:
            continue
        path = output_folder / Path(uri).name
        description = figure_description(path.read_bytes()) if path.is_file() else ""
        image["alt"] = description or f"A figure drawn by a code cell of the section \"{_section_title(image)}\"."


def setup(app):
    app.connect("config-inited", refresh_execution_cache)
    app.connect("builder-inited", check_verdict_sheet)
    app.connect("env-get-outdated", reread_lessons_when_the_library_changed)
    # Before Sphinx's image collector (priority 500), so the pictures are copied into the site like any figure.
    app.connect("doctree-read", widgets_as_pictures, priority=400)
    # Hidden tests stay off the site: from the shown code once it ran, and from the lesson's "download .ipynb" copy
    # (no model answer either). The model answers, with their rubrics from INSTRUCTORS.md, are read into the page
    # when a lesson is read, and wait at its end (model_answers_at_the_end).
    app.connect("source-read", answers_as_shown)
    app.connect("doctree-read", hide_hidden_tests)
    app.connect("build-finished", publish_notebooks_as_shown)
    app.connect("doctree-read", glossary_terms_as_link_targets)
    # The student edition on the page (scripts/student_edition.py): student cells, worked solutions at the end,
    # launch links to the student edition; no Colab install section; every figure with its alt text. Before Sphinx
    # collects the table of contents (priority 500).
    app.connect("source-read", student_links_on_the_page)
    app.connect("doctree-read", student_cells_on_the_page, priority=450)
    # Every answer for a self-learner, after trying: the model answers with their rubrics at the end (after the worked
    # solutions), and each prediction's answer in a toggle.
    app.connect("doctree-read", model_answers_at_the_end, priority=450)
    app.connect("doctree-read", predictions_behind_a_toggle, priority=450)
    app.connect("doctree-read", hide_colab_install_section, priority=450)
    app.connect("doctree-read", alt_text_for_figures, priority=450)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
