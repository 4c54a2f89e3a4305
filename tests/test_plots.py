"""Figures: every plot function takes results, returns a matplotlib Figure, and renders to a PNG without errors."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from collapse_kit import plots
from collapse_kit.studies import Tradeoff
from collapse_kit.theory import GaussianConfig, MixtureConfig, run_gaussian, run_mixture

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def rendered(figure) -> Figure:
    """``figure`` after drawing it to a PNG in memory (drawing is where most plotting mistakes surface)."""
    assert isinstance(figure, Figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=40)
    assert buffer.getvalue().startswith(PNG_MAGIC)
    return figure


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
    return run_mixture(MixtureConfig(samples_per_generation=100, generations=20), seed=0, progress=False)


def test_run_label_names_the_real_fraction_and_strategy(real_run):
    assert plots.run_label(real_run) == "real 100% / replace"


def test_sample_grids_has_one_panel_per_generation(synthetic_run):
    figure = rendered(plots.sample_grids(synthetic_run))
    assert len(figure.axes) == len(synthetic_run.generations)
    assert len(rendered(plots.sample_grids(synthetic_run, generations=[2], images=4)).axes) == 1


def test_metric_curves_compare_runs_one_panel_per_metric(synthetic_run, real_run):
    figure = rendered(plots.metric_curves([synthetic_run, real_run], metrics=("fid", "latent_std")))
    assert len(figure.axes) == 2
    assert len(figure.axes[0].lines) == 2  # one line per run
    assert len(rendered(plots.metric_curves(synthetic_run)).axes) == 4  # one run, the default four metrics


def test_metric_curves_refuse_unknown_metrics_and_no_runs(synthetic_run):
    with pytest.raises(ValueError, match=r"metrics must be one of .*got 'accuracy'"):
        plots.metric_curves(synthetic_run, metrics=("accuracy",))
    with pytest.raises(ValueError, match="at least one ExperimentResult"):
        plots.metric_curves([])


def test_class_histograms_and_elbo_histograms_draw_every_generation(synthetic_run):
    assert len(rendered(plots.class_histograms(synthetic_run)).axes) == len(synthetic_run.generations)
    elbo = rendered(plots.elbo_histograms(synthetic_run, generations=[0, 2]))
    assert [text.get_text() for text in elbo.axes[0].get_legend().get_texts()] == ["generation 0", "generation 2"]


def test_gaussian_trajectories_closed_form_starts_at_the_mean_of_the_fits(gaussian_result):
    # The dashed (1 - 1/N)^(t+1) line must sit on the chains' mean, not one shrink factor above it.
    figure = rendered(plots.gaussian_trajectories(gaussian_result, show_chains=3))
    left = figure.axes[0]
    mean_line, closed_form = left.lines[-2], left.lines[-1]
    assert closed_form.get_linestyle() == "--"
    np.testing.assert_allclose(closed_form.get_ydata()[:5], mean_line.get_ydata()[:5], rtol=0.1)


def test_gaussian_tails_and_comparison_render(gaussian_result):
    tails = rendered(plots.gaussian_tails(gaussian_result, generations=(0, 10, 1000)))
    assert len(tails.axes[0].lines) == 3  # the truth, generation 0, generation 10; 1000 is past the run
    comparison = rendered(plots.gaussian_comparison({"MLE": gaussian_result, "again": gaussian_result}))
    assert len(comparison.axes[0].lines) == 3  # two runs and the truth's line


def test_mixture_trajectories_show_both_components(mixture_result):
    figure = rendered(plots.mixture_trajectories(mixture_result))
    assert [len(axis.lines) for axis in figure.axes] == [2, 2]


def test_tensor_grid_training_curve_and_latent_scatter_render(real_test_images, synthetic_run):
    rendered(plots.tensor_grid(real_test_images.images[:16], nrow=4))
    history = type("History", (), {"loss_per_epoch": synthetic_run.generations[0].loss_per_epoch})()
    curve = rendered(plots.training_curve(history))
    assert len(curve.axes[0].lines[0].get_xdata()) == len(history.loss_per_epoch)
    codes = torch.randn(100, 16, generator=torch.Generator().manual_seed(0))
    rendered(plots.latent_scatter(codes, real_test_images.labels[:100]))


def test_tradeoff_draws_precision_and_recall_against_temperature():
    result = Tradeoff(np.array([1.0, 0.5]), np.array([0.6, 0.7]), np.array([0.5, 0.2]), "bernoulli")
    figure = rendered(plots.tradeoff(result))
    assert [line.get_ydata().tolist() for line in figure.axes[0].lines] == [[0.6, 0.7], [0.5, 0.2]]


def test_figures_show_themselves_as_png_in_a_notebook(synthetic_run):
    assert plots.sample_grids(synthetic_run)._repr_png_().startswith(PNG_MAGIC)
