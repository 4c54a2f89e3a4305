"""Lesson 09's explorer, driven from code as a student drives it by hand, and the plain figure it draws: what each
panel shows (the band, the rank curves, a line of text per generation), not only that it runs."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from matplotlib.collections import PolyCollection

from collapse_kit.faces.text_plots import BITS, sample_line, text_explorer_figure
from collapse_kit.faces.text_widgets import TextExplorer
from collapse_kit.text import loop as text_loop
from collapse_kit.text.loop import TextConfig
from collapse_kit.text.words import RANKS

SMALL_TEXT = TextConfig(generations=3, passages=16, passage_length=64, epochs=1, context=3, embedding=4, hidden=16,
                        batch_size=64, metric_passages=16)


def _image(output) -> bytes:
    (shown,) = output.outputs
    return base64.b64decode(shown["data"]["image/png"])


@pytest.fixture(scope="module")
def small_bundle(tmp_path_factory, small_bundle_of):
    """A results bundle holding SMALL_TEXT over 3 seeds, as the shipped one holds the catalogue's text lines."""
    return small_bundle_of(tmp_path_factory.mktemp("text_bundle"), "small text", SMALL_TEXT)


@pytest.fixture
def text_training_calls(training_calls_of):
    """The generations the text loop actually trains (rather than loads from the cache)."""
    return training_calls_of(text_loop)


@pytest.fixture
def explorer(tmp_path, small_bundle):
    return TextExplorer(SMALL_TEXT, seed=0, cache_dir=tmp_path, bundle=small_bundle)


def test_the_text_explorer_opens_on_the_shipped_band_before_anything_trains(tmp_path, small_bundle,
                                                                           text_training_calls):
    explorer = TextExplorer(SMALL_TEXT, seed=0, cache_dir=tmp_path, bundle=small_bundle)
    assert _image(explorer.figure_output), "no band figure when the explorer opens"
    assert "3 seeds, results bundle" in explorer.summary.value and "bits per character" in explorer.summary.value
    assert "generation 0" in explorer.text.value and "results bundle, seed 0" in explorer.text.value
    assert text_training_calls == [] and not any(tmp_path.iterdir())


def test_running_adds_your_run_over_the_band_with_its_text(explorer):
    before = _image(explorer.figure_output)
    explorer.seed.value = 2
    result = explorer.run()
    assert explorer.last_error is None and explorer.results == [result] and result.seed == 2
    assert "seed 2" in explorer.summary.value and "your run, seed 2" in explorer.text.value
    assert explorer.text.value.count("<b>generation") == SMALL_TEXT.generations
    assert _image(explorer.figure_output) != before
    assert explorer.progress.value == SMALL_TEXT.generations and explorer.progress.description == "done"


def test_a_setting_without_a_band_says_so_and_trains_nothing(explorer, text_training_calls):
    explorer.temperature.value = 0.7
    assert explorer.config().temperature == 0.7
    assert "No shipped band" in explorer.summary.value and explorer.figure_output.outputs == ()
    explorer.temperature.value = 1.0
    assert "3 seeds, results bundle" in explorer.summary.value and _image(explorer.figure_output)
    assert text_training_calls == []


def test_the_controls_describe_the_bundles_settings(explorer):
    explorer.real_fraction.value = 0.1
    explorer.strategy.value = "accumulate"
    config = explorer.config()
    assert config.real_fraction == 0.1 and config.strategy == "accumulate" and config.compute == "steps"
    explorer.strategy.value = "replace"
    assert explorer.config().compute == SMALL_TEXT.compute
    explorer.generations.value = 2
    assert explorer.config() == SMALL_TEXT.replace(real_fraction=0.1, generations=2)


def test_a_failure_is_shown_in_the_widget_and_the_button_works_again(explorer, monkeypatch):
    from collapse_kit.faces import text_widgets

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(text_widgets, "run_text_experiment", broken)
    assert explorer.run() is None
    assert "the disk is full" in explorer.error.value and isinstance(explorer.last_error, RuntimeError)
    assert not explorer.run_button.disabled and explorer.progress.description == "error"


def test_the_explorer_rejects_a_base_config_that_is_not_a_text_config(tmp_path):
    with pytest.raises(TypeError, match="base_config must be a TextConfig"):
        TextExplorer({"real_fraction": 0.5}, cache_dir=tmp_path)


def test_the_widget_draws_the_plain_functions_figure_for_the_same_settings(explorer, small_bundle):
    # Without its sample text: the widget shows that as HTML beside the figure.
    plain = text_explorer_figure(SMALL_TEXT, bundle=small_bundle, sample_text=False)
    assert _image(explorer.figure_output) == plain._repr_png_()
    result = explorer.run()
    plain = text_explorer_figure(SMALL_TEXT, [result], bundle=small_bundle, sample_text=False)
    assert _image(explorer.figure_output) == plain._repr_png_()
    assert f"gen 2: {sample_line(result.generations[2].samples[0])}" not in plain.alt_text


def test_the_figure_without_sample_text_has_the_two_panels_and_nothing_below(small_bundle):
    figure = text_explorer_figure(SMALL_TEXT, bundle=small_bundle, sample_text=False)
    bits, ranks = figure.axes
    assert (bits.get_xlabel(), ranks.get_xlabel()) == ("generation", "rank of the word (1: the most frequent)")
    assert "sample text" not in figure.alt_text
    with_text = text_explorer_figure(SMALL_TEXT, bundle=small_bundle)
    assert figure.get_figheight() < with_text.get_figheight()  # the text's rows are gone, not left blank
    for panel in (bits, ranks):  # laid out by hand: every label inside the figure
        box = panel.get_tightbbox().transformed(figure.transFigure.inverted())
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= 1 and box.y1 <= 1, (panel.get_title(), box)


def test_the_figure_shows_the_band_its_rank_curves_and_a_line_of_text_per_generation(small_bundle):
    band = small_bundle.band("small text")
    figure = text_explorer_figure(SMALL_TEXT, bundle=small_bundle)
    bits, ranks, text = figure.axes
    assert (bits.get_xlabel(), bits.get_ylabel()) == ("generation", "bits per character")
    assert len([c for c in bits.collections if isinstance(c, PolyCollection)]) == 1  # one shaded 95% band
    (mean,) = bits.lines
    np.testing.assert_allclose(mean.get_ydata(), band.summary(BITS).mean)
    assert bits.get_legend_handles_labels()[1] == ["3 seeds, results bundle: mean, 95% CI"]
    assert "real 0% / replace" in " ".join(bits.get_title().split())  # the setting, in the title
    assert (ranks.get_xscale(), ranks.get_yscale()) == ("log", "log") and "rank" in ranks.get_xlabel()
    assert len(ranks.lines) == 1 + SMALL_TEXT.generations  # the real text, then each generation
    curves = band.values["rank_frequency"].mean(axis=0)
    shown = curves[0] > 0
    np.testing.assert_allclose(ranks.lines[1].get_ydata(), curves[0][shown])
    np.testing.assert_array_equal(ranks.lines[1].get_xdata(), np.array(RANKS)[shown])
    (lines,) = text.texts
    assert not lines.get_parse_math()  # a "$" the model writes is a character, not mathematics
    expected = [f"gen {g}: {sample_line(band.samples[0, g, 0])}" for g in range(SMALL_TEXT.generations)]
    assert lines.get_text().split("\n") == expected
    assert "bits per character" in figure.alt_text and "frequency-rank" in figure.alt_text
    assert "frequency-rank curve of the sampled words (mean of 3 seeds)" in figure.alt_text
    assert "sample text, one passage per generation (results bundle, seed 0)" in figure.alt_text


def test_the_figure_draws_a_run_as_dots_and_reads_the_run_for_ranks_and_text(explorer, small_bundle):
    result = explorer.run()
    figure = text_explorer_figure(SMALL_TEXT, [result], bundle=small_bundle)
    bits, ranks, text = figure.axes
    band_line, dots = bits.lines
    assert dots.get_linestyle() == "None" and dots.get_label() == "your run, seed 0"
    explorer.temperature.value = 0.7
    colder = explorer.run()
    labels = text_explorer_figure(colder.config, [result, colder], bundle=small_bundle).axes[0] \
        .get_legend_handles_labels()[1]
    assert labels == ["real 0% / replace (3 seeds, results bundle): mean, 95% CI",
                      "real 0% / replace (your run, seed 0)",
                      "real 0% / replace, temperature 0.7 (your run, seed 0)"]  # two settings: the legend names them
    np.testing.assert_allclose(dots.get_ydata(), result.metric(BITS))
    last = result.generations[-1].rank_frequency
    np.testing.assert_allclose(ranks.lines[-1].get_ydata(), last[last > 0])
    assert text.texts[0].get_text().split("\n")[-1] == f"gen 2: {sample_line(result.generations[2].samples[0])}"
    assert "your run, seed 0" in text.get_title()


def test_the_figure_refuses_a_setting_it_has_nothing_to_draw_for(small_bundle):
    with pytest.raises(ValueError, match="config: the results bundle holds no band"):
        text_explorer_figure(SMALL_TEXT.replace(temperature=0.7), bundle=small_bundle)
    with pytest.raises(TypeError, match="config must be a TextConfig"):
        text_explorer_figure("real 0", bundle=small_bundle)
    with pytest.raises(TypeError, match="results must hold TextResult"):
        text_explorer_figure(SMALL_TEXT, ["a run"], bundle=small_bundle)


def test_a_sample_line_joins_a_passages_lines_and_cuts_it_short():
    from collapse_kit.text.data import characters

    codes = np.array([characters().index(c) for c in "\nROMEO:\nBut soft, what light\n"], dtype=np.uint8)
    assert sample_line(codes) == "ROMEO: / But soft, what light"
    assert sample_line(np.array([characters().index(c) for c in "$x$ costs"])) == "$x$ costs"
    assert sample_line(codes, characters=10) == "ROMEO: ..."


def test_the_explorer_opens_on_the_full_profiles_shipped_band_without_training(tmp_path, text_training_calls):
    """The full profile's setting is the bundle's TEXT_REAL_0 line: its 10 seeds show at once, text included."""
    explorer = TextExplorer(TextConfig(), seed=0, cache_dir=tmp_path)
    assert _image(explorer.figure_output) and "10 seeds, results bundle" in explorer.summary.value
    assert explorer.text.value.count("(results bundle, seed 0)") == TextConfig().generations
    explorer.temperature.value = 0.7  # the bundle's temperature line
    assert "temperature 0.7 (10 seeds, results bundle)" in explorer.summary.value
    assert text_training_calls == [] and not any(tmp_path.iterdir())
