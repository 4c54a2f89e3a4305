"""Figures: every plot function of ``plots`` draws small hand-made results, and each test checks what the figure shows
(panels, titles and axis labels, legend entries, the lines and shaded bands drawn and the data they carry, the size
of image grids), after rendering it to a PNG; and that it reads for every reader (``figure_style``): at most a notebook
column wide, no text under 9 points, ordered settings in an ordered colour-blind-safe palette with line styles, and
alt text, in words and in the PNG.

No experiment trains here: runs, bands, studies and the mixture's refits are built by hand with known numbers (the
Gaussian worlds are tiny and run in milliseconds), so the whole file stays fast and every expected value is known.
"""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib import colormaps
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from PIL import Image

from collapse_kit.evidence.claims import SyntheticShare
from collapse_kit.evidence.studies import MetricViews, Tradeoff
from collapse_kit.faces import figure_style, plots
from collapse_kit.gaussian.theory import (
    GaussianConfig,
    MixtureConfig,
    MixtureResult,
    expected_log_variance,
    expected_variance,
    lifeline_study,
    run_gaussian,
)
from collapse_kit.vae.generation import METRIC_LABELS, GenerationResult
from collapse_kit.vae.loop import ExperimentConfig, ExperimentResult

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CONFIG = ExperimentConfig(generations=3, samples_per_generation=256, epochs=1, batch_size=128, metric_samples=50)
SAMPLES_KEPT = 16  # sample images per generation in the hand-made runs and bands
GRID_CELL = 28 + 1  # one image and its one-pixel frame in an image grid
# GenerationResult's one-number metric fields (a new field there must be added here: fake_run fails loudly).
# Every scalar metric a generation declares (the samples' -ELBO is an array field, made below).
SCALAR_METRICS = tuple(name for name in METRIC_LABELS if not name.startswith("sample_nelbo_gen0"))


def make_band(config: ExperimentConfig, seeds=(0, 1, 2), offset: float = 0.0, source: str = "this machine",
              sample_seeds=()):
    """A band of ``config`` over ``seeds``: metric ``m`` of seed ``s`` at generation ``g`` is ``metric_value``, so
    its mean and interval are known; with ``sample_seeds``, a (seeds, generations, 16, 28, 28) uint8 block of sample
    images where seed ``i``'s images at generation ``g`` are all ``sample_pixel(i, g)``.

    The one place this file builds a Band (should ``Band`` move again, change only this import).
    """
    from collapse_kit.evidence.bundle import Band

    generations = config.generations
    values = {"generation": np.tile(np.arange(generations, dtype=float), (len(seeds), 1))}
    for name in METRIC_LABELS:
        values[name] = np.array([[metric_value(name, g, s) + offset for g in range(generations)] for s in seeds])
    samples = None
    if sample_seeds:
        samples = np.stack([np.stack([np.full((SAMPLES_KEPT, 28, 28), sample_pixel(i, g), dtype=np.uint8)
                                      for g in range(generations)]) for i in range(len(sample_seeds))])
    return Band(name="", config=config, seeds=list(seeds), values=values, source=source, samples=samples,
                sample_seeds=list(sample_seeds))


def metric_value(name: str, generation: int, seed: int) -> float:
    """The hand-made value of metric ``name``: distinct per metric, changing with the generation and the seed."""
    return 10.0 * (1 + sorted(METRIC_LABELS).index(name)) + 2.0 * generation + 0.5 * seed


def sample_pixel(seed_index: int, generation: int) -> int:
    """The uint8 value of every pixel of a hand-made sample image (different for every seed and generation)."""
    return 40 * generation + 10 * seed_index + 20


def fake_run(config: ExperimentConfig = CONFIG, seed: int = 0) -> ExperimentResult:
    """A run made by hand (no training): metrics from ``metric_value``, samples of generation ``g`` all
    ``sample_pixel(0, g)``, a class histogram that piles onto digit 0, and -ELBOs that grow by 10 nats a generation."""
    rng = np.random.default_rng(seed)
    records = []
    for g in range(config.generations):
        histogram = np.full(10, 1.0) + 3.0 * g * (np.arange(10) == 0)
        records.append(GenerationResult(
            generation=g, train_size=config.samples_per_generation, real_share=1.0 if g == 0 else config.real_fraction,
            loss_per_epoch=[200.0 - 10 * epoch - g for epoch in range(config.epochs)],
            **{name: metric_value(name, g, seed) for name in SCALAR_METRICS},
            sample_nelbo_gen0=100.0 + 10.0 * g + rng.standard_normal(200),
            class_histogram=histogram / histogram.sum(),
            samples=torch.full((SAMPLES_KEPT, 1, 28, 28), sample_pixel(0, g), dtype=torch.uint8)))
    return ExperimentResult(config, seed, records)


def rendered(figure) -> Figure:
    """``figure`` after drawing it to a PNG in memory (drawing is where most plotting mistakes surface), checked to
    read for every reader: at most ``MAX_WIDTH`` inches wide, no text under ``FONT`` points, and its alt text in the
    PNG. Each test renders its function's main figure; further variants are only inspected, which keeps the file
    fast."""
    assert isinstance(figure, Figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=40)
    assert buffer.getvalue().startswith(PNG_MAGIC)
    width = figure.get_size_inches()[0]
    assert width <= figure_style.MAX_WIDTH <= 9, f"{width:.1f} inches wide: too wide for a notebook column"
    small = figure_style.small_texts(figure)
    assert not small, f"text under {figure_style.FONT} pt: {small}"
    assert Image.open(io.BytesIO(buffer.getvalue())).text["Description"] == figure.alt_text != ""
    return figure


def title(axis) -> str:
    """A panel's title as one line (long titles wrap to their panel's width)."""
    return " ".join(axis.get_title().split())


def legend_texts(legend) -> list[str]:
    return [text.get_text() for text in legend.get_texts()]


def shaded_bands(axis) -> list[PolyCollection]:
    """The shaded intervals (``fill_between``) of a panel."""
    return [collection for collection in axis.collections if isinstance(collection, PolyCollection)]


def same_colour(a, b) -> bool:
    return np.allclose(to_rgb(a), to_rgb(b))


@pytest.fixture(autouse=True)
def no_open_pyplot_figures():
    """Plot functions build Figures directly: none may be left open in pyplot's global list."""
    plt.close("all")
    yield
    assert plt.get_fignums() == []


@pytest.fixture(scope="module")
def gaussian_result():
    return run_gaussian(GaussianConfig(samples_per_generation=5, generations=30, chains=5000), seed=0)


@pytest.fixture(scope="module")
def mixture_result():
    """A hand-made mixture refit (no EM: scikit-learn alone takes seconds to import): the two components drift
    towards each other while their stds shrink, over 10 generations."""
    drift = np.linspace(0.0, 1.5, 10)[:, None]
    return MixtureResult(MixtureConfig(samples_per_generation=100, generations=10), seed=0,
                         means=np.array([-2.0, 2.0]) + drift * np.array([1.0, -1.0]),
                         stds=np.exp(-drift) * np.array([1.0, 0.9]), weights=np.full((10, 2), 0.5))


# --- image grids ---------------------------------------------------------------------------------------------------


def test_image_grid_tiles_images_in_rows_framed_with_blank_empty_cells():
    images = torch.stack([torch.full((1, 3, 4), 0.1 * (index + 1)) for index in range(5)])  # 5 images 3 x 4
    grid = plots.image_grid(images, nrow=2, padding=1)
    assert grid.shape == (3 * (3 + 1) + 1, 2 * (4 + 1) + 1)  # 3 rows of 2, one pixel of frame between and around
    for index in range(5):
        top, left = 1 + (index // 2) * 4, 1 + (index % 2) * 5
        np.testing.assert_allclose(grid[top:top + 3, left:left + 4], 0.1 * (index + 1))
        assert (grid[top - 1, left - 1:left + 5] == 1).all() and (grid[top + 3, left - 1:left + 5] == 1).all()
        assert (grid[top - 1:top + 4, left - 1] == 1).all() and (grid[top - 1:top + 4, left + 4] == 1).all()
    assert (grid[9:, 6:] == 0).all()  # the sixth cell (last row, right) is empty: blank, not framed


def test_image_grid_takes_flat_images_and_never_makes_rows_wider_than_the_images():
    grid = plots.image_grid(torch.rand(3, 28, 28), nrow=8, padding=2)
    assert grid.shape == (28 + 2 * 2, 3 * (28 + 2) + 2)  # one row of 3, not 8 cells
    assert plots.image_grid(torch.rand(64, 1, 28, 28)).shape == (8 * GRID_CELL + 1, 8 * GRID_CELL + 1)
    with pytest.raises(ValueError, match="nrow must be >= 1, got 0"):
        plots.image_grid(torch.rand(3, 1, 28, 28), nrow=0)


def test_tensor_grid_shows_one_grid_image_of_every_digit(real_test_images):
    images = real_test_images.images[:10]
    figure = rendered(plots.tensor_grid(images, nrow=4))
    assert len(figure.axes) == 1 and not figure.axes[0].axison
    (picture,) = figure.axes[0].images
    assert picture.get_array().shape == (3 * GRID_CELL + 1, 4 * GRID_CELL + 1)  # 10 digits: rows of 4, 4, 2
    np.testing.assert_array_equal(picture.get_array(), plots.image_grid(images, nrow=4))


def test_sample_grids_show_each_generations_own_samples_under_the_run_label():
    run = fake_run()
    figure = rendered(plots.sample_grids(run, images=4))
    assert [title(axis) for axis in figure.axes] == ["generation 0", "generation 1", "generation 2"]
    assert figure.get_suptitle() == run.config.label() == "real 0% / replace"
    for generation, axis in enumerate(figure.axes):
        grid = axis.images[0].get_array()
        assert grid.shape == (2 * GRID_CELL + 1, 2 * GRID_CELL + 1)  # 4 images: 2 x 2
        np.testing.assert_allclose(grid[1:29, 1:29], sample_pixel(0, generation) / 255, rtol=1e-6)
    only = plots.sample_grids(run, generations=[2], images=9)
    assert [title(axis) for axis in only.axes] == ["generation 2"]
    assert only.axes[0].images[0].get_array().shape == (3 * GRID_CELL + 1, 3 * GRID_CELL + 1)
    with pytest.raises(ValueError, match="images must be <= 64, got 65"):
        plots.sample_grids(run, images=65)


def test_band_sample_grids_show_the_chosen_seeds_samples_per_generation():
    band = make_band(CONFIG, seeds=(3, 5, 7), source="results bundle", sample_seeds=(3, 7))
    figure = rendered(plots.band_sample_grids(band, seed=7, images=4))
    assert [title(axis) for axis in figure.axes] == ["generation 0", "generation 1", "generation 2"]
    assert figure.get_suptitle() == "real 0% / replace (3 seeds, results bundle): samples of seed 7"
    for generation, axis in enumerate(figure.axes):
        grid = axis.images[0].get_array()
        assert grid.shape == (2 * GRID_CELL + 1, 2 * GRID_CELL + 1)
        np.testing.assert_allclose(grid[1:29, 1:29], sample_pixel(1, generation) / 255, rtol=1e-6)  # seed 7
    first = plots.band_sample_grids(band)  # default: the first sample seed, 16 images in 4 x 4
    assert first.get_suptitle().endswith("samples of seed 3")
    assert first.axes[0].images[0].get_array().shape == (4 * GRID_CELL + 1, 4 * GRID_CELL + 1)
    np.testing.assert_allclose(first.axes[0].images[0].get_array()[1:29, 1:29], sample_pixel(0, 0) / 255, rtol=1e-6)


def test_band_sample_grids_refuse_bands_without_images_and_unknown_seeds():
    with pytest.raises(ValueError, match="holds no sample images"):
        plots.band_sample_grids(make_band(CONFIG))
    band = make_band(CONFIG, sample_seeds=(0, 1))
    with pytest.raises(ValueError, match="seed must be one of 0, 1, got 2"):
        plots.band_sample_grids(band, seed=2)
    with pytest.raises(ValueError, match=f"images must be <= {SAMPLES_KEPT}, got 17"):
        plots.band_sample_grids(band, images=17)


# --- metrics of the recursive loop ---------------------------------------------------------------------------------


def test_a_runs_label_names_the_real_fraction_and_strategy():
    assert fake_run(CONFIG.replace(real_fraction=1.0)).config.label() == "real 100% / replace"
    assert fake_run(CONFIG.replace(strategy="accumulate")).config.label() == "real 0% / accumulate"


def test_metric_bands_shade_each_bands_interval_and_draw_its_mean_with_live_dots_on_top():
    metrics = ("fid", "classes_covered", "latent_std")
    synthetic, half = make_band(CONFIG), make_band(CONFIG.replace(real_fraction=0.5), offset=3.0)
    live = fake_run(CONFIG.replace(real_fraction=0.5), seed=4)
    figure = rendered(plots.metric_bands([synthetic, half], metrics=metrics, live=live))
    assert len(figure.axes) == 3
    assert [title(axis) for axis in figure.axes] == [METRIC_LABELS[name] for name in metrics]
    assert [axis.get_xlabel() for axis in figure.axes] == ["generation"] * 3
    assert legend_texts(figure.legends[0]) == [
        "real 0% / replace (3 seeds, this machine): mean, 95% CI",
        "real 50% / replace (3 seeds, this machine): mean, 95% CI",
        "real 50% / replace (your run, seed 4)"]
    for axis, name in zip(figure.axes, metrics):
        shades, lines = shaded_bands(axis), axis.lines
        assert len(shades) == 2 and len(lines) == 3  # two bands: shade + mean line each; the live run's dots
        for band, shade, line in zip((synthetic, half), shades, lines):
            summary = band.summary(name)
            np.testing.assert_allclose(line.get_ydata(), summary.mean)
            corners = shade.get_paths()[0].vertices
            for generation in range(3):  # the shade spans [low, high] at every generation
                for bound in (summary.low[generation], summary.high[generation]):
                    assert np.isclose(corners, [generation, bound]).all(axis=1).any()
            assert same_colour(shade.get_facecolor()[0][:3], line.get_color())
        dots = lines[2]
        assert dots.get_linestyle() == "None" and dots.get_marker() == "o"
        np.testing.assert_allclose(dots.get_ydata(), live.metric(name))
        assert same_colour(dots.get_color(), lines[1].get_color())  # the live run takes its setting's band colour
        assert not same_colour(lines[0].get_color(), lines[1].get_color())


def test_metric_bands_draw_one_seed_bands_as_dots_and_give_a_new_setting_its_own_colour():
    band = make_band(CONFIG)
    one_seed = make_band(CONFIG.replace(real_fraction=1.0), seeds=(5,))
    other = fake_run(CONFIG.replace(strategy="accumulate"))
    figure = rendered(plots.metric_bands([band, one_seed], metrics=("fid",), live=[other]))
    axis = figure.axes[0]
    assert len(shaded_bands(axis)) == 1 and len(axis.lines) == 3  # one shaded band; a mean line and two rows of dots
    assert [line.get_linestyle() for line in axis.lines] == ["-", "None", "None"]
    assert [to_rgb(line.get_color()) for line in axis.lines] == [to_rgb("C0"), to_rgb("C1"), to_rgb("C2")]
    np.testing.assert_allclose(axis.lines[1].get_ydata(), [metric_value("fid", g, 5) for g in range(3)])
    assert legend_texts(figure.legends[0])[1:] == ["real 100% / replace (this machine, seed 5)",
                                                   "real 0% / accumulate (your run, seed 0)"]
    alone = rendered(plots.metric_bands([], metrics=("fid", "recall"), live=other))
    assert [len(shaded_bands(axis)) for axis in alone.axes] == [0, 0]
    assert [len(axis.lines) for axis in alone.axes] == [1, 1]
    assert legend_texts(alone.legends[0]) == ["real 0% / accumulate (your run, seed 0)"]
    default = plots.metric_bands([band])
    assert [title(axis) for axis in default.axes] == [METRIC_LABELS[name] for name in
                                                          ("fid", "classes_covered", "latent_std", "test_nelbo")]


def test_metric_bands_refuse_nothing_to_draw_unknown_metrics_and_runs_passed_as_bands():
    with pytest.raises(ValueError, match="at least one band or one live run"):
        plots.metric_bands([])
    with pytest.raises(ValueError, match=r"metrics must be among .*got 'accuracy'"):
        plots.metric_bands([make_band(CONFIG)], metrics=("accuracy",))
    with pytest.raises(TypeError, match="bands must hold bundle.Band objects, got ExperimentResult"):
        plots.metric_bands([fake_run()])


def test_metric_curves_compare_runs_one_panel_per_metric_one_line_per_run():
    synthetic, real = fake_run(), fake_run(CONFIG.replace(real_fraction=1.0), seed=1)
    figure = rendered(plots.metric_curves([synthetic, real], metrics=("fid", "latent_std")))
    assert [title(axis) for axis in figure.axes] == [METRIC_LABELS["fid"], METRIC_LABELS["latent_std"]]
    assert [axis.get_xlabel() for axis in figure.axes] == ["generation", "generation"]
    assert legend_texts(figure.axes[0].get_legend()) == ["real 0% / replace", "real 100% / replace"]
    for axis, name in zip(figure.axes, ("fid", "latent_std")):
        assert [line.get_ydata().tolist() for line in axis.lines] == [synthetic.metric(name).tolist(),
                                                                      real.metric(name).tolist()]
    assert len(plots.metric_curves(synthetic).axes) == 4  # one run, the default four metrics


def test_metric_curves_refuse_unknown_metrics_and_no_runs():
    with pytest.raises(ValueError, match=r"metrics must be among .*got 'accuracy'"):
        plots.metric_curves(fake_run(), metrics=("accuracy",))
    with pytest.raises(ValueError, match="metrics must name at least one metric"):
        plots.metric_curves(fake_run(), metrics=())
    with pytest.raises(ValueError, match="results must hold at least one run"):
        plots.metric_curves([])


# --- figures for every reader: ordered colours, line styles, sizes, alt text ----------------------------------------


def luminance(colour) -> float:
    """The relative luminance of ``colour`` (0 black, 1 white): what a reader sees in grey, or without hues."""
    red, green, blue = to_rgb(colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_bands_that_differ_by_real_fraction_take_ordered_colour_blind_safe_colours_and_line_styles():
    fractions = (0.5, 0.0, 1.0, 0.1)  # in no order: the colours follow the fraction, not the order given
    bands = [make_band(CONFIG.replace(real_fraction=fraction)) for fraction in fractions]
    live = fake_run(CONFIG.replace(real_fraction=0.1), seed=4)
    figure = rendered(plots.metric_bands(bands, metrics=("fid",), live=live))
    axis = figure.axes[0]
    means, dots = axis.lines[:4], axis.lines[4]
    by_fraction = [line for _, line in sorted(zip(fractions, means))]
    viridis = [colormaps["viridis"](x) for x in np.linspace(*figure_style.SEQUENTIAL_RANGE, 4)]
    assert [to_rgb(line.get_color()) for line in by_fraction] == [to_rgb(colour) for colour in viridis]
    for shade, line in zip(shaded_bands(axis), means):
        assert same_colour(shade.get_facecolor()[0][:3], line.get_color())
    # More real data, lighter: the order reads without hues, in steps a reader can tell apart.
    steps = np.diff([luminance(line.get_color()) for line in by_fraction])
    assert (steps > 0.1).all(), steps
    assert [line.get_linestyle() for line in by_fraction] == ["-", "--", "-.", ":"]
    assert same_colour(dots.get_color(), by_fraction[1].get_color())  # the live run (10% real) takes its band's colour


def test_metric_curves_of_a_sweep_order_their_colours_by_real_fraction():
    runs = [fake_run(CONFIG.replace(real_fraction=fraction)) for fraction in (1.0, 0.0, 0.25)]
    figure = rendered(plots.metric_curves(runs, metrics=("fid", "recall")))
    for axis in figure.axes:
        shades = [luminance(line.get_color()) for line in axis.lines]  # runs in the order given: 100%, 0%, 25%
        assert shades[1] < shades[2] < shades[0]
        assert len({line.get_linestyle() for line in axis.lines}) == 3


def test_unordered_settings_keep_tab_colours_each_with_its_own_line_style():
    replace, accumulate = make_band(CONFIG), make_band(CONFIG.replace(strategy="accumulate"))
    figure = rendered(plots.metric_bands([replace, accumulate], metrics=("fid",)))
    lines = figure.axes[0].lines
    assert [to_rgb(line.get_color()) for line in lines] == [to_rgb("C0"), to_rgb("C1")]
    assert [line.get_linestyle() for line in lines] == ["-", "--"]
    # Two settings that differ in more than one number are not ordered either.
    assert figure_style.ordered_setting([CONFIG, CONFIG.replace(real_fraction=0.5, temperature=0.8)]) is None
    assert figure_style.ordered_setting([CONFIG, CONFIG.replace(temperature=0.8)]) == "temperature"


def test_a_band_cut_to_fewer_generations_keeps_its_settings_colour():
    styles = figure_style.setting_styles([CONFIG, CONFIG.replace(generations=2), CONFIG.replace(real_fraction=0.5)])
    assert styles[CONFIG] == styles[CONFIG.replace(generations=2)] != styles[CONFIG.replace(real_fraction=0.5)]


@pytest.mark.slow
def test_four_panels_wrap_to_two_columns_and_long_titles_wrap_to_their_panel():
    band = make_band(CONFIG)
    four = rendered(plots.metric_bands([band]))  # the four headline metrics
    assert [axis.get_subplotspec().get_geometry()[:2] for axis in four.axes] == [(2, 2)] * 4
    three = plots.metric_bands([band], metrics=("fid", "recall", "class_entropy"))
    assert [axis.get_subplotspec().get_geometry()[:2] for axis in three.axes] == [(1, 3)] * 3
    assert "\n" in three.axes[2].get_title() and title(three.axes[2]) == METRIC_LABELS["class_entropy"]
    six = rendered(plots.sample_grids(fake_run(CONFIG.replace(generations=6)), images=4))
    assert [axis.get_subplotspec().get_geometry()[:2] for axis in six.axes] == [(2, 3)] * 6  # not 6 in a row
    with pytest.raises(ValueError, match="count must be >= 1 panel, got 0"):
        figure_style.panel_grid(0)


def test_every_figure_says_in_words_what_it_shows():
    run = fake_run()
    figure = rendered(plots.metric_bands([make_band(CONFIG)], metrics=("fid", "latent_std"), live=run))
    text = figure.alt_text
    assert text.startswith(figure.summary) and "2 panels" in text
    for axis in figure.axes:
        assert f"{title(axis)} against generation" in text
    assert all(entry in text for entry in legend_texts(figure.legends[0]))
    grids = plots.sample_grids(run, images=4).alt_text
    assert "real 0% / replace" in grids and "generation 0" in grids and "generation 2" in grids
    histograms = plots.class_histograms(run).alt_text
    assert "generation 0: share of samples" in histograms and "generation 2" in histograms
    assert "Share of each digit" in histograms


def test_class_histograms_draw_ten_bars_per_generation_against_the_balanced_share():
    run = fake_run()
    figure = rendered(plots.class_histograms(run))
    assert [title(axis) for axis in figure.axes] == ["generation 0", "generation 1", "generation 2"]
    assert figure.axes[0].get_ylabel() == "share of samples"
    for axis, record in zip(figure.axes, run.generations):
        np.testing.assert_allclose([bar.get_height() for bar in axis.patches], record.class_histogram)
        assert [line.get_ydata()[0] for line in axis.lines] == [0.1]  # the balanced share, 1 in 10
    assert [title(axis) for axis in plots.class_histograms(run, generations=[2]).axes] == ["generation 2"]


def test_elbo_histograms_draw_one_step_histogram_per_generation():
    figure = rendered(plots.elbo_histograms(fake_run(), generations=[0, 2], bins=10))
    (axis,) = figure.axes
    assert legend_texts(axis.get_legend()) == ["generation 0", "generation 2"]
    assert len(axis.patches) == 2
    assert axis.get_xlabel() == METRIC_LABELS["sample_nelbo_gen0"] and axis.get_ylabel() == "density"
    # The hand-made -ELBOs centre on 100 nats at generation 0 and 120 at generation 2: so do the histograms' peaks.
    peaks = [patch.get_xy()[np.argmax(patch.get_xy()[:, 1]), 0] for patch in axis.patches]
    assert peaks[0] == pytest.approx(100, abs=5) and peaks[1] == pytest.approx(120, abs=5)


def test_metric_views_show_precision_recall_and_readability_against_real_images():
    generations = 4
    values = {name: np.linspace(0.9, 0.3, generations) + shift for name, shift in
              (("raw_precision", 0.05), ("precision", 0.0), ("raw_recall", 0.02), ("recall", -0.1),
               ("unrecognisable", -0.25), ("feature_length", 0.1))}
    values["classes_covered"] = np.array([10.0, 9.0, 7.0, 4.0])
    real = {"raw_precision": 0.7, "precision": 0.8, "raw_recall": 0.65, "recall": 0.75, "unrecognisable": 0.02,
            "classes_covered": 10, "feature_length": 1.0}
    figure = rendered(plots.metric_views(MetricViews(values, real, confident=0.5)))
    precision, recall, readable = figure.axes
    assert [title(axis) for axis in figure.axes] == [
        "precision: samples inside the real data's manifold", "recall: real data inside the samples' manifold",
        "what the classifier can read"]
    assert [axis.get_xlabel() for axis in figure.axes] == ["generation"] * 3
    assert legend_texts(precision.get_legend()) == ["raw features", "unit-length features"]
    assert precision.get_legend().get_title().get_text() == "dotted: real images"
    for axis, name in ((precision, "precision"), (recall, "recall")):
        assert len(axis.lines) == 4  # raw and unit-length curves, each with its real images' dotted level
        raw, raw_real, unit, unit_real = axis.lines
        np.testing.assert_allclose(raw.get_ydata(), values["raw_" + name])
        np.testing.assert_allclose(unit.get_ydata(), values[name])
        assert raw_real.get_ydata()[0] == real["raw_" + name] and unit_real.get_ydata()[0] == real[name]
        assert raw_real.get_linestyle() == ":" and unit_real.get_linestyle() == ":"
    assert legend_texts(readable.get_legend()) == ["unrecognisable (no digit >= 50%)", "digits covered / 10"]
    np.testing.assert_allclose(readable.lines[0].get_ydata(), values["unrecognisable"])
    np.testing.assert_allclose(readable.lines[1].get_ydata(), [1.0, 0.9, 0.7, 0.4])
    assert readable.lines[2].get_ydata()[0] == real["unrecognisable"]
    for axis in figure.axes:
        np.testing.assert_allclose(axis.get_ylim(), (-0.02, 1.02))
        np.testing.assert_array_equal(axis.lines[0].get_xdata(), np.arange(generations))


def test_synthetic_share_draws_the_three_training_sets_and_the_two_costs():
    seeds = np.arange(5.0)
    study = SyntheticShare(
        real_sizes=(100, 1000), alone={100: 120 + seeds, 1000: 100 + seeds},
        mixed={100: 125 + seeds, 1000: 101 + seeds}, all_real={100: 110 + seeds, 1000: 99 + seeds},
        measure="test_nelbo", share=0.5, config=CONFIG)
    figure = rendered(plots.synthetic_share(study))
    left, right = figure.axes
    label = METRIC_LABELS["test_nelbo"]
    assert title(left) == f"generation 1: {label} (mean, 95% CI)"
    assert title(right) == f"cost of 50% synthetic: change in {label} (> 0: worse)"
    assert legend_texts(left.get_legend()) == ["real images alone", "the same + 50% synthetic",
                                               "all real, same total"]
    assert legend_texts(right.get_legend()) == ["added to the real (real fixed)", "replacing real (total fixed)"]
    assert [axis.get_xscale() for axis in figure.axes] == ["log", "log"]
    assert [len(axis.containers) for axis in figure.axes] == [3, 2]  # one error-bar series per curve
    points = [container.lines[0] for container in left.containers]
    assert [line.get_xdata().tolist() for line in points] == [[100, 1000], [200, 2000], [200, 2000]]
    assert [line.get_ydata().tolist() for line in points] == [[122, 102], [127, 103], [112, 101]]  # seed means
    costs = [container.lines[0].get_ydata().tolist() for container in right.containers]
    np.testing.assert_allclose(costs, [[5, 1], [15, 2]])  # mixed - alone; mixed - all real
    assert costs[0] == pytest.approx([study.added(n).effect for n in study.real_sizes])


# --- the Gaussian worlds (lesson 01, lesson 06) --------------------------------------------------------------------


def test_gaussian_trajectories_closed_form_starts_at_the_mean_of_the_fits(gaussian_result):
    # The dashed (1 - 1/N)^(t+1) line must sit on the chains' mean, not one shrink factor above it.
    figure = rendered(plots.gaussian_trajectories(gaussian_result, show_chains=3))
    left, right = figure.axes
    assert len(left.lines) == 3 + 2 and len(right.lines) == 3  # 3 chains; their mean and the closed form
    assert legend_texts(left.get_legend()) == ["mean of 5000 chains", "(1 - 1/N)^(t+1)"]
    mean_line, closed_form = left.lines[-2], left.lines[-1]
    assert closed_form.get_linestyle() == "--"
    np.testing.assert_allclose(closed_form.get_ydata(), expected_variance(30, 5, "mle"))
    np.testing.assert_allclose(closed_form.get_ydata()[:5], mean_line.get_ydata()[:5], rtol=0.1)
    assert left.get_yscale() == "log" and left.get_ylabel() == "fitted variance per dimension"
    assert right.get_ylabel() == "fitted mean (first dimension)"
    assert figure.get_suptitle() == "N = 5, MLE, replace, 0 real points per generation"


def test_gaussian_trajectories_draw_no_closed_form_where_none_applies():
    rescued = run_gaussian(GaussianConfig(samples_per_generation=10, generations=20, chains=50, real_fraction=0.1), 0)
    figure = plots.gaussian_trajectories(rescued, show_chains=0)
    assert [len(axis.lines) for axis in figure.axes] == [1, 0]  # the mean of the chains only
    assert legend_texts(figure.axes[0].get_legend()) == ["mean of 50 chains"]
    assert figure.get_suptitle() == "N = 10, MLE, replace, 1 real points per generation"


def test_gaussian_tails_draw_the_truth_and_each_generation_in_the_run(gaussian_result):
    figure = rendered(plots.gaussian_tails(gaussian_result, generations=(0, 10, 1000)))
    (axis,) = figure.axes
    assert legend_texts(axis.get_legend()) == ["truth N(0, 1)", "generation 0", "generation 10"]  # 1000: past the run
    truth, first, later = axis.lines
    assert truth.get_ydata().max() == pytest.approx(1 / np.sqrt(2 * np.pi), rel=1e-3)
    for line, generation in ((first, 0), (later, 10)):  # chain 0's fitted density at that generation
        mean, variance = gaussian_result.means[0, generation, 0], gaussian_result.variances[0, generation]
        x = line.get_xdata()
        np.testing.assert_allclose(line.get_ydata(),
                                   np.exp(-(x - mean) ** 2 / (2 * variance)) / np.sqrt(2 * np.pi * variance))
    assert axis.get_ylim() == (0, 1.0) and axis.get_ylabel() == "density"


def test_gaussian_comparison_draws_each_runs_mean_variance_and_the_truth(gaussian_result):
    figure = rendered(plots.gaussian_comparison({"MLE": gaussian_result, "again": gaussian_result}))
    (axis,) = figure.axes
    assert legend_texts(axis.get_legend()) == ["MLE", "again", "truth"]
    np.testing.assert_allclose(axis.lines[0].get_ydata(), gaussian_result.variances.mean(0))
    assert axis.lines[2].get_ydata()[0] == 1.0 and axis.get_yscale() == "log"


def test_variance_spread_draws_mean_median_closed_forms_and_final_spread(gaussian_result):
    lifeline = run_gaussian(GaussianConfig(samples_per_generation=5, generations=30, chains=300, real_points=1,
                                           real_source="fixed"), seed=1)
    figure = rendered(plots.variance_spread({"MLE": gaussian_result, "lifeline": lifeline}))
    left, right = figure.axes
    assert legend_texts(left.get_legend()) == [
        "MLE: mean of chains", "MLE: median", "lifeline: mean of chains", "lifeline: median",
        "closed forms: E[variance], exp(E[ln variance])"]
    # MLE: mean, median and its two closed forms; the lifeline run (not fully synthetic): mean and median only;
    # then the closed forms' legend line and the truth's level.
    assert len(left.lines) == 4 + 2 + 2
    mle_mean, mle_median, expected, typical = left.lines[:4]
    np.testing.assert_allclose(mle_mean.get_ydata(), gaussian_result.variances.mean(0))
    np.testing.assert_allclose(mle_median.get_ydata(), np.median(gaussian_result.variances, 0))
    np.testing.assert_allclose(expected.get_ydata(), expected_variance(30, 5, "mle"))
    np.testing.assert_allclose(typical.get_ydata(), np.exp(expected_log_variance(30, 5, "mle")))
    assert [line.get_linestyle() for line in left.lines[4:6]] == ["-", "--"]
    assert left.get_yscale() == "log"
    assert legend_texts(right.get_legend()) == ["MLE", "lifeline"]
    assert len(right.patches) == 2 and len(right.lines) == 4  # a histogram per run; its mean and median lines
    assert right.lines[0].get_xdata()[0] == pytest.approx(np.log10(gaussian_result.variances[:, -1].mean()))
    assert right.lines[1].get_xdata()[0] == pytest.approx(np.log10(np.median(gaussian_result.variances[:, -1])))
    assert right.get_ylabel() == "chains"
    with pytest.raises(ValueError, match="at least one GaussianResult"):
        plots.variance_spread({})


@pytest.mark.slow
def test_lifeline_grid_draws_every_setting_and_where_it_settles():
    study = lifeline_study(generations=40, chains=20, seed=0, samples_per_generation=10, prior_variances=(4.0,))
    figure = rendered(plots.lifeline_grid(study))
    left, right = figure.axes
    assert legend_texts(left.get_legend()) == ["MLE", "MAP, prior variance 4", "no real point",
                                               "one fixed real point", "one fresh real point"]
    assert len(left.lines) == 2 * 3 + 3 + 1  # 2 fits x 3 real-point settings, 3 style keys, the truth's level
    np.testing.assert_allclose(left.lines[1].get_ydata(), study.result("mle", "fixed").variances.mean(0))
    assert [axis.get_yscale() for axis in figure.axes] == ["log", "log"]
    assert [label.get_text() for label in right.get_xticklabels()] == ["MLE", "MAP\nprior variance 4"]
    assert legend_texts(right.get_legend()) == ["no real point", "one fixed real point", "one fresh real point"]
    assert right.get_legend().get_title().get_text() == "95% CI over chains"
    assert len(right.containers) == 6
    for container, (fit, real_point) in zip(right.containers, [(fit, point) for fit in ("mle", "map")
                                                               for point in ("none", "fixed", "fresh")]):
        settled = study.settled_variance(fit, real_point, 4.0)
        (x,), (y,) = container.lines[0].get_xdata(), container.lines[0].get_ydata()
        assert y == pytest.approx(np.exp(np.log(settled).mean()))  # the geometric mean over chains
        assert x == pytest.approx((fit == "map") + 0.2 * (("none", "fixed", "fresh").index(real_point) - 1))
    with pytest.raises(TypeError, match="study must be a LifelineStudy"):
        plots.lifeline_grid({})


def test_mixture_trajectories_show_both_components(mixture_result):
    figure = rendered(plots.mixture_trajectories(mixture_result))
    left, right = figure.axes
    assert [len(axis.lines) for axis in figure.axes] == [2, 2]
    assert [legend_texts(axis.get_legend()) for axis in figure.axes] == [["component 0", "component 1"]] * 2
    assert (left.get_ylabel(), right.get_ylabel()) == ("component mean", "component std")
    assert right.get_yscale() == "log"
    np.testing.assert_allclose(left.lines[1].get_ydata(), mixture_result.means[:, 1])
    np.testing.assert_allclose(right.lines[0].get_ydata(), mixture_result.stds[:, 0])
    np.testing.assert_array_equal(left.lines[0].get_xdata(), np.arange(10))  # one point per generation


# --- training a single model (lessons 02, 07) ----------------------------------------------------------------------


def test_training_curve_draws_one_point_per_epoch():
    history = type("History", (), {"loss_per_epoch": [190.0, 150.0, 140.0, 137.0]})()
    figure = rendered(plots.training_curve(history, title="lesson 02"))
    (axis,) = figure.axes
    assert axis.lines[0].get_xdata().tolist() == [1, 2, 3, 4]
    assert axis.lines[0].get_ydata().tolist() == history.loss_per_epoch
    assert (axis.get_title(), axis.get_xlabel(), axis.get_ylabel()) == ("lesson 02", "epoch", "-ELBO (nats/image)")


def test_vae_diagram_draws_encoder_code_decoder_and_prior_with_the_layer_sizes():
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    figure = rendered(plots.vae_diagram(pixels=784, hidden=256, latent=16))
    (axis,) = figure.axes
    texts = [text.get_text() for text in axis.texts]
    titles = ["image x", "encoder", "latent code z", "decoder", "pixel\nprobabilities", "prior N(0, I)"]
    assert all(title in texts for title in titles), texts
    boxes = [patch for patch in axis.patches if isinstance(patch, FancyBboxPatch)]
    arrows = [patch for patch in axis.patches if isinstance(patch, FancyArrowPatch)]
    assert len(boxes) == len(titles)  # one box per stage, and the prior
    assert len(arrows) == 5  # image -> encoder -> code -> decoder -> pixels, and prior -> code (generating)
    assert [arrow.get_linestyle() for arrow in arrows].count("--") == 1, "only the generating path is dashed"
    shown = " ".join(texts)
    assert "784 → 256 →" in shown and "16 → 256 →\n784" in shown and "16 numbers" in shown
    assert "KL divergence" in shown and "reconstruction" in shown and "nats" in axis.get_title()
    smaller = " ".join(text.get_text() for text in plots.vae_diagram(pixels=5, hidden=64, latent=32).axes[0].texts)
    assert "5 → 64 →" in smaller and "32 → 64 →\n5" in smaller and "32 numbers" in smaller
    with pytest.raises(ValueError, match="latent"):
        plots.vae_diagram(latent=0)


def test_latent_scatter_projects_codes_on_their_main_axis_coloured_by_digit(real_test_images):
    generator = torch.Generator().manual_seed(0)
    codes = 0.1 * torch.randn(100, 16, generator=generator)
    codes[:, 3] += 10 * torch.randn(100, generator=generator)  # one direction dominates: it is principal axis 1
    labels = real_test_images.labels[:100]
    figure = rendered(plots.latent_scatter(codes, labels))
    assert len(figure.axes) == 2  # the scatter and its colour bar
    axis, colourbar = figure.axes
    assert colourbar.get_ylabel() == "digit"
    (points,) = axis.collections
    projected = points.get_offsets()
    assert projected.shape == (100, 2)
    assert abs(np.corrcoef(projected[:, 0], codes[:, 3].numpy())[0, 1]) > 0.99
    np.testing.assert_array_equal(points.get_array(), labels.numpy())
    assert (axis.get_xlabel(), axis.get_ylabel()) == ("latent principal axis 1", "latent principal axis 2")


def test_tradeoff_draws_precision_and_recall_against_temperature():
    result = Tradeoff(np.array([1.0, 0.5]), np.array([0.6, 0.7]), np.array([0.5, 0.2]), "bernoulli")
    figure = rendered(plots.tradeoff(result))
    (axis,) = figure.axes
    assert [line.get_ydata().tolist() for line in axis.lines] == [[0.6, 0.7], [0.5, 0.2]]
    assert [line.get_xdata().tolist() for line in axis.lines] == [[1.0, 0.5], [1.0, 0.5]]
    assert legend_texts(axis.get_legend()) == ["precision (quality)", "recall (diversity)"]
    assert axis.get_title() == "bernoulli samples" and axis.get_ylim() == (0, 1)


def test_figures_show_themselves_as_png_in_a_notebook():
    assert plots.sample_grids(fake_run())._repr_png_().startswith(PNG_MAGIC)
