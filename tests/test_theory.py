"""The toy theory: a Gaussian (and a mixture) refitted on its own samples loses its spread, and what prevents it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from collapse_kit.core.cache import code_files
from collapse_kit.evidence.stats import agrees, compare
from collapse_kit.gaussian import theory
from collapse_kit.gaussian.theory import (
    GaussianConfig,
    MixtureConfig,
    draw_summary,
    expected_log_variance,
    expected_mle_variance,
    expected_variance,
    lifeline_study,
    merge_summaries,
    run_gaussian,
    run_mixture,
)


def final_variances(seed=0, **settings) -> np.ndarray:
    """Each chain's fitted variance at the last generation."""
    return run_gaussian(GaussianConfig(**settings), seed=seed).variances[:, -1]


def test_result_arrays_have_one_row_per_chain_and_one_column_per_generation():
    result = run_gaussian(GaussianConfig(dim=3, generations=7, chains=4), seed=0)
    # 7 generations, generation 0 included: the count ExperimentConfig uses too
    assert result.means.shape == (4, 7, 3)
    assert result.variances.shape == (4, 7)
    assert result.generation.tolist() == list(range(7))


# N = 5 makes the shrink factor (1 - 1/N) = 0.8 large enough to see each generation; generation 0 is already a fit
# of N points, hence its variance 1 - 1/N. Relative to generation 0 (N = 20), each generation shrinks by 1 - 1/N.
# 20,000 chains pin the mean to a few percent.
@pytest.mark.parametrize("n, generations, relative, rtol, seed", [(5, 6, False, 0.1, 0), (20, 10, True, 0.05, 1)])
def test_mle_mean_variance_follows_the_closed_form(n, generations, relative, rtol, seed):
    result = run_gaussian(GaussianConfig(samples_per_generation=n, generations=generations, chains=20_000), seed=seed)
    if relative:
        observed, expected = result.variances / result.variances[:, :1], expected_mle_variance(generations, n)
    else:
        observed, expected = result.variances, expected_mle_variance(generations, n, initial_variance=1 - 1 / n)
    np.testing.assert_allclose(observed.mean(axis=0), expected, rtol=rtol)


# Mean variance: N = 20 shrinks the MLE by 5% a generation; by generation 10 each chain's variance is a product of
# 11 random factors, still narrow enough (ln sd about 1) for the mean of 20,000 chains to have an honest standard
# error. Mean ln variance: it drifts down as its digamma closed form says, checked out to generation 40.
SCALES = {"variance": (20, 10, 20_000, range(10), expected_variance, np.asarray, 2),
          "ln variance": (10, 41, 5000, (0, 1, 10, 40), expected_log_variance, np.log, 3)}


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("fit", ["mle", "unbiased"])
def test_mean_agrees_with_its_closed_form_within_3_standard_errors(fit, scale):
    n, generations, chains, checked, closed_form, transform, seed = SCALES[scale]
    result = run_gaussian(GaussianConfig(samples_per_generation=n, generations=generations, chains=chains, fit=fit),
                          seed=seed)
    expected = closed_form(generations, n, fit)
    for t in checked:
        assert agrees("C1", transform(result.variances[:, t]), expected[t], f"mean {scale} at generation {t}").holds


def test_unbiased_refits_keep_the_mean_at_one_yet_almost_every_chain_collapses():
    n, generations = 20, 400
    result = run_gaussian(GaussianConfig(samples_per_generation=n, generations=generations, chains=2000,
                                         fit="unbiased"), seed=4)
    final = result.variances[:, -1]
    assert expected_variance(generations, n, "unbiased")[-1] == 1.0
    assert np.median(final) < 1e-4 and np.mean(final < 0.01) > 0.95
    assert compare("C1", np.log(final), 0.0, "mean ln variance", "0", expect="lower", unit="chains").holds


def test_closed_forms_at_known_values():
    np.testing.assert_allclose(expected_variance(3, 10, "mle"), 0.9 ** np.arange(1, 4))
    np.testing.assert_allclose(expected_variance(3, 10, "unbiased"), np.ones(3))
    # E[ln chi2_1] = digamma(1/2) + ln 2 = -1.2704 (N = 2: one degree of freedom, divided by N - 1 = 1)
    assert expected_log_variance(1, 2, "unbiased")[0] == pytest.approx(-1.270363, abs=1e-6)
    mle, unbiased = expected_log_variance(5, 100, "mle"), expected_log_variance(5, 100, "unbiased")
    np.testing.assert_allclose(mle - unbiased, np.log(0.99) * np.arange(1, 6))


def test_closed_forms_refuse_fits_they_do_not_cover():
    with pytest.raises(ValueError, match=r"fit must be one of 'mle', 'unbiased', got 'map'"):
        expected_variance(3, 10, "map")
    with pytest.raises(ValueError, match="samples_per_generation must be >= 2"):
        expected_log_variance(3, 1, "mle")


def test_same_seed_unbiased_chains_are_their_mle_twins_scaled():
    # Same random numbers, only the divisor differs: each chain's variance is scaled by (N / (N - 1))^(t+1).
    settings = dict(samples_per_generation=10, generations=20, chains=50)
    mle = run_gaussian(GaussianConfig(fit="mle", **settings), seed=5).variances
    unbiased = run_gaussian(GaussianConfig(fit="unbiased", **settings), seed=5).variances
    np.testing.assert_allclose(unbiased / mle, np.broadcast_to((10 / 9) ** np.arange(1, 21), mle.shape), rtol=1e-9)


def summary_of(points):
    """(count, mean, centred scatter) of points (chains, n, dim), computed directly."""
    centre = points.mean(axis=1)
    centred = points - centre[:, None, :]
    return points.shape[1], centre, np.einsum("cni,cnj->cij", centred, centred)


@pytest.mark.parametrize("dim", [1, 3])
def test_merged_summaries_equal_the_summary_of_all_the_points(dim):
    rng = np.random.default_rng(6)
    sets = [rng.normal(loc, 1.0, (4, n, dim)) for loc, n in ((0.0, 7), (5.0, 1), (-2.0, 12))]
    merged = None
    for points in sets:
        merged = merge_summaries(merged, summary_of(points))
    count, centre, scatter = summary_of(np.concatenate(sets, axis=1))
    assert merged[0] == count
    np.testing.assert_allclose(merged[1], centre, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(merged[2], scatter, rtol=1e-12)
    assert merge_summaries(None, None) is None


@pytest.mark.parametrize("dim, count", [(1, 10), (1, 2), (3, 8), (3, 2)])
def test_a_drawn_summary_has_the_law_of_the_points_summary(dim, count):
    # Mean and scatter drawn from their joint law (Bartlett) against the same of points drawn one by one: the
    # moments the fits use agree within 5 standard errors over 20,000 chains, for a non-diagonal covariance too.
    chains = 20_000
    mean = np.full((chains, dim), 0.5)
    cov = 0.5 * np.eye(dim) + 0.5 * np.ones((dim, dim))
    values, vectors = np.linalg.eigh(cov)
    root = np.broadcast_to(vectors @ np.diag(np.sqrt(values)) @ vectors.T, (chains, dim, dim))
    drawn = draw_summary(np.random.default_rng(1), count, chains, dim, mean, root)
    points = 0.5 + np.random.default_rng(2).standard_normal((chains, count, dim)) @ root[0]
    direct = summary_of(points)
    assert drawn[0] == count
    for got, want in ((drawn[1], direct[1]), (drawn[2], direct[2]), (drawn[2] ** 2, direct[2] ** 2)):
        se = np.hypot(got.std(axis=0), want.std(axis=0)) / np.sqrt(chains)
        assert (np.abs(got.mean(axis=0) - want.mean(axis=0)) < 5 * se + 1e-12).all()
    np.testing.assert_allclose(drawn[2].mean(axis=0), (count - 1) * cov, rtol=0.05)  # E[scatter] = (n - 1) cov


def test_accumulating_real_points_fits_the_truths_points_seen_so_far():
    # All real: each generation's fit is of every point so far, (t + 1) n of them from N(0, 1).
    n, generations, chains = 7, 5, 4000
    result = run_gaussian(GaussianConfig(samples_per_generation=n, generations=generations, chains=chains,
                                         real_fraction=1.0, strategy="accumulate"), seed=6, cache=False)
    seen = n * np.arange(1, generations + 1)
    np.testing.assert_allclose(result.variances.mean(axis=0), (seen - 1) / seen, rtol=0.03)  # E[MLE] = (m-1)/m
    np.testing.assert_allclose(result.means[:, :, 0].var(axis=0), 1 / seen, rtol=0.06)


def test_closed_form_starts_at_the_initial_variance_and_shrinks():
    expected = expected_mle_variance(3, 10, initial_variance=2.0)
    np.testing.assert_allclose(expected, 2.0 * 0.9 ** np.arange(3))


def test_fully_synthetic_mle_chains_collapse_to_zero_variance():
    variances = final_variances(samples_per_generation=10, generations=500, chains=200)
    assert np.median(variances) < 1e-6


def test_fitted_variance_is_never_negative_even_after_collapse():
    # Once a chain has collapsed its points are equal to the last bit; a variance below 0 would give NaN tails.
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
    # A fixed real point (the course's contrast to Jangjoo et al.'s fresh ground-truth point) under plain maximum
    # likelihood: the chain collapses onto the kept point.
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


@pytest.fixture(scope="module")
def lifelines():
    return lifeline_study(generations=300, chains=200, seed=0)


def test_lifeline_study_runs_mle_and_each_prior_with_no_fixed_or_fresh_point(lifelines):
    assert list(lifelines.runs) == [(fit, prior, point) for fit, prior in (("mle", None), ("map", 1.0), ("map", 4.0))
                                    for point in ("none", "fixed", "fresh")]
    assert len({result.seed for result in lifelines.runs.values()}) == 9  # independent chains in every run
    fixed = lifelines.result("map", "fixed", prior_variance=4.0).config
    assert (fixed.fit, fixed.prior_variance, fixed.real_points, fixed.real_source) == ("map", 4.0, 1, "fixed")
    assert lifelines.settled_variance("mle", "none").shape == (200,)


def test_a_fresh_point_stops_mle_collapse_and_a_fixed_one_does_not(lifelines):
    log = {point: np.log(lifelines.settled_variance("mle", point)) for point in ("none", "fixed", "fresh")}
    assert compare("C5", log["fresh"], log["none"], "ln variance", "none", unit="chains").holds
    assert compare("C5", log["fixed"], log["fresh"], "ln variance", "fresh", expect="lower", unit="chains").holds


def test_with_map_the_prior_not_the_real_point_sets_where_the_variance_settles(lifelines):
    settled = lifelines.settled_variance
    for point in ("none", "fixed", "fresh"):
        # about prior_variance / 2 in every case: nu0 * prior_variance / (nu0 + 3) with nu0 = 3
        assert compare("C5", settled("map", point, 4.0), settled("map", point, 1.0), "variance", "prior 1",
                       unit="chains").holds
        assert compare("C5", settled("map", point, 4.0), 1.0, "variance", "the truth", unit="chains").holds
        assert 0.45 < settled("map", point, 1.0).mean() < 0.7 and 1.7 < settled("map", point, 4.0).mean() < 2.3


def test_lifeline_study_refuses_unknown_settings_and_bad_priors(lifelines):
    with pytest.raises(ValueError, match=r"no run \('map', 2.0, 'fixed'\)"):
        lifelines.result("map", "fixed", prior_variance=2.0)
    with pytest.raises(ValueError, match="prior_variances must be in"):
        lifeline_study(generations=2, chains=2, prior_variances=(1.0, 0.0))
    with pytest.raises(ValueError, match="seed must be >= 0"):
        lifeline_study(generations=2, chains=2, seed=-1)


def test_mixtures_have_no_unbiased_fit():
    with pytest.raises(ValueError, match=r"fit must be one of 'mle', 'map', got 'unbiased'"):
        MixtureConfig(fit="unbiased")


def test_same_seed_gives_same_chains_and_different_seed_different_ones():
    config = GaussianConfig(generations=20, chains=10)
    # computed each time (cache=False): a cached second run would be equal whatever the RNG did
    first, again, other = (run_gaussian(config, seed=seed, cache=False) for seed in (3, 3, 4))
    assert np.array_equal(first.variances, again.variances) and np.array_equal(first.means, again.means)
    assert not np.array_equal(first.variances, other.variances)


def test_mixture_components_narrow_when_refitted_on_their_own_samples():
    result = run_mixture(MixtureConfig(samples_per_generation=100, generations=100), seed=0, progress=False)
    assert result.stds.shape == result.means.shape == result.weights.shape == (100, 2)
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


# ---------------------------------------------------------------- the run cache (lessons 01 and 06 load, not refit)


@pytest.fixture
def refits(monkeypatch):
    """Count the Gaussian and mixture runs actually computed (rather than loaded from the cache)."""
    calls = []
    for name in ("_refit_gaussian", "_refit_mixture"):
        compute = getattr(theory, name)

        def counting(*args, _compute=compute, _name=name):
            calls.append(_name)
            return _compute(*args)

        monkeypatch.setattr(theory, name, counting)
    return calls


def test_a_second_gaussian_run_loads_identical_arrays_from_the_cache(tmp_path, refits):
    config = GaussianConfig(generations=30, chains=20, fit="map", real_points=1, real_source="fixed")
    first = run_gaussian(config, seed=7, cache_dir=tmp_path)
    again = run_gaussian(config, seed=7, cache_dir=tmp_path)
    assert refits == ["_refit_gaussian"], "the second run should load, not refit"
    fresh = run_gaussian(config, seed=7, cache=False)
    for result in (again, fresh):
        assert result.config == config and result.seed == 7
        assert np.array_equal(result.means, first.means) and np.array_equal(result.variances, first.variances)
        assert result.variances.dtype == first.variances.dtype == np.float64
    assert [path.name for path in tmp_path.glob("*/*.pt")] == ["generation_000.pt"]  # one entry, the whole run


def test_a_changed_config_seed_or_numpy_version_misses_the_cache(tmp_path, refits, monkeypatch):
    config = GaussianConfig(generations=20, chains=10)
    run_gaussian(config, seed=0, cache_dir=tmp_path)
    run_gaussian(GaussianConfig(generations=21, chains=10), seed=0, cache_dir=tmp_path)
    run_gaussian(config, seed=1, cache_dir=tmp_path)
    assert refits == ["_refit_gaussian"] * 3
    monkeypatch.setattr(theory, "version", lambda name: "0.0.0")
    run_gaussian(config, seed=0, cache_dir=tmp_path)
    assert len(refits) == 4 and len(list(tmp_path.glob("*/generation_000.pt"))) == 4


def test_the_theory_cache_key_follows_the_theory_code_not_the_vae_code():
    files = code_files(theory.GaussianConfig.module)
    assert {"gaussian/theory.py", "core/_validation.py", "core/cache.py"} <= set(files)
    assert not [name for name in files if name.startswith(("vae/", "text/"))]


def test_a_second_mixture_run_and_a_second_lifeline_study_load_from_the_cache(tmp_path, refits):
    config = MixtureConfig(samples_per_generation=50, generations=8)
    first = run_mixture(config, seed=2, progress=False, cache_dir=tmp_path)
    again = run_mixture(config, seed=2, progress=False, cache_dir=tmp_path)
    assert refits == ["_refit_mixture"]
    assert all(np.array_equal(getattr(again, name), getattr(first, name)) for name in ("means", "stds", "weights"))
    study = lifeline_study(generations=10, chains=5, seed=1, cache_dir=tmp_path)
    assert refits.count("_refit_gaussian") == 9
    loaded = lifeline_study(generations=10, chains=5, seed=1, cache_dir=tmp_path)
    assert refits.count("_refit_gaussian") == 9, "every run of the second study should load"
    assert all(np.array_equal(loaded.runs[key].variances, run.variances) for key, run in study.runs.items())


def test_draws_of_points_match_a_chain_drawn_point_by_point():
    # draws="points" is lesson 01's loop: every point from one generator, generation 0 first, then the last fit's.
    rng = np.random.default_rng(11)
    points = rng.standard_normal(10)
    mean, variance = points.mean(), points.var()
    expected = [variance]
    for _ in range(29):
        points = mean + np.sqrt(variance) * rng.standard_normal(10)
        mean, variance = points.mean(), points.var()
        expected.append(variance)
    result = run_gaussian(GaussianConfig(samples_per_generation=10, generations=30, chains=1, draws="points"),
                          seed=11, cache=False)
    np.testing.assert_allclose(result.variances[0], expected, rtol=1e-9)


@pytest.mark.parametrize("options", [{}, {"real_fraction": 0.2, "strategy": "accumulate"},
                                     {"real_points": 1, "real_source": "fixed", "fit": "map"},
                                     {"dim": 3, "real_fraction": 0.1}])
def test_summaries_and_points_give_runs_of_the_same_law(options):
    settings = dict(samples_per_generation=20, generations=15, chains=4000, **options)
    fast = run_gaussian(GaussianConfig(**settings), seed=1, cache=False)
    slow = run_gaussian(GaussianConfig(draws="points", **settings), seed=2, cache=False)
    for t in (0, 5, 14):
        for got, want in ((np.log(fast.variances[:, t]), np.log(slow.variances[:, t])),
                          (fast.means[:, t, 0], slow.means[:, t, 0])):
            se = np.hypot(got.std(), want.std()) / np.sqrt(len(got))
            assert abs(got.mean() - want.mean()) < 5 * se, (options, t)
