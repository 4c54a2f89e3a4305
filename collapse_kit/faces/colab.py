"""Google Colab: what a lesson's first cell does there once the course is installed (anywhere else, nothing).

Colab ships without collapse-kit, so the cell itself detects Colab and installs the course with ``%pip`` (pip keeps
Colab's own torch: pyproject.toml asks only for torch 2.2 or newer); then it calls ``setup_colab``.
"""

from __future__ import annotations

import sys

COLAB_MODULE = "google.colab"  # loaded by every Colab kernel at start, and by no other front end


def setup_colab() -> bool:
    """Ready a Colab runtime for the lessons: turn on Colab's custom widget manager; outside Colab, do nothing.

    The lessons' sliders and buttons are ipywidgets 8 widgets, which Colab shows with its custom widget manager (it
    loads the widgets' JavaScript from a third-party CDN; site/guides/troubleshooting.md).

    Returns:
        True on Colab, after turning the widget manager on; False anywhere else.
    """
    if COLAB_MODULE not in sys.modules:
        return False
    from google.colab import output  # Colab's own module: exists only there, so imported only there

    output.enable_custom_widget_manager()
    print("On Colab: the course is installed and Colab's custom widget manager is on, so the sliders show.")
    return True
