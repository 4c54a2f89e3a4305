"""The referee: every verdict of the sheet (lessons/verdicts.md) recomputed from the shipped bundle and the Gaussian
runs with an independent implementation, scipy.stats for the t tests and numpy for the slopes, and compared with
what ``collapse_kit.evidence.sheet`` says, to 1e-9 relative.

The referee knows the designs on its own: the bundle's bands all ran seeds 0-9, so two bands are compared seed by
seed (``ttest_rel``); the C3 sizes share their seeds, so pooling over sizes takes each seed's mean first
(``ttest_1samp`` on 10 numbers); the Gaussian settings' chains are independent runs (``ttest_ind(equal_var=False)``).
The margins are read from the sheet's own header (its table of margins), never from the library; the measures'
floors and ceilings are the referee's own (recall and precision in [0, 1], one to ten digits). The outcome rule is
the sheet's header's: beyond the margin, holds; within it, negligible; beyond it the other way, contradicted; an arm
at a floor, not testable; else not resolved. Holm runs over each claim's confirmatory rows (the sheet's family
column). A verdict added to the sheet without a line here fails ``test_the_referee_checks_every_row``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from collapse_kit.evidence import experiments as ex
from collapse_kit.evidence import sheet
from collapse_kit.evidence.bundle import band
from collapse_kit.gaussian.theory import (
    GaussianConfig,
    expected_log_variance,
    expected_variance,
    lifeline_study,
    run_gaussian,
)

SHEET = Path(__file__).resolve().parent.parent / "lessons" / "verdicts.md"
RELATIVE = 1e-9
SEEDS = list(range(10))
WORSE = {"latent_std": "lower", "classes_covered": "lower", "test_nelbo": "higher", "class_entropy": "lower",
         "recall": "lower", "sample_nelbo_gen0_spread": "lower", "fid": "higher"}  # the referee's own reading
OTHER = {"higher": "lower", "lower": "higher"}
BOUNDS = {"recall": (0.0, 1.0), "precision": (0.0, 1.0), "classes_covered": (1.0, 10.0)}  # the referee's own


def sheet_margins() -> dict[str, float]:
    """The margins the sheet's header states: its "| measure | margin | reason |" table."""
    found = {}
    for line in SHEET.read_text().splitlines():
        match = re.match(r"^\| ([a-z_0-9]+) \| ([0-9.e+-]+) \| ", line)
        if match:
            found[match.group(1)] = float(match.group(2))
    assert found, "the sheet states no margins"
    return found


MARGIN = sheet_margins()


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


def _difference(result, sign: float, standard_error: float, margin: float | None, shifted,
                floored: bool = False) -> Expected:
    """An outcome from a scipy t-test ``result`` of (a - b) (``sign`` -1 turns it to the claim's way) against
    ``margin`` (None: zero), with ``shifted(null, alternative)`` the p-value of the same test of (a - b) against
    ``null``."""
    interval = result.confidence_interval(0.95)
    low, high = sorted((sign * interval.low, sign * interval.high))
    effect = (low + high) / 2
    detectable = _t_power_size(standard_error, result.df)
    if floored:
        return Expected(effect, low, high, float("nan"), "not testable", detectable)
    m = 0.0 if margin is None else margin
    # the claim's way is sign * (a - b): "effect > m" is "(a - b) > m" for sign +1 and "(a - b) < -m" for sign -1
    if low > m:
        p = 2 * (shifted(m, "greater") if sign > 0 else shifted(-m, "less"))
        outcome = "holds"
    elif high < -m:
        p = 2 * (shifted(-m, "less") if sign > 0 else shifted(m, "greater"))
        outcome = "contradicted"
    elif margin is not None and -m < low and high < m:
        p = 2 * max(shifted(-m, "greater"), shifted(m, "less"))
        outcome = "negligible"
    else:
        p, outcome = result.pvalue, "not resolved"
    return Expected(effect, low, high, min(1.0, p), outcome, detectable)


def paired(a, b, expect: str, margin: float | None = None, floored: bool = False) -> Expected:
    """Seed by seed: scipy's ttest_rel (and ttest_1samp of the differences against a shifted null)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    result = stats.ttest_rel(a, b)
    differences = a - b
    error = differences.std(ddof=1) / np.sqrt(len(differences))
    return _difference(result, 1.0 if expect == "higher" else -1.0, error, margin,
                       lambda null, side: stats.ttest_1samp(differences, null, alternative=side).pvalue, floored)


def one_sample(values, reference: float, expect: str, margin: float) -> Expected:
    values = np.asarray(values, dtype=float)
    result = stats.ttest_1samp(values, reference)
    found = _difference(result, 1.0 if expect == "higher" else -1.0, values.std(ddof=1) / np.sqrt(len(values)),
                        margin, lambda null, side: stats.ttest_1samp(values, reference + null,
                                                                     alternative=side).pvalue)
    shift = reference if expect == "higher" else -reference  # ttest_1samp's interval is the mean's
    return Expected(found.effect - shift, found.low - shift, found.high - shift, found.p, found.outcome,
                    found.detectable)


def welch(a, b, expect: str, margin: float) -> Expected:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    result = stats.ttest_ind(a, b, equal_var=False)
    error = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    return _difference(result, 1.0 if expect == "higher" else -1.0, error, margin,
                       lambda null, side: stats.ttest_ind(a - null, b, equal_var=False, alternative=side).pvalue)


def plateau(values, tolerance: float, floored: bool = False) -> Expected:
    """Each seed's least-squares slope over generations 6-11 (numpy's polyfit), per generation; levelled off when
    the 95% interval lies within +-tolerance."""
    values = np.asarray(values, dtype=float)
    late = np.array([np.polyfit(np.arange(6, 12), seed[6:12], 1)[0] for seed in values])
    result = stats.ttest_1samp(late, 0.0)
    interval = result.confidence_interval(0.95)
    if floored:
        return Expected(late.mean(), interval.low, interval.high, float("nan"), "not testable")
    tost = 2 * max(stats.ttest_1samp(late, -tolerance, alternative="greater").pvalue,
                   stats.ttest_1samp(late, tolerance, alternative="less").pvalue)
    if -tolerance < interval.low and interval.high < tolerance:
        return Expected(late.mean(), interval.low, interval.high, min(1.0, tost), "holds")
    if interval.low > tolerance or interval.high < -tolerance:
        beyond = stats.ttest_1samp(late, np.copysign(tolerance, late.mean()),
                                   alternative="greater" if late.mean() > 0 else "less").pvalue
        return Expected(late.mean(), interval.low, interval.high, min(1.0, 2 * beyond), "contradicted")
    return Expected(late.mean(), interval.low, interval.high, result.pvalue, "not resolved")


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


def at_floor(measure: str, *arms) -> bool:
    """Whether every arm's mean sits within the margin of the same bound of ``measure`` (the referee's bounds)."""
    low, high = BOUNDS.get(measure, (None, None))
    near = [("floor" if low is not None and np.mean(arm) - low <= MARGIN[measure] else
             "ceiling" if high is not None and high - np.mean(arm) <= MARGIN[measure] else None) for arm in arms]
    return near[0] is not None and len(set(near)) == 1


def degrades(name: str, measure: str, g: int = 5) -> Expected:
    a, b = at(name, measure, g), at(name, measure, 0)
    return paired(a, b, WORSE[measure], MARGIN[measure], at_floor(measure, a, b))


def share_kept(name: str, measure: str, g: int) -> np.ndarray:
    return at(name, measure, g) / at(name, measure, 0)


def share_margin(name: str, measure: str) -> float:
    return MARGIN[measure] / at(name, measure, 0).mean()


def lesson_01(gauss, unbiased, rescued, t: int = 20) -> list[Expected]:
    generations = gauss.config.generations
    tails = gauss.tail_mass(2.0)
    log = MARGIN["log_variance"]
    return [agreement(gauss.variances[:, t], expected_variance(generations, 100, "mle")[t]),
            agreement(unbiased.variances[:, t], 1.0),
            agreement(np.log(unbiased.variances[:, -1]), expected_log_variance(generations, 100, "unbiased")[-1]),
            one_sample(np.log(gauss.variances[:, -1]), 0.0, "lower", log),
            one_sample(np.log(unbiased.variances[:, -1]), 0.0, "lower", log),
            paired(np.log(tails[:, t] / tails[:, 0]), np.log(gauss.variances[:, t] / gauss.variances[:, 0]), "lower",
                   log),
            paired(abs(gauss.means[:, -1, 0]), abs(gauss.means[:, 0, 0]), "higher", MARGIN["mean_drift"]),
            welch(rescued.variances[:, -1], gauss.variances[:, -1], "higher", MARGIN["variance"])]


def lessons_03_to_05() -> list[Expected]:
    rows = [degrades(ex.REAL_0, m) for m in ("latent_std", "classes_covered", "test_nelbo")]
    kept = {name: share_kept(name, "latent_std", 3) for name in (ex.REAL_0, ex.BERNOULLI[1.0])}
    rows.append(paired(kept[ex.BERNOULLI[1.0]], kept[ex.REAL_0], "higher", share_margin(ex.REAL_0, "latent_std")))
    rows += [degrades(ex.REAL_0, m) for m in ("class_entropy", "recall", "sample_nelbo_gen0_spread", "fid")]
    rows += [paired(at(ex.REAL_50, m, 5), at(ex.REAL_0, m, 5), OTHER[WORSE[m]], MARGIN[m])
             for m in ("fid", "latent_std")]
    for f in (0.0, 0.1, 0.25, 0.5):
        digits = band(ex.SWEEP[f]).values["classes_covered"][:, 6:12].mean(axis=1)
        rows.append(plateau(band(ex.SWEEP[f]).values["test_nelbo"], MARGIN["test_nelbo"] / 5,
                            floored=np.mean(digits) - 1.0 <= MARGIN["classes_covered"]))
    narrow, wide, quarter = ex.REAL_50_NARROW, ex.REAL_50, ex.REAL_25
    rows += [paired(at(narrow, "classes_covered", 5), at(wide, "classes_covered", 5), "lower",
                    MARGIN["classes_covered"]),
             paired(at(narrow, "fid", 5), at(wide, "fid", 5), "higher", MARGIN["fid"]),
             paired(at(narrow, "classes_covered", 5), at(quarter, "classes_covered", 5), "lower",
                    MARGIN["classes_covered"]),
             paired(at(narrow, "fid", 5), at(quarter, "fid", 5), "lower", MARGIN["fid"])]
    for m in ("classes_covered", "fid", "test_nelbo"):  # the pool of 500 against fresh real images, same dose
        pool, fresh = at(ex.REAL_50_POOL, m, 5), at(wide, m, 5)
        rows.append(paired(pool, fresh, WORSE[m], MARGIN[m], at_floor(m, pool, fresh)))
    return rows


def lesson_06(study) -> list[Expected]:
    rows = [paired(at(ex.FEW_REAL[k], "test_nelbo", 5), at(ex.FEW_REAL[0], "test_nelbo", 5), "lower",
                   MARGIN["test_nelbo"]) for k in (1, 10, 100)]
    rows += [paired(at(ex.FIXED_REAL[k], "test_nelbo", 5), at(ex.FEW_REAL[k], "test_nelbo", 5), "higher",
                    MARGIN["test_nelbo"]) for k in (1, 10, 100)]  # the same k images against fresh ones
    for measure in ("test_nelbo", "fid"):
        m = MARGIN[measure]
        arms = {real: [at(name, measure, 1) for name in names] for real, names in ex.C3.items()}
        sizes = list(arms)
        for real in sizes:
            alone, mixed, all_real = arms[real]
            rows += [paired(mixed, alone, "higher", m), paired(mixed, all_real, "higher", m)]
        mean_of = {role: np.mean([arms[real][role] for real in sizes], axis=0) for role in range(3)}  # per seed
        rows += [paired(mean_of[1], mean_of[0], "higher", m), paired(mean_of[1], mean_of[2], "higher", m)]
        small_cost = arms[sizes[0]][1] - arms[sizes[0]][2]
        large_cost = arms[sizes[-1]][1] - arms[sizes[-1]][2]
        rows.append(paired(large_cost, small_cost, "lower", m))
        doublings = list(zip(sizes, sizes[1:]))
        assert all(large == 2 * small for small, large in doublings)
        larger = np.mean([arms[large][2] for _, large in doublings], axis=0)
        smaller = np.mean([arms[small][2] for small, _ in doublings], axis=0)
        rows.append(paired(larger, smaller, "lower"))  # the yardstick: read against zero; lower is better
        cost = np.mean([arms[real][1] - arms[real][2] for real in sizes], axis=0)
        gain = np.mean([arms[small][2] - arms[large][2] for small, large in doublings], axis=0)
        rows.append(paired(cost, gain, "higher", m))
    settled = study.settled_variance
    log, variance = MARGIN["log_variance"], MARGIN["variance"]
    rows += [welch(np.log(settled("mle", "fresh")), np.log(settled("mle", "none")), "higher", log),
             welch(np.log(settled("mle", "fixed")), np.log(settled("mle", "fresh")), "lower", log),
             welch(np.log(settled("map", "none", 1.0)), np.log(settled("mle", "none")), "higher", log),
             welch(settled("map", "fresh", 1.0), settled("map", "none", 1.0), "higher", variance),
             welch(settled("map", "fixed", 4.0), settled("map", "fixed", 1.0), "higher", variance),
             one_sample(settled("map", "fresh", 4.0), 1.0, "higher", variance)]
    return rows


def lesson_07() -> list[Expected]:
    m = MARGIN["test_nelbo"]
    replace, epochs = at(ex.REAL_0, "test_nelbo", 5), at(ex.ACCUMULATE, "test_nelbo", 5)
    steps, steps_0 = at(ex.ACCUMULATE_EQUAL_STEPS, "test_nelbo", 5), at(ex.ACCUMULATE_EQUAL_STEPS, "test_nelbo", 0)
    real_set, synthetic_sets = at(ex.KEEP_FIRST_SET, "test_nelbo", 5), at(ex.ACCUMULATE_SYNTHETIC, "test_nelbo", 5)
    rows = [paired(steps, replace, "lower", m), paired(steps, steps_0, "higher", m),
            paired(epochs, replace, "lower", m), paired(epochs, steps, "lower", m),
            paired(real_set, replace, "lower", m), paired(synthetic_sets, replace, "lower", m),
            paired(steps, real_set, "lower", m), paired(steps, synthetic_sets, "lower", m)]
    cold, warm = (band(ex.BERNOULLI[t]).values["recall"] for t in (0.6, 1.0))
    rows.append(paired(cold[:, 3], warm[:, 3], "lower", MARGIN["recall"]))
    floored = np.mean(cold[:, 3]) <= MARGIN["recall"]  # the cold loop's recall at its floor 0 by generation 3
    rows.append(paired(warm[:, 3] - cold[:, 3], warm[:, 0] - cold[:, 0], "higher", MARGIN["recall"], floored))
    rows.append(paired(cold[:, 3] / cold[:, 0], warm[:, 3] / warm[:, 0], "lower",
                       MARGIN["recall"] / cold[:, 0].mean(), floored))
    return rows


def lesson_09() -> list[Expected]:
    """The language model's rows (lesson 09): generation 5 of the text lines, paired by seed."""
    bits, real_0 = "test_bits_per_character", ex.TEXT_REAL_0
    m = MARGIN[bits]
    chain = letter_chain()

    def bits_rise(name: str) -> Expected:
        rare = at(name, "rare_word_bits", 5) - at(name, "rare_word_bits", 0)
        common = at(name, "common_word_bits", 5) - at(name, "common_word_bits", 0)
        floored = chain["rare_word_bits"] - at(name, "rare_word_bits", 0).mean() <= MARGIN["rare_word_bits"]
        return paired(rare, common, "higher", MARGIN["rare_word_bits"], floored)

    def at_chain(measure: str) -> bool:  # generation 0 within the margin of the letter chain's level
        return at(real_0, measure, 0).mean() - chain[measure] <= MARGIN[measure]

    rows = [paired(at(real_0, bits, 5), at(real_0, bits, 0), "higher", m),
            bits_rise(real_0),
            paired(at(real_0, "invented_share", 5), at(real_0, "invented_share", 0), "higher",
                   MARGIN["invented_share"]),
            paired(share_kept(real_0, "rare_coverage", 5), share_kept(real_0, "common_coverage", 5), "lower",
                   share_margin(real_0, "rare_coverage"), floored=at_chain("rare_coverage")),
            paired(share_kept(real_0, "long_rare_coverage", 5), share_kept(real_0, "common_coverage", 5), "lower",
                   share_margin(real_0, "long_rare_coverage"), floored=at_chain("long_rare_coverage")),
            bits_rise(ex.TEXT_TEMPERATURE[0.7]),
            paired(at(ex.TEXT_REAL[0.1], bits, 5), at(real_0, bits, 5), "lower", m),
            paired(at(ex.TEXT_REAL[0.5], bits, 5), at(ex.TEXT_REAL[0.1], bits, 5), "lower", m),
            paired(at(ex.TEXT_FEW_REAL[10], bits, 5), at(real_0, bits, 5), "lower", m)]
    cold = ex.TEXT_TEMPERATURE[0.7]
    rows += [paired(share_kept(cold, measure, 5), share_kept(real_0, measure, 5), "lower",
                    share_margin(cold, measure)) for measure in ("distinct_words", "common_coverage")]
    steps = ex.TEXT_ACCUMULATE_EQUAL_STEPS
    rows += [paired(at(steps, bits, 5), at(real_0, bits, 5), "lower", m),
             paired(at(steps, bits, 5), at(steps, bits, 0), "higher", m)]
    return rows


def letter_chain() -> dict[str, float]:
    """The text world's no-skill levels, read by the referee from the shipped file itself: the mean over its seeds of
    each measure of the 2-character letter chain (collapse_kit/assets/text_baseline.json)."""
    shipped = json.loads((Path(__file__).resolve().parent.parent / "collapse_kit" / "assets" /
                          "text_baseline.json").read_text())
    return {name: float(np.mean(values)) for name, values in shipped["values"].items()}


def gaussian_run(**options):
    return run_gaussian(GaussianConfig(samples_per_generation=100, generations=1000, chains=1000, **options), seed=0)


def holm_within(p_values, level: float = 0.05) -> list[bool]:
    """Holm's step-down, written out: reject the k-th smallest while p < level / (m - k + 1) (k from 1)."""
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
    """Every row, in the sheet's order (lesson by lesson)."""
    study = lifeline_study(generations=1000, chains=1000, seed=0, prior_variances=(1.0, 4.0))
    return (lesson_01(gaussian_run(), gaussian_run(fit="unbiased"), gaussian_run(real_fraction=0.1))
            + lessons_03_to_05() + lesson_06(study) + lesson_07() + lesson_09())


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
        assert verdict.decisive_p == pytest.approx(expected.p, rel=RELATIVE, abs=1e-300, nan_ok=True), where
        if expected.detectable is not None and verdict.kind == "difference":
            assert verdict.detectable == pytest.approx(expected.detectable, rel=RELATIVE), where


@pytest.mark.slow
def test_holm_runs_within_each_claims_confirmatory_family(sheet_rows, referee):
    for claim in {row.claim for row in sheet_rows}:
        members = [index for index, row in enumerate(sheet_rows)
                   if row.claim == claim and row.family == "confirmatory" and referee[index].outcome != "not testable"]
        rejected = holm_within([referee[index].p for index in members])
        for index, survives in zip(members, rejected):
            row, expected = sheet_rows[index], referee[index]
            kept = row.verdict.kind == "agreement" or (survives and expected.outcome != "not resolved")
            assert row.family_wise == (expected.outcome if kept else "not resolved"), f"{row.claim}: {row.verdict}"
    for row in sheet_rows:
        assert (row.family_wise != "") == (row.family == "confirmatory"), row


# The variants, as the referee reads them: other lines (the catalogue's names of each variant's lines) or other
# columns of the same lines (the referee's own list of what each reading reads instead).
VARIANT_LINES = {"converged generation 0": ex.CONVERGED, "the other sampling": ex.OTHER_SAMPLING}
VARIANT_COLUMNS = {"precision and recall as published": {"precision": "standard_precision",
                                                         "recall": "standard_recall"},
                   "confident digits only": {"classes_covered": "confident_digits"},
                   "another test subset": {"test_nelbo": "test_nelbo_other"}}
# Every confirmatory VAE row but C3's, in the sheet's order: (lesson, arm a, arm b, measure, generation of a and of b,
# the way the claim expects a - b to go).
HEADLINE = ([("03", ex.REAL_0, ex.REAL_0, m, 5, 0, WORSE[m]) for m in ("latent_std", "classes_covered", "test_nelbo")]
            + [("04", ex.REAL_0, ex.REAL_0, m, 5, 0, WORSE[m]) for m in ("class_entropy", "recall", "fid")]
            + [("05", ex.REAL_50, ex.REAL_0, m, 5, 5, OTHER[WORSE[m]]) for m in ("fid", "latent_std")]
            + [("05", ex.REAL_50_NARROW, ex.REAL_50, "classes_covered", 5, 5, "lower"),
               ("06", ex.FEW_REAL[1], ex.FEW_REAL[0], "test_nelbo", 5, 5, "lower"),
               ("07", ex.ACCUMULATE_EQUAL_STEPS, ex.REAL_0, "test_nelbo", 5, 5, "lower"),
               ("07", ex.BERNOULLI[0.6], ex.BERNOULLI[1.0], "recall", 3, 3, "lower")])
BOUNDS.update({"standard_recall": (0.0, 1.0), "standard_precision": (0.0, 1.0), "confident_digits": (0.0, 10.0)})


def under_variants(a: str, b: str, measure: str, g: int, g_b: int, expect: str) -> dict[str, str]:
    """The referee's outcome of one comparison under each variant whose bands are built and that changes it."""
    built, found = set(sheet.shipped().names()), {}
    for name, lines in VARIANT_LINES.items():
        if a in lines and b in lines and {lines[a], lines[b]} <= built:
            x, y = band(lines[a]).values[measure][:, g], band(lines[b]).values[measure][:, g_b]
            found[name] = paired(x, y, expect, MARGIN[measure], at_floor(measure, x, y)).outcome
    for name, columns in VARIANT_COLUMNS.items():
        column = columns.get(measure)
        if column and all(column in band(arm).values for arm in (a, b)):
            x, y = band(a).values[column][:, g], band(b).values[column][:, g_b]
            found[name] = paired(x, y, expect, MARGIN[column], at_floor(column, x, y)).outcome
    return found


@pytest.mark.slow
def test_the_variants_column_is_what_the_referee_finds_on_the_variants_bands(sheet_rows):
    """The sheet's last column, recomputed by the referee's own code: every confirmatory VAE row (C3's pooled rows
    apart) re-judged under each variant whose bands or columns the bundle holds."""
    rows = [row for row in sheet_rows if row.family == "confirmatory" and "03" <= row.lesson <= "07"
            and row.source == "bundle" and row.claim != "C3"]
    assert [row.lesson for row in rows] == [spec[0] for spec in HEADLINE]
    for row, (_, a, b, measure, g, g_b, expect) in zip(rows, HEADLINE):
        assert row.under_variants == under_variants(a, b, measure, g, g_b, expect), row.verdict
    c3 = [row for row in sheet_rows if row.family == "confirmatory" and row.claim == "C3"]
    assert [row.conditions for row in c3] == ["generation 1, real images held fixed, 4 sizes",
                                              "generation 1, total held fixed, 4 sizes"] * 2  # test -ELBO, then FID
    for row, expected in zip(c3, c3_under_variants("test_nelbo") + c3_under_variants("fid")):
        assert row.under_variants == expected, row.verdict


def c3_under_variants(measure: str) -> list[dict[str, str]]:
    """C3's two pooled rows under the variants: the converged generation 0 and the other sampling, where every
    arm's line is built; the other test subset, where its arms carry the column."""
    built = set(sheet.shipped().names())
    found = [{}, {}]
    for variant, lines in VARIANT_LINES.items():  # every arm's line built: pooled over the four sizes
        if {lines[name] for names in ex.C3.values() for name in names} <= built:
            pooled = [np.mean([at(lines[names[role]], measure, 1) for names in ex.C3.values()], axis=0)
                      for role in range(3)]
            found[0][variant] = paired(pooled[1], pooled[0], "higher", MARGIN[measure]).outcome
            found[1][variant] = paired(pooled[1], pooled[2], "higher", MARGIN[measure]).outcome
    column = VARIANT_COLUMNS["another test subset"].get(measure)
    if column and all(column in band(name).values for names in ex.C3.values() for name in names):
        pooled = [np.mean([at(names[role], column, 1) for names in ex.C3.values()], axis=0) for role in range(3)]
        found[0]["another test subset"] = paired(pooled[1], pooled[0], "higher", MARGIN[column]).outcome
        found[1]["another test subset"] = paired(pooled[1], pooled[2], "higher", MARGIN[column]).outcome
    return found
