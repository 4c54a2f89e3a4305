"""How every figure of the course reads: its size and fonts, its colours and line styles, and its alt text.

* **Size and fonts.** A figure is at most ``MAX_WIDTH`` inches wide (a notebook column at the 90 dpi the lessons
  show figures at; a phone scales it down whole) and no text is smaller than ``FONT`` points. Four panels wrap to two
  columns (``panel_grid``); long panel titles wrap to their panel's width.
* **Colours for every reader.** Settings that are ordered (real fractions, temperatures: one number that differs)
  take colours from a sequential, colour-blind-safe palette (``SEQUENTIAL``, viridis), in the order of that number,
  and a line style each, so the order still reads in grey or for a reader who cannot tell the hues apart. Unordered
  settings (replace against accumulate, two sampling modes) keep matplotlib's tab colours, also with a line style
  each (``setting_styles``).
* **Alt text.** ``Figure.alt_text`` describes a figure in words (what it shows, its panels and axes, its legend),
  from a summary the plot function sets and the figure's own titles and labels. Every PNG the figure writes carries
  it (the PNG's ``Description``), and the course website gives it to the image as its ``alt`` text
  (site/_ext/collapse_site.py).

Used by every figure of ``plots`` (and by the widgets, which draw those figures).
"""

from __future__ import annotations

import dataclasses
import io
import math
import os
import textwrap
from numbers import Real

from matplotlib import colormaps
from matplotlib.figure import Figure as _MatplotlibFigure
from matplotlib.text import Text

MAX_WIDTH = 8.5  # inches: 765 pixels at 90 dpi, the width of a notebook column
FONT = 9  # points: the smallest text of a figure (legends, panel titles); axis labels and ticks are matplotlib's 10
TITLE_FONT = 10  # points: a figure's own title
PANEL = (3.2, 2.6)  # inches: the width and height of one panel of a metric figure
WIDE_PANEL = (6.0, 3.2)  # inches: a figure of one wide panel (histograms, curves over generations)
SEQUENTIAL = "viridis"  # ordered, perceptually uniform, readable with the common colour-vision deficiencies
SEQUENTIAL_RANGE = (0.0, 0.82)  # the part of it used: viridis' last yellows are too pale on a white page
LINE_STYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (8, 3)), (0, (3, 1, 1, 1)))
# Fields that do not make two runs different settings (a band of fewer generations is the same setting).
NOT_A_SETTING = ("generations",)


class Figure(_MatplotlibFigure):
    """A matplotlib Figure that shows itself as a PNG in any notebook, whatever backend the kernel has, and carries
    its alt text (``alt_text``) in every PNG it writes."""

    summary: str = ""  # one sentence: what the figure shows (set by the plot function)

    def _repr_png_(self) -> bytes:
        return self.png()

    def png(self, dpi: int = 90) -> bytes:
        """The figure as PNG bytes at ``dpi``, as a notebook shows it. A figure with a layout engine (constrained
        layout) is cropped to its contents; one laid out by hand (``layout=None``: its margins are already final)
        is drawn once as it is, which halves the time: the explorer of lesson 09 redraws at every move."""
        buffer = io.BytesIO()
        tight = self.get_layout_engine() is not None
        self.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight" if tight else None)
        return buffer.getvalue()

    def savefig(self, fname, *args, **kwargs):
        """matplotlib's ``savefig``; a PNG also gets ``alt_text`` as its ``Description`` (unless one is given)."""
        target = kwargs.get("format") or (os.path.splitext(os.fspath(fname))[1].lstrip(".")
                                          if isinstance(fname, (str, os.PathLike)) else "png")
        if str(target).lower() == "png":
            kwargs["metadata"] = {"Description": self.alt_text, **(kwargs.get("metadata") or {})}
        return super().savefig(fname, *args, **kwargs)

    @property
    def alt_text(self) -> str:
        """The figure in words, for a reader who cannot see it: its summary (or title), then each panel's title and
        axes, then the legend's entries."""
        return describe(self)


def describe(figure: _MatplotlibFigure) -> str:
    """Words for ``figure``: its summary or title, its panels (title, x and y labels) and its legend entries."""
    title = figure.get_suptitle() if hasattr(figure, "get_suptitle") else ""
    parts = [getattr(figure, "summary", "") or title or "A figure"]
    if title and title not in parts[0]:
        parts.append(f"Title: {title}")
    panels, entries = [], []
    for axis in figure.axes:
        name, x, y = (" ".join(text.split()) for text in (axis.get_title(), axis.get_xlabel(), axis.get_ylabel()))
        measured = " against ".join(part for part in (y, x) if part)  # "share of samples against generation"
        if name and y:
            name += f": {measured}"
        elif name and x:
            name += f" against {x}"
        if name or measured:
            panels.append(name or measured)
        if axis.get_legend() is not None:
            entries += [text.get_text() for text in axis.get_legend().get_texts()]
    for legend in figure.legends:
        entries += [text.get_text() for text in legend.get_texts()]
    if panels:
        parts.append(("Panel: " if len(panels) == 1 else f"{len(panels)} panels: ") + "; ".join(panels))
    if entries:
        parts.append("Legend: " + "; ".join(dict.fromkeys(entry for entry in entries if entry)))
    return ". ".join(part.rstrip(".") for part in parts) + "."


def panel_grid(count: int, panel: tuple[float, float] = PANEL, columns: int | None = None,
               **subplots) -> tuple[Figure, list]:
    """A figure of ``count`` panels, at most ``MAX_WIDTH`` wide: one row of up to 3 panels, or rows of 2 (4 panels
    make a 2 x 2 grid); ``columns`` overrides. Returns the figure and its panels, in reading order."""
    if count < 1:
        raise ValueError(f"count must be >= 1 panel, got {count}")
    columns = min(count, columns or (count if count <= 3 else 2))
    rows = math.ceil(count / columns)
    figure = Figure(figsize=(min(MAX_WIDTH, panel[0] * columns), panel[1] * rows), layout="constrained")
    axes = list(figure.subplots(rows, columns, squeeze=False, **subplots).ravel())
    for spare in axes[count:]:
        figure.delaxes(spare)
    return figure, axes[:count]


def wrapped(text: str, width_inches: float, points: float = FONT) -> str:
    """``text`` wrapped to lines that fit ``width_inches`` at ``points`` (an average letter is about half an em)."""
    return textwrap.fill(text, width=max(12, int(width_inches * 72 / (0.52 * points))))


def panel_title(axis, text: str, points: float = FONT) -> None:
    """Set ``axis``' title at ``points``, wrapped to the panel's width: its share of the figure's width less a
    margin for the axis' labels, or the axis' own width in a figure laid out by hand (no layout engine)."""
    spec = axis.get_subplotspec()
    columns = spec.get_gridspec().ncols if spec is not None else 1
    width = (axis.get_position().width * axis.figure.get_figwidth() if axis.figure.get_layout_engine() is None
             else axis.figure.get_figwidth() / columns - 0.3)
    axis.set_title(wrapped(text, width, points), fontsize=points)


def sequential_colours(count: int) -> list:
    """``count`` colours of the sequential palette, evenly spaced, darkest first."""
    low, high = SEQUENTIAL_RANGE
    palette = colormaps[SEQUENTIAL]
    return [palette(low + (high - low) * (index / max(count - 1, 1))) for index in range(count)]


def ordered_setting(configs) -> str | None:
    """The name of the one numeric field in which the distinct ``configs`` (dataclasses of one type) differ, e.g.
    ``"real_fraction"``; None when they differ in no field, in more than one, or in one that is not a number."""
    distinct = list(dict.fromkeys(configs))
    if len(distinct) < 2 or not all(dataclasses.is_dataclass(config) for config in distinct):
        return None
    if len({type(config) for config in distinct}) != 1:
        return None
    names = [field.name for field in dataclasses.fields(distinct[0]) if field.name not in NOT_A_SETTING]
    differing = [name for name in names if len({getattr(config, name) for config in distinct}) > 1]
    if len(differing) != 1:
        return None
    values = [getattr(config, differing[0]) for config in distinct]
    numeric = all(isinstance(value, Real) and not isinstance(value, bool) for value in values)
    return differing[0] if numeric else None


def setting_styles(configs) -> dict:
    """``{config: (colour, line style)}`` for the distinct settings ``configs``, in their order.

    Settings that differ in one number only (e.g. the real fraction) are ordered: colours of the sequential palette
    and line styles follow that number, from its smallest value (darkest, solid) to its largest (lightest). Any
    other settings get tab colours C0, C1, ... and line styles in the order given.
    """
    distinct = list(dict.fromkeys(configs))
    name = ordered_setting(distinct)
    if name is None:
        return {config: (f"C{index % 10}", LINE_STYLES[index % len(LINE_STYLES)])
                for index, config in enumerate(distinct)}
    values = sorted({getattr(config, name) for config in distinct})
    colours = sequential_colours(len(values))
    return {config: (colours[values.index(getattr(config, name))],
                     LINE_STYLES[values.index(getattr(config, name)) % len(LINE_STYLES)]) for config in distinct}


def small_texts(figure: _MatplotlibFigure, points: float = FONT) -> list[str]:
    """The visible texts of ``figure`` smaller than ``points`` (legends, titles, labels, ticks, annotations); tick
    labels exist once the figure has been drawn."""
    texts = [text for text in figure.findobj(Text) if text.get_visible() and text.get_text().strip()]
    return [f"{text.get_text()!r} at {text.get_fontsize():g} pt" for text in texts if text.get_fontsize() < points]
