"""The discrete telephone game: its closed form against simulation, the absorbing state, rare words lost first."""

from __future__ import annotations

import numpy as np
import pytest

from collapse_kit.text.data import training_words
from collapse_kit.text.words import RANKS, WordGameConfig, expected_types, real_frequencies, run_word_game


def within_standard_errors(values: np.ndarray, expected, errors: float = 4.0) -> bool:
    """|mean(values) - expected| is within ``errors`` standard errors of the mean over chains."""
    standard_error = values.std(ddof=1) / np.sqrt(len(values))
    return abs(values.mean() - expected) <= errors * standard_error


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("real_fraction, real_source", [(0.0, "fresh"), (0.2, "fresh"), (0.2, "fixed")])
def test_types_surviving_a_generation_agree_with_the_closed_form_within_4_standard_errors(seed, real_fraction,
                                                                                          real_source):
    config = WordGameConfig(words_per_generation=2000, generations=5, chains=150, real_fraction=real_fraction,
                            real_source=real_source)
    result = run_word_game(config, seed)
    # generation 1 draws M words from the real frequencies: sum_w 1 - (1 - p0_w)^M, the same for every chain
    assert np.all(result.expected_types[:, 1] == expected_types(real_frequencies(), 2000))
    assert within_standard_errors(result.types[:, 1], result.expected_types[0, 1])
    # later generations: the closed form given each chain's previous fit; the differences average 0
    for generation in range(2, 5):
        differences = result.types[:, generation] - result.expected_types[:, generation]
        assert within_standard_errors(differences, 0.0), f"generation {generation}"


def test_the_closed_form_on_small_cases():
    assert expected_types([0.5, 0.5], 1) == pytest.approx(1.0)
    assert expected_types([0.5, 0.5], 2) == pytest.approx(1.5)  # both types unless both draws agree
    assert expected_types([1.0, 0.0], 5) == pytest.approx(1.0)
    assert expected_types([0.0, 1.0], 3, real_words=3, real_probabilities=[0.5, 0.5]) == pytest.approx(1.75)
    # one row per chain
    np.testing.assert_allclose(expected_types([[0.5, 0.5], [1.0, 0.0]], 2), [1.5, 1.0])
    # a rare word's tiny p is not rounded away: 1 - (1 - 1e-12)^1000 = 1e-9
    assert expected_types([1e-12], 1000) == pytest.approx(1e-9, rel=1e-6)


def test_a_word_not_drawn_is_gone_for_good():
    # Fully synthetic refits can only lose types; with 5 words a generation every chain ends on a single word
    # (an absorbing state) and stays there.
    # (5 neutral types fix to one within ~10 generations; unfixed after 80 has probability ~0.8^80 = 2e-8.)
    result = run_word_game(WordGameConfig(words_per_generation=5, generations=100, chains=20), seed=0)
    assert np.all(np.diff(result.types[:, 1:], axis=1) <= 0)
    assert np.all(result.types[:, -20:] == 1)
    big = run_word_game(WordGameConfig(words_per_generation=1000, generations=30, chains=20), seed=1)
    assert np.all(np.diff(big.types[:, 1:], axis=1) <= 0)


def test_rare_words_are_lost_first():
    result = run_word_game(WordGameConfig(words_per_generation=5000, generations=10, chains=50), seed=0)
    rare, common = result.surviving_share("rare"), result.surviving_share("common")
    assert np.all(rare[:, 0] == 1) and np.all(common[:, 0] == 1)
    assert np.all(rare[:, 1:].mean(axis=0) < 0.5 * common[:, 1:].mean(axis=0))
    # the Zipf curve loses its tail: generation 0 has a word at rank 10,000, the last generation none
    tail = RANKS.index(10_000)
    assert np.all(result.rank_frequency[:, 0, tail] > 0) and np.all(result.rank_frequency[:, -1, tail] == 0)
    np.testing.assert_allclose(result.rank_frequency[0, 0, 0], training_words()[1][0] / training_words()[1].sum())


def test_real_words_in_each_generation_keep_more_of_the_vocabulary():
    settings = dict(words_per_generation=2000, generations=12, chains=20)
    synthetic = run_word_game(WordGameConfig(**settings), seed=0).types[:, -1]
    kept = run_word_game(WordGameConfig(**settings, real_fraction=0.1, real_source="fixed"), seed=0).types[:, -1]
    fresh = run_word_game(WordGameConfig(**settings, real_fraction=0.1, real_source="fresh"), seed=0).types[:, -1]
    assert synthetic.mean() < kept.mean() < fresh.mean()
    # a stream of fresh real words holds a level: generation 11 keeps most of generation 1's types
    assert fresh.mean() > 0.5 * run_word_game(WordGameConfig(**settings), seed=0).types[:, 1].mean()


def test_the_same_seed_gives_the_same_game():
    config = WordGameConfig(words_per_generation=300, generations=6, chains=7, real_fraction=0.1)
    first, second = run_word_game(config, seed=4), run_word_game(config, seed=4)
    for name in ("types", "rare_types", "common_types", "expected_types", "rank_frequency"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    assert not np.array_equal(first.types, run_word_game(config, seed=5).types)


@pytest.mark.parametrize("settings, message", [
    ({"words_per_generation": 0}, "words_per_generation must be >= 1, got 0"),
    ({"generations": 0}, "generations must be >= 1, got 0"),
    ({"real_fraction": 1.5}, r"real_fraction must be in \[0, 1\], got 1.5"),
    ({"real_source": "kept"}, "real_source must be one of 'fresh', 'fixed', got 'kept'"),
    ({"chains": 0}, "chains must be >= 1, got 0"),
    ({"chains": 10_000, "words_per_generation": 10_000}, "chains \\* words_per_generation must be <= 50,000,000")])
def test_bad_settings_are_refused_by_name(settings, message):
    with pytest.raises(ValueError, match=message):
        WordGameConfig(**settings)


def test_bad_closed_form_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="real_words must be <= 3, got 4"):
        expected_types([0.5, 0.5], 3, real_words=4)
    with pytest.raises(ValueError, match="probabilities must be"):
        expected_types([-0.5, 1.5], 3)
    with pytest.raises(TypeError, match="config must be a WordGameConfig"):
        run_word_game({"chains": 3})
