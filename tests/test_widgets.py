"""The lesson widgets, driven from code as a student drives them by hand: set values, click, read what shows."""

from __future__ import annotations

import base64

import pytest

from collapse_kit.faces.widgets import CollapseExplorer, explorer_figure, gaussian_explorer, gaussian_figure
from collapse_kit.vae.loop import ExperimentConfig

SMALL = ExperimentConfig(generations=2, samples_per_generation=1024, epochs=2, batch_size=256, metric_samples=200)


def _image(output) -> bytes:
    """The PNG an Output widget shows (exactly one display_data output is expected)."""
    (shown,) = output.outputs
    return shown["data"]["image/png"]


@pytest.fixture(scope="module")
def small_bundle(tmp_path_factory, small_bundle_of):
    """A results bundle holding SMALL (real fraction 0) over 3 seeds, as the shipped one holds the profiles'."""
    return small_bundle_of(tmp_path_factory.mktemp("bundle"), "small", SMALL)


@pytest.fixture
def explorer(tmp_path, small_bundle):
    return CollapseExplorer(SMALL, seed=0, cache_dir=tmp_path, bundle=small_bundle)


def test_the_explorer_opens_with_the_shipped_band_before_anything_trains(explorer, training_calls):
    assert _image(explorer.curves_output), "no band figure when the explorer opens"
    assert _image(explorer.samples_output), "no shipped sample grid when the explorer opens"
    assert "3 seeds, results bundle" in explorer.summary.value and "95% CI" in explorer.summary.value
    assert explorer.results == [] and explorer.last_error is None and training_calls == []
    explorer.real_fraction.value = 0.5  # no band for this setting in the small bundle: the explorer says so
    assert "No shipped band" in explorer.summary.value and explorer.error.value == ""


@pytest.mark.slow
def test_the_seed_control_chooses_the_run_seed(explorer):
    explorer.seed.value = 2
    explorer.run_button.click()
    assert explorer.error.value == "" and explorer.results[-1].seed == 2
    assert "seed 2" in explorer.summary.value


@pytest.mark.slow
def test_clicking_run_shows_results_curves_and_samples(explorer):
    explorer.run_button.click()
    assert explorer.error.value == ""
    assert len(explorer.results) == 1 and explorer.results[-1].config.real_fraction == 0.0
    assert _image(explorer.curves_output) and _image(explorer.samples_output)
    assert "real 0% / replace" in explorer.summary.value
    assert explorer.progress.value == explorer.progress.max == SMALL.generations
    assert not explorer.run_button.disabled


@pytest.mark.slow
def test_moving_the_slider_and_running_again_changes_the_figures_and_keeps_the_earlier_run(explorer):
    explorer.run_button.click()
    curves, samples, summary = _image(explorer.curves_output), _image(explorer.samples_output), explorer.summary.value
    explorer.real_fraction.value = 1.0
    explorer.strategy.value = "accumulate"
    explorer.run_button.click()
    assert explorer.error.value == ""
    assert [r.config.real_fraction for r in explorer.results] == [0.0, 1.0]  # the earlier run stays overlaid
    assert explorer.results[-1].config.strategy == "accumulate"
    assert _image(explorer.curves_output) != curves
    assert _image(explorer.samples_output) != samples
    assert explorer.summary.value != summary


@pytest.mark.slow
def test_a_setting_already_computed_shows_without_training(explorer, training_calls):
    explorer.run_button.click()
    assert training_calls == [0, 1]
    explorer.real_fraction.value = 0.5
    explorer.run_button.click()
    assert training_calls == [0, 1, 0, 1]  # a new setting: a new run
    explorer.real_fraction.value = 0.0
    explorer.run_button.click()  # the first setting again: from memory, no training
    assert training_calls == [0, 1, 0, 1]
    assert len(explorer.results) == 2
    assert "real 0% / replace" in explorer.summary.value


@pytest.mark.slow
def test_a_setting_in_the_disk_cache_shows_without_training(tmp_path, training_calls, small_bundle):
    CollapseExplorer(SMALL, seed=0, cache_dir=tmp_path, bundle=small_bundle).run()
    assert training_calls == [0, 1]
    fresh = CollapseExplorer(SMALL, seed=0, cache_dir=tmp_path, bundle=small_bundle)  # a new session: nothing in memory
    fresh.run_button.click()
    assert training_calls == [0, 1]
    assert fresh.results[-1].metric("fid").tolist() != []


@pytest.mark.slow
def test_an_invalid_value_shows_an_error_and_keeps_the_widget_usable(explorer):
    explorer.samples.value = 10  # fewer images than one training batch
    explorer.run_button.click()
    assert "samples_per_generation" in explorer.error.value and "10" in explorer.error.value
    assert explorer.progress.description == "error"
    assert isinstance(explorer.last_error, ValueError)
    assert explorer.results == []
    assert not explorer.run_button.disabled
    explorer.samples.value = SMALL.samples_per_generation
    explorer.run_button.click()
    assert explorer.error.value == "" and len(explorer.results) == 1


def test_an_unexpected_failure_is_shown_with_its_traceback(explorer, monkeypatch):
    from collapse_kit.faces import widgets

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(widgets, "run_experiment", broken)
    explorer.run_button.click()
    assert "RuntimeError" in explorer.error.value and "disk full" in explorer.error.value
    (stream,) = explorer.samples_output.outputs
    assert stream["name"] == "stderr" and "Traceback" in stream["text"]


def test_the_explorer_rejects_a_base_config_that_is_not_one(tmp_path):
    with pytest.raises(TypeError, match="base_config"):
        CollapseExplorer({"real_fraction": 0.5}, cache_dir=tmp_path)


@pytest.mark.slow
def test_the_gaussian_widget_redraws_when_a_slider_moves():
    box = gaussian_explorer(samples_per_generation=50, generations=100, chains=20)
    before = _image(box.output)
    box.controls["samples_per_generation"].value = 10
    assert box.error.value == ""
    after = _image(box.output)
    assert after != before
    box.controls["fit"].value = "map"
    assert _image(box.output) != after


@pytest.mark.slow
def test_each_widget_figure_is_drawn_by_a_plain_function_for_the_same_settings(explorer, small_bundle):
    """Front ends without widgets (and the executed pages) call the plain functions: the same PNG, byte for byte."""
    png = base64.b64decode
    assert png(_image(explorer.curves_output)) == explorer_figure(SMALL, bundle=small_bundle)._repr_png_()
    box = gaussian_explorer(samples_per_generation=50, generations=100, chains=20, seed=3)
    box.controls["fit"].value = "map"
    plain = gaussian_figure(samples_per_generation=50, generations=100, fit="map", chains=20, seed=3)
    assert png(_image(box.output)) == plain._repr_png_()
