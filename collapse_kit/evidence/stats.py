"""The statistics behind every verdict: an effect size with a 95% confidence interval over independent replicates.

A replicate is one independent run: a seed of the VAE loop, or a chain of the Gaussian. A verdict compares its
effect's 95% confidence interval with the *margin* of its measure, the smallest effect that matters, fixed in
advance in ``evidence.margins`` (never a share of the effect it judges). A plateau ("bounded", "settles") is judged
on the slope of the last generations against an absolute tolerance (``plateau``). Nothing here knows the course's
experiments: ``claims`` defines every verdict from these functions, ``checks.check_verdict`` turns one into a check
cell.

The test follows the design: arms that ran the same seeds are compared seed by seed (``design_of``, paired t),
arms with no seed in common by Welch's t, and settings pooled over share their seeds, so each seed's mean is one
replicate (``pool_by_seed``). Every outcome is read off one 95% interval and the margin m:

* **holds**: the whole interval lies beyond +m on the claimed side: an effect the margin does not swallow;
* **negligible**: the whole interval lies within +-m (two one-sided tests at 2.5% each): whatever the effect, it is
  smaller than what matters, whether or not the interval excludes 0;
* **contradicted**: the whole interval lies beyond -m, the other way;
* **not resolved**: none of these, including an interval that excludes 0 but reaches into the margin (an effect is
  there, but it may be negligible); the verdict then says the smallest effect its replicates could have detected
  (``Verdict.detectable``). It is not evidence of no effect;
* **not testable**: both arms sit at the same floor or ceiling of their measure, or at a no-skill baseline (recall
  0, one digit, the coverage a model that stores no words reaches), so nothing can tell them apart; or a derived
  measure (a share of generation 0 kept, a gap between arms, a late slope) has one arm there, so it cannot move the
  way its claim needs (``at_bound``; ``Verdict.floor`` says which arm, and where). One arm brought down to a floor
  from far above it is the effect itself: the verdict stands, and its interval understates the effect.

Each verdict has the p-value of its outcome (``Verdict.decisive_p``: below 0.05 exactly when the interval clears
the bound the outcome names), and ``holm`` corrects a family of verdicts for multiple testing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import stdtr, stdtrit  # Student-t CDF, quantiles (scipy.stats would cost ~60 MB to import)

from ..core._validation import check_choice, check_float

DIRECTIONS = ("higher", "lower")
DESIGNS = ("paired", "independent")
OUTCOMES = ("holds", "negligible", "contradicted", "not resolved", "not testable")
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
    """Mean over ``axis`` (the replicates), its standard error and a 95% Student-t interval.

    ``values`` of shape (seeds, generations) gives one summary per generation (arrays); 1-D values give floats.
    """
    values = _replicates("values", values, axis)
    count = values.shape[axis]
    mean = values.mean(axis=axis)
    error = values.std(axis=axis, ddof=1) / np.sqrt(count)
    margin = _t_quantile(count - 1) * error
    as_out = float if mean.ndim == 0 else np.asarray
    return Summary(as_out(mean), as_out(error), as_out(mean - margin), as_out(mean + margin), count)


def prediction_interval(values, axis: int = 0) -> tuple:
    """The 95% prediction interval of *one more* replicate, (low, high): mean +- t(0.975, n - 1) x s x sqrt(1 + 1/n).

    Not the interval of the mean (``summarize``), which narrows as seeds are added: one new seed of the same setting
    lands inside this one 95% of the time (for near-normal spread). ``checks.place_among_seeds`` places a run in it.
    """
    values = _replicates("values", values, axis)
    count = values.shape[axis]
    mean = values.mean(axis=axis)
    half = _t_quantile(count - 1) * values.std(axis=axis, ddof=1) * np.sqrt(1 + 1 / count)
    return mean - half, mean + half


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
        margin: a difference's smallest effect that matters (``evidence.margins``), or an equivalence's bound;
            None only for an agreement, whose bound is its standard errors.
        stated: +1 when ``statement`` states the effect in the claim's own direction, -1 when the data went the
            other way and the statement says so ("2.94 lower" where the claim expected higher): ``measured`` then
            gives the interval of what the statement states, (-high, -low).
        floor: set when the arms sit at their measure's floor, ceiling or a no-skill baseline (``at_bound``), e.g.
            "recall at its floor 0 in both arms (0.001 and 0.000)": the outcome is then "not testable".
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
    floor: str | None = None

    @property
    def equivalent(self) -> bool:
        """The whole 95% interval lies within +-``margin``: two one-sided tests at 2.5% each reject an effect as
        large as the margin."""
        return self.margin is not None and -self.margin < self.low and self.high < self.margin

    @property
    def outcome(self) -> str:
        """"holds", "negligible", "contradicted", "not resolved" or "not testable" (module docstring).

        An equivalence (a plateau) holds within its bound and is contradicted wholly outside it; an agreement holds
        or is contradicted.
        """
        if self.floor is not None:
            return "not testable"
        if self.kind == "agreement":
            return "holds" if self.holds else "contradicted"
        if self.kind == "equivalence":
            if self.equivalent:
                return "holds"
            return "contradicted" if self.low > self.margin or self.high < -self.margin else "not resolved"
        margin = self.margin or 0.0
        if self.low > margin:
            return "holds"
        if self.high < -margin:
            return "contradicted"
        return "negligible" if self.equivalent else "not resolved"

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
        """The p-value behind the outcome, the one a family-wise correction adjusts (``holm``): for "holds" the
        doubled one-sided p of "the effect is at most +margin", for "contradicted" of "at least -margin"; the
        equivalence test's for "negligible" and for a plateau that holds; for a plateau wholly outside its bound,
        the doubled one-sided p of "within the bound"; the difference test's otherwise. NaN when not testable."""
        outcome = self.outcome
        if outcome == "not testable":
            return float("nan")
        if outcome == "negligible" or (self.kind == "equivalence" and outcome == "holds"):
            return self.equivalence_p
        if self.kind == "equivalence" and outcome == "contradicted":
            beyond = abs(self._statistic(np.copysign(self.margin, self.effect)))
            return _doubled(_upper_tail(beyond, self.dof))
        if self.kind == "difference" and outcome in ("holds", "contradicted"):
            margin = self.margin or 0.0
            beyond = self._statistic(margin) if outcome == "holds" else -self._statistic(-margin)
            return _doubled(_upper_tail(beyond, self.dof))
        return self.p_value

    @property
    def detectable(self) -> float:
        """The smallest effect these replicates detect with 80% power in a two-sided test at 5%:
        (t(0.975) + t(0.80)) x standard error with ``dof`` degrees of freedom, the usual approximation (at 10 seeds
        its exact power, by the noncentral t, is 0.799). It is what "not resolved" leaves open: an effect this
        large would most likely have been seen; a smaller one is not excluded."""
        return float((_t_quantile(self.dof) + stdtrit(self.dof, POWER)) * self.standard_error)

    def reading(self, holds: str, contradicted: str, not_resolved: str, negligible: str | None = None,
                not_testable: str | None = None) -> str:
        """The words for this verdict's outcome, e.g. ``v.reading("mean images", "bernoulli", "not told apart")``:
        how a lesson turns a verdict into the answer to its question. ``negligible`` is needed when the interval
        lies within the margin, ``not_testable`` when the arms sit at a floor (``at_bound``)."""
        words = {"holds": holds, "contradicted": contradicted, "not resolved": not_resolved,
                 "negligible": negligible, "not testable": not_testable}
        if words[self.outcome] is None:
            raise ValueError(f"{self.outcome.replace(' ', '_')} must be given: this verdict is {self.outcome_words}")
        return words[self.outcome]

    @property
    def outcome_words(self) -> str:
        """The outcome as the verdict's last words: "holds (beyond +-m)", "negligible (within +-m)",
        "contradicted (beyond +-m)", "not resolved (10 seeds detect d with 80% power)" or "not testable (why)"."""
        outcome = self.outcome
        if outcome == "not testable":
            return f"not testable ({self.floor})"
        if self.kind != "difference" or not self.margin:
            if outcome == "not resolved" and self.kind == "difference" and np.isfinite(self.detectable):
                return (f"not resolved ({self.replicates} {self.unit} detect {_number(self.detectable)} with "
                        f"{POWER:.0%} power)")
            return outcome
        bound = f"+-{_number(self.margin)}"
        if outcome == "negligible":
            return f"negligible (within {bound})"
        if outcome in ("holds", "contradicted"):
            return f"{outcome} (beyond {bound})"
        if self.low > 0 or self.high < 0:
            side = "above" if self.low > 0 else "below"
            return f"not resolved ({side} 0, but within reach of the margin {bound})"
        if np.isfinite(self.detectable):
            return (f"not resolved ({self.replicates} {self.unit} detect {_number(self.detectable)} with "
                    f"{POWER:.0%} power; margin {bound})")
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
            unit: str = "seeds", margin: float | None = None, floor: str | None = None) -> Verdict:
    """Verdict on "``measure`` (replicates ``a``) is ``expect`` than ``than`` (replicates ``b``, or one number)".

    The effect is mean(a) - mean(b), turned round for ``expect="lower"`` so a positive effect is the claim's way.
    ``design="paired"`` (the same seeds ran both settings, in the same order: ``design_of``) takes the interval of
    the per-replicate differences (paired t); ``"independent"`` (chains or seeds that share nothing) uses Welch's
    interval; a number ``b`` is a fixed reference value (one-sample t). ``margin`` (same units as the effect) is the
    smallest effect that matters (``evidence.margins``): the verdict holds when the whole interval lies above it and
    is negligible within it (module docstring). ``floor``: a note that the arms sit at their measure's floor
    (``at_bound``), which makes the verdict "not testable". ``claims`` defines every lesson's verdicts with it (bands
    of seeds through ``compare_bands``).
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
                   float(error), float(dof), test, "difference", margin, stated, floor)


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
                  expect: str = "higher", b_generation: int | None = None, margin: float | None = None,
                  bounds: tuple[float | None, float | None] = (None, None)) -> Verdict:
    """Verdict on column ``measure`` of band ``a`` at ``generation`` against band ``b`` at ``b_generation``
    (default: the same generation), e.g. 50% real against 0% real at generation 5, or a band against its own
    generation 0. The bands are any bands of seeds (``bundle.Band``: ``.seeds`` and ``.at(measure, generation)``);
    the test follows their design (``design_of``): the same seeds, paired seed by seed; no seed shared, Welch.
    ``statement`` names what is measured ("FID at generation 5 with 50% real"), ``than`` the other arm. ``bounds``:
    the measure's (floor, ceiling): when both arms sit at the same one (within ``margin``), the verdict is "not
    testable" (``at_bound``).
    """
    design = design_of(a.seeds, b.seeds)
    values_a = a.at(measure, generation)
    values_b = b.at(measure, generation if b_generation is None else b_generation)
    if design == "paired":
        values_b = by_seed(values_b, b.seeds, a.seeds)
    floor = at_bound(measure, {statement: values_a, than: values_b}, *bounds, margin or 0.0)
    return compare(claim, values_a, values_b, statement, than, expect, design=design, unit="seeds", margin=margin,
                   floor=floor)


def at_bound(measure: str, arms: dict, floor: float | None, ceiling: float | None, margin: float,
             every: bool = True) -> str | None:
    """A note when the arms sit at the measure's ``floor`` or ``ceiling`` (their mean within ``margin`` of it):
    ``every`` (default) when all of them sit at the same one (nothing can tell them apart), else when any one does
    (a derived measure, e.g. a gap or a share kept, cannot move the way its claim needs). None otherwise.

    ``arms``: {what the arm is: its values}. e.g. "recall at its floor 0 in both arms (0.001, 0.000)".
    """
    found = {}
    for name, values in arms.items():
        mean = float(np.mean(values))
        if floor is not None and mean - floor <= margin:
            found[name] = ("floor", floor, mean)
        elif ceiling is not None and ceiling - mean <= margin:
            found[name] = ("ceiling", ceiling, mean)
    kinds = {kind for kind, _, _ in found.values()}
    if not found or (every and (len(found) < len(arms) or len(kinds) > 1)):
        return None
    kind, bound = next(iter(found.values()))[:2]
    means = ", ".join(f"{mean:.3g}" for _, _, mean in found.values())
    where = "in both arms" if len(found) == len(arms) == 2 else ("in " + ", ".join(found))
    return f"{measure} at its {kind} {bound:.3g} {where} ({means})"


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


def plateau(claim: str, values, measure: str, tolerance: float, early=range(0, 6), late=range(6, 12),
            unit: str = "seeds", floor: str | None = None) -> Verdict:
    """Verdict on "``measure`` has levelled off": its slope over the ``late`` generations, in the measure's units
    per generation, with a 95% interval over replicates, lies within +-``tolerance`` (either sign).

    ``tolerance`` is absolute, fixed in advance from the measure's margin (``evidence.margins``: the margin spread
    over the late generations), never a share of the early pace: a loop that collapsed fast early must not get a wide
    tolerance for it. The early pace is printed beside it. ``floor``: a note that the loop sits at a floor over the
    late generations (nothing is left to lose), which makes the verdict "not testable". Used by ``claims`` (lesson
    05).
    """
    tolerance = check_float("tolerance", tolerance, 0.0, None, exclusive_minimum=True)
    pace = float(np.mean(slopes(values, early)))
    summary = summarize(slopes(values, late))
    statement = (f"{measure}'s slope over generations {min(late)}-{max(late)} is {summary.mean:+.3g} per generation "
                 f"({_number(pace)} over {min(early)}-{max(early)}), levelled off if within +-{tolerance:.3g}")
    holds = -tolerance < summary.low and summary.high < tolerance
    return Verdict(claim, statement, float(summary.mean), float(summary.low), float(summary.high), summary.count,
                   unit, bool(holds), float(summary.standard_error), float(summary.count - 1), "slope t",
                   "equivalence", tolerance, floor=floor)


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
    """Each verdict's outcome once its family is corrected for multiple testing with Holm's method at ``level``,
    over every verdict's ``decisive_p``. A difference or an equivalence keeps its outcome ("holds", "negligible",
    "contradicted") only if its adjusted p-value is below ``level``, else it is "not resolved"; an agreement keeps
    its own (the null is its claim, and a correction only makes rejections rarer); a verdict that is not testable
    stays so and does not count in the family's size. Used by ``sheet`` (one family per claim: its confirmatory
    verdicts)."""
    level = check_float("level", level, 0.0, 1.0, exclusive_minimum=True)
    verdicts = list(verdicts)
    tested = [index for index, verdict in enumerate(verdicts) if verdict.outcome != "not testable"]
    adjusted = dict(zip(tested, holm_adjusted([verdicts[index].decisive_p for index in tested]))) if tested else {}
    outcomes = []
    for index, verdict in enumerate(verdicts):
        if index not in adjusted:
            outcomes.append(verdict.outcome)
        elif verdict.kind == "agreement" or (verdict.outcome != "not resolved" and adjusted[index] < level):
            outcomes.append(verdict.outcome)
        else:
            outcomes.append("not resolved")
    return outcomes
