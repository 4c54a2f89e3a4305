"""The toy theory: a Gaussian (and a mixture) refitted on its own samples loses its spread, and what prevents it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from collapse_kit.theory import (GaussianConfig, MixtureConfig, expected_mle_variance, run_gaussian,
                                 run_mixture)


def final_variances(seed=0, **settings) -> np.ndarray:
    """Each chain's fitted variance at the last generation."""
    return run_gaussian(GaussianConfig(**settings), seed=seed).variances[:, -1]


def test_result_arrays_have_one_row_per_chain_and_one_column_per_generation():
    result = run_gaussian(GaussianConfig(dim=3, generations=7, chains=4), seed=0)
    assert result.means.shape == (4, 8, 3)
    assert result.variances.shape == (4, 8)
    assert result.generation.tolist() == list(range(8))


def test_mle_mean_variance_follows_the_closed_form():
    # N = 5 makes the shrink factor (1 - 1/N) = 0.8 large enough to see each generation; 20,000 chains pin
    # the mean to a few percent. Generation 0 is already a fit of N points, hence initial_variance = 1 - 1/N.
    n, generations = 5, 6
    result = run_gaussian(GaussianConfig(samples_per_generation=n, generations=generations, chains=20_000), seed=0)
    expected = expected_mle_variance(generations, n, initial_variance=1 - 1 / n)
    np.testing.assert_allclose(result.variances.mean(axis=0), expected, rtol=0.1)


def test_mle_variance_shrinks_by_one_minus_one_over_n_per_generation_relative_to_generation_zero():
    n, generations = 20, 10
    result = run_gaussian(GaussianConfig(samples_per_generation=n, generations=generations, chains=20_000), seed=1)
    ratio = (result.variances / result.variances[:, :1]).mean(axis=0)
    np.testing.assert_allclose(ratio, expected_mle_variance(generations, n), rtol=0.05)


def test_closed_form_starts_at_the_initial_variance_and_shrinks():
    expected = expected_mle_variance(3, 10, initial_variance=2.0)
    np.testing.assert_allclose(expected, 2.0 * 0.9 ** np.arange(4))


def test_fully_synthetic_mle_chains_collapse_to_zero_variance():
    variances = final_variances(samples_per_generation=10, generations=500, chains=200)
    assert np.median(variances) < 1e-6


def test_fitted_variance_is_never_negative_even_after_collapse():
    # Once a chain has collapsed, running sums cancel to +-1e-16; a variance below 0 would give NaN tails.
    result = run_gaussian(GaussianConfig(samples_per_generation=10, generations=300, chains=100), seed=0)
    assert (result.variances >= 0).all()
    assert np.isfinite(result.tail_mass()).all()


def test_tails_disappear_faster_than_the_variance_in_a_typical_chain():
    result = run_gaussian(GaussianConfig(samples_per_generation=100, generations=50, chains=500), seed=0)
    tails, variances = result.tail_mass(2.0), result.variances
    assert tails[:, 0].mean() == pytest.approx(0.0455, abs=0.01)  # P(|x| > 2) under N(0, 1)
    tail_kept = np.median(tails[:, -1]) / np.median(tails[:, 0])
    variance_kept = np.median(variances[:, -1]) / np.median(variances[:, 0])
    assert variance_kept < 0.8
    assert tail_kept < 0.5 * variance_kept


def test_accumulating_data_keeps_far_more_variance_than_replacing_it():
    settings = dict(samples_per_generation=20, generations=300, chains=200)
    replace = final_variances(strategy="replace", **settings)
    accumulate = final_variances(strategy="accumulate", **settings)
    assert np.median(accumulate) > 0.3
    assert np.median(accumulate) > 1000 * np.median(replace)


def test_all_real_data_keeps_the_variance_near_one():
    variances = final_variances(real_fraction=1.0, samples_per_generation=100, generations=200, chains=500)
    assert variances.mean() == pytest.approx(0.99, abs=0.03)  # the MLE of N = 100 points: 1 - 1/N


def test_a_real_fraction_keeps_the_variance_away_from_zero():
    settings = dict(samples_per_generation=20, generations=300, chains=200)
    assert np.median(final_variances(real_fraction=0.2, **settings)) > 0.3
    assert np.median(final_variances(real_fraction=0.0, **settings)) < 1e-3


LIFELINE = dict(samples_per_generation=20, generations=500, chains=200, real_points=1)


def test_one_fixed_real_point_does_not_stop_mle_collapse():
    # Jangjoo et al.'s lifeline under plain maximum likelihood: the chain collapses onto the kept point.
    assert np.median(final_variances(fit="mle", real_source="fixed", **LIFELINE)) < 1e-6


def test_one_fixed_real_point_keeps_a_map_fit_alive():
    variances = final_variances(fit="map", real_source="fixed", **LIFELINE)
    assert np.median(variances) > 0.2 and variances.min() > 0.05


def test_one_fresh_real_point_per_generation_keeps_even_the_mle_variance():
    # A fresh point is a constant share 1/N of real data in every set: the variance settles near
    # (N - 1) / (2N - 1) ~ 0.5 rather than falling to 0.
    without = final_variances(fit="mle", **{**LIFELINE, "real_points": 0})
    fresh = final_variances(fit="mle", real_source="fresh", **LIFELINE)
    assert np.median(without) < 1e-6
    assert np.median(fresh) > 0.2


def test_map_fit_with_one_fresh_real_point_does_not_collapse():
    variances = final_variances(fit="map", real_points=1, samples_per_generation=20, generations=1000, chains=200)
    assert np.median(variances) > 0.2
    assert variances.min() > 0.01


def test_map_prior_alone_keeps_the_variance_floored():
    # The prior adds nu0 * prior_variance to every scatter, so even with no real points the variance cannot
    # fall below nu0 * prior_variance / (nu0 + N + d + 1).
    n, strength, dim = 20, 1.0, 1
    nu0 = strength + dim + 1
    variances = run_gaussian(GaussianConfig(fit="map", samples_per_generation=n, generations=500, chains=200,
                                            prior_strength=strength), seed=0).variances
    assert variances.min() >= nu0 / (nu0 + n + dim + 1) - 1e-12


def test_strong_map_prior_pulls_the_fit_to_the_prior_variance():
    result = run_gaussian(GaussianConfig(fit="map", prior_variance=2.0, prior_strength=1e6, generations=3, chains=20))
    np.testing.assert_allclose(result.variances, 2.0, rtol=1e-3)
    np.testing.assert_allclose(result.means, 0.0, atol=1e-3)


def test_same_seed_gives_same_chains_and_different_seed_different_ones():
    config = GaussianConfig(generations=20, chains=10)
    first, again, other = run_gaussian(config, seed=3), run_gaussian(config, seed=3), run_gaussian(config, seed=4)
    assert np.array_equal(first.variances, again.variances) and np.array_equal(first.means, again.means)
    assert not np.array_equal(first.variances, other.variances)


def test_mixture_components_narrow_when_refitted_on_their_own_samples():
    result = run_mixture(MixtureConfig(samples_per_generation=100, generations=100), seed=0, progress=False)
    assert result.stds.shape == result.means.shape == result.weights.shape == (101, 2)
    assert (result.means[:, 0] <= result.means[:, 1]).all()  # sorted by mean
    np.testing.assert_allclose(result.weights.sum(axis=1), 1.0)
    assert (result.stds[-1] < 0.5 * result.stds[0]).all()


def test_regularised_mixture_stds_never_fall_below_the_regularisation_floor():
    regularisation = 0.05
    result = run_mixture(MixtureConfig(samples_per_generation=100, generations=60, fit="map",
                                       regularisation=regularisation), seed=0, progress=False)
    assert result.stds.min() >= math.sqrt(regularisation) - 1e-9


def test_mixture_with_all_real_data_stays_near_the_truth():
    result = run_mixture(MixtureConfig(samples_per_generation=400, generations=20, real_fraction=1.0), seed=0,
                         progress=False)
    np.testing.assert_allclose(result.means[-1], [-2.0, 2.0], atol=0.4)
    np.testing.assert_allclose(result.stds[-1], [1.0, 1.0], atol=0.3)


@pytest.mark.parametrize("name, value", [("real_fraction", float("nan")), ("real_fraction", 1.5),
                                         ("real_fraction", -0.1), ("generations", 0),
                                         ("samples_per_generation", 1), ("strategy", "mix"), ("fit", "bayes"),
                                         ("real_source", "recycled"),
                                         ("real_points", 101), ("chains", 0), ("prior_variance", 0.0)])
def test_bad_gaussian_settings_are_rejected_by_name(name, value):
    with pytest.raises(ValueError, match=name):
        GaussianConfig(**{name: value})


def test_more_real_points_than_samples_is_rejected():
    with pytest.raises(ValueError, match=r"real_fraction \* samples_per_generation \+ real_points = 101 exceeds"):
        GaussianConfig(samples_per_generation=100, real_fraction=1.0, real_points=1)


@pytest.mark.parametrize("name, value", [("real_fraction", float("nan")), ("real_fraction", 1.5),
                                         ("generations", 0), ("strategy", "mix"), ("fit", "bayes"),
                                         ("samples_per_generation", 3), ("regularisation", -1.0)])
def test_bad_mixture_settings_are_rejected_by_name(name, value):
    with pytest.raises(ValueError, match=name):
        MixtureConfig(**{name: value})


def test_runs_refuse_the_wrong_config_type_and_negative_seeds():
    with pytest.raises(TypeError, match="GaussianConfig"):
        run_gaussian(MixtureConfig())
    with pytest.raises(TypeError, match="MixtureConfig"):
        run_mixture(GaussianConfig(), progress=False)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        run_gaussian(GaussianConfig(generations=1), seed=-1)


def test_tail_mass_is_only_defined_in_one_dimension():
    with pytest.raises(ValueError, match="tail_mass needs dim=1, got dim=2"):
        run_gaussian(GaussianConfig(dim=2, generations=1, chains=2)).tail_mass()
    with pytest.raises(ValueError, match="threshold must be in"):
        run_gaussian(GaussianConfig(generations=1, chains=2)).tail_mass(threshold=0.0)
