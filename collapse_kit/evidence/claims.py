"""The course's verdicts on the article's claims, every one defined here once: the lessons print and check them, and
``lessons/verdicts.md`` (``sheet``) sums them up.

A VAE verdict, or a language model's (lesson 09, the ``text_`` functions), compares bands of the shipped results
bundle (``bundle.band``, by the catalogue's names in ``experiments``) over their 10 seeds (full profile); a
Gaussian verdict compares the chains of a theory run. Each is
an effect with its 95% confidence interval (``stats``) that holds only if the whole interval lies on the claimed
side. The test follows the design: bands that ran the same seeds are compared seed by seed (``stats.compare_bands``),
and settings pooled over (C3's four sizes) are averaged per seed first, so the seed stays the replicate. Where a
lesson wants to say "no effect", the verdict carries a margin, the smallest effect that would matter, stated and
justified below (``RESCUE_MARGIN``, ``DOSE_MARGIN``, ``SHRINK_MARGIN``): "equivalent" means within it, and "not
resolved" says no more than that. Which way a verdict goes is the data's business: a lesson's check cell asserts
the outcome its text states. A measure's words and which way is worse come from its column's declaration
(``generation.METRICS``, ``text_generation.TEXT_METRICS``: ``columns.metric`` finds a band's own).

Used in lessons 01 and 03-09.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.columns import metric
from ..gaussian.theory import GaussianResult, LifelineStudy, expected_log_variance, expected_variance
from ..vae.generation import METRICS
from . import experiments as ex
from .bundle import Band, band
from .stats import Verdict, agrees, by_seed, compare, compare_bands, design_of, plateau, pool_by_seed

GENERATION = 5  # the last generation of a 6-generation run: where the VAE settings are compared
PLATEAU_EARLY, PLATEAU_LATE = range(0, 6), range(6, 12)  # a plateau: the slope over generations 6-11 against 0-5

# Margins: the smallest effect that would matter where a lesson asks "is there no effect?", each a share of a
# yardstick the lesson shows, on the same measure (the yardstick's own interval, a few percent of it, is not carried
# into the margin). Each is justified where it is used.
RESCUE_MARGIN = 0.1  # C5 (lessons 06, 09): a tenth of the damage the fully synthetic loop does by generation 5
DOSE_MARGIN = 0.1  # C4's "diverse" (lesson 05): a tenth of what 50% real data (against none) moves FID
SHRINK_MARGIN = 0.5  # C3 with size (lesson 06): half the cost of the synthetic share at the smallest size


def _images(k: int) -> str:
    return f"{k} real image{'s' if k != 1 else ''}"


def _degrades(claim: str, synthetic: Band, measure: str, g: int = GENERATION) -> Verdict:
    """``measure`` at generation ``g`` against generation 0, moved the way that is worse, paired by seed (any
    world: the measure's words and direction come from the band's own columns)."""
    column = metric(synthetic.config, measure)
    return compare_bands(claim, synthetic, synthetic, measure, g, f"{column.words} at generation {g}",
                         "at generation 0", expect=column.worse, b_generation=0)


def recursion(bundle=None) -> list[Verdict]:
    """C1 (lesson 03): the fully synthetic loop at generation 5 against generation 0, paired by seed."""
    synthetic = band(ex.REAL_0, bundle=bundle)
    return [_degrades("C1", synthetic, measure) for measure in ("latent_std", "classes_covered", "test_nelbo")]


def diversity_loss(bundle=None) -> list[Verdict]:
    """C2 (lesson 04): the fully synthetic loop at generation 5 against generation 0, paired by seed: variety
    (class entropy, recall), the tails (spread of the samples' -ELBO under generation 0) and the errors (FID).

    Pixel diversity is not among them: it measures blur and pixel noise as much as variety (lesson 04 shows real
    digits losing a quarter of it when blurred once by the generation-0 model, with no digit or style lost, and
    Bernoulli noise raising it above real data's), so its fall cannot be read as lost diversity.
    """
    synthetic = band(ex.REAL_0, bundle=bundle)
    return [_degrades("C2", synthetic, measure) for measure in
            ("class_entropy", "recall", "sample_nelbo_gen0_spread", "fid")]


def sampling(bundle=None) -> Verdict:
    """C1 (lesson 03): does Bernoulli sampling (pixel noise kept) lose more or less spread than mean images?
    The share of generation 0's latent std kept at generation 3, paired by seed."""
    mean_images, coin_flips = band(ex.REAL_0, bundle=bundle), band(ex.BERNOULLI[1.0], bundle=bundle)
    design = design_of(coin_flips.seeds, mean_images.seeds)
    mean_kept = kept(mean_images, "latent_std")[:, 3]
    if design == "paired":
        mean_kept = by_seed(mean_kept, mean_images.seeds, coin_flips.seeds)
    return compare("C1", kept(coin_flips, "latent_std")[:, 3], mean_kept,
                   "share of the latent std kept at generation 3 with Bernoulli samples", "with mean images",
                   design=design)


def kept(seeds: Band, measure: str) -> np.ndarray:
    """Each seed's ``measure`` at every generation as a share of its own generation 0's, (seeds, generations): how
    much of its start a loop keeps. Lessons 03 and 07 print its means."""
    values = seeds.metric(measure)
    return values / values[:, :1]


def real_fraction(bundle=None) -> list[Verdict]:
    """C4's dose (lesson 05): half real data against none at generation 5, paired by seed."""
    g, half, none = GENERATION, band(ex.REAL_50, bundle=bundle), band(ex.REAL_0, bundle=bundle)
    return [compare_bands("C4", half, none, measure, g, f"{METRICS[measure].words} at generation {g} with 50% real",
                          "with 0%", expect=METRICS[measure].better) for measure in ("fid", "latent_std")]


def plateaus(fractions=(0.0, 0.1, 0.25, 0.5), measure: str = "test_nelbo", bundle=None) -> dict[float, Verdict]:
    """C4's "settles" (lesson 05): for each real fraction, has ``measure`` levelled off over generations 6-11?"""
    words = METRICS[measure].words
    return {f: plateau("C4", band(ex.SWEEP[f], bundle=bundle).metric(measure), f"{words} at {f:.0%} real",
                       early=PLATEAU_EARLY, late=PLATEAU_LATE) for f in fractions}


def diversity(bundle=None) -> list[Verdict]:
    """C4's "diverse" (lesson 05), at generation 5, paired by seed: 50% real from the digits 0-4 against 50% from
    all ten (the amount held: digits covered, then FID), and against 25% from all ten (half the amount, full
    variety: digits covered, then FID).

    The second asks whether FID tells the narrow data from the wide at the same dose. Its margin is ``DOSE_MARGIN``
    of what the dose itself moves FID (50% real against 0%, ``real_fraction``): a difference under a tenth of the
    dose's effect is one the lesson would not call "FID sees it".
    """
    g = GENERATION
    digits, fid = f"digits covered at generation {g}", f"FID at generation {g}"
    narrow, wide = band(ex.REAL_50_NARROW, bundle=bundle), band(ex.REAL_50, bundle=bundle)
    quarter = band(ex.REAL_25, bundle=bundle)
    dose = real_fraction(bundle)[0].effect  # FID at generation 5: 50% real against 0%
    return [
        compare_bands("C4", narrow, wide, "classes_covered", g, f"{digits} with 50% real from digits 0-4",
                      "from all ten", expect="lower"),
        compare_bands("C4", narrow, wide, "fid", g, f"{fid} with 50% real from digits 0-4", "from all ten",
                      margin=DOSE_MARGIN * abs(dose)),
        compare_bands("C4", narrow, quarter, "classes_covered", g, f"{digits} with 50% real from digits 0-4",
                      "with 25% real from all ten", expect="lower"),
        compare_bands("C4", narrow, quarter, "fid", g, f"{fid} with 50% real from digits 0-4",
                      "with 25% real from all ten", expect="lower"),
    ]


def few_real_images(ks=(1, 10, 100), bundle=None) -> dict[int, Verdict]:
    """C5 for the VAE (lesson 06): k fresh real images per generation against none, test -ELBO at generation 5
    (how well the model describes real test digits), paired by seed (the same seeds, and the same generation 0, ran
    every k).

    The margin, ``RESCUE_MARGIN`` of the damage the fully synthetic loop does to test -ELBO by generation 5
    (``recursion``), is the smallest rescue the lesson would call a lifeline: a real image that wins back less than a
    tenth of what the loop loses does not keep it alive.
    """
    none = band(ex.FEW_REAL[0], bundle=bundle)
    damage = _degrades("C1", band(ex.REAL_0, bundle=bundle), "test_nelbo").effect
    return {k: compare_bands("C5", band(ex.FEW_REAL[k], bundle=bundle), none, "test_nelbo", GENERATION,
                             f"test -ELBO (nats) at generation {GENERATION} with {_images(k)} per generation",
                             "with none", expect="lower", margin=RESCUE_MARGIN * abs(damage)) for k in ks}


def accumulation(bundle=None) -> list[Verdict]:
    """C4's "great care" (lesson 07): accumulate against replace at equal epochs and at equal compute, test -ELBO
    at generation 5, paired by seed; what the extra compute of equal epochs buys; and whether accumulate at equal
    compute still degrades (generation 5 against generation 0)."""
    g, measure = GENERATION, "test_nelbo"
    replace = band(ex.REAL_0, bundle=bundle)
    epochs = band(ex.ACCUMULATE, bundle=bundle)
    steps = band(ex.ACCUMULATE_EQUAL_STEPS, bundle=bundle)
    return [
        compare_bands("C4", epochs, replace, measure, g, f"test -ELBO at generation {g}, accumulate (equal epochs)",
                      "replace", expect="lower"),
        compare_bands("C4", steps, replace, measure, g, f"test -ELBO at generation {g}, accumulate (equal compute)",
                      "replace", expect="lower"),
        compare_bands("C4", epochs, steps, measure, g, f"test -ELBO at generation {g}, accumulate at equal epochs",
                      "at equal compute", expect="lower"),
        compare_bands("C4", steps, steps, measure, g, f"test -ELBO at generation {g}, accumulate at equal compute",
                      "at generation 0", expect="higher", b_generation=0),
    ]


def temperature(bundle=None) -> Verdict:
    """C2 (lesson 07): Bernoulli sampling at temperature 0.6 against 1.0, recall at generation 3, paired by seed."""
    return compare_bands("C2", band(ex.BERNOULLI[0.6], bundle=bundle), band(ex.BERNOULLI[1.0], bundle=bundle),
                         "recall", 3, "recall at generation 3, sampling at temperature 0.6", "at 1.0",
                         expect="lower")


def compounding(bundle=None) -> list[Verdict]:
    """C2 (lesson 07): does the temperature trade-off compound over the generations? Two readings, paired by seed:
    recall's gap between temperature 1.0 and 0.6 at generation 3 against generation 0 (in recall's own units), and
    the share of its generation-0 recall that the 0.6 loop keeps at generation 3 against the 1.0 loop's."""
    cold, warm = band(ex.BERNOULLI[0.6], bundle=bundle), band(ex.BERNOULLI[1.0], bundle=bundle)
    if design_of(cold.seeds, warm.seeds) != "paired":
        raise ValueError(f"the temperature bands must have run the same seeds, got {cold.seeds} and {warm.seeds}")
    order = cold.seeds
    gap = by_seed(warm.metric("recall"), warm.seeds, order) - cold.metric("recall")
    warm_kept = by_seed(kept(warm, "recall"), warm.seeds, order)
    return [compare("C2", gap[:, 3], gap[:, 0], "recall's gap between temperature 1.0 and 0.6 at generation 3",
                    "at generation 0", design="paired"),
            compare("C2", kept(cold, "recall")[:, 3], warm_kept[:, 3], "share of its generation-0 recall kept at "
                    "generation 3 at temperature 0.6", "at 1.0", expect="lower", design="paired")]


@dataclass(frozen=True)
class SyntheticShare:
    """C3 (lesson 06) at several training-set sizes, over the bundle's seeds: generation 1's ``measure``.

    * ``alone[n]``: trained on n real images;
    * ``mixed[n]``: on the same n real images plus synthetic ones from generation 0 (``share`` of the set);
    * ``all_real[n]``: on n / (1 - share) real images, the mixed set's total, all real.

    Real held fixed (mixed against alone) asks whether *adding* synthetic data hurts; total held fixed (mixed
    against all real) asks what *replacing* real data by synthetic costs. Each method is one verdict. Every arm at
    every size ran the same seeds (``design`` "paired": a seed's arms share its initial weights, its generation 0
    and nested real images), so each comparison is paired by seed, and pooling over the sizes averages each seed's
    numbers first: the seed is the replicate (10 of them, not 10 per size). Arrays are in one seed order.
    """

    real_sizes: tuple[int, ...]
    alone: dict
    mixed: dict
    all_real: dict
    measure: str
    share: float
    design: str = "paired"

    @property
    def label(self) -> str:
        """The measure as a verdict names it, e.g. "test -ELBO (nats)"."""
        return METRICS[self.measure].words

    def total(self, real: int) -> int:
        return round(real / (1 - self.share))

    def _compare(self, a, b, measure: str, than: str, expect: str | None = None, margin=None) -> Verdict:
        expect = METRICS[self.measure].worse if expect is None else expect
        return compare("C3", a, b, measure, than, expect=expect, design=self.design, margin=margin)

    def _pooled(self, arm: dict, sizes=None) -> np.ndarray:
        """Each seed's mean of ``arm`` over ``sizes`` (default: every size): one number per seed."""
        if self.design != "paired":
            raise ValueError(f"pooling over sizes needs the same seeds at every size; design is {self.design!r}")
        return pool_by_seed([arm[real] for real in (self.real_sizes if sizes is None else sizes)])

    def _harm(self, worse, better) -> np.ndarray:
        """Per seed, how much worse ``worse`` is than ``better`` on the measure (positive: worse)."""
        difference = np.asarray(worse) - np.asarray(better)
        return difference if METRICS[self.measure].worse == "higher" else -difference

    def added(self, real: int) -> Verdict:
        """Adding the synthetic share to ``real`` real images makes the measure worse, paired by seed."""
        return self._compare(self.mixed[real], self.alone[real],
                             f"{self.label} with {real:,} real + {self.share:.0%} synthetic",
                             f"with the {real:,} real alone")

    def replaced(self, real: int) -> Verdict:
        """Replacing ``share`` of an all-real set by synthetic images makes the measure worse, paired by seed."""
        return self._compare(self.mixed[real], self.all_real[real],
                             f"{self.label} with {self.share:.0%} of {self.total(real):,} images synthetic", "all real")

    def added_overall(self) -> Verdict:
        """Over every size at once (each seed's mean over the sizes): adding the synthetic share hurts."""
        return self._compare(self._pooled(self.mixed), self._pooled(self.alone),
                             f"{self.label} with {self.share:.0%} synthetic added to the real images, each seed's "
                             f"mean over {len(self.real_sizes)} sizes", "without")

    def replaced_overall(self) -> Verdict:
        """Over every size at once (each seed's mean over the sizes): replacing ``share`` of the real images by
        synthetic ones hurts."""
        return self._compare(self._pooled(self.mixed), self._pooled(self.all_real),
                             f"{self.label} with {self.share:.0%} of the images synthetic, each seed's mean over "
                             f"{len(self.real_sizes)} sizes", "all real")

    def _doublings(self) -> list[tuple[int, int]]:
        pairs = [(small, large) for small, large in zip(self.real_sizes, self.real_sizes[1:]) if large == 2 * small]
        if not pairs:
            raise ValueError(f"real_sizes must hold sizes that double, e.g. 2250 and 4500, got {self.real_sizes}")
        return pairs

    def doubling(self) -> Verdict:
        """The yardstick that gives "small" and "significant" a meaning (lesson 06): what doubling an all-real
        training set buys, generation 1's measure with 2n against n all-real images, each seed's mean over the
        doublings the sizes hold (2,500 to 5,000, 5,000 to 10,000, 10,000 to 20,000), paired by seed."""
        pairs = self._doublings()
        larger = self._pooled(self.all_real, [large for _, large in pairs])
        smaller = self._pooled(self.all_real, [small for small, _ in pairs])
        return self._compare(larger, smaller, f"{self.label} with twice the real images, each seed's mean over "
                             f"{len(pairs)} doublings from {self.total(pairs[0][0]):,} to "
                             f"{self.total(pairs[-1][1]):,} images (all real)", "with half as many",
                             expect=METRICS[self.measure].better)

    def cost_against_doubling(self) -> Verdict:
        """C3 against its yardstick (lesson 06): is replacing the synthetic share by real images worth more than
        doubling the real data? Per seed, the cost of replacing (its mean over the sizes) against the gain from
        doubling (its mean over the doublings), paired by seed; holds when the cost is the larger."""
        pairs = self._doublings()
        cost = pool_by_seed([self._harm(self.mixed[real], self.all_real[real]) for real in self.real_sizes])
        gain = pool_by_seed([self._harm(self.all_real[small], self.all_real[large]) for small, large in pairs])
        return self._compare(cost, gain, f"the cost in {self.label} of {self.share:.0%} synthetic (each seed's mean "
                             f"over {len(self.real_sizes)} sizes)", "the gain from doubling the real data",
                             expect="higher")

    def shrinks(self) -> Verdict:
        """The cost of replacing is smaller at the largest size than at the smallest (Dohmatob et al. ask whether
        more data makes a fixed synthetic share harmless), paired by seed.

        The margin, ``SHRINK_MARGIN`` of the cost at the smallest size: the question is whether more data makes the
        share harmless, and a cost that shrinks by less than half over an eightfold growth of the data is far from
        harmless. Within it, "equivalent" would say the cost stays; outside neither, the seeds cannot tell.
        """
        small, large = self.real_sizes[0], self.real_sizes[-1]
        small_cost = self._harm(self.mixed[small], self.all_real[small])
        large_cost = self._harm(self.mixed[large], self.all_real[large])
        return self._compare(large_cost, small_cost, f"the cost of {self.share:.0%} synthetic in {self.label} at "
                             f"{self.total(large):,} images", f"at {self.total(small):,}", expect="lower",
                             margin=SHRINK_MARGIN * abs(float(np.mean(small_cost))))


def synthetic_share(measure: str = "test_nelbo", bundle=None) -> SyntheticShare:
    """C3 from the shipped results bundle (no training): generation 1 of the C3 experiments of
    ``experiments.C3``. ``measure``: a metric, e.g. "test_nelbo" (nats on the real test set) or "fid"."""
    if measure not in METRICS:
        raise ValueError(f"measure must be one of {', '.join(METRICS)}, got {measure!r}")
    bands = {real: [band(name, bundle=bundle) for name in names] for real, names in ex.C3.items()}
    seeds = bands[next(iter(bands))][0].seeds
    designs = {design_of(seeds, arm.seeds) for arms in bands.values() for arm in arms}
    design = "paired" if designs == {"paired"} else "independent"
    alone, mixed, all_real = {}, {}, {}
    for real, arms in bands.items():
        for values, arm in zip((alone, mixed, all_real), arms):
            values[real] = by_seed(arm.at(measure, 1), arm.seeds, seeds) if design == "paired" else arm.at(measure, 1)
    return SyntheticShare(tuple(ex.C3), alone, mixed, all_real, measure, ex.C3_SYNTHETIC_SHARE, design)


def headline(bundle=None) -> list[Verdict]:
    """The course's headline VAE verdicts, the ones its wrap-up rests on: C1 and C2 (the fully synthetic loop), C4's
    dose, plateau and diversity, accumulate against replace, the temperature, C3 against its yardstick and with size,
    and C5's k real images. Lesson 08 prints them, each alone and corrected together (``sheet.family_wise``)."""
    share = synthetic_share("test_nelbo", bundle)
    return (recursion(bundle) + diversity_loss(bundle) + real_fraction(bundle) + [plateaus(bundle=bundle)[0.5]]
            + diversity(bundle) + accumulation(bundle)[:2] + [temperature(bundle)]
            + [share.replaced_overall(), share.cost_against_doubling(), share.shrinks()]
            + list(few_real_images(bundle=bundle).values()))


# ---------------------------------------------------------------------------------------------------------------
# The language model (lesson 09): the TEXT_ lines of ``experiments``, 10 seeds, generation 5 of 6. Every
# line ran the same seeds, and a seed gives every line the same generation 0, so every comparison is paired by seed.
BITS = "test_bits_per_character"  # C1's measure: bits per character of the real test text (lower: better)


def _paired_shares(claim: str, a: Band, b: Band, measure: str, statement: str, than: str, expect: str,
                   b_measure: str | None = None, g: int = GENERATION) -> Verdict:
    """Each seed's share of its own generation-0 ``measure`` kept at generation ``g`` in band ``a``, against the
    share of ``b_measure`` (default: the same) kept in band ``b``, paired by seed (the bands must share their seeds)."""
    if design_of(a.seeds, b.seeds) != "paired":
        raise ValueError(f"the bands must have run the same seeds, got {a.seeds} and {b.seeds}")
    other = by_seed(kept(b, b_measure or measure)[:, g], b.seeds, a.seeds)
    return compare(claim, kept(a, measure)[:, g], other, statement, than, expect=expect, design="paired")


def text_recursion(bundle=None) -> Verdict:
    """C1 for the language model (lesson 09): bits per character of the real test text at generation 5 against
    generation 0, the fully synthetic loop, paired by seed."""
    return _degrades("C1", band(ex.TEXT_REAL_0, bundle=bundle), BITS)


def text_tails(bundle=None) -> list[Verdict]:
    """C2 for the language model (lesson 09), the fully synthetic loop, paired within each seed: the share of its
    generation-0 coverage of the rare real words (seen <= 5 times in training) kept at generation 5 against the
    share of its coverage of the common ones (the top 1,000) kept: the tails go first if the first is the smaller;
    and the share of invented words at generation 5 against generation 0 (errors amplified)."""
    synthetic = band(ex.TEXT_REAL_0, bundle=bundle)
    g = GENERATION
    return [_paired_shares("C2", synthetic, synthetic, "rare_coverage",
                           f"share of its generation-0 coverage of the rare real words kept at generation {g}",
                           "the share of its coverage of the common ones kept", expect="lower",
                           b_measure="common_coverage"),
            _degrades("C2", synthetic, "invented_share")]


def text_real_fraction(bundle=None) -> list[Verdict]:
    """C4's dose for the language model (lesson 09): bits per character of the real test text at generation 5 with
    10% fresh real passages against none, and with 50% against 10%, paired by seed."""
    g, arms = GENERATION, {f: band(ex.TEXT_REAL[f], bundle=bundle) for f in (0.0, 0.1, 0.5)}
    words = metric(arms[0.0].config, BITS).words
    return [compare_bands("C4", arms[high], arms[low], BITS, g, f"{words} at generation {g} with {high:.0%} real",
                          f"with {low:.0%}", expect="lower") for high, low in ((0.1, 0.0), (0.5, 0.1))]


def text_few_real(bundle=None) -> Verdict:
    """C5 for the language model (lesson 09): 10 fresh real passages (1% of each generation's 1,024) against none,
    bits per character of the real test text at generation 5, paired by seed.

    The margin, ``RESCUE_MARGIN`` of the damage the fully synthetic loop does to the same measure by generation 5
    (``text_recursion``), as for the VAE: a dose of real text that wins back less than a tenth of what the loop
    loses does not keep it alive.
    """
    k = 10
    none, few = band(ex.TEXT_FEW_REAL[0], bundle=bundle), band(ex.TEXT_FEW_REAL[k], bundle=bundle)
    damage = text_recursion(bundle).effect
    return compare_bands("C5", few, none, BITS, GENERATION, f"{metric(few.config, BITS).words} at generation "
                         f"{GENERATION} with {k} real passages per generation", "with none", expect="lower",
                         margin=RESCUE_MARGIN * abs(damage))


def text_temperature(bundle=None) -> list[Verdict]:
    """C2 and sampling for the language model (lesson 09): does sampling at temperature 0.7 (below 1) speed the loss
    of diversity? Each loop's share of its own generation-0 distinct words, and of its generation-0 coverage of the
    common real words, kept at generation 5, at 0.7 against 1.0, paired by seed. Shares of each loop's own start:
    at 0.7 generation 0's text already differs (the same model, sampled colder: fewer distinct words, as many common
    ones); the question is the pace."""
    cold, warm = band(ex.TEXT_TEMPERATURE[0.7], bundle=bundle), band(ex.TEXT_TEMPERATURE[1.0], bundle=bundle)
    g = GENERATION
    return [_paired_shares("C2", cold, warm, measure, f"share of its generation-0 {what} kept at generation {g} "
                           "sampling at temperature 0.7", "at 1.0", expect="lower")
            for measure, what in (("distinct_words", "distinct words"),
                                  ("common_coverage", "coverage of the common real words"))]


def text_accumulation(bundle=None) -> list[Verdict]:
    """Accumulate against replace for the language model at equal compute (lesson 09): bits per character of the
    real test text at generation 5, paired by seed; and whether accumulating still degrades (generation 5 against
    generation 0)."""
    g = GENERATION
    replace = band(ex.TEXT_REAL_0, bundle=bundle)
    steps = band(ex.TEXT_ACCUMULATE_EQUAL_STEPS, bundle=bundle)
    words = metric(steps.config, BITS).words
    return [compare_bands("C4", steps, replace, BITS, g, f"{words} at generation {g}, accumulate (equal compute)",
                          "replace", expect="lower"),
            compare_bands("C4", steps, steps, BITS, g, f"{words} at generation {g}, accumulate at equal compute",
                          "at generation 0", expect="higher", b_generation=0)]


def gaussian(gauss: GaussianResult, unbiased: GaussianResult, rescued: GaussianResult, t: int = 20) -> list[Verdict]:
    """C1, C2 and a C4 preview in the Gaussian world (lesson 01), from its runs: the MLE refit ``gauss``, the
    unbiased refit ``unbiased`` and 10% real points per generation ``rescued`` (the same chains and generations);
    each verdict over chains."""
    generations, n = gauss.config.generations, gauss.config.samples_per_generation
    last = generations - 1
    log_last = {"MLE": np.log(gauss.variances[:, -1]), "unbiased": np.log(unbiased.variances[:, -1])}
    tails = gauss.tail_mass(2.0)
    return [
        agrees("C1", gauss.variances[:, t], expected_variance(generations, n, "mle")[t],
               f"MLE: mean variance at generation {t}", within=4),
        agrees("C1", unbiased.variances[:, t], 1.0, f"unbiased fit: mean variance at generation {t}", within=4),
        agrees("C1", log_last["unbiased"], expected_log_variance(generations, n, "unbiased")[-1],
               f"unbiased fit: mean ln variance at generation {last}", within=4),
        compare("C1", log_last["MLE"], 0.0, f"MLE: mean ln variance at generation {last}", "the truth's ln 1 = 0",
                expect="lower", unit="chains"),
        compare("C1", log_last["unbiased"], 0.0, f"unbiased fit: mean ln variance at generation {last}",
                "the truth's 0", expect="lower", unit="chains"),
        compare("C2", np.log(tails[:, t] / tails[:, 0]), np.log(gauss.variances[:, t] / gauss.variances[:, 0]),
                f"ln(share of its tail mass a chain keeps at generation {t})", "ln(share of its variance)",
                expect="lower", design="paired", unit="chains"),
        compare("C2", abs(gauss.means[:, -1, 0]), abs(gauss.means[:, 0, 0]), f"|fitted mean| at generation {last}",
                "at generation 0", expect="higher", design="paired", unit="chains"),
        compare("C4 preview", rescued.variances[:, -1], gauss.variances[:, -1], "final variance with 10% real points",
                "fully synthetic", unit="chains"),
    ]


def one_real_point(study: LifelineStudy) -> dict[tuple[float, str], Verdict]:
    """What one real point per generation, ``"fixed"`` or ``"fresh"``, moves MAP's settled variance by, for each
    prior variance of ``study`` (a ``theory.lifeline_study``): ``{(prior, point): verdict}``, over chains. Lesson 06
    prints these before it judges the lifeline (``lifeline``)."""
    settled = study.settled_variance
    return {(prior, point): compare("C5", settled("map", point, prior), settled("map", "none", prior),
                                    f"MAP (prior variance {prior:g}) + one {point} real point: settled variance",
                                    "MAP alone", unit="chains")
            for prior in study.prior_variances for point in ("fixed", "fresh")}


def lifeline(study: LifelineStudy) -> list[Verdict]:
    """C5 in the Gaussian world (lesson 06), from a ``theory.lifeline_study`` with prior variances 1 and 4: what
    one real point (fixed or fresh) adds under MLE, and beyond the prior under MAP; each verdict over chains."""
    settled = study.settled_variance
    log_mle = {point: np.log(settled("mle", point)) for point in ("none", "fixed", "fresh")}
    return [
        compare("C5", log_mle["fresh"], log_mle["none"], "MLE + one fresh real point: ln settled variance",
                "with no real point", unit="chains"),
        compare("C5", log_mle["fixed"], log_mle["fresh"], "MLE + one fixed real point: ln settled variance",
                "with a fresh one", expect="lower", unit="chains"),
        compare("C5", np.log(settled("map", "none", 1.0)), log_mle["none"],
                "MAP (prior variance 1) with no real point: ln settled variance", "MLE's", unit="chains"),
        compare("C5", settled("map", "fresh", 1.0), settled("map", "none", 1.0),
                "MAP (prior variance 1) + one fresh real point: settled variance", "MAP alone", unit="chains"),
        compare("C5", settled("map", "fixed", 4.0), settled("map", "fixed", 1.0),
                "MAP + one fixed real point: settled variance with prior variance 4", "with 1", unit="chains"),
        compare("C5", settled("map", "fresh", 4.0), 1.0,
                "MAP (prior variance 4) + one fresh real point: settled variance", "the truth's 1", unit="chains"),
    ]
