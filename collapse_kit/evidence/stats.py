"""The statistics behind every verdict: an effect size with a 95% confidence interval over independent replicates.

A replicate is one independent run: a seed of the VAE loop, or a chain of the Gaussian. A verdict holds when its
confidence interval excludes "no effect" in the direction the claim states, so its margin comes from the standard
error of the runs just made, never from a threshold tuned to one seed. A plateau ("bounded", "settles") is judged on
the slope of the last generations, not on one endpoint (``plateau``). Nothing here knows the course's experiments:
``claims`` defines every verdict from these functions, ``checks.check_verdict`` turns one into a check cell.

The test follows the design: arms that ran the same seeds are compared seed by seed (``design_of``, paired t),
arms with no seed in common by Welch's t, and settings pooled over share their seeds, so each seed's mean is one
replicate (``pool_by_seed``). Every outcome is read off one 95% interval:

* **holds**: the interval excludes 0 on the claimed side;
* **contradicted**: it excludes 0 on the other side;
* **equivalent**: it lies within +-``margin``, the smallest effect that would matter, stated and justified where
  the verdict is defined (two one-sided tests at 2.5% each);
* **not resolved**: none of these; the verdict then says the smallest effect its replicates could have detected
  (``Verdict.detectable``). It is not evidence of no effect.

Each verdict has a p-value (``Verdict.p_value``: below 0.05 exactly when its interval excludes 0), and ``holm``
corrects a family of verdicts (the verdict sheet) for multiple testing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import stdtr, stdtrit  # Student-t CDF, quantiles (scipy.stats would cost ~60 MB to import)

from ..core._validation import check_choice, check_float

DIRECTIONS = ("higher", "lower")
DESIGNS = ("paired", "independent")
KINDS = ("difference", "equivalence", "agreement")
OUTCOMES = ("holds", "contradicted", "equivalent", "not resolved")
LEVEL = 0.05  # every outcome is read off one 95% interval; the family-wise correction runs at the same level
POWER = 0.8  # the power at which a verdict that is not resolved states the smallest effect it could have detected


@dataclass(frozen=True)
class Summary:
    """Mean, standard error and 95% confidence interval [low, high] of ``count`` independent replicates."""

    mean: np.ndarray | float
    standard_error: np.ndarray | float
    low: np.ndarray | float
    high: np.ndarray | float
    count: int


def _replicates(name: str, values, axis: int = 0, one_per_replicate: bool = False) -> np.ndarray:
    """``values`` as a float array with at least 2 finite replicates along ``axis`` (1-D if ``one_per_replicate``)."""
    try:
        values = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be numbers (one per seed or chain), got {type(values).__name__}") from None
    if one_per_replicate and values.ndim != 1:
        raise ValueError(f"{name} must hold one number per seed or chain (1-D), got shape {values.shape}")
    if values.ndim == 0 or not -values.ndim <= axis < values.ndim:
        raise ValueError(f"{name} must have an axis {axis} of replicates, got shape {values.shape}")
    if values.shape[axis] < 2:
        raise ValueError(f"{name} needs at least 2 replicates (seeds or chains) along axis {axis}, "
                         f"got {values.shape[axis]}")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} must be finite; it holds {np.size(values) - np.isfinite(values).sum()} NaN/inf")
    return values


def _t_quantile(degrees_of_freedom):
    return stdtrit(degrees_of_freedom, 0.975)


def summarize(values, axis: int = 0) -> Summary:
    """Mean over ``axis`` (the replicates), its standard error and a 95% Student-t interval. Used in lesson 01.

    ``values`` of shape (seeds, generations) gives one summary per generation (arrays); 1-D values give floats.
    """
    values = _replicates("values", values, axis)
    count = values.shape[axis]
    mean = values.mean(axis=axis)
    error = values.std(axis=axis, ddof=1) / np.sqrt(count)
    margin = _t_quantile(count - 1) * error
    as_out = float if mean.ndim == 0 else np.asarray
    return Summary(as_out(mean), as_out(error), as_out(mean - margin), as_out(mean + margin), count)


def _upper_tail(statistic: float, dof: float) -> float:
    """P(T >= statistic) for Student's t with ``dof`` degrees of freedom."""
    return float(stdtr(dof, -statistic))


def _doubled(one_sided: float) -> float:
    """A one-sided p-value doubled and capped at 1 (NaN stays NaN)."""
    return float(np.minimum(1.0, 2 * one_sided))


@dataclass(frozen=True)
class Verdict:
    """A claim's measured effect, its 95% confidence interval [low, high] over ``replicates`` runs, and its outcome.

    ``str(verdict)`` reads ``C4: FID at 50% real is 212 lower than at 0% (95% CI 190-234, 10 seeds): holds``.

    Attributes beyond the interval (their defaults keep a hand-made verdict short):
        standard_error, dof: the effect's standard error and the degrees of freedom of its Student-t interval
            (Welch-Satterthwaite's for independent arms): they give ``p_value`` and ``detectable``.
        test: the test behind the interval: "paired t", "Welch t", "one-sample t", "slope t", "agreement t" or
            "spread of seeds".
        kind: "difference" (the claim is a direction), "equivalence" (the claim is "within ``margin``": a plateau)
            or "agreement" (the claim is the null hypothesis: a closed form is right, a run is one of the seeds).
        margin: a difference's smallest effect that would matter (within it on both sides: "equivalent"), or an
            equivalence's bound; None when the claim names none.
        stated: +1 when ``statement`` states the effect in the claim's own direction, -1 when the data went the
            other way and the statement says so ("2.94 lower" where the claim expected higher): ``measured`` then
            gives the interval of what the statement states, (-high, -low).
    """

    claim: str
    statement: str
    effect: float
    low: float
    high: float
    replicates: int
    unit: str
    holds: bool
    standard_error: float = float("nan")
    dof: float = float("nan")
    test: str = ""
    kind: str = "difference"
    margin: float | None = None
    stated: int = 1

    @property
    def equivalent(self) -> bool:
        """The whole 95% interval lies within +-``margin``: two one-sided tests at 2.5% each reject an effect as
        large as the margin."""
        return self.margin is not None and -self.margin < self.low and self.high < self.margin

    @property
    def outcome(self) -> str:
        """"holds", "contradicted", "equivalent" or "not resolved" (module docstring).

        A difference that holds stays "holds" even inside its margin: the effect is there, however small. An
        equivalence (a plateau) is contradicted when its interval lies wholly outside the bound; an agreement when
        it fails.
        """
        if self.holds:
            return "holds"
        if self.kind == "agreement":
            return "contradicted"
        if self.kind == "equivalence":
            return "contradicted" if self.low > self.margin or self.high < -self.margin else "not resolved"
        if self.high < 0:
            return "contradicted"
        return "equivalent" if self.equivalent else "not resolved"

    def _statistic(self, null: float = 0.0) -> float:
        """(effect - null) / standard error; +-inf when every replicate agreed exactly (zero standard error)."""
        if self.standard_error == 0:
            return 0.0 if self.effect == null else float(np.copysign(np.inf, self.effect - null))
        return (self.effect - null) / self.standard_error

    @property
    def p_value(self) -> float:
        """Two-sided p-value of "no effect" (for an agreement: of "the closed form is right"), from the effect's t
        statistic and ``dof``: below 0.05 exactly when the 95% interval excludes 0. NaN for a hand-made verdict."""
        return _doubled(_upper_tail(abs(self._statistic()), self.dof))

    @property
    def equivalence_p(self) -> float | None:
        """p-value of the two one-sided tests against +-``margin`` (the larger one-sided p, doubled): below 0.05
        exactly when the 95% interval lies within the margin. None without a margin."""
        if self.margin is None:
            return None
        above_lower = _upper_tail(self._statistic(-self.margin), self.dof)  # H0: effect <= -margin
        below_upper = _upper_tail(-self._statistic(self.margin), self.dof)  # H0: effect >= +margin
        return _doubled(max(above_lower, below_upper))

    @property
    def decisive_p(self) -> float:
        """The p-value behind the outcome, the one a family-wise correction adjusts (``holm``): the equivalence
        test's for "equivalent" and for a plateau that holds; for a plateau wholly outside its bound, the doubled
        one-sided p of "within the bound"; the difference test's otherwise."""
        outcome = self.outcome
        if outcome == "equivalent" or (self.kind == "equivalence" and outcome == "holds"):
            return self.equivalence_p
        if self.kind == "equivalence" and outcome == "contradicted":
            beyond = abs(self._statistic(np.copysign(self.margin, self.effect)))
            return _doubled(_upper_tail(beyond, self.dof))
        return self.p_value

    @property
    def detectable(self) -> float:
        """The smallest effect these replicates detect with 80% power in a two-sided test at 5%:
        (t(0.975) + t(0.80)) x standard error with ``dof`` degrees of freedom, the usual approximation (at 10 seeds
        its exact power, by the noncentral t, is 0.799). It is what "not resolved" leaves open: an effect this
        large would most likely have been seen; a smaller one is not excluded."""
        return float((_t_quantile(self.dof) + stdtrit(self.dof, POWER)) * self.standard_error)

    def reading(self, holds: str, contradicted: str, not_resolved: str, equivalent: str | None = None) -> str:
        """The words for this verdict's outcome, e.g. ``v.reading("mean images", "bernoulli", "not told apart")``:
        how a lesson turns a verdict into the answer to its question. ``equivalent`` is needed only for a verdict
        with a margin."""
        words = {"holds": holds, "contradicted": contradicted, "not resolved": not_resolved, "equivalent": equivalent}
        if words[self.outcome] is None:
            raise ValueError(f"equivalent must be given: this verdict is equivalent within +-{_number(self.margin)}")
        return words[self.outcome]

    @property
    def outcome_words(self) -> str:
        """The outcome as the verdict's last words: "holds", "contradicted", "equivalent (within +-m)" or "not
        resolved (10 seeds detect d with 80% power)"."""
        outcome = self.outcome
        if outcome == "equivalent":
            return f"equivalent (within +-{_number(self.margin)})"
        if outcome == "not resolved" and self.kind == "difference" and np.isfinite(self.detectable):
            return (f"not resolved ({self.replicates} {self.unit} detect {_number(self.detectable)} with "
                    f"{POWER:.0%} power)")
        return outcome

    @property
    def measured(self) -> str:
        """The measurement without the claim or the outcome: "<statement> (95% CI a-b, 10 seeds)", the interval of
        the effect as the statement states it (``stated``)."""
        low, high = (self.low, self.high) if self.stated > 0 else (-self.high, -self.low)
        joint = " to " if low < 0 else "-"
        return f"{self.statement} (95% CI {_number(low)}{joint}{_number(high)}, {self.replicates} {self.unit})"

    def __str__(self) -> str:
        return f"{self.claim}: {self.measured}: {self.outcome_words}"


def _number(value: float) -> str:
    return f"{value:.3g}"


def compare(claim: str, a, b, measure: str, than: str, expect: str = "higher", design: str = "independent",
            unit: str = "seeds", margin: float | None = None) -> Verdict:
    """Verdict on "``measure`` (replicates ``a``) is ``expect`` than ``than`` (replicates ``b``, or one number)".

    The effect is mean(a) - mean(b), turned round for ``expect="lower"`` so a positive effect is the claim's way.
    ``design="paired"`` (the same seeds ran both settings, in the same order: ``design_of``) takes the interval of
    the per-replicate differences (paired t); ``"independent"`` (chains or seeds that share nothing) uses Welch's
    interval; a number ``b`` is a fixed reference value (one-sample t). The verdict holds when the whole interval is
    above 0; ``margin`` (same units as the effect) is the smallest effect that would matter, for the "equivalent"
    outcome. ``claims`` defines every lesson's verdicts with it (bands of seeds through ``compare_bands``).
    """
    check_choice("expect", expect, DIRECTIONS)
    check_choice("design", design, DESIGNS)
    if margin is not None:
        margin = check_float("margin", margin, 0.0, None, exclusive_minimum=True)
    sign = 1.0 if expect == "higher" else -1.0
    a = _replicates("a", a, one_per_replicate=True)
    if np.ndim(b) == 0 or design == "paired":
        if np.ndim(b) == 0:
            differences, test = a - check_float("b", b), "one-sample t"
        else:
            b = _replicates("b", b, one_per_replicate=True)
            if b.shape != a.shape:
                raise ValueError(f"paired replicates need the same shape: a {a.shape}, b {b.shape}")
            differences, test = a - b, "paired t"
        summary = summarize(sign * differences)
        effect, low, high, count = summary.mean, summary.low, summary.high, summary.count
        error, dof = summary.standard_error, count - 1
    else:
        first, second = summarize(a), summarize(_replicates("b", b, one_per_replicate=True))
        effect, test = sign * (first.mean - second.mean), "Welch t"
        variance_a, variance_b = first.standard_error ** 2, second.standard_error ** 2
        error, half_width = np.sqrt(variance_a + variance_b), 0.0
        dof = first.count + second.count - 2  # any number will do when both spreads are 0
        if error > 0:  # Welch-Satterthwaite degrees of freedom: the two sets may differ in size and spread
            dof = error**4 / (variance_a**2 / (first.count - 1) + variance_b**2 / (second.count - 1))
            half_width = _t_quantile(dof) * error
        low, high, count = effect - half_width, effect + half_width, min(first.count, second.count)
    # The statement says which way the data went: "2.94 lower", never "-2.94 higher".
    stated = 1 if effect >= 0 else -1
    observed = expect if stated > 0 else DIRECTIONS[1 - DIRECTIONS.index(expect)]
    statement = f"{measure} is {_number(abs(effect))} {observed} than {than}"
    return Verdict(claim, statement, float(effect), float(low), float(high), count, unit, bool(low > 0),
                   float(error), float(dof), test, "difference", margin, stated)


def design_of(seeds_a, seeds_b) -> str:
    """"paired" when two arms ran the same seeds, "independent" when they share none; a mixed design raises.

    A seed fixes a run's random streams (initial weights, the real images drawn, and generation 0 wherever the arms
    share it), so two settings run with the same seed are a pair: their difference, seed by seed, removes what the
    seed does to both. Used by ``compare_bands`` and by ``claims`` for derived measures.
    """
    seeds_a, seeds_b = list(seeds_a), list(seeds_b)
    if len(set(seeds_a)) != len(seeds_a) or len(set(seeds_b)) != len(seeds_b):
        raise ValueError(f"seeds must not repeat within an arm, got {seeds_a} and {seeds_b}")
    if set(seeds_a) == set(seeds_b):
        return "paired"
    if not set(seeds_a) & set(seeds_b):
        return "independent"
    raise ValueError(f"seeds_a and seeds_b must be the same seeds (paired) or share none (independent), got "
                     f"{seeds_a} and {seeds_b}: compare the seeds both arms ran")


def by_seed(values, seeds, order) -> np.ndarray:
    """``values`` (one per seed of ``seeds``) rearranged into the seed order ``order``: how two arms are lined up
    seed by seed before a paired comparison."""
    values, seeds = np.asarray(values), list(seeds)
    missing = [seed for seed in order if seed not in seeds]
    if missing or len(values) != len(seeds):
        raise ValueError(f"order must name seeds that values has one number each for; seeds {seeds}, "
                         f"{len(values)} values, order {list(order)}")
    return values[[seeds.index(seed) for seed in order]]


def compare_bands(claim: str, a, b, measure: str, generation: int, statement: str, than: str,
                  expect: str = "higher", b_generation: int | None = None, margin: float | None = None) -> Verdict:
    """Verdict on column ``measure`` of band ``a`` at ``generation`` against band ``b`` at ``b_generation``
    (default: the same generation), e.g. 50% real against 0% real at generation 5, or a band against its own
    generation 0. The bands are any bands of seeds (``bundle.Band``: ``.seeds`` and ``.at(measure, generation)``);
    the test follows their design (``design_of``): the same seeds, paired seed by seed; no seed shared, Welch.
    ``statement`` names what is measured ("FID at generation 5 with 50% real"), ``than`` the other arm.
    """
    design = design_of(a.seeds, b.seeds)
    values_a = a.at(measure, generation)
    values_b = b.at(measure, generation if b_generation is None else b_generation)
    if design == "paired":
        values_b = by_seed(values_b, b.seeds, a.seeds)
    return compare(claim, values_a, values_b, statement, than, expect, design=design, unit="seeds", margin=margin)


def pool_by_seed(values) -> np.ndarray:
    """One number per seed from settings that the same seeds ran: the mean over settings of ``values``, shape
    (settings, seeds). The seed stays the replicate: runs that share a seed share its random streams, so pooling
    them as if independent would count each seed several times and narrow the interval. Used by ``claims`` (C3
    over four training-set sizes)."""
    values = _replicates("values", np.asarray(values, dtype=float).T, axis=0)  # (seeds, settings)
    if values.ndim != 2:
        raise ValueError(f"values must be (settings, seeds), got shape {values.T.shape}")
    return values.mean(axis=1)


def agrees(claim: str, values, expected: float, measure: str, within: float = 3.0, unit: str = "chains") -> Verdict:
    """Verdict on "the mean of ``values`` agrees with the closed form ``expected`` within ``within`` standard errors".

    The effect is mean - expected, with its 95% interval; it holds when |effect| <= within * standard error (for a
    correct closed form and near-normal means, 3 standard errors fail about 3 runs in 1,000, 4 about 6 in 100,000).
    Used by ``claims`` (lesson 01's verdicts).
    """
    expected = check_float("expected", expected)
    within = check_float("within", within, 0.0, None, exclusive_minimum=True)
    summary = summarize(_replicates("values", values, one_per_replicate=True))
    effect, limit = summary.mean - expected, within * summary.standard_error
    statement = (f"{measure} is {_number(summary.mean)}, {effect:+.3g} from the closed form {_number(expected)}: "
                 f"within {within:g} standard errors ({_number(limit)})")
    return Verdict(claim, statement, float(effect), float(summary.low - expected), float(summary.high - expected),
                   summary.count, unit, bool(abs(effect) <= limit), float(summary.standard_error),
                   float(summary.count - 1), "agreement t", "agreement")


def slopes(values, generations) -> np.ndarray:
    """Each replicate's least-squares slope over ``generations`` (per generation), from ``values`` of shape
    (replicates, generations), e.g. ``slopes(band.values["fid"], range(6, 12))``. Used by ``plateau``."""
    values = _replicates("values", values)
    if values.ndim != 2:
        raise ValueError(f"values must be (replicates, generations), got shape {values.shape}")
    generations = np.asarray(list(generations), dtype=int)
    if generations.size < 2 or generations.min() < 0 or generations.max() >= values.shape[1]:
        raise ValueError(f"generations must hold at least 2 generations in 0-{values.shape[1] - 1}, "
                         f"got {generations.tolist()}")
    x = generations - generations.mean()
    return (values[:, generations] - values[:, generations].mean(axis=1, keepdims=True)) @ x / (x @ x)


def plateau(claim: str, values, measure: str, early=range(0, 6), late=range(6, 12), share: float = 0.25,
            unit: str = "seeds") -> Verdict:
    """Verdict on "``measure`` has levelled off": its slope over the ``late`` generations, with a 95% interval over
    replicates, lies within ``share`` of the mean slope over the ``early`` generations (either sign).

    The effect is the late slope as a share of the early one (0: flat; 1: still moving as fast as at first). The
    whole interval must lie within a quarter of the early pace (``share``): a curve still drifting at a third of its
    early pace has not levelled off, however flat its last two points look. Used by ``claims`` (lesson 05).
    """
    share = check_float("share", share, 0.0, 1.0, exclusive_minimum=True)
    pace = float(np.mean(slopes(values, early)))
    if pace == 0:
        raise ValueError(f"{measure} does not move over generations {list(early)}: no early pace to compare with")
    summary = summarize(slopes(values, late) / abs(pace))
    late_first, late_last = min(late), max(late)
    statement = (f"{measure}'s slope over generations {late_first}-{late_last} is {summary.mean:+.2f} times its slope "
                 f"over {min(early)}-{max(early)} ({_number(pace)} per generation), levelled off if within "
                 f"+-{share:g}")
    holds = -share <= summary.low and summary.high <= share
    return Verdict(claim, statement, float(summary.mean), float(summary.low), float(summary.high), summary.count,
                   unit, bool(holds), float(summary.standard_error), float(summary.count - 1), "slope t",
                   "equivalence", share)


def among(claim: str, value: float, replicates, measure: str, within: float = 4.0, unit: str = "seeds") -> Verdict:
    """Verdict on "one more run's ``value`` falls among ``replicates`` (within ``within`` of their standard
    deviations of their mean)": the student's live run against the bundle's seeds of the same setting.

    The effect is value - mean(replicates), its interval +- ``within`` standard deviations; it holds when the value
    lies inside. A run of the same setting lands outside 4 standard deviations about 6 times in 100,000 (normal
    spread). Used by ``checks.check_among_seeds`` (lessons 05, 06).
    """
    value = check_float("value", value)
    within = check_float("within", within, 0.0, None, exclusive_minimum=True)
    replicates = _replicates("replicates", replicates, one_per_replicate=True)
    centre, spread = float(replicates.mean()), float(replicates.std(ddof=1))
    effect = value - centre
    statement = (f"{measure} of your run is {_number(value)}, {effect:+.3g} from the mean of {len(replicates)} "
                 f"{unit} ({_number(centre)}, standard deviation {_number(spread)}): within {within:g} of them")
    return Verdict(claim, statement, float(effect), -within * spread, within * spread, len(replicates), unit,
                   bool(abs(effect) <= within * spread), test="spread of seeds", kind="agreement")


def holm_adjusted(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (Holm 1979, Scand. J. Statist. 6, 65-70): the i-th smallest of m p-values
    times (m - i + 1), made non-decreasing, capped at 1. A family-wise test at level a rejects exactly those below
    a, and then the chance of any false "holds" in the whole family is at most a."""
    p_values = np.asarray(p_values, dtype=float)
    if p_values.ndim != 1 or not np.all((p_values >= 0) & (p_values <= 1)):
        raise ValueError(f"p_values must be one p-value in [0, 1] per verdict, got {p_values}")
    order = np.argsort(p_values, kind="stable")
    scaled = np.minimum(1.0, (len(p_values) - np.arange(len(p_values))) * p_values[order])
    adjusted = np.empty_like(p_values)
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted


def holm(verdicts, level: float = LEVEL) -> list[str]:
    """Each verdict's outcome once the whole family is corrected for multiple testing with Holm's method at
    ``level``, over every verdict's ``decisive_p``. A difference or an equivalence keeps its outcome ("holds",
    "contradicted", "equivalent") only if its adjusted p-value is below ``level``, else it is "not resolved"; an
    agreement keeps its own (the null is its claim, and a correction only makes rejections rarer). Every verdict
    counts in the family's size. Used by ``sheet`` (the verdict sheet's family-wise column)."""
    level = check_float("level", level, 0.0, 1.0, exclusive_minimum=True)
    verdicts = list(verdicts)
    adjusted = holm_adjusted([verdict.decisive_p for verdict in verdicts])
    return [verdict.outcome if verdict.kind == "agreement" or (verdict.outcome != "not resolved" and p < level)
            else "not resolved" for verdict, p in zip(verdicts, adjusted)]
