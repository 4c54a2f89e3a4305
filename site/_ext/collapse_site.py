"""The course website's own Sphinx extension (site/conf.py): what myst-nb and the book theme leave to the course.

* **A fresh execution cache.** jupyter-cache keys a lesson by its code cells only, but a lesson's outputs also
  depend on the course library and its shipped data. The cache folder records a digest of those; when it differs,
  the folder is emptied, and Sphinx reads every lesson again, so every lesson runs again (the experiments come back
  from collapse-kit's own run cache when their code did not change, so this costs little).
* **Widgets as still pictures.** A static page has no kernel, so a slider cannot redraw anything. Each widget output
  becomes the picture the widget showed when the lesson ran (read from the widget state the execution saved), with
  a note that the sliders work when the lesson runs; a finished progress bar becomes its last line. No widget JavaScript is
  loaded (``nb_ipywidgets_js = {}``).
* **The verdict sheet.** lessons/verdicts.md is written by scripts/write_verdict_sheet.py; a build without it says so.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import shutil
from importlib import metadata
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[2]
LIBRARY = REPO / "collapse_kit"
VERDICT_SHEET = REPO / "lessons" / "verdicts.md"
STAMP = "collapse-kit-library.sha256"
WIDGET_VIEW = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.DOTALL)
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
    """Sphinx re-reads a page only when its source changed; a lesson's page also changes with the library and with
    this extension (which draws its widgets)."""
    digest = library_digest() + hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    if getattr(env, "collapse_kit_library", None) == digest:
        return []
    env.collapse_kit_library = digest
    return sorted(name for name in env.found_docs if name.startswith("lessons/") and name not in added | changed)


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
        still += nodes.image(uri="/" + os.path.relpath(path, app.srcdir), alt="the widget's figure")
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


def setup(app):
    app.connect("config-inited", refresh_execution_cache)
    app.connect("builder-inited", check_verdict_sheet)
    app.connect("env-get-outdated", reread_lessons_when_the_library_changed)
    # Before Sphinx's image collector (priority 500), so the pictures are copied into the site like any figure.
    app.connect("doctree-read", widgets_as_pictures, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
