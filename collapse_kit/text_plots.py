"""Figures of the text world: the discrete telephone game, the frequency-rank (Zipf) curves, and the perplexity of
generated passages under generation 0's model. Each function takes results and returns a Figure (``figure_style``:
sizes, colour-blind-safe ordered colours, alt text); the text loop's measures over generations are drawn by
``plots.metric_curves``, which reads any world's columns. For lesson 09 (drafts/09_a_language_model.ipynb, not yet a lesson).
"""

from __future__ import annotations

import numpy as np

from ._validation import check_int
from .figure_style import FONT, LINE_STYLES, Figure, panel_grid, panel_title, sequential_colours
from .text_data import training_words
from .text_loop import TextResult
from .words import RANKS, WordGameResult


def _generations(count: int, generations) -> list[int]:
    chosen = list(range(count)) if generations is None else list(generations)
    return [check_int("generations[...]", generation, 0, count - 1) for generation in chosen]


def word_game(results: dict) -> Figure:
    """The discrete telephone game, one line per setting (``{label: WordGameResult}``): word types alive (mean of
    the chains, log scale) against the closed form, and the share of the real text's rare and common types still
    alive. For lesson 09 (drafts/09_a_language_model.ipynb, not yet a lesson)."""
    if not results or not all(isinstance(result, WordGameResult) for result in results.values()):
        raise TypeError("results must map labels to WordGameResult objects")
    figure, (types, shares) = panel_grid(2)
    for index, (label, result) in enumerate(results.items()):
        colour, style = f"C{index}", LINE_STYLES[index % len(LINE_STYLES)]
        generation = result.generation
        types.plot(generation, result.types.mean(axis=0), color=colour, linestyle=style, label=label)
        types.plot(generation[1:], result.expected_types[:, 1:].mean(axis=0), color="black", linestyle="none",
                   marker="x", markersize=4, label="closed form" if index == 0 else None)
        for kind, marker in (("common", "o"), ("rare", "v")):
            shares.plot(generation, result.surviving_share(kind).mean(axis=0), color=colour, linestyle=style,
                        marker=marker, markersize=3, label=f"{label}: {kind}")
    types.set_yscale("log")
    for axis, title in ((types, "word types alive (mean of the chains)"),
                        (shares, "share of the real text's types alive: common (o), rare (v)")):
        axis.set_xlabel("generation")
        axis.grid(alpha=0.3)
        panel_title(axis, title)
    types.legend(fontsize=FONT)
    shares.legend(fontsize=FONT)
    figure.summary = ("The discrete telephone game: word types alive over generations with the closed form's "
                      "expectation as crosses, and the shares of common and rare real types alive")
    return figure


def rank_frequency(result, generations=None) -> Figure:
    """The frequency-rank (Zipf) curve of each generation's words, log-log, over the real training text's curve:
    a ``WordGameResult`` (the mean of its chains) or a ``TextResult`` (each generation's samples). For lesson 09
    (drafts/09_a_language_model.ipynb, not yet a lesson)."""
    if isinstance(result, WordGameResult):
        curves = result.rank_frequency.mean(axis=0)
        what = "the fitted word frequencies"
    elif isinstance(result, TextResult):
        curves = np.array([record.rank_frequency for record in result.generations])
        what = "the words of the sampled text"
    else:
        raise TypeError(f"result must be a WordGameResult or a TextResult, got {type(result).__name__}")
    chosen = _generations(len(curves), generations)
    counts = training_words()[1]
    real = counts[[rank - 1 for rank in RANKS]] / counts.sum()
    figure = Figure(figsize=(6, 3.4), layout="constrained")
    axis = figure.subplots()
    axis.plot(RANKS, real, color="gray", linewidth=3, alpha=0.6, label="real training text")
    for index, (generation, colour) in enumerate(zip(chosen, sequential_colours(len(chosen)))):
        shown = curves[generation] > 0  # a rank past the last word has no frequency: the curve stops
        axis.plot(np.array(RANKS)[shown], curves[generation][shown], color=colour, marker="o", markersize=3,
                  linestyle=LINE_STYLES[index % len(LINE_STYLES)], label=f"generation {generation}")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("rank of the word (1: the most frequent)")
    axis.set_ylabel("frequency (share of words)")
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize=FONT)
    figure.summary = f"Frequency against rank, log-log, of {what} per generation, over the real text's curve"
    return figure


def perplexity_histograms(result: TextResult, generations=None, bins: int = 30) -> Figure:
    """Histogram of each generated passage's perplexity under generation 0's model, one outline per generation,
    log-scaled perplexity (Shumailov et al.'s Fig. 1 view). For lesson 09 (drafts/09_a_language_model.ipynb, not yet a lesson)."""
    if not isinstance(result, TextResult):
        raise TypeError(f"result must be a TextResult, got {type(result).__name__}")
    chosen = _generations(len(result.generations), generations)
    values = [result.generations[g].sample_perplexity_gen0 for g in chosen]
    edges = np.geomspace(min(v.min() for v in values), max(v.max() for v in values), check_int("bins", bins, 2) + 1)
    figure = Figure(figsize=(6, 3.2), layout="constrained")
    axis = figure.subplots()
    for index, (generation, value, colour) in enumerate(zip(chosen, values, sequential_colours(len(values)))):
        axis.hist(value, bins=edges, histtype="step", color=colour, linestyle=LINE_STYLES[index % len(LINE_STYLES)],
                  linewidth=1.5, label=f"generation {generation}")
    axis.set_xscale("log")
    axis.set_xlabel("perplexity under the generation-0 model (per character)")
    axis.set_ylabel("passages")
    axis.legend(fontsize=FONT)
    figure.summary = "Histograms of the generated passages' perplexity under the generation-0 model, per generation"
    return figure
