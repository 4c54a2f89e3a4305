"""The course's verdicts on the article's claims, every one defined here once: the lessons print and check them, and
``lessons/verdicts.md`` (``sheet``) sums them up.

A VAE verdict compares bands of the shipped results bundle (``bundle.band``, by the catalogue's names in
``experiments``) over their 10 seeds (full profile); a Gaussian verdict compares the chains of a theory run. Each is
an effect with its 95% confidence interval (``stats``) that holds only if the whole interval lies on the claimed
side. Which way a verdict goes is the data's business: a lesson's check cell asserts what the verdict says, and the
lesson's text was written from the same numbers. A measure's words and which way is worse come from its column's
declaration (``generation.METRICS``).

Used in lessons 01 and 03-08.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import experiments as ex
from .bundle import Band, band
from .generation import METRICS
from .stats import Verdict, agrees, compare, plateau
from .theory import GaussianResult, LifelineStudy, expected_log_variance, expected_variance

GENERATION = 5  # the last generation of a 6-generation run: where the VAE settings are compared
PLATEAU_EARLY, PLATEAU_LATE = range(0, 6), range(6, 12)  # a plateau: the slope over generations 6-11 against 0-5


def _at(name: str, measure: str, generation: int = GENERATION, bundle=None) -> np.ndarray:
    return band(name, bundle=bundle).at(measure, generation)


def _images(k: int) -> str:
    return f"{k} real image{'s' if k != 1 else ''}"


def _degrades(claim: str, synthetic: Band, measure: str, g: int = GENERATION) -> Verdict:
    """``measure`` at generation ``g`` against generation 0, moved the way that is worse, paired by seed."""
    column = METRICS[measure]
    return compare(claim, synthetic.at(measure, g), synthetic.at(measure, 0), f"{column.words} at generation {g}",
                   "at generation 0", expect=column.worse, paired=True)


def recursion(bundle=None) -> list[Verdict]:
    """C1 (lesson 03): the fully synthetic loop at generation 5 against generation 0, paired by seed."""
    synthetic = band(ex.REAL_0, bundle=bundle)
    return [_degrades("C1", synthetic, measure) for measure in ("latent_std", "classes_covered", "test_nelbo")]


def diversity_loss(bundle=None) -> list[Verdict]:
    """C2 (lesson 04): the fully synthetic loop at generation 5 against generation 0, paired by seed: variety
    (class entropy, pixel diversity, recall), the tails (spread of the samples' -ELBO under generation 0) and the
    errors (FID)."""
    synthetic = band(ex.REAL_0, bundle=bundle)
    return [_degrades("C2", synthetic, measure) for measure in
            ("class_entropy", "pixel_diversity", "recall", "sample_nelbo_gen0_spread", "fid")]


def sampling(bundle=None) -> Verdict:
    """C1 (lesson 03): does Bernoulli sampling (pixel noise kept) lose more or less spread than mean images?
    The share of generation 0's latent std kept at generation 3, paired by seed."""
    mean_images, coin_flips = band(ex.REAL_0, bundle=bundle), band(ex.BERNOULLI[1.0], bundle=bundle)

    def kept(values: Band) -> np.ndarray:
        return values.at("latent_std", 3) / values.at("latent_std", 0)

    return compare("C1", kept(coin_flips), kept(mean_images),
                   "share of the latent std kept at generation 3 with Bernoulli samples", "with mean images",
                   paired=True)


def real_fraction(bundle=None) -> list[Verdict]:
    """C4's dose (lesson 05): half real data against none at generation 5, paired by seed."""
    g = GENERATION
    return [compare("C4", _at(ex.REAL_50, measure, bundle=bundle), _at(ex.REAL_0, measure, bundle=bundle),
                    f"{METRICS[measure].words} at generation {g} with 50% real", "with 0%",
                    expect=METRICS[measure].better, paired=True) for measure in ("fid", "latent_std")]


def plateaus(fractions=(0.0, 0.1, 0.25, 0.5), measure: str = "test_nelbo", bundle=None) -> dict[float, Verdict]:
    """C4's "settles" (lesson 05): for each real fraction, has ``measure`` levelled off over generations 6-11?"""
    words = METRICS[measure].words
    return {f: plateau("C4", band(ex.SWEEP[f], bundle=bundle).metric(measure), f"{words} at {f:.0%} real",
                       early=PLATEAU_EARLY, late=PLATEAU_LATE) for f in fractions}


def diversity(bundle=None) -> list[Verdict]:
    """C4's "diverse" (lesson 05), at generation 5, paired by seed: 50% real from the digits 0-4 against 50% from
    all ten (the amount held: digits covered, then FID), and against 25% from all ten (half the amount, full
    variety: digits covered, then FID)."""
    g = GENERATION
    digits, fid = f"digits covered at generation {g}", f"FID at generation {g}"
    narrow = {measure: _at(ex.REAL_50_NARROW, measure, bundle=bundle) for measure in ("classes_covered", "fid")}
    wide = {measure: _at(ex.REAL_50, measure, bundle=bundle) for measure in ("classes_covered", "fid")}
    quarter = {measure: _at(ex.REAL_25, measure, bundle=bundle) for measure in ("classes_covered", "fid")}
    return [
        compare("C4", narrow["classes_covered"], wide["classes_covered"], f"{digits} with 50% real from digits 0-4",
                "from all ten", expect="lower", paired=True),
        compare("C4", narrow["fid"], wide["fid"], f"{fid} with 50% real from digits 0-4", "from all ten",
                paired=True),
        compare("C4", narrow["classes_covered"], quarter["classes_covered"],
                f"{digits} with 50% real from digits 0-4", "with 25% real from all ten", expect="lower", paired=True),
        compare("C4", narrow["fid"], quarter["fid"], f"{fid} with 50% real from digits 0-4",
                "with 25% real from all ten", expect="lower", paired=True),
    ]


def few_real_images(ks=(1, 10, 100), bundle=None) -> dict[int, Verdict]:
    """C5 for the VAE (lesson 06): k fresh real images per generation against none, test -ELBO at generation 5
    (how well the model describes real test digits), paired by seed (the same seeds, and the same generation 0, ran
    every k)."""
    none = _at(ex.FEW_REAL[0], "test_nelbo", bundle=bundle)
    return {k: compare("C5", _at(ex.FEW_REAL[k], "test_nelbo", bundle=bundle), none,
                       f"test -ELBO (nats) at generation {GENERATION} with {_images(k)} per generation", "with none",
                       expect="lower", paired=True) for k in ks}


def accumulation(bundle=None) -> list[Verdict]:
    """C4's "great care" (lesson 07): accumulate against replace at equal epochs and at equal compute, test -ELBO
    at generation 5, paired by seed; what the extra compute of equal epochs buys; and whether accumulate at equal
    compute still degrades (generation 5 against generation 0)."""
    g = GENERATION
    replace = _at(ex.REAL_0, "test_nelbo", bundle=bundle)
    epochs = _at(ex.ACCUMULATE, "test_nelbo", bundle=bundle)
    steps = band(ex.ACCUMULATE_EQUAL_STEPS, bundle=bundle).metric("test_nelbo")
    return [
        compare("C4", epochs, replace, f"test -ELBO at generation {g}, accumulate (equal epochs)", "replace",
                expect="lower", paired=True),
        compare("C4", steps[:, g], replace, f"test -ELBO at generation {g}, accumulate (equal compute)", "replace",
                expect="lower", paired=True),
        compare("C4", epochs, steps[:, g], f"test -ELBO at generation {g}, accumulate at equal epochs",
                "at equal compute", expect="lower", paired=True),
        compare("C4", steps[:, g], steps[:, 0], f"test -ELBO at generation {g}, accumulate at equal compute",
                "at generation 0", expect="higher", paired=True),
    ]


def temperature(bundle=None) -> Verdict:
    """C2 (lesson 07): Bernoulli sampling at temperature 0.6 against 1.0, recall at generation 3, paired by seed."""
    return compare("C2", _at(ex.BERNOULLI[0.6], "recall", 3, bundle), _at(ex.BERNOULLI[1.0], "recall", 3, bundle),
                   "recall at generation 3, sampling at temperature 0.6", "at 1.0", expect="lower", paired=True)


@dataclass(frozen=True)
class SyntheticShare:
    """C3 (lesson 06) at several training-set sizes, over the bundle's seeds: generation 1's ``measure``.

    * ``alone[n]``: trained on n real images;
    * ``mixed[n]``: on the same n real images plus synthetic ones from generation 0 (``share`` of the set);
    * ``all_real[n]``: on n / (1 - share) real images, the mixed set's total, all real.

    Real held fixed (mixed against alone) asks whether *adding* synthetic data hurts; total held fixed (mixed
    against all real) asks what *replacing* real data by synthetic costs. Each method is one verdict.
    """

    real_sizes: tuple[int, ...]
    alone: dict
    mixed: dict
    all_real: dict
    measure: str
    share: float

    @property
    def label(self) -> str:
        """The measure as a verdict names it, e.g. "test -ELBO (nats)"."""
        return METRICS[self.measure].words

    def total(self, real: int) -> int:
        return round(real / (1 - self.share))

    def added(self, real: int) -> Verdict:
        """Adding the synthetic share to ``real`` real images raises the measure (hurts), over seeds."""
        return compare("C3", self.mixed[real], self.alone[real], f"{self.label} with {real:,} real + "
                       f"{self.share:.0%} synthetic", f"with the {real:,} real alone")

    def replaced(self, real: int) -> Verdict:
        """Replacing ``share`` of an all-real set by synthetic images raises the measure (hurts)."""
        return compare("C3", self.mixed[real], self.all_real[real], f"{self.label} with {self.share:.0%} of "
                       f"{self.total(real):,} images synthetic", "all real")

    def _costs(self, against: dict) -> np.ndarray:
        return np.concatenate([self.mixed[real] - against[real] for real in self.real_sizes])

    def added_overall(self) -> Verdict:
        """Over every size at once (one cost per seed and size): adding the synthetic share hurts."""
        return compare("C3", self._costs(self.alone), 0.0, f"{self.label} with {self.share:.0%} synthetic added "
                       f"to the real images, over all {len(self.real_sizes)} sizes", "without", unit="runs")

    def replaced_overall(self) -> Verdict:
        """Over every size at once: replacing ``share`` of the real images by synthetic ones hurts."""
        return compare("C3", self._costs(self.all_real), 0.0, f"{self.label} with {self.share:.0%} of the images "
                       f"synthetic, over all {len(self.real_sizes)} sizes", "all real", unit="runs")

    def shrinks(self) -> Verdict:
        """The cost of replacing is smaller at the largest size than at the smallest (Dohmatob et al. ask whether
        more data makes a fixed synthetic share harmless)."""
        small, large = self.real_sizes[0], self.real_sizes[-1]
        return compare("C3", self.mixed[large] - self.all_real[large], self.mixed[small] - self.all_real[small],
                       f"the cost of {self.share:.0%} synthetic in {self.label} at {self.total(large):,} images",
                       f"at {self.total(small):,}", expect="lower")


def synthetic_share(measure: str = "test_nelbo", bundle=None) -> SyntheticShare:
    """C3 from the shipped results bundle (no training): generation 1 of the C3 experiments of
    ``experiments.C3``. ``measure``: a metric, e.g. "test_nelbo" (nats on the real test set) or "fid"."""
    if measure not in METRICS:
        raise ValueError(f"measure must be one of {', '.join(METRICS)}, got {measure!r}")
    alone, mixed, all_real = {}, {}, {}
    for real, names in ex.C3.items():
        for values, name in zip((alone, mixed, all_real), names):
            values[real] = _at(name, measure, 1, bundle)
    return SyntheticShare(tuple(ex.C3), alone, mixed, all_real, measure, ex.C3_SYNTHETIC_SHARE)


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
                expect="lower", paired=True, unit="chains"),
        compare("C2", abs(gauss.means[:, -1, 0]), abs(gauss.means[:, 0, 0]), f"|fitted mean| at generation {last}",
                "at generation 0", expect="higher", paired=True, unit="chains"),
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
