"""The course's verdicts on the article's claims, every one defined here once and registered with its claim, lesson,
conditions and family (``registry.verdict``): the lessons print and check them, ``lessons/verdicts.md`` (``sheet``)
sums them up.

A VAE verdict, or a language model's (lesson 09, the ``text_`` functions), compares bands of the shipped results
bundle (``bundle.band``, by the catalogue's names in ``experiments``) over their 10 seeds (full profile); a Gaussian
verdict compares the chains of a theory run. Each is an effect with its 95% confidence interval (``stats``), read
against its measure's margin, the smallest effect that matters, fixed in advance with its reason in ``margins``:
beyond it the effect **holds**, within it it is **negligible**. A comparison whose arms both sit at a measure's
floor (the column's ``floor``/``ceiling``, or a no-skill baseline), or a derived measure (a share kept, a gap, a late
slope) with one arm there, is **not testable** (``stats.at_bound``). The test follows the design: bands
that ran the same seeds are compared seed by seed (``stats.compare_bands``), and settings pooled over (C3's four
sizes) are averaged per seed first, so the seed stays the replicate. Which way a verdict goes is the data's
business: a lesson's check cell asserts the outcome its text states. A measure's words, unit, bounds and which way
is worse come from its column's declaration (``columns.metric`` finds a band's own).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.columns import metric
from ..gaussian.theory import (
    GaussianConfig,
    GaussianResult,
    LifelineStudy,
    expected_log_variance,
    expected_variance,
    lifeline_study,
    run_gaussian,
)
from ..text.metrics import letter_chain_floor
from . import experiments as ex
from .bundle import Band, band
from .margins import margin, share_margin
from .registry import entries, verdict
from .stats import Verdict, agrees, at_bound, by_seed, compare, compare_bands, design_of, plateau, pool_by_seed

GENERATION = 5  # the last generation of a 6-generation run: where the VAE settings are compared
PLATEAU_EARLY, PLATEAU_LATE = range(0, 6), range(6, 12)  # a plateau: the slope over generations 6-11 (0-5 for pace)
# The Gaussian verdicts of the sheet run lesson 01's and 06's settings at the full profile's sizes, seed 0.
GAUSSIAN_SHEET = {"samples_per_generation": 100, "generations": 1000, "chains": 1000, "seed": 0}


def _images(k: int) -> str:
    return f"{k} real image{'s' if k != 1 else ''}"


def _bands(claim: str, a: Band, b: Band, measure: str, g: int, details: str, than: str, expect: str | None = None,
           b_generation: int | None = None) -> Verdict:
    """Column ``measure`` of band ``a`` at generation ``g`` against band ``b`` (at ``b_generation``), paired by seed
    where they share their seeds, read against the measure's margin and bounds; ``expect`` defaults to the way that
    is better. The statement is the column's own words (``Column.at``) with ``details``."""
    measure = a.column(measure)  # under an analysis variant, the column it reads in the measure's place
    column = metric(a.config, measure)
    statement = column.at(g, details)
    return compare_bands(claim, a, b, measure, g, statement, than, expect or column.better, b_generation,
                         margin(measure), (column.floor, column.ceiling))


def _degrades(claim: str, synthetic: Band, measure: str, g: int = GENERATION) -> Verdict:
    """``measure`` at generation ``g`` against generation 0, moved the way that is worse, paired by seed (any
    world: the measure's words, direction, margin and bounds come from its column)."""
    return _bands(claim, synthetic, synthetic, measure, g, "", "at generation 0", metric(synthetic.config,
                  measure).worse, b_generation=0)


def kept(seeds: Band, measure: str) -> np.ndarray:
    """Each seed's ``measure`` at every generation as a share of its own generation 0's, (seeds, generations): how
    much of its start a loop keeps."""
    values = seeds.metric(measure)
    return values / values[:, :1]


def _share_margin(arm: Band, measure: str) -> float:
    """The margin of a share of generation 0 kept: the measure's margin over the arm's generation-0 mean."""
    return share_margin(measure, float(arm.at(measure, 0).mean()))


@verdict("C1", "03", "fully synthetic loop, mean images")
def recursion(bundle=None) -> list[Verdict]:
    """C1 (lesson 03): the fully synthetic loop at generation 5 against generation 0, paired by seed."""
    synthetic = band(ex.REAL_0, bundle=bundle)
    return [_degrades("C1", synthetic, measure) for measure in ("latent_std", "classes_covered", "test_nelbo")]


@verdict("C2", "04", "fully synthetic loop, mean images", ("confirmatory", "confirmatory", "secondary", "confirmatory"))
def diversity_loss(bundle=None) -> list[Verdict]:
    """C2 (lesson 04): the fully synthetic loop at generation 5 against generation 0, paired by seed: variety
    (class entropy, recall), the spread of the samples' -ELBO under generation 0 and the errors (FID).

    The spread is secondary: its fall says the samples' -ELBO under generation 0 narrows, not that the tails go
    *first* (nothing here orders the losses). Pixel diversity is not among them: it measures blur and pixel noise as
    much as variety (lesson 04 shows real digits losing a quarter of it when blurred once by the generation-0 model,
    with no digit or style lost, and Bernoulli noise raising it above real data's), so its fall cannot be read as
    lost diversity.
    """
    synthetic = band(ex.REAL_0, bundle=bundle)
    return [_degrades("C2", synthetic, measure) for measure in
            ("class_entropy", "recall", "sample_nelbo_gen0_spread", "fid")]


@verdict("C1", "03", "fully synthetic loop, Bernoulli against mean images", "secondary")
def sampling(bundle=None) -> Verdict:
    """C1 (lesson 03): does Bernoulli sampling (pixel noise kept) lose more or less spread than mean images?
    The share of generation 0's latent std kept at generation 3, paired by seed; its margin is the latent std's
    over the mean images' generation-0 latent std."""
    mean_images, coin_flips = band(ex.REAL_0, bundle=bundle), band(ex.BERNOULLI[1.0], bundle=bundle)
    design = design_of(coin_flips.seeds, mean_images.seeds)
    mean_kept = kept(mean_images, "latent_std")[:, 3]
    if design == "paired":
        mean_kept = by_seed(mean_kept, mean_images.seeds, coin_flips.seeds)
    return compare("C1", kept(coin_flips, "latent_std")[:, 3], mean_kept,
                   "share of the latent std kept at generation 3 with Bernoulli samples", "with mean images",
                   design=design, margin=_share_margin(mean_images, "latent_std"))


@verdict("C4", "05", "replace, 50% against 0% real")
def real_fraction(bundle=None) -> list[Verdict]:
    """C4's dose (lesson 05): half real data against none at generation 5, paired by seed."""
    g, half, none = GENERATION, band(ex.REAL_50, bundle=bundle), band(ex.REAL_0, bundle=bundle)
    return [_bands("C4", half, none, measure, g, "with 50% real", "with 0%") for measure in ("fid", "latent_std")]


@verdict("C4", "05", "replace, {key:.0%} real, generations 6-11", "secondary")
def plateaus(fractions=(0.0, 0.1, 0.25, 0.5), measure: str = "test_nelbo", bundle=None) -> dict[float, Verdict]:
    """C4's "settles" (lesson 05): for each real fraction, has ``measure`` levelled off over generations 6-11?

    The late slope, in the measure's units per generation, against a tolerance fixed by its margin
    (``margins``): the margin spread over the five steps of generations 6-11, so a loop that stays within it
    moves less than the smallest effect that matters over the whole late stretch. A loop that has collapsed to one
    digit over those generations has nothing left to lose: its plateau is not testable.
    """
    column = metric(band(ex.SWEEP[fractions[0]], bundle=bundle).config, measure)
    tolerance = margin(measure) / (len(PLATEAU_LATE) - 1)
    found = {}
    for f in fractions:
        arm = band(ex.SWEEP[f], bundle=bundle)
        digits = metric(arm.config, "classes_covered")
        collapsed = at_bound("digits covered over generations 6-11",
                             {"every late generation": arm.metric("classes_covered")[:, PLATEAU_LATE].mean(axis=1)},
                             digits.floor, None, margin("classes_covered"))
        found[f] = plateau("C4", arm.metric(measure), f"{column.words} at {f:.0%} real", tolerance,
                           early=PLATEAU_EARLY, late=PLATEAU_LATE, floor=collapsed)
    return found


@verdict("C4", "05", "replace, real data from digits 0-4", ("confirmatory", "secondary", "secondary", "secondary"))
def diversity(bundle=None) -> list[Verdict]:
    """C4's "diverse" (lesson 05), at generation 5, paired by seed: 50% real from the digits 0-4 against 50% from
    all ten (the amount held: digits covered, then FID), and against 25% from all ten (half the amount, full
    variety: digits covered, then FID). The narrow arm changes the class mix along with the diversity."""
    g = GENERATION
    narrow, wide = band(ex.REAL_50_NARROW, bundle=bundle), band(ex.REAL_50, bundle=bundle)
    quarter = band(ex.REAL_25, bundle=bundle)
    return [
        _bands("C4", narrow, wide, "classes_covered", g, "with 50% real from digits 0-4", "from all ten", "lower"),
        _bands("C4", narrow, wide, "fid", g, "with 50% real from digits 0-4", "from all ten", "higher"),
        _bands("C4", narrow, quarter, "classes_covered", g, "with 50% real from digits 0-4",
               "with 25% real from all ten", "lower"),
        _bands("C4", narrow, quarter, "fid", g, "with 50% real from digits 0-4", "with 25% real from all ten",
               "lower"),
    ]


@verdict("C5", "06", "replace, k = {key} fresh real images in each generation's 10,000",
         ("confirmatory", "secondary", "secondary"))
def few_real_images(ks=(1, 10, 100), bundle=None) -> dict[int, Verdict]:
    """C5 for the VAE (lesson 06): k fresh real images per generation against none, test -ELBO at generation 5
    (how well the model describes real test digits), paired by seed (the same seeds, and the same generation 0, ran
    every k), read against test -ELBO's margin (what doubling the real data buys)."""
    none = band(ex.FEW_REAL[0], bundle=bundle)
    return {k: _bands("C5", band(ex.FEW_REAL[k], bundle=bundle), none, "test_nelbo", GENERATION,
                      f"with {_images(k)} per generation", "with none") for k in ks}


@verdict("C5", "06", "replace, the same k = {key} real images in every generation's 10,000", "secondary")
def fixed_real_images(ks=(1, 10, 100), bundle=None) -> dict[int, Verdict]:
    """C5's control (lesson 06): the same k real images every generation (``experiments.FIXED_REAL``) against k
    fresh ones each generation (``FEW_REAL``), test -ELBO at generation 5, paired by seed: does C5's help need fresh
    images, or does any real anchor do? Expected worse: the same k images carry less of the real data."""
    return {k: _bands("C5", band(ex.FIXED_REAL[k], bundle=bundle), band(ex.FEW_REAL[k], bundle=bundle),
                      "test_nelbo", GENERATION, f"with the same {_images(k)} every generation", "with fresh ones",
                      "higher") for k in ks}


@verdict("C4", "05", "replace, 50% real from a pool of 500 images of all ten digits", "secondary")
def real_pool(bundle=None) -> list[Verdict]:
    """C4's "diverse" without a class shift (lesson 05): 50% real drawn each generation from a pool of 500 images of
    all ten digits (``experiments.REAL_50_POOL``) against 50% fresh from the whole training set, at generation 5,
    paired by seed: digits covered, FID and test -ELBO. The same dose and class mix, less variety."""
    pool, wide = band(ex.REAL_50_POOL, bundle=bundle), band(ex.REAL_50, bundle=bundle)
    details = f"with 50% real from a pool of {ex.REAL_POOL}"
    return [_bands("C4", pool, wide, measure, GENERATION, details, "fresh from all the training set",
                   metric(pool.config, measure).worse) for measure in ("classes_covered", "fid", "test_nelbo")]


@verdict("C4", "07", "no real data after generation 0, equal compute", ("confirmatory", "secondary"))
def accumulation(bundle=None) -> list[Verdict]:
    """C4's "great care" (lesson 07): accumulate against replace at equal compute (every generation the gradient
    steps of generation 0, so only the data differ), test -ELBO at generation 5, paired by seed; and whether
    accumulate at equal compute still degrades (generation 5 against generation 0). Accumulate keeps generation 0's
    real images, which replace does not: ``accumulation_controls`` separates the two."""
    g, measure = GENERATION, "test_nelbo"
    replace, steps = band(ex.REAL_0, bundle=bundle), band(ex.ACCUMULATE_EQUAL_STEPS, bundle=bundle)
    return [_bands("C4", steps, replace, measure, g, ", accumulate (equal compute)", "replace", "lower"),
            _bands("C4", steps, steps, measure, g, ", accumulate at equal compute", "at generation 0", "higher",
                   b_generation=0)]


@verdict("C4", "07", "no real data after generation 0, equal epochs", "secondary")
def equal_epochs(bundle=None) -> list[Verdict]:
    """Accumulate at equal epochs (lesson 07), whose growing sets also train longer, test -ELBO at generation 5,
    paired by seed: against replace, and what its extra compute buys against accumulate at equal compute."""
    g, measure = GENERATION, "test_nelbo"
    replace, epochs = band(ex.REAL_0, bundle=bundle), band(ex.ACCUMULATE, bundle=bundle)
    steps = band(ex.ACCUMULATE_EQUAL_STEPS, bundle=bundle)
    return [_bands("C4", epochs, replace, measure, g, ", accumulate (equal epochs)", "replace", "lower"),
            _bands("C4", epochs, steps, measure, g, ", accumulate at equal epochs", "at equal compute", "lower")]


@verdict("C4", "07", ("equal compute: keeping generation 0's real set", "equal compute: keeping the old synthetic sets",
                      "equal compute: the old synthetic sets added to the real set",
                      "equal compute: the real set added to the old synthetic sets"), "secondary")
def accumulation_controls(bundle=None) -> list[Verdict]:
    """What accumulate's gain is made of (lesson 07), all at equal compute, test -ELBO at generation 5, paired by
    seed: keeping generation 0's real set beside each new synthetic set (``experiments.KEEP_FIRST_SET``) against
    replace; keeping every old synthetic set but not the real one (``ACCUMULATE_SYNTHETIC``) against replace; and
    accumulate (both kept) against each. Secondary: these contrasts were chosen after the accumulate verdict was read
    (their margin, test -ELBO's, was fixed before)."""
    g, measure = GENERATION, "test_nelbo"
    replace, both = band(ex.REAL_0, bundle=bundle), band(ex.ACCUMULATE_EQUAL_STEPS, bundle=bundle)
    real_set, synthetic_sets = band(ex.KEEP_FIRST_SET, bundle=bundle), band(ex.ACCUMULATE_SYNTHETIC, bundle=bundle)
    return [_bands("C4", real_set, replace, measure, g, ", replace keeping generation 0's real set", "replace",
                   "lower"),
            _bands("C4", synthetic_sets, replace, measure, g, ", accumulating the synthetic sets only", "replace",
                   "lower"),
            _bands("C4", both, real_set, measure, g, ", accumulate", "replace keeping generation 0's real set",
                   "lower"),
            _bands("C4", both, synthetic_sets, measure, g, ", accumulate", "accumulating the synthetic sets only",
                   "lower")]


@verdict("C2", "07", "fully synthetic loop, Bernoulli samples")
def temperature(bundle=None) -> Verdict:
    """C2 (lesson 07): Bernoulli sampling at temperature 0.6 against 1.0, recall at generation 3, paired by seed."""
    return _bands("C2", band(ex.BERNOULLI[0.6], bundle=bundle), band(ex.BERNOULLI[1.0], bundle=bundle), "recall", 3,
                  ", sampling at temperature 0.6", "at 1.0", "lower")


@verdict("C2", "07", "fully synthetic loop, Bernoulli samples, over generations", "secondary")
def compounding(bundle=None) -> list[Verdict]:
    """C2 (lesson 07): does the temperature trade-off compound over the generations? Two readings, paired by seed:
    recall's gap between temperature 1.0 and 0.6 at generation 3 against generation 0 (in recall's own units), and
    the share of its generation-0 recall that the 0.6 loop keeps at generation 3 against the 1.0 loop's. Where the
    cold loop's recall sits at its floor by generation 3, neither can move the way it asks: not testable."""
    cold, warm = band(ex.BERNOULLI[0.6], bundle=bundle), band(ex.BERNOULLI[1.0], bundle=bundle)
    if design_of(cold.seeds, warm.seeds) != "paired":
        raise ValueError(f"the temperature bands must have run the same seeds, got {cold.seeds} and {warm.seeds}")
    order = cold.seeds
    recall = metric(cold.config, "recall")
    floored = at_bound("recall", {"temperature 0.6 at generation 3": cold.at("recall", 3)}, recall.floor,
                       recall.ceiling, margin("recall"), every=False)
    gap = by_seed(warm.metric("recall"), warm.seeds, order) - cold.metric("recall")
    warm_kept = by_seed(kept(warm, "recall"), warm.seeds, order)
    return [compare("C2", gap[:, 3], gap[:, 0], "recall's gap between temperature 1.0 and 0.6 at generation 3",
                    "at generation 0", design="paired", margin=margin("recall"), floor=floored),
            compare("C2", kept(cold, "recall")[:, 3], warm_kept[:, 3], "share of its generation-0 recall kept at "
                    "generation 3 at temperature 0.6", "at 1.0", expect="lower", design="paired",
                    margin=_share_margin(cold, "recall"), floor=floored)]


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
    numbers first: the seed is the replicate (10 of them, not 10 per size). Arrays are in one seed order. Every
    comparison is read against the measure's margin (``margins``), the yardstick of doubling excepted: it sets
    margins, so it is read against zero.
    """

    real_sizes: tuple[int, ...]
    alone: dict
    mixed: dict
    all_real: dict
    measure: str
    share: float
    config: object
    design: str = "paired"

    @property
    def column(self):
        return metric(self.config, self.measure)

    @property
    def label(self) -> str:
        """The measure as a verdict names it, e.g. "test -ELBO (nats)"."""
        return self.column.words

    def total(self, real: int) -> int:
        return round(real / (1 - self.share))

    def _compare(self, a, b, measure: str, than: str, expect: str | None = None, margin_of=True) -> Verdict:
        expect = self.column.worse if expect is None else expect
        return compare("C3", a, b, measure, than, expect=expect, design=self.design,
                       margin=margin(self.measure) if margin_of else None)

    def _pooled(self, arm: dict, sizes=None) -> np.ndarray:
        """Each seed's mean of ``arm`` over ``sizes`` (default: every size): one number per seed."""
        if self.design != "paired":
            raise ValueError(f"pooling over sizes needs the same seeds at every size; design is {self.design!r}")
        return pool_by_seed([arm[real] for real in (self.real_sizes if sizes is None else sizes)])

    def _harm(self, worse, better) -> np.ndarray:
        """Per seed, how much worse ``worse`` is than ``better`` on the measure (positive: worse)."""
        difference = np.asarray(worse) - np.asarray(better)
        return difference if self.column.worse == "higher" else -difference

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
        doublings the sizes hold (2,500 to 5,000, 5,000 to 10,000, 10,000 to 20,000), paired by seed. A yardstick
        sets margins (``margins``: test -ELBO's), so it is read against zero, not against one."""
        pairs = self._doublings()
        larger = self._pooled(self.all_real, [large for _, large in pairs])
        smaller = self._pooled(self.all_real, [small for small, _ in pairs])
        return self._compare(larger, smaller, f"{self.label} with twice the real images, each seed's mean over "
                             f"{len(pairs)} doublings from {self.total(pairs[0][0]):,} to "
                             f"{self.total(pairs[-1][1]):,} images (all real)", "with half as many",
                             expect=self.column.better, margin_of=False)

    def cost_against_doubling(self) -> Verdict:
        """C3 against its yardstick (lesson 06): is replacing the synthetic share by real images worth more than
        doubling the real data? Per seed, the cost of replacing (its mean over the sizes) against the gain from
        doubling (its mean over the doublings), paired by seed; holds when the cost is the larger by more than the
        measure's margin."""
        pairs = self._doublings()
        cost = pool_by_seed([self._harm(self.mixed[real], self.all_real[real]) for real in self.real_sizes])
        gain = pool_by_seed([self._harm(self.all_real[small], self.all_real[large]) for small, large in pairs])
        return self._compare(cost, gain, f"the cost in {self.label} of {self.share:.0%} synthetic (each seed's mean "
                             f"over {len(self.real_sizes)} sizes)", "the gain from doubling the real data",
                             expect="higher")

    def shrinks(self) -> Verdict:
        """The cost of replacing is smaller at the largest size than at the smallest (Dohmatob et al. ask whether
        more data makes a fixed synthetic share harmless), paired by seed, against the measure's margin."""
        small, large = self.real_sizes[0], self.real_sizes[-1]
        small_cost = self._harm(self.mixed[small], self.all_real[small])
        large_cost = self._harm(self.mixed[large], self.all_real[large])
        return self._compare(large_cost, small_cost, f"the cost of {self.share:.0%} synthetic in {self.label} at "
                             f"{self.total(large):,} images", f"at {self.total(small):,}", expect="lower")

    def sheet(self) -> list[Verdict]:
        """The sheet's rows of this study, in ``c3_layout``'s order: every size (added, replaced), then the pooled
        verdicts, the change with size, the yardstick and the cost against it."""
        verdicts = [item for real in self.real_sizes for item in (self.added(real), self.replaced(real))]
        return verdicts + [self.added_overall(), self.replaced_overall(), self.shrinks(), self.doubling(),
                           self.cost_against_doubling()]


def c3_layout(real_sizes=tuple(ex.C3), share: float = ex.C3_SYNTHETIC_SHARE) -> tuple[list[str], list[str]]:
    """The conditions and families of ``SyntheticShare.sheet``'s rows, in order."""
    conditions = [text for real in real_sizes for text in
                  (f"generation 1, {real:,} real images held fixed",
                   f"generation 1, {round(real / (1 - share)):,} images in all")]
    conditions += ["generation 1, real images held fixed, 4 sizes", "generation 1, total held fixed, 4 sizes",
                   "generation 1, total held fixed, largest against smallest size",
                   "generation 1, all real: the yardstick of doubling the data",
                   f"generation 1, replacing {share:.0%} against doubling the data"]
    families = ["secondary"] * (2 * len(real_sizes)) + ["confirmatory", "confirmatory", "secondary", "yardstick",
                                                        "secondary"]
    return conditions, families


def synthetic_share(measure: str = "test_nelbo", bundle=None) -> SyntheticShare:
    """C3 from the shipped results bundle (no training): generation 1 of the C3 experiments of
    ``experiments.C3``. ``measure``: a metric, e.g. "test_nelbo" (nats on the real test set) or "fid"."""
    bands = {real: [band(name, bundle=bundle) for name in names] for real, names in ex.C3.items()}
    measure = bands[next(iter(bands))][1].column(measure)  # under an analysis variant, the column read in its place
    config = bands[next(iter(bands))][0].config
    metric(config, measure)  # a clear error for a measure the VAE does not have
    seeds = bands[next(iter(bands))][0].seeds
    designs = {design_of(seeds, arm.seeds) for arms in bands.values() for arm in arms}
    design = "paired" if designs == {"paired"} else "independent"
    alone, mixed, all_real = {}, {}, {}
    for real, arms in bands.items():
        for values, arm in zip((alone, mixed, all_real), arms):
            values[real] = by_seed(arm.at(measure, 1), arm.seeds, seeds) if design == "paired" else arm.at(measure, 1)
    return SyntheticShare(tuple(ex.C3), alone, mixed, all_real, measure, ex.C3_SYNTHETIC_SHARE, config, design)


def _register_c3(measure: str):
    """Register the sheet's C3 rows of one measure (``SyntheticShare.sheet``, laid out by ``c3_layout``)."""
    def rows(bundle=None) -> list[Verdict]:
        return synthetic_share(measure, bundle).sheet()

    rows.__name__ = rows.__qualname__ = f"synthetic_share_{measure}"
    rows.__doc__ = f"C3 (lesson 06) in {measure}: every row of ``SyntheticShare.sheet``."
    return verdict("C3", "06", *c3_layout())(rows)


synthetic_share_test_nelbo = _register_c3("test_nelbo")
synthetic_share_fid = _register_c3("fid")


def headline(bundle=None) -> list[Verdict]:
    """The confirmatory verdicts of the VAE lessons (03-07) on the shipped bundle, in lesson order (``registry``):
    what the course's wrap-up rests on. Nothing trains or runs: they read the bundle."""
    return [item for entry in entries() if "03" <= entry.lesson <= "07" and entry.source == "bundle"
            for _, family, item in entry.items(bundle) if family == "confirmatory"]


# ---------------------------------------------------------------------------------------------------------------
# The language model (lesson 09): the TEXT_ lines of ``experiments``, 10 seeds, generation 5 of 6. Every
# line ran the same seeds, and a seed gives every line the same generation 0, so every comparison is paired by seed.
BITS = "test_bits_per_character"  # C1's measure: bits per character of the real test text (lower: better)


def _paired_shares(claim: str, a: Band, b: Band, measure: str, statement: str, than: str, expect: str,
                   b_measure: str | None = None, g: int = GENERATION, floor: str | None = None) -> Verdict:
    """Each seed's share of its own generation-0 ``measure`` kept at generation ``g`` in band ``a``, against the
    share of ``b_measure`` (default: the same) kept in band ``b``, paired by seed (the bands must share their seeds),
    read against ``measure``'s share margin."""
    if design_of(a.seeds, b.seeds) != "paired":
        raise ValueError(f"the bands must have run the same seeds, got {a.seeds} and {b.seeds}")
    other = by_seed(kept(b, b_measure or measure)[:, g], b.seeds, a.seeds)
    return compare(claim, kept(a, measure)[:, g], other, statement, than, expect=expect, design="paired",
                   margin=_share_margin(a, measure), floor=floor)


@verdict("C1", "09", "language model, fully synthetic loop")
def text_recursion(bundle=None) -> Verdict:
    """C1 for the language model (lesson 09): bits per character of the real test text at generation 5 against
    generation 0, the fully synthetic loop, paired by seed."""
    return _degrades("C1", band(ex.TEXT_REAL_0, bundle=bundle), BITS)


_TAILS = ("language model, fully synthetic loop", "language model, fully synthetic loop",
          "language model, fully synthetic loop", "language model, fully synthetic loop",
          "language model, fully synthetic loop, sampling temperature 0.7")


def _bits_rise(claim: str, synthetic: Band, g: int, details: str) -> Verdict:
    """Real test text's bits per character on its rare words: the rise from generation 0 to ``g``, against the rise
    on its common words, paired by seed; "the tails go first" expects the rare rise to be the larger."""
    rise = {name: synthetic.at(name, g) - synthetic.at(name, 0) for name in ("rare_word_bits", "common_word_bits")}
    chain = letter_chain_floor().values["rare_word_bits"].mean()  # no skill: the letter chain's bits (the worst)
    start = metric(synthetic.config, "rare_word_bits")
    floored = at_bound("bits per character on rare words", {"generation 0": synthetic.at("rare_word_bits", 0)},
                       start.floor, chain, margin("rare_word_bits"), every=False)
    return compare(claim, rise["rare_word_bits"], rise["common_word_bits"], f"rise of real test text's bits per "
                   f"character on rare words from generation 0 to {g}{details}", "the rise on common words",
                   expect="higher", design="paired", margin=margin("rare_word_bits"), floor=floored)


@verdict("C2", "09", _TAILS, ("confirmatory", "confirmatory", "secondary", "secondary", "secondary"))
def text_tails(bundle=None) -> list[Verdict]:
    """C2 for the language model (lesson 09), the fully synthetic loop, each reading paired by seed:

    * the tails, read on real text with headroom: the rise of real test text's bits per character on its rare
      words from generation 0 to 5, against the rise on its common words (the tails go first if the rare rise is
      the larger); generation 0 sits well below the letter chain's bits on rare words, so it has room to lose;
    * errors amplified: the share of invented words at generation 5 against generation 0;
    * the coverage readings (secondary): the share of its generation-0 coverage of the rare real words (seen <= 5
      times) kept at generation 5 against the common ones' (the top 1,000), and the same for the rare words of 6
      letters or more. Generation 0 already sits at the no-skill floor on both (what a 2-character letter chain
      that stores no words reaches, ``text.metrics.letter_chain_floor``): a coverage that cannot fall says nothing,
      so both are not testable;
    * the same tail reading at sampling temperature 0.7 (secondary).
    """
    synthetic = band(ex.TEXT_REAL_0, bundle=bundle)
    cold = band(ex.TEXT_TEMPERATURE[0.7], bundle=bundle)
    g = GENERATION
    chain = {name: float(values.mean()) for name, values in letter_chain_floor().values.items()}

    def at_floor(measure: str) -> str | None:
        return at_bound(f"{metric(synthetic.config, measure).words} (the letter chain's)",
                        {"generation 0": synthetic.at(measure, 0)}, chain[measure], None, margin(measure),
                        every=False)

    return [_bits_rise("C2", synthetic, g, ""),
            _degrades("C2", synthetic, "invented_share"),
            _paired_shares("C2", synthetic, synthetic, "rare_coverage",
                           f"share of its generation-0 coverage of the rare real words kept at generation {g}",
                           "the share of its coverage of the common ones kept", expect="lower",
                           b_measure="common_coverage", floor=at_floor("rare_coverage")),
            _paired_shares("C2", synthetic, synthetic, "long_rare_coverage",
                           f"share of its generation-0 coverage of the rare real words of 6 letters or more kept at "
                           f"generation {g}", "the share of its coverage of the common ones kept", expect="lower",
                           b_measure="common_coverage", floor=at_floor("long_rare_coverage")),
            _bits_rise("C2", cold, g, ", sampling at temperature 0.7")]


@verdict("C4", "09", "language model, replace, fresh real passages in each generation",
         ("confirmatory", "secondary"))
def text_real_fraction(bundle=None) -> list[Verdict]:
    """C4's dose for the language model (lesson 09): bits per character of the real test text at generation 5 with
    10% fresh real passages against none, and with 50% against 10%, paired by seed."""
    g, arms = GENERATION, {f: band(ex.TEXT_REAL[f], bundle=bundle) for f in (0.0, 0.1, 0.5)}
    return [_bands("C4", arms[high], arms[low], BITS, g, f"with {high:.0%} real", f"with {low:.0%}", "lower")
            for high, low in ((0.1, 0.0), (0.5, 0.1))]


@verdict("C5", "09", "language model, replace, 10 fresh real passages in each generation's 1,024")
def text_few_real(bundle=None) -> Verdict:
    """C5 for the language model (lesson 09): 10 fresh real passages (1% of each generation's 1,024: ten passages,
    not one data point) against none, bits per character of the real test text at generation 5, paired by seed,
    against the margin of bits per character (``margins``)."""
    k = 10
    none, few = band(ex.TEXT_FEW_REAL[0], bundle=bundle), band(ex.TEXT_FEW_REAL[k], bundle=bundle)
    return _bands("C5", few, none, BITS, GENERATION, f"with {k} real passages per generation", "with none", "lower")


@verdict("C2", "09", "language model, fully synthetic loop, sampling temperature", ("confirmatory", "secondary"))
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


@verdict("C4", "09", "language model, no real text after generation 0", ("confirmatory", "secondary"))
def text_accumulation(bundle=None) -> list[Verdict]:
    """Accumulate against replace for the language model at equal compute (lesson 09): bits per character of the
    real test text at generation 5, paired by seed; and whether accumulating still degrades (generation 5 against
    generation 0)."""
    g = GENERATION
    replace = band(ex.TEXT_REAL_0, bundle=bundle)
    steps = band(ex.TEXT_ACCUMULATE_EQUAL_STEPS, bundle=bundle)
    return [_bands("C4", steps, replace, BITS, g, ", accumulate (equal compute)", "replace", "lower"),
            _bands("C4", steps, steps, BITS, g, ", accumulate at equal compute", "at generation 0", "higher",
                   b_generation=0)]


# ---------------------------------------------------------------------------------------------------------------
# The Gaussian chains (lessons 01, 06): over the chains of one run; the margins are fixed shares of the truth's
# scale (``margins``: variance, log_variance, mean_drift).

def gaussian(gauss: GaussianResult, unbiased: GaussianResult, rescued: GaussianResult, t: int = 20) -> list[Verdict]:
    """C1, C2 and a C4 preview in the Gaussian world (lesson 01), from its runs: the MLE refit ``gauss``, the
    unbiased refit ``unbiased`` and 10% real points per generation ``rescued`` (the same chains and generations);
    each verdict over chains."""
    generations, n = gauss.config.generations, gauss.config.samples_per_generation
    last = generations - 1
    log_last = {"MLE": np.log(gauss.variances[:, -1]), "unbiased": np.log(unbiased.variances[:, -1])}
    tails = gauss.tail_mass(2.0)
    log_margin = margin("log_variance")
    return [
        agrees("C1", gauss.variances[:, t], expected_variance(generations, n, "mle")[t],
               f"MLE: mean variance at generation {t}", within=4),
        agrees("C1", unbiased.variances[:, t], 1.0, f"unbiased fit: mean variance at generation {t}", within=4),
        agrees("C1", log_last["unbiased"], expected_log_variance(generations, n, "unbiased")[-1],
               f"unbiased fit: mean ln variance at generation {last}", within=4),
        compare("C1", log_last["MLE"], 0.0, f"MLE: mean ln variance at generation {last}", "the truth's ln 1 = 0",
                expect="lower", unit="chains", margin=log_margin),
        compare("C1", log_last["unbiased"], 0.0, f"unbiased fit: mean ln variance at generation {last}",
                "the truth's 0", expect="lower", unit="chains", margin=log_margin),
        compare("C2", np.log(tails[:, t] / tails[:, 0]), np.log(gauss.variances[:, t] / gauss.variances[:, 0]),
                f"ln(share of its tail mass a chain keeps at generation {t})", "ln(share of its variance)",
                expect="lower", design="paired", unit="chains", margin=log_margin),
        compare("C2", abs(gauss.means[:, -1, 0]), abs(gauss.means[:, 0, 0]), f"|fitted mean| at generation {last}",
                "at generation 0", expect="higher", design="paired", unit="chains", margin=margin("mean_drift")),
        compare("C4 preview", rescued.variances[:, -1], gauss.variances[:, -1], "final variance with 10% real points",
                "fully synthetic", unit="chains", margin=margin("variance")),
    ]


def _gaussian_run(**options) -> GaussianResult:
    sizes = {key: value for key, value in GAUSSIAN_SHEET.items() if key != "seed"}
    return run_gaussian(GaussianConfig(**sizes, **options), seed=GAUSSIAN_SHEET["seed"])


_GAUSSIAN_CONDITIONS = "Gaussian, N = {samples_per_generation}, {chains} chains, seed {seed}".format(**GAUSSIAN_SHEET)


@verdict("C1", "01", _GAUSSIAN_CONDITIONS, ("closed form", "closed form", "closed form", "confirmatory", "secondary",
                                            "confirmatory", "secondary", "secondary"), source="run")
def gaussian_sheet() -> list[Verdict]:
    """The verdicts of ``gaussian`` at the full profile's sizes, seed 0: the sheet's Gaussian rows of lesson 01."""
    return gaussian(_gaussian_run(), _gaussian_run(fit="unbiased"), _gaussian_run(real_fraction=0.1))


def one_real_point(study: LifelineStudy) -> dict[tuple[float, str], Verdict]:
    """What one real point per generation, ``"fixed"`` or ``"fresh"``, moves MAP's settled variance by, for each
    prior variance of ``study`` (a ``theory.lifeline_study``): ``{(prior, point): verdict}``, over chains."""
    settled = study.settled_variance
    return {(prior, point): compare("C5", settled("map", point, prior), settled("map", "none", prior),
                                    f"MAP (prior variance {prior:g}) + one {point} real point: settled variance",
                                    "MAP alone", unit="chains", margin=margin("variance"))
            for prior in study.prior_variances for point in ("fixed", "fresh")}


def lifeline(study: LifelineStudy) -> list[Verdict]:
    """C5 in the Gaussian world (lesson 06), from a ``theory.lifeline_study`` with prior variances 1 and 4: what
    one real point (fixed or fresh) adds under MLE, and beyond the prior under MAP; each verdict over chains."""
    settled = study.settled_variance
    log_mle = {point: np.log(settled("mle", point)) for point in ("none", "fixed", "fresh")}
    log_margin, variance_margin = margin("log_variance"), margin("variance")
    return [
        compare("C5", log_mle["fresh"], log_mle["none"], "MLE + one fresh real point: ln settled variance",
                "with no real point", unit="chains", margin=log_margin),
        compare("C5", log_mle["fixed"], log_mle["fresh"], "MLE + one fixed real point: ln settled variance",
                "with a fresh one", expect="lower", unit="chains", margin=log_margin),
        compare("C5", np.log(settled("map", "none", 1.0)), log_mle["none"],
                "MAP (prior variance 1) with no real point: ln settled variance", "MLE's", unit="chains",
                margin=log_margin),
        compare("C5", settled("map", "fresh", 1.0), settled("map", "none", 1.0),
                "MAP (prior variance 1) + one fresh real point: settled variance", "MAP alone", unit="chains",
                margin=variance_margin),
        compare("C5", settled("map", "fixed", 4.0), settled("map", "fixed", 1.0),
                "MAP + one fixed real point: settled variance with prior variance 4", "with 1", unit="chains",
                margin=variance_margin),
        compare("C5", settled("map", "fresh", 4.0), 1.0,
                "MAP (prior variance 4) + one fresh real point: settled variance", "the truth's 1", unit="chains",
                margin=variance_margin),
    ]


@verdict("C5", "06", _GAUSSIAN_CONDITIONS, ("confirmatory", "secondary", "secondary", "confirmatory", "secondary",
                                            "secondary"), source="run")
def lifeline_sheet() -> list[Verdict]:
    """The verdicts of ``lifeline`` at the full profile's sizes, seed 0, prior variances 1 and 4: the sheet's
    Gaussian rows of lesson 06."""
    study = lifeline_study(generations=GAUSSIAN_SHEET["generations"], chains=GAUSSIAN_SHEET["chains"],
                           seed=GAUSSIAN_SHEET["seed"], prior_variances=(1.0, 4.0))
    return lifeline(study)
