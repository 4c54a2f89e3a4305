"""Sphinx configuration of the course website (issue 12): every lesson as a page with its outputs, the verdict sheet,
the glossary, and Binder / Colab launch buttons on every lesson page.

Build it with ``python scripts/build_site.py --profile full`` (site/guides/website.md). The source folder is
the repository root and this folder only holds the configuration (``sphinx-build -c site . OUT``): the lessons are
pages at their own paths (lessons/03_recursive_training.ipynb -> lessons/03_recursive_training.html), nothing is
copied or linked, and the launch buttons open the very file the page was built from. ``include_patterns`` below is
the one list of what the site is made of.

Read from the environment (scripts/build_site.py sets them; plain ``sphinx-build`` works too):
* ``COLLAPSE_KIT_PROFILE``: the profile the lessons' kernels run (``full`` unless set, as for a student); each
  profile (and seed) has its own execution cache, since jupyter-cache keys a notebook by its code cells only.
* ``COLLAPSE_KIT_SEED``: the lessons' seed (0 unless set).
* ``COLLAPSE_KIT_SITE_EXECUTE``: ``all`` (default), ``none`` (structure and links only, in seconds) or lesson
  numbers such as ``00,01,02`` (only those execute; the others are pages without outputs).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SITE = Path(__file__).resolve().parent
REPO = SITE.parent
sys.path.insert(0, str(SITE / "_ext"))

project = "collapse-kit"
html_title = "collapse-kit"
author = "collapse-kit developers"
copyright = "collapse-kit developers; code MIT, MNIST CC BY-SA 3.0"

extensions = ["myst_nb", "collapse_site"]

# What the site is made of, relative to the repository root (the source folder). Everything else in the repository
# (README, tests, the package, a virtual environment, build folders) is not a page.
root_doc = "site/index"
include_patterns = ["site/*.md", "site/guides/*.md", "lessons/[0-9][0-9]_*.ipynb", "lessons/verdicts.md"]
# Folders Sphinx need not walk at all (include_patterns filters files, exclude_patterns also prunes folders).
exclude_patterns = ["site/_build", "**/.ipynb_checkpoints", ".git", ".venv", "venv", "**/__pycache__", "build",
                    "dist", "source", "release", "submitted", "autograded", "feedback", "collapse-kit-output"]
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["collapse_site.css"]
# The front page lives at site/index.html; the site's root index.html sends the visitor there.
html_additional_pages = {"index": "redirect.html"}
html_sourcelink_suffix = ""  # "download .ipynb" gives the notebook as its page shows it (site/_ext/collapse_site.py)

myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# --- execution: jupyter-cache, one cache per profile and seed -------------------------------------------------------
PROFILE = os.environ.get("COLLAPSE_KIT_PROFILE", "full").strip().lower() or "full"
SEED = os.environ.get("COLLAPSE_KIT_SEED", "0").strip() or "0"
EXECUTE = os.environ.get("COLLAPSE_KIT_SITE_EXECUTE", "all").strip().lower() or "all"

nb_execution_mode = "off" if EXECUTE == "none" else "cache"
nb_execution_cache_path = str(SITE / "_build" / ".jupyter_cache" / f"{PROFILE}-seed{SEED}")
if EXECUTE not in ("all", "none"):
    chosen = {number.strip() for number in EXECUTE.split(",") if number.strip()}
    nb_execution_excludepatterns = [f"lessons/{path.name}" for path in sorted(REPO.glob("lessons/[0-9][0-9]_*.ipynb"))
                                    if path.name[:2] not in chosen]
# Seconds per cell: the longest cell of the full profile (lesson 07's sweeps) takes about 2 minutes on 2 cores.
nb_execution_timeout = 1800
# A lesson whose cell raises (a [FAIL] check cell included) fails the build: a page never shows a broken lesson.
nb_execution_raise_on_error = True
nb_execution_show_tb = True
# The lessons' widgets are drawn as still pictures (site/_ext/collapse_site.py), so no widget JavaScript is loaded
# from a third-party CDN.
nb_ipywidgets_js = {}
nb_merge_streams = True

# --- the book theme: launch buttons on every lesson page -------------------------------------------------------------
html_theme = "sphinx_book_theme"
# The repository (pyproject.toml's [project.urls]) and the release tag of this version: the launch buttons open the
# lessons of one release, as the lessons' own Colab badges do (scripts/course_address.py).
sys.path.insert(0, str(REPO / "scripts"))
import course_address  # noqa: E402

REPOSITORY = course_address.repository_url()
# The launch buttons open the student edition of this release (scripts/student_edition.py: no worked solution, hidden
# test or model answer), the tag v<version>-student; the pages themselves end with the worked solutions.
BRANCH = course_address.student_ref()
html_theme_options = {
    "repository_url": REPOSITORY,
    "repository_branch": BRANCH,
    # The launch buttons open <path_to_docs>/<page>.ipynb; the source folder is the repository root, so a lesson's
    # page name is its path in the repository.
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",  # Binder builds the image from binder/
        "colab_url": "https://colab.research.google.com",
        "notebook_interface": "jupyterlab",
    },
    "home_page_in_toc": True,
    "show_toc_level": 2,
}
html_context = {"default_mode": "light"}
