"""The text world's figures: they draw what they are given, carry alt text and refuse the wrong results."""

from __future__ import annotations

import numpy as np
import pytest

from collapse_kit.faces import plots, text_plots
from collapse_kit.faces.figure_style import Figure
from collapse_kit.text.loop import TextConfig, run_text_experiment
from collapse_kit.text.words import WordGameConfig, run_word_game

SMALL_TEXT = TextConfig(generations=2, passages=16, passage_length=64, epochs=1, context=3, embedding=4, hidden=16,
                        batch_size=64, metric_passages=16)


@pytest.fixture(scope="module")
def game():
    return run_word_game(WordGameConfig(words_per_generation=500, generations=6, chains=5), seed=0)


@pytest.fixture(scope="module")
def text_run(tmp_path_factory):
    return run_text_experiment(SMALL_TEXT, 0, cache_dir=tmp_path_factory.mktemp("plots"), progress=False)


def test_the_word_game_figure_draws_each_setting_and_the_closed_form(game):
    figure = text_plots.word_game({"fully synthetic": game, "again": game})
    assert isinstance(figure, Figure) and len(figure.axes) == 2
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert labels == ["fully synthetic", "closed form", "again"]
    np.testing.assert_allclose(figure.axes[0].lines[0].get_ydata(), game.types.mean(axis=0))
    assert "closed form" in figure.alt_text
    with pytest.raises(TypeError, match="WordGameResult"):
        text_plots.word_game({"a run": "not a result"})


def test_rank_frequency_curves_stop_where_the_words_run_out(game, text_run):
    figure = text_plots.rank_frequency(game, generations=(0, 5))
    lines = figure.axes[0].lines
    assert len(lines) == 3  # the real text, then each generation
    assert len(lines[2].get_xdata()) < len(lines[1].get_xdata())  # generation 5 has lost its tail
    assert "Frequency against rank" in figure.alt_text
    assert len(text_plots.rank_frequency(text_run).axes[0].lines) == 1 + SMALL_TEXT.generations
    with pytest.raises(ValueError, match=r"generations\[...\] must be <= 5, got 9"):
        text_plots.rank_frequency(game, generations=(9,))
    with pytest.raises(TypeError, match="WordGameResult or a TextResult"):
        text_plots.rank_frequency([1, 2])


def test_perplexity_histograms_and_metric_curves_read_a_text_run(text_run):
    figure = text_plots.perplexity_histograms(text_run)
    assert len(figure.axes[0].patches) == SMALL_TEXT.generations
    curves = plots.metric_curves(text_run, metrics=("test_bits_per_character", "common_coverage"))
    assert "real test text (bits per character)" in curves.alt_text
    with pytest.raises(TypeError, match="must be a TextResult"):
        text_plots.perplexity_histograms(None)


def test_the_tails_figure_reads_a_run_or_a_band_against_real_text_and_a_letter_chain(text_run):
    from collapse_kit.evidence.bundle import bands_of
    from collapse_kit.text.loop import letter_chain_measures
    from collapse_kit.text.metrics import letter_chain_floor

    chain = letter_chain_measures(SMALL_TEXT, 0)
    figure = text_plots.tails_against_real(text_run, chain)
    shares, bits = figure.axes
    np.testing.assert_allclose(shares.lines[0].get_ydata(), text_run.metric("common_of_real"))
    np.testing.assert_allclose(bits.lines[0].get_ydata(), text_run.metric("common_word_bits"))
    dotted = [line.get_ydata()[0] for line in bits.lines if line.get_linestyle() == ":"]
    assert dotted == pytest.approx([chain["common_word_bits"], chain["rare_word_bits"]])
    assert "real held-out text" in figure.alt_text and "letter chain" in figure.alt_text
    band = bands_of([text_run, run_text_experiment(SMALL_TEXT, 1, cache=False, progress=False)])[0]
    assert len(text_plots.tails_against_real(band, letter_chain_floor()).axes[0].collections) == 3  # 95% intervals
    with pytest.raises(TypeError, match="TextResult or a Band"):
        text_plots.tails_against_real(None)
