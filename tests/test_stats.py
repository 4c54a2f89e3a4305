"""The statistics of every verdict: an effect with a 95% confidence interval over independent replicates, read
against its margin."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from collapse_kit.evidence.checks import CheckFailed, check_verdict
from collapse_kit.evidence.stats import (
    Verdict,
    agrees,
    among,
    at_bound,
    by_seed,
    compare,
    compare_bands,
    design_of,
    holm,
    holm_adjusted,
    plateau,
    pool_by_seed,
    slopes,
    summarize,
)


def test_summary_of_five_numbers_matches_the_textbook_t_interval():
    summary = summarize([1.0, 2.0, 3.0, 4.0, 5.0])
    error = np.std([1, 2, 3, 4, 5], ddof=1) / np.sqrt(5)
    assert summary.count == 5 and summary.mean == pytest.approx(3.0)
    assert summary.standard_error == pytest.approx(error)
    assert summary.high - summary.mean == pytest.approx(2.776445 * error, rel=1e-5)  # t(0.975, 4 degrees of freedom)
    assert summary.low == pytest.approx(2 * summary.mean - summary.high)


@pytest.mark.parametrize("replicates", [3, 10, 50])
def test_the_interval_covers_the_true_mean_in_95_percent_of_repeats(replicates):
    # 4,000 repeats pin the coverage to +-0.01 (3 binomial standard errors). With 3 replicates a normal-quantile
    # interval would cover only about 83%: the Student-t quantile matters.
    values = np.random.default_rng(replicates).normal(5.0, 2.0, size=(4000, replicates))
    summary = summarize(values, axis=1)
    covered = (summary.low <= 5.0) & (5.0 <= summary.high)
    assert covered.mean() == pytest.approx(0.95, abs=0.011)


def test_summary_over_seeds_gives_one_interval_per_generation():
    values = np.random.default_rng(0).normal(size=(10, 7))  # (seeds, generations)
    summary = summarize(values)
    assert summary.mean.shape == summary.low.shape == summary.high.shape == (7,)
    np.testing.assert_allclose(summary.mean, values.mean(axis=0))
    assert (summary.low < summary.mean).all() and (summary.mean < summary.high).all()


def test_a_known_effect_holds_and_reads_like_the_lesson():
    rng = np.random.default_rng(1)
    fid_real, fid_synthetic = rng.normal(100, 15, 10), rng.normal(312, 15, 10)
    verdict = compare("C4", fid_real, fid_synthetic, "FID at 50% real", "at 0%", expect="lower")
    assert verdict.holds and 180 < verdict.effect < 240 and verdict.low > 0 and verdict.replicates == 10
    assert str(verdict).startswith("C4: FID at 50% real is ")
    assert " lower than at 0% (95% CI " in str(verdict) and str(verdict).endswith(", 10 seeds): holds")


def test_a_verdict_against_its_claim_states_the_way_the_data_went_with_that_ways_interval():
    better, worse = np.array([100.0, 102, 98, 101, 99]), np.array([110.0, 111, 109, 112, 108])
    verdict = compare("C4", worse, better, "FID at 50% real", "at 0%", expect="lower", design="paired")
    assert verdict.outcome == "contradicted" and verdict.effect == pytest.approx(-10.0)  # the claim's direction
    assert (verdict.low, verdict.high) == pytest.approx((-11.24, -8.76), abs=0.01)  # t(4) x 1 / sqrt(5)
    assert verdict.measured == "FID at 50% real is 10 higher than at 0% (95% CI 8.76-11.2, 5 seeds)"
    held = compare("C4", better, worse, "FID at 50% real", "at 0%", expect="lower", design="paired")
    assert held.measured == "FID at 50% real is 10 lower than at 0% (95% CI 8.76-11.2, 5 seeds)" and held.holds


def test_verdict_text_follows_the_course_format():
    verdict = Verdict("C4", "FID at 50% real is 212 lower than at 0%", 212.0, 190.0, 234.0, 10, "seeds", True)
    assert str(verdict) == "C4: FID at 50% real is 212 lower than at 0% (95% CI 190-234, 10 seeds): holds"
    failed = Verdict("C5", "variance is 0.01 higher than without", 0.01, -0.02, 0.04, 200, "chains", False)
    assert str(failed) == "C5: variance is 0.01 higher than without (95% CI -0.02 to 0.04, 200 chains): not resolved"


def test_a_zero_effect_holds_in_about_2_5_percent_of_repeats():
    # "holds" is one-sided: the whole 95% interval above 0, which a true zero effect reaches 2.5% of the time.
    rng = np.random.default_rng(2)
    held = [compare("C0", rng.normal(size=20), rng.normal(size=20), "a", "b").holds for _ in range(2000)]
    assert np.mean(held) == pytest.approx(0.025, abs=0.011)


def test_a_wrong_direction_does_not_hold():
    rng = np.random.default_rng(3)
    verdict = compare("C1", rng.normal(1.0, 0.1, 50), rng.normal(0.0, 0.1, 50), "variance", "before", expect="lower")
    assert not verdict.holds and verdict.effect < 0 and str(verdict).endswith(": contradicted")


def test_pairing_removes_what_the_seeds_share():
    # Each seed shifts both settings alike; only the paired interval sees the small, consistent effect.
    rng = np.random.default_rng(4)
    per_seed = rng.normal(0, 10, 10)
    a, b = per_seed + 0.5 + rng.normal(0, 0.1, 10), per_seed + rng.normal(0, 0.1, 10)
    assert compare("C3", a, b, "loss", "before", design="paired").holds
    assert not compare("C3", a, b, "loss", "before", design="independent").holds


def test_a_number_as_b_is_a_fixed_reference_value():
    values = np.random.default_rng(5).normal(2.0, 0.1, 100)
    verdict = compare("C5", values, 1.0, "settled variance", "the truth's 1", unit="chains")
    summary = summarize(values)
    assert verdict.holds and verdict.effect == pytest.approx(summary.mean - 1.0)
    assert verdict.low == pytest.approx(summary.low - 1.0) and verdict.unit == "chains"


def test_agreement_with_a_closed_form_within_three_standard_errors():
    values = np.random.default_rng(6).normal(2.0, 1.0, 1000)
    assert agrees("C1", values, 2.0, "mean").holds
    assert not agrees("C1", values, 2.3, "mean").holds  # 0.3 is about 10 standard errors away


def test_a_correct_closed_form_rarely_fails_the_three_standard_error_agreement():
    # t with 49 degrees of freedom exceeds 3 in 0.42% of repeats.
    rng = np.random.default_rng(7)
    failed = [not agrees("C1", rng.normal(0.0, 1.0, 50), 0.0, "mean").holds for _ in range(3000)]
    assert np.mean(failed) < 0.01


def test_check_verdict_prints_pass_or_raises_with_fail(capsys):
    rng = np.random.default_rng(8)
    assert check_verdict(compare("C2", rng.normal(1, 0.1, 20), rng.normal(0, 0.1, 20), "spread", "after"))
    assert capsys.readouterr().out.startswith("[PASS] C2: spread is ")
    with pytest.raises(CheckFailed, match=r"^\[FAIL\] C2: spread is .*: contradicted$"):
        check_verdict(compare("C2", rng.normal(0, 0.1, 20), rng.normal(1, 0.1, 20), "spread", "after"))


@pytest.mark.parametrize("call, error, message", [
    (lambda: summarize([1.0]), ValueError, "values needs at least 2 replicates"),
    (lambda: summarize(3.0), ValueError, "values must have an axis 0"),
    (lambda: summarize("many"), TypeError, "values must be numbers"),
    (lambda: summarize([1.0, np.nan, 2.0]), ValueError, "values must be finite"),
    (lambda: compare("C1", [1.0, 2.0], [1.0, 2.0], "x", "y", expect="bigger"), ValueError, "expect must be one of"),
    (lambda: compare("C1", [1.0, np.inf], [1.0, 2.0], "x", "y"), ValueError, "a must be finite"),
    (lambda: compare("C1", [1.0, 2.0], np.ones((2, 2)), "x", "y"), ValueError, "b must hold one number per"),
    (lambda: compare("C1", [1.0, 2.0], [1.0, 2.0, 3.0], "x", "y", design="paired"), ValueError, "paired replicates"),
    (lambda: compare("C1", [1.0, 2.0], [1.0, 2.0], "x", "y", design="matched"), ValueError, "design must be one of"),
    (lambda: compare("C1", [1.0, 2.0], [1.0, 2.0], "x", "y", margin=0), ValueError, "margin must be"),
    (lambda: design_of([0, 1, 2], [2, 3, 4]), ValueError, "seeds_a and seeds_b must be the same seeds"),
    (lambda: holm_adjusted([0.5, 1.5]), ValueError, "p_values must be one p-value in"),
    (lambda: compare("C1", [1.0, 2.0], float("nan"), "x", "y"), ValueError, "b must be a finite number"),
    (lambda: agrees("C1", [1.0, 2.0], 1.0, "x", within=0), ValueError, "within must be in"),
    (lambda: check_verdict("holds"), TypeError, "verdict must be a Verdict"),
])
def test_bad_input_is_refused_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_importing_the_statistics_leaves_scipy_stats_out():
    # scipy.stats costs a lesson kernel about 60 MB; stdtrit from scipy.special gives the t quantile without it.
    code = "import sys, collapse_kit.evidence.stats; sys.exit('scipy.stats' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_slopes_are_each_replicates_least_squares_slope():
    generations = np.arange(12)
    values = np.stack([2.0 * generations + 1, -0.5 * generations, np.full(12, 3.0)])
    np.testing.assert_allclose(slopes(values, range(12)), [2.0, -0.5, 0.0], atol=1e-12)
    np.testing.assert_allclose(slopes(values, range(6, 12)), [2.0, -0.5, 0.0], atol=1e-12)
    with pytest.raises(ValueError, match="generations must hold at least 2 generations in 0-11"):
        slopes(values, [11, 12])


def test_a_curve_that_levels_off_is_a_plateau_and_a_steady_drift_is_not():
    rng = np.random.default_rng(0)
    generations = np.arange(12)
    levelling = 10 * (1 - np.exp(-generations)) + rng.normal(0, 0.05, (10, 12))  # fast rise, then flat
    drifting = 1.0 * generations + rng.normal(0, 0.05, (10, 12))  # the same pace throughout
    flat = plateau("C4", levelling, "a levelling curve", tolerance=0.1)
    assert flat.outcome == "holds" and abs(flat.effect) < 0.1 and "levelled off if within +-0.1" in str(flat)
    steady = plateau("C4", drifting, "a steady drift", tolerance=0.1)
    assert steady.outcome == "contradicted" and steady.effect == pytest.approx(1.0, abs=0.05)  # units per generation
    collapsed = plateau("C4", levelling, "a collapsed loop", tolerance=0.1, floor="digits at their floor 1")
    assert collapsed.outcome == "not testable" and "digits at their floor 1" in str(collapsed)
    with pytest.raises(ValueError, match="tolerance must be"):
        plateau("C4", levelling, "no tolerance", tolerance=0)


def test_a_live_run_among_the_seeds_of_its_setting_is_placed_by_their_spread():
    seeds = np.array([10.0, 11.0, 9.0, 10.5, 9.5])
    inside, outside = among("your run", 11.5, seeds, "x"), among("your run", 10.0 + 5 * seeds.std(ddof=1), seeds, "x")
    assert inside.holds and not outside.holds
    assert inside.effect == pytest.approx(1.5) and inside.high == pytest.approx(4 * seeds.std(ddof=1))
    with pytest.raises(ValueError, match="within must be"):
        among("your run", 1.0, seeds, "x", within=0)


def test_a_verdict_names_its_outcome_and_reads_it_in_the_lessons_words():
    holds = compare("C1", [2.0, 2.1, 1.9], [1.0, 1.1, 0.9], "x", "y", design="paired")
    contradicted = compare("C1", [0.0, 0.1, -0.1], [1.0, 1.1, 0.9], "x", "y", design="paired")
    unresolved = compare("C1", [1.0, 2.0, 0.0], [1.0, 1.1, 0.9], "x", "y", design="paired")
    negligible = compare("C1", [1.0, 1.1, 0.9], [1.0, 1.05, 0.95], "x", "y", design="paired", margin=0.5)
    verdicts = (holds, contradicted, unresolved, negligible)
    assert [v.outcome for v in verdicts] == ["holds", "contradicted", "not resolved", "negligible"]
    assert [v.reading("a", "b", "c", "d") for v in verdicts] == ["a", "b", "c", "d"]
    assert str(holds).endswith(": holds") and holds.measured in str(holds)
    assert str(negligible).endswith(": negligible (within +-0.5)")
    assert str(unresolved).endswith(f": not resolved (3 seeds detect {unresolved.detectable:.3g} with 80% power)")
    with pytest.raises(ValueError, match="negligible must be given"):
        negligible.reading("a", "b", "c")


def test_holds_needs_the_whole_interval_beyond_the_margin_and_a_small_sure_effect_is_negligible():
    """An interval above 0 but inside the margin is negligible, not "holds"; one that reaches into the margin is not
    resolved (and says so); only an interval beyond the margin holds."""
    small = compare("C5", [0.10, 0.12, 0.11, 0.09], 0.0, "x", "y", margin=0.5)
    assert small.low > 0 and small.outcome == "negligible"
    straddling = compare("C3", [0.3, 0.9, 0.6, 0.5, 0.7], 0.0, "x", "y", margin=0.5)
    assert straddling.low > 0 and straddling.low < 0.5 < straddling.high and straddling.outcome == "not resolved"
    assert "above 0, but within reach of the margin +-0.5" in straddling.outcome_words
    large = compare("C1", [2.0, 2.1, 1.9], 0.0, "x", "y", margin=0.5)
    assert large.outcome == "holds" and large.outcome_words == "holds (beyond +-0.5)"
    from scipy import stats
    assert large.decisive_p == pytest.approx(2 * stats.ttest_1samp([2.0, 2.1, 1.9], 0.5,
                                                                   alternative="greater").pvalue, rel=1e-10)
    floored = compare("C2", [0.001, 0.0, 0.002], [0.0, 0.001, 0.0], "recall", "y", design="paired", margin=0.035,
                      floor="recall at its floor 0 in both arms (0.001, 0.000)")
    assert floored.outcome == "not testable" and np.isnan(floored.decisive_p)


def test_at_bound_names_arms_that_sit_at_a_floor_or_ceiling():
    assert at_bound("recall", {"a": [0.0, 0.01], "b": [0.02, 0.0]}, 0.0, 1.0, 0.035) == \
        "recall at its floor 0 in both arms (0.005, 0.01)"
    assert at_bound("recall", {"a": [0.0, 0.01], "b": [0.8, 0.7]}, 0.0, 1.0, 0.035) is None  # one arm: testable
    assert at_bound("recall", {"a": [0.0, 0.01], "b": [0.8, 0.7]}, 0.0, 1.0, 0.035, every=False).startswith(
        "recall at its floor 0 in a")
    assert at_bound("digits", {"a": [10.0], "b": [1.0]}, 1.0, 10.0, 0.5) is None  # different bounds: testable


def test_the_intervals_and_p_values_are_those_of_scipy_stats_for_each_design():
    from scipy import stats

    rng = np.random.default_rng(9)
    a, b = rng.normal(1.0, 1.0, 10), rng.normal(0.3, 2.0, 12)
    paired, welch = stats.ttest_rel(a, b[:10]), stats.ttest_ind(a, b, equal_var=False)
    one_sample = stats.ttest_1samp(a, 0.5)
    for verdict, result, test, null in ((compare("C", a, b[:10], "x", "y", design="paired"), paired, "paired t", 0),
                                        (compare("C", a, b, "x", "y"), welch, "Welch t", 0),
                                        (compare("C", a, 0.5, "x", "y"), one_sample, "one-sample t", 0.5)):
        interval = result.confidence_interval(0.95)  # ttest_1samp's is the mean's: the effect's is 0.5 below
        assert verdict.test == test
        assert (verdict.low, verdict.high) == pytest.approx((interval.low - null, interval.high - null), rel=1e-12)
        assert verdict.p_value == pytest.approx(result.pvalue, rel=1e-10)
        assert verdict.dof == pytest.approx(result.df, rel=1e-12)
    lower = compare("C", a, b[:10], "x", "y", expect="lower", design="paired")
    interval = paired.confidence_interval(0.95)  # the claim's way round: the interval mirrored
    assert lower.p_value == pytest.approx(paired.pvalue, rel=1e-10)
    assert (lower.low, lower.high) == pytest.approx((-interval.high, -interval.low), rel=1e-12)


def test_equivalence_is_two_one_sided_tests_read_off_the_95_percent_interval():
    from scipy import stats

    differences = np.random.default_rng(10).normal(0.05, 0.2, 15)
    verdict = compare("C", differences, 0.0, "x", "y", margin=0.25)
    above = stats.ttest_1samp(differences, -0.25, alternative="greater").pvalue
    below = stats.ttest_1samp(differences, 0.25, alternative="less").pvalue
    assert verdict.equivalence_p == pytest.approx(2 * max(above, below), rel=1e-10)
    assert verdict.equivalent == (verdict.equivalence_p < 0.05) == (-0.25 < verdict.low and verdict.high < 0.25)
    wide = compare("C", differences, 0.0, "x", "y", margin=0.01)
    assert not wide.equivalent and wide.outcome == "not resolved" and wide.decisive_p == wide.p_value


def test_a_true_margin_sized_effect_is_called_equivalent_in_at_most_5_percent_of_repeats():
    # Each one-sided test runs at 2.5%: an effect exactly at the margin passes in about 2.5% of repeats.
    rng = np.random.default_rng(11)
    equivalent = [compare("C", rng.normal(0.5, 1.0, 40), 0.0, "x", "y", margin=0.5).equivalent for _ in range(2000)]
    assert np.mean(equivalent) == pytest.approx(0.025, abs=0.011)


def test_the_detectable_effect_is_detected_four_times_in_five():
    from scipy import stats

    verdict = compare("C", np.random.default_rng(12).normal(0.0, 1.0, 10), 0.0, "x", "y")
    dof, critical = verdict.dof, stats.t.ppf(0.975, verdict.dof)
    shift = verdict.detectable / verdict.standard_error
    power = stats.nct.sf(critical, dof, shift) + stats.nct.cdf(-critical, dof, shift)
    assert power == pytest.approx(0.80, abs=0.005)
    rng = np.random.default_rng(13)  # and by simulation: a true effect of that size, 10 seeds of spread 1
    size = verdict.detectable / verdict.standard_error / np.sqrt(10)
    found = [compare("C", rng.normal(size, 1.0, 10), 0.0, "x", "y").holds for _ in range(3000)]
    assert np.mean(found) == pytest.approx(0.80, abs=0.025)


def test_holm_corrects_the_family_step_by_step():
    assert holm_adjusted([0.01, 0.04, 0.03, 0.5]).tolist() == pytest.approx([0.04, 0.09, 0.09, 0.5])
    strong = compare("C", [2.0, 2.1, 1.9, 2.05], 0.0, "x", "y")
    weak = compare("C", [0.3, 0.1, 0.5, 0.2, 0.25], 0.0, "x", "y")
    closed_form = agrees("C1", [0.9, 1.1, 1.0, 1.05], 1.0, "mean")
    # weak (p = 0.016) ranks second of three: Holm asks p < 0.05 / 2, and it passes; among forty, p < 0.05 / 40
    assert strong.p_value < 0.05 / 3 and 0.05 / 40 < weak.p_value < 0.05 / 2 and closed_form.p_value > 0.5
    assert holm([strong, weak, closed_form]) == ["holds", "holds", "holds"]
    assert holm([weak] * 40) == ["not resolved"] * 40
    assert holm([strong, compare("C", [0.0, 0.1, -0.1], 0.0, "x", "y")]) == ["holds", "not resolved"]


def test_arms_that_ran_the_same_seeds_are_paired_seed_by_seed():
    class Arm:
        def __init__(self, seeds, values):
            self.seeds, self.values = seeds, np.asarray(values, dtype=float)

        def at(self, measure, generation):
            return self.values[:, generation]

    per_seed = np.random.default_rng(14).normal(0, 10, 8)
    a = Arm(list(range(8)), np.stack([per_seed, per_seed + 0.5 + np.linspace(-0.01, 0.01, 8)], axis=1))
    shuffled = [3, 1, 4, 0, 7, 5, 2, 6]
    b = Arm(shuffled, np.stack([per_seed[shuffled], per_seed[shuffled]], axis=1))
    assert design_of(a.seeds, b.seeds) == "paired" and design_of([0, 1], [2, 3]) == "independent"
    np.testing.assert_array_equal(by_seed(b.at("x", 0), b.seeds, a.seeds), per_seed)
    verdict = compare_bands("C", a, b, "x", 1, "x", "y")
    assert verdict.test == "paired t" and verdict.holds and verdict.effect == pytest.approx(0.5)
    other = Arm(list(range(8, 16)), a.values)
    assert compare_bands("C", a, other, "x", 1, "x", "y", b_generation=0).test == "Welch t"


def test_pooling_settings_that_share_seeds_keeps_one_replicate_per_seed():
    settings = np.arange(12.0).reshape(3, 4)  # 3 settings, 4 seeds
    np.testing.assert_allclose(pool_by_seed(settings), [4.0, 5.0, 6.0, 7.0])
    assert compare("C", pool_by_seed(settings), 0.0, "x", "y").replicates == 4


def test_a_check_asserts_the_outcome_the_lesson_states(capsys):
    unresolved = compare("C3", [1.0, 2.0, 0.0], [1.0, 1.1, 0.9], "x", "y", design="paired")
    assert check_verdict(unresolved, "not resolved")
    assert capsys.readouterr().out.rstrip().endswith("(the lesson says: not resolved)")
    with pytest.raises(CheckFailed):
        check_verdict(unresolved)
    with pytest.raises(ValueError, match="outcome must be one of"):
        check_verdict(unresolved, "absent")


def test_about_95_percent_of_the_bundles_seeds_left_out_one_at_a_time_fall_in_the_prediction_interval():
    """Lesson 03's band question: one seed against the 95% prediction interval of the others (not the interval of
    their mean, which holds only about half of them)."""
    from collapse_kit.evidence import bundle
    from collapse_kit.evidence import experiments as ex
    from collapse_kit.evidence.stats import prediction_interval, summarize

    inside, inside_mean = [], []
    for name in (ex.REAL_0, ex.REAL_10, ex.REAL_25, ex.REAL_50, ex.REAL_100, ex.ACCUMULATE):
        found = bundle.band(name)
        for measure in ("fid", "latent_std", "test_nelbo", "recall"):
            values = found.metric(measure)[:, 1:6]  # generation 0 is shared by the settings of a seed
            for left in range(len(values)):
                others = np.delete(values, left, axis=0)
                low, high = prediction_interval(others)
                inside += list((low <= values[left]) & (values[left] <= high))
                mean = summarize(others, axis=0)
                inside_mean += list((mean.low <= values[left]) & (values[left] <= mean.high))
    assert 0.91 <= np.mean(inside) <= 0.99, np.mean(inside)
    assert np.mean(inside_mean) < 0.75  # the mean's interval is the wrong question for one seed
