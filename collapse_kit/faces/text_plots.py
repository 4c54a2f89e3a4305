"""Figures of the text world: the discrete telephone game, the frequency-rank (Zipf) curves, the perplexity of generated
passages under generation 0's model, and the tails against real text. Each function takes results and returns a
Figure (``figure_style``: sizes, colour-blind-safe ordered colours, alt text); the text loop's measures over
generations are drawn by ``plots.metric_curves``, which reads any world's columns. For lesson 09.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..core._validation import check_int
from ..evidence.bundle import Band, bands_for, bands_of
from ..text.data import decode, training_words
from ..text.loop import TextConfig, TextResult
from ..text.metrics import ChainFloor
from ..text.words import RANKS, WordGameResult
from .figure_style import FONT, LINE_STYLES, MAX_WIDTH, WIDE_PANEL, Figure, panel_grid, panel_title, sequential_colours

BITS = "test_bits_per_character"
SAMPLE_CHARACTERS = 80  # characters of sample text per generation that the explorer's figure shows


def _generations(count: int, generations) -> list[int]:
    chosen = list(range(count)) if generations is None else list(generations)
    return [check_int("generations[...]", generation, 0, count - 1) for generation in chosen]


def word_game(results: dict) -> Figure:
    """The discrete telephone game, one line per setting (``{label: WordGameResult}``): word types alive (mean of
    the chains, log scale) against the closed form, and the share of the real text's rare and common types still
    alive. For lesson 09."""
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
    a ``WordGameResult`` (the mean of its chains) or a ``TextResult`` (each generation's samples). For lesson 09."""
    if isinstance(result, WordGameResult):
        curves = result.rank_frequency.mean(axis=0)
        what = "the fitted word frequencies"
    elif isinstance(result, TextResult):
        curves = np.array([record.rank_frequency for record in result.generations])
        what = "the words of the sampled text"
    else:
        raise TypeError(f"result must be a WordGameResult or a TextResult, got {type(result).__name__}")
    figure = Figure(figsize=(6, 3.4), layout="constrained")
    axis = figure.subplots()
    _rank_curves(axis, curves, _generations(len(curves), generations), markersize=3)
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize=FONT)
    figure.summary = f"Frequency against rank, log-log, of {what} per generation, over the real text's curve"
    return figure


def perplexity_histograms(result: TextResult, generations=None, bins: int = 30) -> Figure:
    """Histogram of each generated passage's perplexity under generation 0's model, one outline per generation,
    log-scaled perplexity (Shumailov et al.'s Fig. 1 view). For lesson 09."""
    if not isinstance(result, TextResult):
        raise TypeError(f"result must be a TextResult, got {type(result).__name__}")
    chosen = _generations(len(result.generations), generations)
    values = [result.generations[g].sample_perplexity_gen0 for g in chosen]
    edges = np.geomspace(min(v.min() for v in values), max(v.max() for v in values), check_int("bins", bins, 2) + 1)
    figure, (axis,) = panel_grid(1, WIDE_PANEL)
    for index, (generation, value, colour) in enumerate(zip(chosen, values, sequential_colours(len(values)))):
        axis.hist(value, bins=edges, histtype="step", color=colour, linestyle=LINE_STYLES[index % len(LINE_STYLES)],
                  linewidth=1.5, label=f"generation {generation}")
    axis.set(xscale="log", xlabel="perplexity under the generation-0 model (per character)", ylabel="passages")
    axis.legend(fontsize=FONT)
    figure.summary = "Histograms of the generated passages' perplexity under the generation-0 model, per generation"
    return figure


TAILS = (("common", "common words"), ("rare", "rare words"), ("long_rare", "rare words of 6+ letters"))


def tails_against_real(item, floor=None) -> Figure:
    """The tails against real text, over generations, for one run (a ``TextResult``) or one band of seeds (a
    ``bundle.Band``: mean and 95% interval): the samples' coverage of the common, rare and long rare real words as a
    share of what real held-out text of the same size covers (1: real text), and the model's bits per character of
    the real test text on its rare and common words. ``floor`` draws what a letter chain that stores no words
    reaches, as dotted lines: the shipped ``metrics.letter_chain_floor()`` (its mean over seeds) or one chain's
    measures (``loop.letter_chain_measures``). For lesson 09."""
    if isinstance(item, TextResult):
        item = bands_of(item, source="your run")[0]
    if not isinstance(item, Band) or not isinstance(item.config, TextConfig):
        raise TypeError(f"item must be a TextResult or a Band of the language model, got {type(item).__name__}")
    figure, (shares, bits) = panel_grid(2)
    generation = np.arange(item.generations)
    panels = [(shares, f"{kind}_of_real", words, marker) for (kind, words), marker in zip(TAILS, "ovs")]
    panels += [(bits, f"{kind}_word_bits", f"on {words}", marker) for (kind, words), marker in zip(TAILS[:2], "ov")]
    for index, (axis, name, words, marker) in enumerate(panels):
        colour = f"C{index % 3}"
        values = item.metric(name)
        if len(item.seeds) > 1:
            summary = item.summary(name)
            axis.fill_between(generation, summary.low, summary.high, color=colour, alpha=0.25, linewidth=0)
            axis.plot(generation, summary.mean, color=colour, marker=marker, markersize=4,
                      label=f"{words}: mean, 95% CI")
        else:
            axis.plot(generation, values[0], color=colour, marker=marker, markersize=4, label=words)
        if floor is not None:
            axis.axhline(floor.mean(name) if isinstance(floor, ChainFloor) else floor[name], color=colour,
                         linestyle=":", linewidth=1.5)
    shares.axhline(1.0, color="gray", linewidth=3, alpha=0.6, label="real held-out text, same size")
    if floor is not None:
        shares.plot([], [], color="black", linestyle=":", label="a letter chain that stores no words (dotted)")
    for axis, title, label in ((shares, "coverage of the real words, as a share of real text's", "share of real"),
                               (bits, "real test text, bits per character on its words (lower: better)",
                                "bits per character")):
        axis.set_xlabel("generation")
        axis.set_ylabel(label)
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.grid(alpha=0.3)
        panel_title(axis, title)
    shares.set_ylim(0, 1.05)
    handles, labels = shares.get_legend_handles_labels()  # the bits panel's colours are the same words'
    figure.legend(handles, labels, loc="outside lower center", fontsize=FONT, ncols=2)
    figure.summary = ("The samples' coverage of common, rare and long rare real words as a share of real text's of "
                      "the same size, and the bits per character of real test text on its rare and common words, "
                      "over generations" + (", with a letter chain's levels dotted" if floor is not None else ""))
    return figure


def sample_line(codes, characters: int = SAMPLE_CHARACTERS) -> str:
    """One passage (codes) as one line to read: its lines joined by " / ", cut to ``characters``."""
    text = " / ".join(line.strip() for line in decode(codes).split("\n") if line.strip())
    return text if len(text) <= characters else text[:characters - 3] + "..."


def _shown(config: TextConfig, results: list, bands: list):
    """What the rank and text panels show: the latest run of ``config`` (any seed), else its shipped band, else
    the latest run. Returns (rank curves (generations, ranks), their source in words, passage codes per
    generation, their source in words)."""
    runs = [result for result in results if result.config == config]
    band = next((item for item in bands if item.config == config and len(item.seeds) > 1), None)
    if runs or band is None:
        run = (runs or results)[-1]
        curves = np.array([record.rank_frequency for record in run.generations])
        source = f"your run, seed {run.seed}"
        return curves, source, [record.samples[0] for record in run.generations], source
    curves = band.metric("rank_frequency").mean(axis=0)  # 0 where a seed's words ran out: the mean sinks there
    if band.samples is None or not band.sample_seeds:
        return curves, f"mean of {len(band.seeds)} seeds", [], "none shipped"
    return (curves, f"mean of {len(band.seeds)} seeds", list(band.samples[0, :, 0]),
            f"{band.source}, seed {band.sample_seeds[0]}")


def text_explorer_figure(config: TextConfig, results=(), bundle=None, sample_text: bool = True) -> Figure:
    """The language model's explorer without widgets (lesson 09): for the setting ``config``,

    * real test text's bits per character over generations: the results bundle's band of ``config`` (mean and
      95% interval over its 10 seeds), and of the setting of every run in ``results``, with those runs as dots;
    * the frequency-rank (Zipf) curve of each generation's sampled words over the real training text's: of the
      latest run of ``config`` in ``results``, else the band's mean over seeds;
    * a line of sample text per generation, from the same run (else one shipped seed of the band), unless
      ``sample_text`` is False.

    Instant when the bundle holds ``config`` (nothing trains); ``text_widgets.TextExplorer`` draws this very figure,
    without the sample text (it shows more of it beside the figure, as text one can select and read).
    Raises ValueError when neither the bundle nor ``results`` holds anything to draw.
    """
    if not isinstance(config, TextConfig):
        raise TypeError(f"config must be a TextConfig, got {type(config).__name__}")
    results = [results] if isinstance(results, TextResult) else list(results)
    if not all(isinstance(result, TextResult) for result in results):
        raise TypeError("results must hold TextResult objects (runs of the language model)")
    bands = bands_for([config] + [result.config for result in results], bundle)
    if not bands and not results:
        raise ValueError(f"config: the results bundle holds no band of {config.label()} with these sizes, and "
                         "results is empty: run it (run_text_experiment) and pass the run")
    curves, curves_source, passages, text_source = _shown(config, results, bands)
    figure, mosaic = _explorer_layout(max(len(passages), 1) if sample_text else 0)
    _bits_panel(mosaic["bits"], bands, results)
    _ranks_panel(mosaic["ranks"], curves, curves_source)
    if sample_text:
        _text_panel(mosaic["text"], passages, text_source)
    figure.summary = ("Real test text's bits per character over generations (the results bundle's mean and 95% "
                      "interval over seeds, your runs as dots) and the frequency-rank curve of each generation's "
                      "words over the real text's" + (", and a line of sample text per generation" if sample_text
                                                       else ""))
    return figure


def _explorer_layout(lines: int):
    """The explorer's figure laid out by hand, in inches: two panels side by side over a panel of ``lines`` lines
    of text (none if 0). Constrained layout would find the same margins, but it costs the explorer an extra pass
    over every label at every move of a control (see ``Figure.png``)."""
    top, gap, bottom = 0.42, 0.74, 0.1  # room for a two-line panel title; tick labels, axis label, text title
    left, right, between = 0.7, 0.3, 0.95  # the y labels; the ranks panel's tick labels ("0.0001") sit between
    panels, text = 2.1, 0.16 * lines  # monospace lines at FONT points
    if not lines:
        gap, bottom = 0.0, 0.55  # the panels' tick labels and axis labels at the foot of the figure
    height = top + panels + gap + text + bottom
    figure = Figure(figsize=(MAX_WIDTH, height), layout=None)
    grid = figure.add_gridspec(2 if lines else 1, 2, height_ratios=[panels, text] if lines else [panels],
                               left=left / MAX_WIDTH, right=1 - right / MAX_WIDTH, top=1 - top / height,
                               bottom=bottom / height, wspace=between / ((MAX_WIDTH - left - right - between) / 2),
                               hspace=gap / ((panels + text) / 2))
    panels = {"bits": figure.add_subplot(grid[0, 0]), "ranks": figure.add_subplot(grid[0, 1])}
    return figure, ({**panels, "text": figure.add_subplot(grid[1, :])} if lines else panels)


def _bits_panel(axis, bands: list, results: list) -> None:
    items = bands + [one for result in results for one in bands_of(result, source="your run")]
    settings = list(dict.fromkeys(item.config for item in items))
    one = len(settings) == 1  # one setting: its label goes in the title, the legend names only the sources
    for item in items:
        colour = f"C{settings.index(item.config) % 10}"
        generation = np.arange(item.generations)
        if isinstance(item, Band) and len(item.seeds) > 1:
            summary = item.summary(BITS)
            axis.fill_between(generation, summary.low, summary.high, color=colour, alpha=0.25, linewidth=0)
            axis.plot(generation, summary.mean, color=colour, label=(
                f"{len(item.seeds)} seeds, {item.source}" if one else item.label()) + ": mean, 95% CI")
        else:
            axis.plot(generation, item.metric(BITS)[0], linestyle="none", marker="o", markersize=5, color=colour,
                      markeredgecolor="black",
                      label=f"{item.source}, seed {item.seeds[0]}" if one else item.label())
    axis.set_xlabel("generation")
    axis.set_ylabel("bits per character")
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.grid(alpha=0.3)
    panel_title(axis, "real test text, bits per character (lower: better)" + (
        f": {settings[0].label()}" if one else ""))
    axis.legend(fontsize=FONT, loc="lower right")


def _rank_curves(axis, curves: np.ndarray, generations: list[int], markersize: float) -> None:
    """The real training text's frequency-rank curve, then ``curves`` (generations, ranks) of ``generations``, one
    ordered colour and line style each, on log-log axes labelled rank and frequency."""
    counts = training_words()[1]
    axis.plot(RANKS, counts[[rank - 1 for rank in RANKS]] / counts.sum(), color="gray", linewidth=3, alpha=0.6,
              label="real training text")
    for index, (generation, colour) in enumerate(zip(generations, sequential_colours(len(generations)))):
        shown = curves[generation] > 0  # a rank past the last word has no frequency: the curve stops
        axis.plot(np.array(RANKS)[shown], curves[generation][shown], color=colour, marker="o", markersize=markersize,
                  linestyle=LINE_STYLES[index % len(LINE_STYLES)], label=f"generation {generation}")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("rank of the word (1: the most frequent)")
    axis.set_ylabel("frequency (share of words)")


def _ranks_panel(axis, curves: np.ndarray, source: str) -> None:
    _rank_curves(axis, curves, list(range(len(curves))), markersize=2)
    # Decades, labelled as plain numbers: enough to read it, and the explorer draws it at every move of a control
    # (minor ticks and mathtext labels cost it most of a second).
    axis.minorticks_off()
    for scale in (axis.xaxis, axis.yaxis):
        scale.set_major_formatter(FuncFormatter(lambda value, _position: f"{value:,g}"))
    axis.grid(alpha=0.3)
    panel_title(axis, f"frequency-rank curve of the sampled words ({source})")
    axis.legend(fontsize=FONT, ncols=2, loc="lower left")  # the curves fall from the top left: that corner is free


def _text_panel(axis, passages: list, source: str) -> None:
    axis.set_axis_off()
    lines = [f"gen {generation}: {sample_line(codes)}" for generation, codes in enumerate(passages)]
    axis.text(0.0, 1.0, "\n".join(lines) or "(no sample text shipped for this setting)", family="monospace",
              fontsize=FONT, va="top", ha="left", transform=axis.transAxes, parse_math=False)  # "$" is text
    axis.set_title(f"sample text, one passage per generation ({source})", fontsize=FONT)  # spans the figure
