"""The referee: every verdict of the sheet (lessons/verdicts.md) recomputed from the shipped bundle and the Gaussian
runs with an independent implementation, scipy.stats for the t tests and numpy for the slopes, and compared with
what ``collapse_kit.evidence.sheet`` says, to 1e-9 relative.

The referee knows the designs on its own: the bundle's bands all ran seeds 0-9, so two bands are compared seed by
seed (``ttest_rel``); the C3 sizes share their seeds, so pooling over sizes takes each seed's mean first
(``ttest_1samp`` on 10 numbers); the Gaussian settings' chains are independent runs (``ttest_ind(equal_var=False)``).
The margins are the ones the lessons state (``claims.DOSE_MARGIN`` and its kin, re-derived here from the bands).
The language model's rows (lesson 09) are read the same way from its own lines of the bundle (``text_rows``).
A verdict added to the sheet without a line here fails ``test_the_referee_checks_every_row``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

from collapse_kit.evidence import claims, sheet
from collapse_kit.evidence import experiments as ex
from collapse_kit.evidence.bundle import band
from collapse_kit.gaussian.theory import (
    GaussianConfig,
    expected_log_variance,
    expected_variance,
    lifeline_study,
    run_gaussian,
)

RELATIVE = 1e-9
SEEDS = list(range(10))
WORSE = {"latent_std": "lower", "classes_covered": "lower", "test_nelbo": "higher", "class_entropy": "lower",
         "recall": "lower", "sample_nelbo_gen0_spread": "lower", "fid": "higher"}  # the referee's own reading
OTHER = {"higher": "lower", "lower": "higher"}


@dataclass
class Expected:
    """What the referee finds for one row: effect, 95% interval, the outcome's p-value, the outcome, and the smallest
    effect detectable at 80% power (for a difference)."""

    effect: float
    low: float
    high: float
    p: float
    outcome: str
    detectable: float | None = None


def _t_power_size(standard_error: float, dof: float) -> float:
    return (stats.t.ppf(0.975, dof) + stats.t.ppf(0.8, dof)) * standard_error


def _difference(result, sign: float, standard_error: float, margin: float | None, shifted) -> Expected:
    """An outcome from a scipy t-test ``result`` of (a - b) (``sign`` -1 turns it to the claim's way) and, for a
    margin, ``shifted(null, alternative)``: the p-value of the same test against ``null``."""
    interval = result.confidence_interval(0.95)
    low, high = sorted((sign * interval.low, sign * interval.high))
    effect = (low + high) / 2
    if low > 0:
        outcome, p = "holds", result.pvalue
    elif high < 0:
        outcome, p = "contradicted", result.pvalue
    elif margin is not None and -margin < low and high < margin:
        # the claim's effect within +-margin: (a - b) within +-margin too, whichever the sign
        outcome = "equivalent"
        p = min(1.0, 2 * max(shifted(-margin, "greater"), shifted(margin, "less")))
    else:
        outcome, p = "not resolved", result.pvalue
    return Expected(effect, low, high, p, outcome, _t_power_size(standard_error, result.df))


def paired(a, b, expect: str, margin: float | None = None) -> Expected:
    """Seed by seed: scipy's ttest_rel."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    result = stats.ttest_rel(a, b)
    differences = a - b
    error = differences.std(ddof=1) / np.sqrt(len(differences))
    return _difference(result, 1.0 if expect == "higher" else -1.0, error, margin,
                       lambda null, side: stats.ttest_1samp(differences, null, alternative=side).pvalue)


def one_sample(values, reference: float, expect: str) -> Expected:
    values = np.asarray(values, dtype=float)
    result = stats.ttest_1samp(values, reference)
    found = _difference(result, 1.0 if expect == "higher" else -1.0, values.std(ddof=1) / np.sqrt(len(values)),
                        None, None)
    shift = reference if expect == "higher" else -reference  # ttest_1samp's interval is the mean's
    return Expected(found.effect - shift, found.low - shift, found.high - shift, found.p, found.outcome,
                    found.detectable)


def welch(a, b, expect: str) -> Expected:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    result = stats.ttest_ind(a, b, equal_var=False)
    error = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    return _difference(result, 1.0 if expect == "higher" else -1.0, error, None, None)


def plateau(values, share: float = 0.25) -> Expected:
    """Each seed's least-squares slope over generations 6-11 (numpy's polyfit) as a share of the seeds' mean slope
    over 0-5; levelled off when the 95% interval lies within +-share."""
    values = np.asarray(values, dtype=float)
    early = np.mean([np.polyfit(np.arange(6), seed[:6], 1)[0] for seed in values])
    ratios = np.array([np.polyfit(np.arange(6, 12), seed[6:12], 1)[0] for seed in values]) / abs(early)
    result = stats.ttest_1samp(ratios, 0.0)
    interval = result.confidence_interval(0.95)
    tost = 2 * max(stats.ttest_1samp(ratios, -share, alternative="greater").pvalue,
                   stats.ttest_1samp(ratios, share, alternative="less").pvalue)
    if -share <= interval.low and interval.high <= share:
        return Expected(ratios.mean(), interval.low, interval.high, min(1.0, tost), "holds")
    outside = interval.low > share or interval.high < -share
    return Expected(ratios.mean(), interval.low, interval.high, result.pvalue,
                    "contradicted" if outside else "not resolved")


def agreement(values, expected: float, within: float = 4.0) -> Expected:
    values = np.asarray(values, dtype=float)
    result = stats.ttest_1samp(values, expected)
    interval = result.confidence_interval(0.95)
    error = values.std(ddof=1) / np.sqrt(len(values))
    holds = abs(values.mean() - expected) <= within * error
    return Expected(values.mean() - expected, interval.low - expected, interval.high - expected, result.pvalue,
                    "holds" if holds else "contradicted")


def at(name: str, measure: str, generation: int) -> np.ndarray:
    found = band(name)
    assert list(found.seeds) == SEEDS, f"{name} ran seeds {found.seeds}: the referee pairs seeds 0-9 in order"
    return found.values[measure][:, generation]


def vae_rows() -> list[Expected]:
    """The VAE rows of the sheet, in its order."""
    rows = [paired(at(ex.REAL_0, m, 5), at(ex.REAL_0, m, 0), WORSE[m])
            for m in ("latent_std", "classes_covered", "test_nelbo")]
    kept = {name: at(name, "latent_std", 3) / at(name, "latent_std", 0) for name in (ex.REAL_0, ex.BERNOULLI[1.0])}
    rows.append(paired(kept[ex.BERNOULLI[1.0]], kept[ex.REAL_0], "higher"))
    rows += [paired(at(ex.REAL_0, m, 5), at(ex.REAL_0, m, 0), WORSE[m])
             for m in ("class_entropy", "recall", "sample_nelbo_gen0_spread", "fid")]
    rows += [paired(at(ex.REAL_50, m, 5), at(ex.REAL_0, m, 5), OTHER[WORSE[m]]) for m in ("fid", "latent_std")]
    rows += [plateau(band(ex.SWEEP[f]).values["test_nelbo"]) for f in (0.0, 0.1, 0.25, 0.5)]
    dose = np.mean(at(ex.REAL_0, "fid", 5) - at(ex.REAL_50, "fid", 5))
    narrow, wide, quarter = ex.REAL_50_NARROW, ex.REAL_50, ex.REAL_25
    rows += [paired(at(narrow, "classes_covered", 5), at(wide, "classes_covered", 5), "lower"),
             paired(at(narrow, "fid", 5), at(wide, "fid", 5), "higher", margin=claims.DOSE_MARGIN * abs(dose)),
             paired(at(narrow, "classes_covered", 5), at(quarter, "classes_covered", 5), "lower"),
             paired(at(narrow, "fid", 5), at(quarter, "fid", 5), "lower")]
    for measure in ("test_nelbo", "fid"):
        arms = {real: [at(name, measure, 1) for name in names] for real, names in ex.C3.items()}
        sizes = list(arms)
        for real in sizes:
            alone, mixed, all_real = arms[real]
            rows += [paired(mixed, alone, "higher"), paired(mixed, all_real, "higher")]
        mean_of = {role: np.mean([arms[real][role] for real in sizes], axis=0) for role in range(3)}  # per seed
        rows += [paired(mean_of[1], mean_of[0], "higher"), paired(mean_of[1], mean_of[2], "higher")]
        small_cost = arms[sizes[0]][1] - arms[sizes[0]][2]
        large_cost = arms[sizes[-1]][1] - arms[sizes[-1]][2]
        rows.append(paired(large_cost, small_cost, "lower", margin=claims.SHRINK_MARGIN * abs(small_cost.mean())))
        doublings = list(zip(sizes, sizes[1:]))
        assert all(large == 2 * small for small, large in doublings)
        larger = np.mean([arms[large][2] for _, large in doublings], axis=0)
        smaller = np.mean([arms[small][2] for small, _ in doublings], axis=0)
        rows.append(paired(larger, smaller, "lower"))  # both measures: lower is better
        cost = np.mean([arms[real][1] - arms[real][2] for real in sizes], axis=0)
        gain = np.mean([arms[small][2] - arms[large][2] for small, large in doublings], axis=0)
        rows.append(paired(cost, gain, "higher"))
    damage = np.mean(at(ex.REAL_0, "test_nelbo", 5) - at(ex.REAL_0, "test_nelbo", 0))
    rows += [paired(at(ex.FEW_REAL[k], "test_nelbo", 5), at(ex.FEW_REAL[0], "test_nelbo", 5), "lower",
                    margin=claims.RESCUE_MARGIN * abs(damage)) for k in (1, 10, 100)]
    replace, epochs = at(ex.REAL_0, "test_nelbo", 5), at(ex.ACCUMULATE, "test_nelbo", 5)
    steps, steps_0 = at(ex.ACCUMULATE_EQUAL_STEPS, "test_nelbo", 5), at(ex.ACCUMULATE_EQUAL_STEPS, "test_nelbo", 0)
    rows += [paired(epochs, replace, "lower"), paired(steps, replace, "lower"), paired(epochs, steps, "lower"),
             paired(steps, steps_0, "higher")]
    cold, warm = (band(ex.BERNOULLI[t]).values["recall"] for t in (0.6, 1.0))
    rows.append(paired(cold[:, 3], warm[:, 3], "lower"))
    rows.append(paired(warm[:, 3] - cold[:, 3], warm[:, 0] - cold[:, 0], "higher"))
    rows.append(paired(cold[:, 3] / cold[:, 0], warm[:, 3] / warm[:, 0], "lower"))
    return rows


def text_rows() -> list[Expected]:
    """The language model's rows of the sheet (lesson 09), in its order: generation 5 of the text lines, paired by
    seed (every text line ran seeds 0-9)."""
    bits, real_0 = "test_bits_per_character", ex.TEXT_REAL_0

    def kept(name: str, measure: str) -> np.ndarray:  # each seed's share of its own generation 0 kept at 5
        return at(name, measure, 5) / at(name, measure, 0)

    rows = [paired(at(real_0, bits, 5), at(real_0, bits, 0), "higher"),
            paired(kept(real_0, "rare_coverage"), kept(real_0, "common_coverage"), "lower"),
            paired(at(real_0, "invented_share", 5), at(real_0, "invented_share", 0), "higher"),
            paired(at(ex.TEXT_REAL[0.1], bits, 5), at(real_0, bits, 5), "lower"),
            paired(at(ex.TEXT_REAL[0.5], bits, 5), at(ex.TEXT_REAL[0.1], bits, 5), "lower")]
    damage = np.mean(at(real_0, bits, 5) - at(real_0, bits, 0))
    rows.append(paired(at(ex.TEXT_FEW_REAL[10], bits, 5), at(real_0, bits, 5), "lower",
                       margin=claims.RESCUE_MARGIN * abs(damage)))
    cold = ex.TEXT_TEMPERATURE[0.7]
    rows += [paired(kept(cold, m), kept(real_0, m), "lower") for m in ("distinct_words", "common_coverage")]
    steps = ex.TEXT_ACCUMULATE_EQUAL_STEPS
    rows += [paired(at(steps, bits, 5), at(real_0, bits, 5), "lower"),
             paired(at(steps, bits, 5), at(steps, bits, 0), "higher")]
    return rows


def gaussian_rows(seed: int = 0, generations: int = 1000, chains: int = 1000) -> list[Expected]:
    """The Gaussian rows of the sheet (lessons 01 and 06), from the same runs."""
    def run(**options):
        return run_gaussian(GaussianConfig(samples_per_generation=100, generations=generations, chains=chains,
                                           **options), seed=seed)

    gauss, unbiased, rescued, t = run(), run(fit="unbiased"), run(real_fraction=0.1), 20
    tails = gauss.tail_mass(2.0)
    rows = [agreement(gauss.variances[:, t], expected_variance(generations, 100, "mle")[t]),
            agreement(unbiased.variances[:, t], 1.0),
            agreement(np.log(unbiased.variances[:, -1]), expected_log_variance(generations, 100, "unbiased")[-1]),
            one_sample(np.log(gauss.variances[:, -1]), 0.0, "lower"),
            one_sample(np.log(unbiased.variances[:, -1]), 0.0, "lower"),
            paired(np.log(tails[:, t] / tails[:, 0]), np.log(gauss.variances[:, t] / gauss.variances[:, 0]), "lower"),
            paired(abs(gauss.means[:, -1, 0]), abs(gauss.means[:, 0, 0]), "higher"),
            welch(rescued.variances[:, -1], gauss.variances[:, -1], "higher")]
    settled = lifeline_study(generations=generations, chains=chains, seed=seed,
                             prior_variances=(1.0, 4.0)).settled_variance
    rows += [welch(np.log(settled("mle", "fresh")), np.log(settled("mle", "none")), "higher"),
             welch(np.log(settled("mle", "fixed")), np.log(settled("mle", "fresh")), "lower"),
             welch(np.log(settled("map", "none", 1.0)), np.log(settled("mle", "none")), "higher"),
             welch(settled("map", "fresh", 1.0), settled("map", "none", 1.0), "higher"),
             welch(settled("map", "fixed", 4.0), settled("map", "fixed", 1.0), "higher"),
             one_sample(settled("map", "fresh", 4.0), 1.0, "higher")]
    return rows


def holm(p_values, level: float = 0.05) -> list[bool]:
    """Holm's step-down, written out: reject the k-th smallest while p <= level / (m - k + 1) (k from 1)."""
    order, rejected = np.argsort(p_values, kind="stable"), [False] * len(p_values)
    for rank, index in enumerate(order):
        if p_values[index] >= level / (len(p_values) - rank):
            break
        rejected[index] = True
    return rejected


@pytest.fixture(scope="module")
def sheet_rows():
    return sheet.rows()


@pytest.fixture(scope="module")
def referee():
    return vae_rows() + text_rows() + gaussian_rows()


@pytest.mark.slow
def test_the_referee_checks_every_row(sheet_rows, referee):
    assert len(referee) == len(sheet_rows), "a verdict was added to (or dropped from) the sheet: add it here too"


@pytest.mark.slow
def test_every_verdict_of_the_sheet_is_what_scipy_finds(sheet_rows, referee):
    for row, expected in zip(sheet_rows, referee):
        verdict = row.verdict
        where = f"{row.claim} ({row.conditions}): {verdict}"
        assert verdict.effect == pytest.approx(expected.effect, rel=RELATIVE, abs=1e-12), where
        assert (verdict.low, verdict.high) == pytest.approx((expected.low, expected.high), rel=RELATIVE,
                                                            abs=1e-12), where
        assert verdict.outcome == expected.outcome, where
        assert verdict.decisive_p == pytest.approx(expected.p, rel=RELATIVE, abs=1e-300), where
        if expected.detectable is not None and verdict.kind == "difference":
            assert verdict.detectable == pytest.approx(expected.detectable, rel=RELATIVE), where


@pytest.mark.slow
def test_the_family_wise_column_is_holm_over_every_row(sheet_rows, referee):
    rejected = holm([expected.p for expected in referee])
    for row, expected, survives in zip(sheet_rows, referee, rejected):
        agreement_row = row.verdict.kind == "agreement"
        kept = agreement_row or (survives and expected.outcome != "not resolved")
        assert row.family_wise == (expected.outcome if kept else "not resolved"), f"{row.claim}: {row.verdict}"
