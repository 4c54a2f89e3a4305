"""The smallest effect that matters, for every measure a verdict uses: fixed in advance, in one place, with its reason.

A verdict's outcome compares its 95% interval with its measure's margin (``stats``): beyond it, the effect
**holds**; within it on both sides, it is **negligible**. A margin is never a share of the effect it judges: each
comes from a yardstick the course teaches, measured on something other than the comparisons it judges, and is
written here as a number, so no later build of the bundle can move it. Two yardsticks serve:

* **what doubling the real data buys** (lesson 06): where the course measures a smallest useful gain, an effect
  smaller than it is smaller than anything the course would act on (test -ELBO);
* **what retraining generation 0 moves** (lesson 03's band of seeds): one standard deviation over the bundle's 10
  seeds of the all-real generation 0, i.e. what a fresh draw of real data and initial weights alone changes. An
  effect smaller than that is smaller than the noise of training a model once (every other measure of the VAE and
  of the language model);
* for the Gaussian chains, whose scale is known: a tenth of the truth's variance, a factor of two in the variance
  on the log scale, a tenth of the truth's standard deviation for the mean.

``tests/test_margins.py`` recomputes each yardstick from the shipped bundle and fails if a margin no longer matches
the reason it states (within 30%): a rebuilt bundle cannot quietly loosen a verdict. The verdict sheet's header
prints every margin with its reason (``sheet``). Used by ``claims``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core._validation import check_choice

YARDSTICKS = ("doubling", "generation 0", "truth")


@dataclass(frozen=True)
class Margin:
    """The smallest effect that matters for one measure.

    Attributes:
        measure: the column's name (``columns.Column.name``), or a Gaussian measure's name.
        value: the margin, in the measure's own units (an absolute number, never a share of an effect).
        yardstick: "doubling" (what doubling the real data gains), "generation 0" (one seed-to-seed standard
            deviation of generation 0) or "truth" (a fixed share of the Gaussian truth's scale).
        reason: the sentence the sheet prints.
        measured: the yardstick's value when the margin was fixed (what the test compares with).
    """

    measure: str
    value: float
    yardstick: str
    reason: str
    measured: float

    def __post_init__(self):
        check_choice("yardstick", self.yardstick, YARDSTICKS)
        if not self.value > 0:
            raise ValueError(f"value must be > 0, got {self.value!r} for {self.measure!r}")


def _generation_0(measure: str, value: float, measured: float, unit: str = "") -> Margin:
    return Margin(measure, value, "generation 0",
                  f"one standard deviation of generation 0 over the bundle's 10 seeds ({measured:.3g}{unit}): what "
                  f"retraining the all-real model on another draw moves it", measured)


MARGINS = {margin.measure: margin for margin in (
    # The VAE (lessons 03-08).
    Margin("test_nelbo", 0.5, "doubling",
           "about what doubling the real training data gains at generation 1 (0.45 nats, lesson 06's yardstick): "
           "the course's smallest useful gain", 0.45),
    _generation_0("fid", 9.0, 8.96),
    _generation_0("precision", 0.013, 0.0129),
    _generation_0("recall", 0.035, 0.0354),
    _generation_0("class_entropy", 0.014, 0.0139, " nats"),
    Margin("classes_covered", 0.5, "generation 0",
           "half a digit: generation 0 covers all ten digits in every seed (standard deviation 0), and a model "
           "covers whole digits, so a mean change under half a digit is no digit lost", 0.0),
    _generation_0("latent_std", 0.028, 0.0279),
    _generation_0("sample_nelbo_gen0_spread", 4.9, 4.92, " nats"),
    # The VAE's re-readings (issue 27's variants, ``variants``): the same yardsticks, on the column read instead.
    Margin("test_nelbo_other", 0.5, "doubling",
           "test -ELBO's margin (what doubling the real data gains), on the last 2,000 test images", 0.45),
    _generation_0("standard_precision", 0.0035, 0.00351),
    _generation_0("standard_recall", 0.010, 0.0102),
    Margin("confident_digits", 0.5, "generation 0",
           "half a digit, as for the digits covered: a model covers whole digits (standard deviation 0.47 over the "
           "seeds' generation 0)", 0.47),
    # The language model (lesson 09).
    _generation_0("test_bits_per_character", 0.012, 0.01195, " bits"),
    _generation_0("distinct_words", 36.0, 36.3),
    _generation_0("common_coverage", 0.0086, 0.00856),
    _generation_0("rare_coverage", 0.0014, 0.00141),
    _generation_0("invented_share", 0.0069, 0.00688),
    _generation_0("rare_word_bits", 0.036, 0.0359, " bits"),
    _generation_0("common_word_bits", 0.0155, 0.0155, " bits"),
    _generation_0("long_rare_coverage", 0.0006, 0.0006),
    # The Gaussian chains (lessons 01, 06): the truth is N(0, 1).
    Margin("variance", 0.1, "truth", "a tenth of the truth's variance (1)", 1.0),
    Margin("log_variance", 0.69, "truth", "a factor of two in the variance (ln 2 = 0.69)", 1.0),
    Margin("mean_drift", 0.1, "truth", "a tenth of the truth's standard deviation (1)", 1.0),
)}


def margin(measure: str) -> float:
    """The margin of ``measure`` in its own units (``MARGINS``); a clear error naming the measures that have one."""
    return MARGINS[check_choice("measure", measure, tuple(MARGINS))].value


def share_margin(measure: str, generation_0_mean: float) -> float:
    """The margin of "the share of its generation-0 value a loop keeps": the measure's margin over the arm's own
    generation-0 mean (a fixed margin on a ratio: a share moves by margin / baseline when the measure moves by its
    margin)."""
    if not generation_0_mean > 0:
        raise ValueError(f"generation_0_mean must be > 0 for a share of it, got {generation_0_mean!r}")
    return margin(measure) / generation_0_mean
