"""Figures of results: each function takes results and returns a matplotlib Figure (it never calls ``show``).

Every figure reads in a notebook column and on a phone, in colours a colour-blind reader can tell apart, and carries
its alt text (``figure_style``: sizes, fonts, palette, line styles, ``Figure.alt_text``).
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.ticker import MaxNLocator

from ..core._validation import check_choice, check_int
from ..core.columns import metric
from ..evidence.bundle import Band, bands_of
from ..evidence.stats import summarize
from ..gaussian.theory import (
    REAL_POINT_SETTINGS,
    GaussianResult,
    LifelineStudy,
    MixtureResult,
    expected_log_variance,
    expected_variance,
)
from ..vae.generation import HEADLINE_METRICS, METRIC_LABELS, METRICS
from ..vae.loop import ExperimentResult
from .figure_style import (
    FONT,
    LINE_STYLES,
    MAX_WIDTH,
    TITLE_FONT,
    WIDE_PANEL,
    Figure,
    panel_grid,
    panel_title,
    sequential_colours,
    setting_styles,
)


def image_grid(images: torch.Tensor, nrow: int = 8, padding: int = 1) -> np.ndarray:
    """Tile images (n, 1, 28, 28), pixels in [0, 1], into one 2-D array, ``nrow`` per row, each framed by 1s.

    The layout of ``torchvision.utils.make_grid`` (empty cells of a last row stay 0, blank), without importing
    torchvision into every lesson's kernel (about 170 MB of memory with a CUDA build of torch, measured).
    Used by every image figure.
    """
    images = torch.as_tensor(images).detach().float().cpu().reshape(-1, *images.shape[-2:]).numpy()
    count, height, width = images.shape
    nrow = min(check_int("nrow", nrow, 1), max(count, 1))
    rows = (count + nrow - 1) // nrow
    grid = np.zeros((rows * (height + padding) + padding, nrow * (width + padding) + padding), dtype=np.float32)
    for index, image in enumerate(images):
        top, left = padding + (index // nrow) * (height + padding), padding + (index % nrow) * (width + padding)
        grid[top - padding:top + height + padding, left - padding:left + width + padding] = 1.0  # the frame
        grid[top:top + height, left:left + width] = image
    return grid


def sample_grids(result: ExperimentResult, generations=None, images: int = 36) -> Figure:
    """One grid of synthetic samples per generation, side by side."""
    images = check_int("images", images, 1, 64)
    generations = range(len(result.generations)) if generations is None else list(generations)
    grids = {generation: result.generations[generation].samples[:images] for generation in generations}
    return _sample_row(grids, images, result.config.label())


def band_sample_grids(band, seed: int | None = None, images: int = 16) -> Figure:
    """The shipped sample grids of a bundle band (``evidence.bundle.Band``), one per generation, for one of its seeds.

    ``seed``: one of ``band.sample_seeds`` (default the first). Used by the explorer before any run.
    """
    if band.samples is None or not band.sample_seeds:
        raise ValueError(f"this band holds no sample images (source: {band.source})")
    seed = band.sample_seeds[0] if seed is None else seed
    check_choice("seed", seed, band.sample_seeds)
    images = check_int("images", images, 1, band.samples.shape[2])
    row = band.samples[band.sample_seeds.index(seed)]
    grids = {generation: torch.from_numpy(row[generation, :images, None]) for generation in range(band.generations)}
    return _sample_row(grids, images, f"{band.label()}: samples of seed {seed}")


def _sample_row(grids: dict, images: int, title: str) -> Figure:
    """Grids of uint8 images (n, 1, 28, 28), one per generation, in reading order under ``title``: rows of at most
    4 generations (6 make 2 rows of 3), so the digits stay legible in a notebook column."""
    rows = int(np.ceil(len(grids) / 4))
    columns = int(np.ceil(len(grids) / rows))
    figure, axes = panel_grid(len(grids), panel=(2.0, 2.2), columns=columns)
    for axis, (generation, samples) in zip(axes, grids.items()):
        grid = image_grid(samples.float() / 255.0, nrow=int(np.ceil(np.sqrt(images))))
        axis.imshow(grid, cmap="gray_r", vmin=0, vmax=1)
        axis.set_title(f"generation {generation}", fontsize=FONT)
        axis.axis("off")
    figure.suptitle(title, fontsize=TITLE_FONT)
    figure.summary = (f"Generated digit images, {images} per generation, for generations "
                      f"{', '.join(str(generation) for generation in grids)}")
    return figure


def _metric_axes(configs, metrics) -> tuple[list, Figure, list]:
    """The metrics' columns (checked against the first setting's world) and a figure with one panel per metric (up
    to 3 in a row; 4 in a 2 x 2 grid)."""
    metrics = list(metrics)
    if not metrics:
        raise ValueError("metrics must name at least one metric")
    columns = [metric(configs[0], name) for name in metrics]
    figure, axes = panel_grid(len(metrics))
    return columns, figure, axes


def metric_curves(results, metrics=HEADLINE_METRICS) -> Figure:
    """Metrics over generations, one panel per metric, one line per run (several runs compare).
    """
    results = [results] if hasattr(results, "seed") else list(results)
    if not results:
        raise ValueError("results must hold at least one run")
    columns, figure, axes = _metric_axes([result.config for result in results], metrics)
    styles = setting_styles([result.config for result in results])
    for axis, column in zip(axes, columns):
        for result in results:
            values = result.metric(column.name)
            colour, linestyle = styles[result.config]
            axis.plot(np.arange(len(values)), values, marker="o", markersize=3, color=colour, linestyle=linestyle,
                      label=result.config.label())
        axis.set_xlabel("generation")
        panel_title(axis, column.label)
        axis.grid(alpha=0.3)
    axes[0].legend(fontsize=FONT)
    figure.summary = "Metrics of " + ("one run" if len(results) == 1 else f"{len(results)} runs") + \
        " over generations, one panel per metric"
    return figure


def metric_bands(bands, metrics=HEADLINE_METRICS, live=()) -> Figure:
    """Each band's mean over seeds with its shaded 95% interval, per generation; one-seed bands (a live run) and
    ``live`` runs drawn over them as dots, labelled "your run".

    ``bands``: ``bundle.Band`` objects (shipped, or run here); ``live``: the student's own runs (results), each
    drawn in the colour of the band of its setting. Used by the explorer and lessons 03-08.
    """
    live = [live] if hasattr(live, "seed") else list(live)  # one run (a Band has seeds, not seed)
    bands = list(bands) + [one for result in live for one in bands_of(result, source="your run")]
    if not bands:
        raise ValueError("metric_bands needs at least one band or one live run")
    for item in bands:
        if not isinstance(item, Band):
            raise TypeError(f"bands must hold bundle.Band objects, got {type(item).__name__}")
    columns, figure, axes = _metric_axes([item.config for item in bands], metrics)
    # Bands that differ by real fraction (or another one number) take ordered colours and line styles.
    styles = setting_styles([item.config for item in bands])
    for axis, column in zip(axes, columns):
        for item in bands:
            generation, (colour, linestyle) = np.arange(item.generations), styles[item.config]
            if len(item.seeds) == 1:
                axis.plot(generation, item.metric(column.name)[0], linestyle="none", marker="o", markersize=5,
                          color=colour, markeredgecolor="black", label=item.label())
                continue
            summary = item.summary(column.name)
            axis.fill_between(generation, summary.low, summary.high, color=colour, alpha=0.25, linewidth=0)
            axis.plot(generation, summary.mean, color=colour, linestyle=linestyle,
                      label=f"{item.label()}: mean, 95% CI")
        axis.set_xlabel("generation")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        panel_title(axis, column.label)
        axis.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    longest = max(len(label) for label in labels) * 0.52 * FONT / 72 + 0.6  # inches: a legend column, its line too
    figure.legend(handles, labels, loc="outside lower center", fontsize=FONT,
                  ncols=2 if len(labels) > 1 and 2 * longest <= figure.get_figwidth() else 1)
    figure.summary = ("Each setting's mean over seeds, per generation, with its 95% interval shaded; single runs "
                      "as dots")
    return figure


def class_histograms(result: ExperimentResult, generations=None) -> Figure:
    """Share of each digit among a generation's samples, one panel per generation."""
    generations = range(len(result.generations)) if generations is None else list(generations)
    rows = int(np.ceil(len(generations) / 4))
    figure, axes = panel_grid(len(generations), panel=(2.1, 2.2), columns=int(np.ceil(len(generations) / rows)),
                              sharey=True)
    for index, (axis, generation) in enumerate(zip(axes, generations)):
        axis.bar(np.arange(10), result.generations[generation].class_histogram, color="tab:blue")
        axis.axhline(0.1, color="gray", linestyle="--", linewidth=1)
        axis.set_xticks(range(10), [str(digit) for digit in range(10)], fontsize=FONT)
        axis.set_title(f"generation {generation}", fontsize=FONT)
        if index % int(np.ceil(len(generations) / rows)) == 0:
            axis.set_ylabel("share of samples")
    figure.summary = ("Share of each digit, 0 to 9, among each generation's samples; a dashed line marks the "
                      "balanced share of 1 in 10")
    return figure


def elbo_histograms(result: ExperimentResult, generations=None, bins: int = 40) -> Figure:
    """Histogram of samples' -ELBO under the generation-0 model, one per generation (lesson 04 reads how it moves and
    narrows)."""
    generations = range(len(result.generations)) if generations is None else list(generations)
    values = [result.generations[g].sample_nelbo_gen0 for g in generations]
    edges = np.histogram_bin_edges(np.concatenate(values), bins=bins)
    figure, (axis,) = panel_grid(1, WIDE_PANEL)
    # Generations are ordered: the sequential palette and a line style each, the first darkest and solid.
    for index, (generation, value, colour) in enumerate(zip(generations, values, sequential_colours(len(values)))):
        axis.hist(value, bins=edges, histtype="step", density=True, color=colour,
                  linestyle=LINE_STYLES[index % len(LINE_STYLES)], linewidth=1.5, label=f"generation {generation}")
    axis.set_xlabel(METRICS["sample_nelbo_gen0"].label)
    axis.set_ylabel("density")
    axis.legend(fontsize=FONT)
    figure.summary = "Histograms of the samples' -ELBO under the generation-0 model, one per generation"
    return figure


def gaussian_trajectories(result: GaussianResult, show_chains: int = 20) -> Figure:
    """Fitted variance over generations: a few chains, their mean, and the closed form (MLE or unbiased fits, fully
    synthetic, replace)."""
    show_chains = check_int("show_chains", show_chains, 0)
    config = result.config
    generation = result.generation
    figure = Figure(figsize=(MAX_WIDTH, 3.4), layout="constrained")
    left, right = figure.subplots(1, 2)
    for chain in range(min(show_chains, len(result.variances))):
        left.plot(generation, result.variances[chain], color="tab:blue", alpha=0.25, linewidth=0.8)
    left.plot(generation, result.variances.mean(0), color="black", label=f"mean of {len(result.variances)} chains")
    if config.fit in ("mle", "unbiased") and config.real_count == 0 and config.strategy == "replace":
        # Generation 0 is already a fit of N points: the MLE's expected variance there is 1 - 1/N, not the truth's 1.
        left.plot(generation, expected_variance(len(generation), config.samples_per_generation, config.fit),
                  "r--", label="(1 - 1/N)^(t+1)" if config.fit == "mle" else "E = 1 (unbiased)")
    left.set_yscale("log")
    left.set_xlabel("generation")
    left.set_ylabel("fitted variance per dimension")
    left.legend(fontsize=FONT)
    for chain in range(min(show_chains, len(result.means))):
        right.plot(generation, result.means[chain, :, 0], color="tab:orange", alpha=0.3, linewidth=0.8)
    right.set_xlabel("generation")
    right.set_ylabel("fitted mean (first dimension)")
    figure.suptitle(f"N = {config.samples_per_generation}, {config.fit.upper()}, {config.strategy}, "
                    f"{config.real_count} real points per generation", fontsize=TITLE_FONT)
    figure.summary = ("Refitted Gaussians over generations: left, the fitted variance of a few chains and their "
                      "mean (log scale); right, the fitted mean of the same chains")
    return figure


def gaussian_tails(result: GaussianResult, generations=(0, 10, 50, 200), chain: int = 0) -> Figure:
    """Density of one chain's fitted 1-D Gaussian at a few generations against the truth: tails go first."""
    x = np.linspace(-4, 4, 400)
    figure, (axis,) = panel_grid(1, WIDE_PANEL)
    axis.plot(x, np.exp(-x**2 / 2) / np.sqrt(2 * np.pi), "k--", label="truth N(0, 1)")
    shown = [generation for generation in generations if generation < len(result.generation)]
    for index, (generation, colour) in enumerate(zip(shown, sequential_colours(len(shown)))):
        mean, var = result.means[chain, generation, 0], max(result.variances[chain, generation], 1e-12)
        axis.plot(x, np.exp(-(x - mean) ** 2 / (2 * var)) / np.sqrt(2 * np.pi * var), color=colour,
                  linestyle=LINE_STYLES[index % len(LINE_STYLES)], linewidth=1.5, label=f"generation {generation}")
    axis.set_ylim(0, 1.0)
    axis.set_xlabel("x")
    axis.set_ylabel("density")
    axis.legend(fontsize=FONT)
    figure.summary = f"The density of chain {chain}'s fitted Gaussian at a few generations, against the truth"
    return figure


def mixture_trajectories(result: MixtureResult) -> Figure:
    """Component means and stds of the refitted mixture over generations."""
    figure = Figure(figsize=(MAX_WIDTH, 3.2), layout="constrained")
    left, right = figure.subplots(1, 2)
    generation = np.arange(len(result.stds))
    for component in range(2):
        for axis, values in ((left, result.means), (right, result.stds)):
            axis.plot(generation, values[:, component], color=f"C{component}", linestyle=LINE_STYLES[component],
                      label=f"component {component}")
    left.set_ylabel("component mean")
    right.set_ylabel("component std")
    right.set_yscale("log")
    for axis in (left, right):
        axis.set_xlabel("generation")
        axis.legend(fontsize=FONT)
    figure.summary = "The refitted two-component mixture over generations: each component's mean and std"
    return figure


def tensor_grid(images: torch.Tensor, nrow: int = 8) -> Figure:
    """A grid of images (n, 1, 28, 28), pixels in [0, 1]: real digits, reconstructions, samples."""
    grid = image_grid(images, nrow=nrow)
    figure = Figure(figsize=(nrow * 0.45, (len(images) + nrow - 1) // nrow * 0.45), layout="constrained")
    axis = figure.subplots()
    axis.imshow(grid, cmap="gray_r", vmin=0, vmax=1)
    axis.axis("off")
    figure.summary = f"A grid of {len(images)} digit images, {nrow} per row"
    return figure


def training_curve(history, title: str = "training") -> Figure:
    """Loss (negative ELBO, nats per image) of each epoch of one ``train_vae`` run."""
    figure = Figure(figsize=(4.5, 3.0), layout="constrained")
    axis = figure.subplots()
    axis.plot(np.arange(1, len(history.loss_per_epoch) + 1), history.loss_per_epoch, marker="o", markersize=3)
    axis.set_xlabel("epoch")
    axis.set_ylabel("-ELBO (nats/image)")
    axis.set_title(title, fontsize=TITLE_FONT)
    axis.grid(alpha=0.3)
    figure.summary = f"The training loss, -ELBO in nats per image, after each of {len(history.loss_per_epoch)} epochs"
    return figure


def latent_scatter(latent_means: torch.Tensor, labels: torch.Tensor) -> Figure:
    """Latent mean codes projected on their two main axes (PCA), coloured by digit."""
    codes = torch.as_tensor(latent_means, dtype=torch.float32)
    centred = codes - codes.mean(0)
    _, _, directions = torch.linalg.svd(centred, full_matrices=False)
    projected = (centred @ directions[:2].T).numpy()
    figure = Figure(figsize=(5, 4.2), layout="constrained")
    axis = figure.subplots()
    points = axis.scatter(projected[:, 0], projected[:, 1], c=np.asarray(labels), cmap="tab10", s=4, vmin=-0.5,
                          vmax=9.5)
    figure.colorbar(points, ax=axis, ticks=range(10), label="digit")
    axis.set_xlabel("latent principal axis 1")
    axis.set_ylabel("latent principal axis 2")
    figure.summary = (f"{len(projected)} images' latent codes projected on their two main axes, each point coloured "
                      "by its digit")
    return figure


def tradeoff(result) -> Figure:
    """Precision and recall against sampling temperature (a ``studies.Tradeoff``)."""
    figure = Figure(figsize=(4.5, 3.0), layout="constrained")
    axis = figure.subplots()
    axis.plot(result.temperatures, result.precision, marker="o", label=METRICS["precision"].label)
    axis.plot(result.temperatures, result.recall, marker="s", linestyle="--", label=METRICS["recall"].label)
    axis.set_xlabel("sampling temperature (scale of the prior's std)")
    axis.set_ylim(0, 1)
    axis.set_title(f"{result.sample_mode} samples", fontsize=TITLE_FONT)
    axis.legend(fontsize=FONT)
    axis.grid(alpha=0.3)
    figure.summary = "Precision and recall of one model's samples against the sampling temperature"
    return figure


def gaussian_comparison(results: dict) -> Figure:
    """Mean fitted variance over generations for several labelled Gaussian runs, log scale."""
    figure, (axis,) = panel_grid(1, WIDE_PANEL)
    for index, (label, result) in enumerate(results.items()):
        axis.plot(result.generation, result.variances.mean(0), color=f"C{index % 10}",
                  linestyle=LINE_STYLES[index % len(LINE_STYLES)], label=label)
    axis.axhline(1.0, color="black", linestyle=(0, (1, 1)), linewidth=0.8, label="truth")
    axis.set_yscale("log")
    axis.set_xlabel("generation")
    axis.set_ylabel("fitted variance (mean of chains)")
    axis.legend(fontsize=FONT)
    figure.summary = "The mean fitted variance over generations of several Gaussian runs, on a log scale"
    return figure


def _fully_synthetic_1d(result: GaussianResult) -> bool:
    config = result.config
    return (config.dim == 1 and config.real_count == 0 and config.strategy == "replace"
            and config.fit in ("mle", "unbiased"))


def variance_spread(results: dict) -> Figure:
    """Mean against median of the chains' variances, with both closed forms, and the final spread.

    Left: for each labelled run the mean of the chains (solid), their median (dashed) and, for fully synthetic 1-D
    MLE/unbiased runs, E[variance] and exp(E[ln variance]) (thin dotted; the median of a log-normal). Right: histogram
    of log10 of every chain's variance at the last generation.
    """
    if not results:
        raise ValueError("results must name at least one GaussianResult")
    figure = Figure(figsize=(MAX_WIDTH, 4.2), layout="constrained")
    left, right = figure.subplots(1, 2)
    for index, (label, result) in enumerate(results.items()):
        colour = f"C{index}"
        generation, variances = result.generation, result.variances
        left.plot(generation, variances.mean(0), color=colour, label=f"{label}: mean of chains")
        left.plot(generation, np.median(variances, 0), color=colour, linestyle="--", label=f"{label}: median")
        if _fully_synthetic_1d(result):
            n, count = result.config.samples_per_generation, len(generation)
            for closed_form in (expected_variance(count, n, result.config.fit),
                                np.exp(expected_log_variance(count, n, result.config.fit))):
                left.plot(generation, closed_form, color=colour, linestyle=":", linewidth=1.2, alpha=0.8)
        with np.errstate(divide="ignore"):
            final = np.log10(variances[:, -1])
        right.hist(final[np.isfinite(final)], bins=40, histtype="step", color=colour, label=label)
        right.axvline(np.log10(variances[:, -1].mean()), color=colour, linewidth=1)
        right.axvline(np.log10(np.median(variances[:, -1])), color=colour, linestyle="--", linewidth=1)
    left.plot([], [], color="grey", linestyle=":", label="closed forms: E[variance], exp(E[ln variance])")
    left.axhline(1.0, color="black", linewidth=0.8)
    left.set_yscale("log")
    left.set_xlabel("generation")
    left.set_ylabel("fitted variance")
    left.legend(fontsize=FONT)
    right.set_xlabel("log10 of each chain's variance at the last generation")
    panel_title(right, "vertical lines: mean (solid) and median (dashed) of the chains")
    right.set_ylabel("chains")
    right.legend(fontsize=FONT)
    figure.summary = ("Left: the mean and the median of the chains' fitted variances over generations, with their "
                      "closed forms; right: a histogram of every chain's variance at the last generation")
    return figure


def lifeline_grid(study: LifelineStudy) -> Figure:
    """C5's grid: mean variance over generations per setting, and where each settles.

    The right panel shows each setting's settled variance as exp(mean of ln) over chains (the geometric mean, with its
    95% CI): collapsing MLE chains spread over many orders of magnitude, where an arithmetic mean shows a few chains.
    """
    if not isinstance(study, LifelineStudy):
        raise TypeError(f"study must be a LifelineStudy (from theory.lifeline_study), got {type(study).__name__}")
    figure = Figure(figsize=(MAX_WIDTH, 4.0), layout="constrained")
    left, right = figure.subplots(1, 2)
    styles = {"none": ("-", "o", "no real point"), "fixed": ("--", "s", "one fixed real point"),
              "fresh": (":", "^", "one fresh real point")}
    groups = list(dict.fromkeys((fit, prior) for fit, prior, _ in study.runs))
    names = ["MLE" if fit == "mle" else f"MAP, prior variance {prior:g}" for fit, prior in groups]
    for index, ((fit, prior), name) in enumerate(zip(groups, names)):
        for offset, real_point in enumerate(REAL_POINT_SETTINGS):
            linestyle, marker, words = styles[real_point]
            result = study.result(fit, real_point, prior)
            left.plot(result.generation, result.variances.mean(0), color=f"C{index}", linestyle=linestyle,
                      label=name if offset == 0 else None)
            settled = summarize(np.log(study.settled_variance(fit, real_point, prior)))
            middle = np.exp(settled.mean)
            right.errorbar(index + 0.2 * (offset - 1), middle,
                           yerr=[[middle - np.exp(settled.low)], [np.exp(settled.high) - middle]],
                           color=f"C{index}", marker=marker, capsize=3, label=words if index == 0 else None)
    for real_point in REAL_POINT_SETTINGS:
        left.plot([], [], color="grey", linestyle=styles[real_point][0], label=styles[real_point][2])
    for axis in (left, right):
        axis.axhline(1.0, color="black", linewidth=0.8, linestyle="--")
        axis.set_yscale("log")
    left.set_xlabel("generation")
    left.set_ylabel("fitted variance (mean of chains)")
    left.legend(fontsize=FONT)
    right.set_xticks(range(len(groups)), [name.replace(", ", "\n") for name in names])
    right.set_ylabel("settled variance (geometric mean)")
    right.legend(fontsize=FONT, title="95% CI over chains", title_fontsize=FONT)
    figure.summary = ("Left: the mean fitted variance over generations for each fit and real-point setting; right: "
                      "where each setting settles, with its 95% interval over chains")
    return figure


def synthetic_share(study) -> Figure:
    """C3 over training-set sizes (``claims.SyntheticShare``): left, generation 1's measure with 95% intervals
    for the real images alone, with the synthetic share added, and all real at the same total; right, the two
    costs of the synthetic share (mixed minus alone: real held fixed; mixed minus all real: total held fixed)."""
    figure = Figure(figsize=(MAX_WIDTH, 3.8), layout="constrained")
    left, right = figure.subplots(1, 2)
    sizes = np.array(study.real_sizes, dtype=float)
    totals = sizes / (1 - study.share)
    label = METRIC_LABELS.get(study.measure, study.measure)
    for index, (values, x, name, marker) in enumerate((
            (study.alone, sizes, "real images alone", "o"),
            (study.mixed, totals, f"the same + {study.share:.0%} synthetic", "s"),
            (study.all_real, totals, "all real, same total", "^"))):
        summary = summarize(np.stack([values[n] for n in study.real_sizes], axis=1))
        left.errorbar(x, summary.mean, yerr=[summary.mean - summary.low, summary.high - summary.mean], marker=marker,
                      linestyle=LINE_STYLES[index], capsize=3, label=name)
    left.set_xscale("log")
    left.set_xlabel("training images in generation 1")
    panel_title(left, f"generation 1: {label} (mean, 95% CI)")
    left.legend(fontsize=FONT)
    for index, (verdicts, name, marker) in enumerate((
            ([study.added(n) for n in study.real_sizes], "added to the real (real fixed)", "o"),
            ([study.replaced(n) for n in study.real_sizes], "replacing real (total fixed)", "s"))):
        effect = np.array([v.effect for v in verdicts])
        right.errorbar(totals, effect, yerr=[effect - [v.low for v in verdicts], [v.high for v in verdicts] - effect],
                       marker=marker, linestyle=LINE_STYLES[index], capsize=3, label=name)
    right.axhline(0, color="black", linewidth=0.8)
    right.set_xscale("log")
    right.set_xlabel("training images in generation 1")
    panel_title(right, f"cost of {study.share:.0%} synthetic: change in {label} (> 0: worse)")
    right.legend(fontsize=FONT)
    for axis in (left, right):
        axis.grid(alpha=0.3)
    figure.summary = (f"C3 over training-set sizes: generation 1's {label} with and without {study.share:.0%} "
                      "synthetic data, and the cost of the synthetic share, with 95% intervals")
    return figure


def metric_views(views) -> Figure:
    """What each metric sees (``studies.MetricViews``), per generation, with real images' values as dotted lines:
    precision and recall on raw and on unit-length features, and the unrecognisable share beside the share of
    digits covered."""
    figure, axes = panel_grid(3, panel=(4.25, 2.9), columns=2)
    generations = np.arange(len(views.values["precision"]))
    panels = ((axes[0], "precision", "precision: samples inside the real data's manifold"),
              (axes[1], "recall", "recall: real data inside the samples' manifold"))
    for axis, name, title in panels:
        for prefix, label, colour, marker, linestyle in (("raw_", "raw features", "C1", "s", "--"),
                                                         ("", "unit-length features", "C0", "o", "-")):
            axis.plot(generations, views.values[prefix + name], marker=marker, linestyle=linestyle, color=colour,
                      label=label)
            axis.axhline(views.real[prefix + name], color=colour, linestyle=":", linewidth=1)
        panel_title(axis, title)
        axis.set_ylim(-0.02, 1.02)
    axes[0].legend(fontsize=FONT, title="dotted: real images", title_fontsize=FONT)
    axes[2].plot(generations, views.values["unrecognisable"], marker="o", color="C3",
                 label=f"unrecognisable (no digit >= {views.confident:.0%})")
    axes[2].plot(generations, views.values["classes_covered"] / 10, marker="s", linestyle="--", color="C0",
                 label="digits covered / 10")
    axes[2].axhline(views.real["unrecognisable"], color="C3", linestyle=":", linewidth=1)
    axes[2].set_ylim(-0.02, 1.02)
    panel_title(axes[2], "what the classifier can read")
    axes[2].legend(fontsize=FONT)
    figure.summary = ("What each metric sees per generation, against real images' values as dotted lines: precision "
                      "and recall on raw and on unit-length features, and the unrecognisable share beside the share "
                      "of digits covered")
    for axis in axes:
        axis.set_xlabel("generation")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.grid(alpha=0.3)
    return figure


def vae_diagram(pixels: int = 784, hidden: int = 256, latent: int = 16) -> Figure:
    """The course's VAE as boxes and arrows: image, encoder, latent code z, decoder, pixel probabilities, and the
    prior N(0, I) that generation draws codes from; the two terms of the negative ELBO are written where they are
    measured (KL at the code, reconstruction at the pixels, both in nats).

    Args:
        pixels, hidden, latent: the layer sizes (the course's MLP VAE: 784, 256 and 16).
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # only this figure draws patches by hand

    pixels, hidden = check_int("pixels", pixels, 1), check_int("hidden", hidden, 1)
    latent = check_int("latent", latent, 1)
    figure = Figure(figsize=(MAX_WIDTH, 4.0), layout="constrained")
    axis = figure.subplots()
    axis.set_xlim(-0.01, 1.01)
    axis.set_ylim(-0.02, 0.92)
    axis.axis("off")
    width, height, row, prior = 0.178, 0.36, 0.7, 0.19
    stages = [("image x", f"{pixels} pixels\nin [0, 1]"),
              ("encoder", f"{pixels} → {hidden} →\nmean μ, spread σ\n({latent} each)"),
              ("latent code z", f"{latent} numbers:\nz = μ + σ × noise"),
              ("decoder", f"{latent} → {hidden} →\n{pixels}"),
              ("pixel\nprobabilities", f"{pixels} chances\nof ink")]
    centres = np.linspace(width / 2, 1 - width / 2, len(stages))
    boxes = [(x, row, title, detail) for x, (title, detail) in zip(centres, stages)]
    boxes.append((centres[2], prior, "prior N(0, I)", "to generate:\ndraw z here"))
    for x, y, title, detail in boxes:
        colour = "#dde8f5" if title in ("encoder", "decoder") else "#f2f2f2"
        axis.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.005",
                                      facecolor=colour, edgecolor="0.3"))
        axis.text(x, y + height / 2 - 0.03, title, ha="center", va="top", fontsize=FONT, fontweight="bold")
        axis.text(x, y - height / 2 + 0.03, detail, ha="center", va="bottom", fontsize=FONT)
    for start, end in zip(centres[:-1], centres[1:]):
        axis.add_patch(FancyArrowPatch((start + width / 2, row), (end - width / 2, row), arrowstyle="-|>",
                                       mutation_scale=12, color="0.2", shrinkA=1, shrinkB=1))
    axis.add_patch(FancyArrowPatch((centres[2], prior + height / 2), (centres[2], row - height / 2),
                                   arrowstyle="-|>", mutation_scale=12, color="0.2", linestyle="--", shrinkA=1,
                                   shrinkB=1))
    axis.text(centres[1], prior, "KL divergence (nats):\nhow far the codes\nstray from the prior", ha="center",
              va="center", fontsize=FONT, color="C3")
    axis.text(centres[3] + 0.09, prior,
              "reconstruction (nats):\n−ln p(x | z), how badly\nthe pixels of x\nare predicted", ha="center",
              va="center", fontsize=FONT, color="C3")
    axis.set_title("−ELBO = reconstruction + KL, in nats per image", fontsize=TITLE_FONT)
    figure.summary = (f"A diagram of the VAE: an image of {pixels} pixels goes through the encoder ({pixels} to "
                      f"{hidden} to a mean and a spread for each of {latent} code numbers) to the latent code z, and "
                      f"through the decoder ({latent} to {hidden} to {pixels}) to pixel probabilities; a dashed "
                      "arrow from the prior N(0, I) to the code is the path of generating; the KL divergence is "
                      "measured at the code, the reconstruction at the pixels, both in nats")
    return figure
