"""Verdicts you can trust: an effect size with a 95% confidence interval over independent replicates.

A replicate is one independent run: a seed of the VAE loop, or a chain of the Gaussian. A verdict holds when its
confidence interval excludes "no effect" in the direction the claim states, so its margin comes from the standard
error of the runs just made, never from a threshold tuned to one seed. A plateau ("bounded", "settles") is judged on
the slope of the last generations, not on one endpoint (``plateau``). Used in lessons 03 and 05-07; every lesson's
verdicts are defined in ``claims``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import stdtrit  # Student-t quantiles (scipy.stats would cost ~60 MB more to import)

from ._validation import check_choice, check_float
from .checks import check

DIRECTIONS = ("higher", "lower")


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


@dataclass(frozen=True)
class Verdict:
    """A claim's measured effect, its 95% confidence interval [low, high] over ``replicates`` runs, and whether it
    holds. ``str(verdict)`` reads ``C4: FID at 50% real is 212 lower than at 0% (95% CI 190-234, 10 seeds): holds``.
    """

    claim: str
    statement: str
    effect: float
    low: float
    high: float
    replicates: int
    unit: str
    holds: bool

    def __str__(self) -> str:
        joint = " to " if self.low < 0 else "-"
        outcome = "holds" if self.holds else "does not hold"
        return (f"{self.claim}: {self.statement} (95% CI {_number(self.low)}{joint}{_number(self.high)}, "
                f"{self.replicates} {self.unit}): {outcome}")


def _number(value: float) -> str:
    return f"{value:.3g}"


def compare(claim: str, a, b, measure: str, than: str, expect: str = "higher", paired: bool = False,
            unit: str = "seeds") -> Verdict:
    """Verdict on "``measure`` (replicates ``a``) is ``expect`` than ``than`` (replicates ``b``, or one number)".

    The effect is mean(a) - mean(b), turned round for ``expect="lower"`` so a positive effect is the claim's way.
    ``paired=True`` (the same seeds ran both settings) takes the interval of the per-replicate differences; unpaired
    (independent chains or seeds) uses Welch's interval; a number ``b`` is a fixed reference value. The verdict holds
    when the whole interval is above 0. Used in lesson 06 (and by ``claims`` for every lesson's verdicts).
    """
    check_choice("expect", expect, DIRECTIONS)
    sign = 1.0 if expect == "higher" else -1.0
    a = _replicates("a", a, one_per_replicate=True)
    if np.ndim(b) == 0 or paired:
        if np.ndim(b) == 0:
            differences = a - check_float("b", b)
        else:
            b = _replicates("b", b, one_per_replicate=True)
            if b.shape != a.shape:
                raise ValueError(f"paired replicates need the same shape: a {a.shape}, b {b.shape}")
            differences = a - b
        summary = summarize(sign * differences)
        effect, low, high, count = summary.mean, summary.low, summary.high, summary.count
    else:
        first, second = summarize(a), summarize(_replicates("b", b, one_per_replicate=True))
        effect = sign * (first.mean - second.mean)
        variance_a, variance_b = first.standard_error ** 2, second.standard_error ** 2
        error, margin = np.sqrt(variance_a + variance_b), 0.0
        if error > 0:  # Welch-Satterthwaite degrees of freedom: the two sets may differ in size and spread
            dof = error**4 / (variance_a**2 / (first.count - 1) + variance_b**2 / (second.count - 1))
            margin = _t_quantile(dof) * error
        low, high, count = effect - margin, effect + margin, min(first.count, second.count)
    statement = f"{measure} is {_number(effect)} {expect} than {than}"
    return Verdict(claim, statement, float(effect), float(low), float(high), count, unit, bool(low > 0))


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
                   summary.count, unit, bool(abs(effect) <= limit))


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
                   unit, bool(holds))


def check_verdict(verdict: Verdict) -> bool:
    """Print ``[PASS] verdict`` or raise ``CheckFailed`` with ``[FAIL] verdict``: a check cell. Used in lessons 03-07."""
    if not isinstance(verdict, Verdict):
        raise TypeError(f"verdict must be a Verdict (from compare or agrees), got {type(verdict).__name__}")
    return check(str(verdict), verdict.holds)
