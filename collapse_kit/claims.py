"""The course's verdicts on the article's claims, each defined once: the lessons print and check them, and
``lessons/verdicts.md`` (``verdict_sheet``) sums them up.

A VAE verdict compares settings of the shipped results bundle over its 10 seeds (full profile); a Gaussian verdict
compares the chains of a theory run. Each is an effect with its 95% confidence interval (``verdicts.compare``,
``verdicts.agrees``, ``verdicts.plateau``) that holds only if the whole interval lies on the claimed side. Which
way a verdict goes is the data's business: a lesson's check cell asserts what the verdict says, and the lesson's
text was written from the same numbers.
Used in lessons 01 and 03-08.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .bundle import few_real_name
from .replicates import bundle_band
from .verdicts import Verdict, agrees, compare, plateau

GENERATION = 5  # the last generation of a 6-generation run: where the VAE settings are compared
PLATEAU_EARLY, PLATEAU_LATE = range(0, 6), range(6, 12)  # a plateau: the slope over generations 6-11 against 0-5


def _values(name: str, bundle=None, generations: int | None = None) -> dict[str, np.ndarray]:
    return bundle_band(name, bundle=bundle, generations=generations).values


def _images(k: int) -> str:
    return f"{k} real image{'s' if k != 1 else ''}"


def recursion(bundle=None) -> list[Verdict]:
    """C1 (lesson 03): the fully synthetic loop at generation 5 against generation 0, paired by seed."""
    synthetic = _values("replace, real 0", bundle)
    g = GENERATION
    return [
        compare("C1", synthetic["latent_std"][:, g], synthetic["latent_std"][:, 0], f"latent std at generation {g}",
                "at generation 0", expect="lower", paired=True),
        compare("C1", synthetic["classes_covered"][:, g], synthetic["classes_covered"][:, 0],
                f"digits covered at generation {g}", "at generation 0", expect="lower", paired=True),
        compare("C1", synthetic["test_nelbo"][:, g], synthetic["test_nelbo"][:, 0],
                f"test -ELBO (nats) at generation {g}", "at generation 0", expect="higher", paired=True),
    ]


def diversity_loss(bundle=None) -> list[Verdict]:
    """C2 (lesson 04): the fully synthetic loop at generation 5 against generation 0, paired by seed: variety
    (class entropy, pixel diversity, recall), the tails (spread of the samples' -ELBO under generation 0) and the
    errors (FID)."""
    synthetic = _values("replace, real 0", bundle)
    g = GENERATION
    measures = (("class_entropy", "class entropy (nats)", "lower"), ("pixel_diversity", "pixel diversity", "lower"),
                ("recall", "recall", "lower"),
                ("sample_nelbo_gen0_spread", "spread of the samples' -ELBO under generation 0 (nats)", "lower"),
                ("fid", "FID", "higher"))
    return [compare("C2", synthetic[name][:, g], synthetic[name][:, 0], f"{label} at generation {g}",
                    "at generation 0", expect=expect, paired=True) for name, label, expect in measures]


def sampling(bundle=None) -> Verdict:
    """C1 (lesson 03): does Bernoulli sampling (pixel noise kept) lose more or less spread than mean images?
    The share of generation 0's latent std kept at generation 3, paired by seed."""
    mean_images = _values("replace, real 0", bundle, generations=4)["latent_std"]
    coin_flips = _values("replace, bernoulli, temperature 1", bundle)["latent_std"]
    return compare("C1", coin_flips[:, 3] / coin_flips[:, 0], mean_images[:, 3] / mean_images[:, 0],
                   "share of the latent std kept at generation 3 with Bernoulli samples", "with mean images",
                   paired=True)


def real_fraction(bundle=None) -> list[Verdict]:
    """C4's dose (lesson 05): half real data against none at generation 5, paired by seed."""
    half, none = _values("replace, real 0.5", bundle), _values("replace, real 0", bundle)
    g = GENERATION
    return [
        compare("C4", half["fid"][:, g], none["fid"][:, g], f"FID at generation {g} with 50% real", "with 0%",
                expect="lower", paired=True),
        compare("C4", half["latent_std"][:, g], none["latent_std"][:, g], f"latent std at generation {g} with 50% real",
                "with 0%", expect="higher", paired=True),
    ]


def plateaus(fractions=(0.0, 0.1, 0.25, 0.5), measure: str = "test_nelbo", bundle=None) -> dict[float, Verdict]:
    """C4's "settles" (lesson 05): for each real fraction, has ``measure`` levelled off over generations 6-11?"""
    from .studies import MEASURE_NAMES

    label = MEASURE_NAMES.get(measure, measure)
    return {f: plateau("C4", _values(f"replace, real {f:g}", bundle)[measure], f"{label} at {f:.0%} real",
                       early=PLATEAU_EARLY, late=PLATEAU_LATE) for f in fractions}


def diversity(bundle=None) -> list[Verdict]:
    """C4's "diverse" (lesson 05), at generation 5, paired by seed: 50% real from the digits 0-4 against 50% from
    all ten (the amount held: digits covered, then FID), and against 25% from all ten (half the amount, full
    variety: digits covered, then FID)."""
    narrow = _values("replace, real 0.5, digits 0-4", bundle)
    wide, quarter = _values("replace, real 0.5", bundle), _values("replace, real 0.25", bundle)
    g = GENERATION
    digits, fid = f"digits covered at generation {g}", f"FID at generation {g}"
    return [
        compare("C4", narrow["classes_covered"][:, g], wide["classes_covered"][:, g],
                f"{digits} with 50% real from digits 0-4", "from all ten", expect="lower", paired=True),
        compare("C4", narrow["fid"][:, g], wide["fid"][:, g], f"{fid} with 50% real from digits 0-4", "from all ten",
                paired=True),
        compare("C4", narrow["classes_covered"][:, g], quarter["classes_covered"][:, g],
                f"{digits} with 50% real from digits 0-4", "with 25% real from all ten", expect="lower", paired=True),
        compare("C4", narrow["fid"][:, g], quarter["fid"][:, g], f"{fid} with 50% real from digits 0-4",
                "with 25% real from all ten", expect="lower", paired=True),
    ]


def few_real_images(ks=(1, 10, 100), bundle=None) -> dict[int, Verdict]:
    """C5 for the VAE (lesson 06): k fresh real images per generation against none, test -ELBO at generation 5
    (how well the model describes real test digits), paired by seed (the same seeds, and the same generation 0, ran
    every k)."""
    none = _values("replace, real 0", bundle)["test_nelbo"][:, GENERATION]
    return {k: compare("C5", _values(few_real_name(k), bundle)["test_nelbo"][:, GENERATION], none,
                       f"test -ELBO (nats) at generation {GENERATION} with {_images(k)} per generation", "with none",
                       expect="lower", paired=True) for k in ks}


def accumulation(bundle=None) -> list[Verdict]:
    """C4's "great care" (lesson 07): accumulate against replace at equal epochs and at equal compute, test -ELBO
    at generation 5, paired by seed; what the extra compute of equal epochs buys; and whether accumulate at equal
    compute still degrades (generation 5 against generation 0)."""
    replace = _values("replace, real 0", bundle, generations=6)["test_nelbo"]
    epochs = _values("accumulate, real 0", bundle)["test_nelbo"]
    steps = _values("accumulate, real 0, equal steps", bundle)["test_nelbo"]
    g = GENERATION
    return [
        compare("C4", epochs[:, g], replace[:, g], f"test -ELBO at generation {g}, accumulate (equal epochs)",
                "replace", expect="lower", paired=True),
        compare("C4", steps[:, g], replace[:, g], f"test -ELBO at generation {g}, accumulate (equal compute)",
                "replace", expect="lower", paired=True),
        compare("C4", epochs[:, g], steps[:, g], f"test -ELBO at generation {g}, accumulate at equal epochs",
                "at equal compute", expect="lower", paired=True),
        compare("C4", steps[:, g], steps[:, 0], f"test -ELBO at generation {g}, accumulate at equal compute",
                "at generation 0", expect="higher", paired=True),
    ]


def temperature(bundle=None) -> Verdict:
    """C2 (lesson 07): Bernoulli sampling at temperature 0.6 against 1.0, recall at generation 3, paired by seed."""
    recall = {t: _values(f"replace, bernoulli, temperature {t:g}", bundle)["recall"][:, 3] for t in (1.0, 0.6)}
    return compare("C2", recall[0.6], recall[1.0], "recall at generation 3, sampling at temperature 0.6", "at 1.0",
                   expect="lower", paired=True)


def gaussian(gauss, unbiased, rescued, t: int = 20) -> list[Verdict]:
    """C1, C2 and a C4 preview in the Gaussian world (lesson 01), from its runs: the MLE refit ``gauss``, the
    unbiased refit ``unbiased`` and 10% real points per generation ``rescued`` (``theory.GaussianResult``, the same
    chains and generations); each verdict over chains."""
    from .theory import expected_log_variance, expected_variance

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


def lifeline(study) -> list[Verdict]:
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


@dataclass(frozen=True)
class SheetRow:
    """One line of the verdict sheet: the claim, the lesson, the conditions, and the verdict itself."""

    claim: str
    lesson: str
    conditions: str
    verdict: Verdict


def bundle_rows(bundle=None) -> list[SheetRow]:
    """Every VAE verdict of the course, from the shipped bundle (10 seeds, full profile), in lesson order."""
    from .studies import synthetic_share_study

    rows = [SheetRow("C1", "03", "fully synthetic loop, mean images", v) for v in recursion(bundle)]
    rows.append(SheetRow("C1", "03", "fully synthetic loop, Bernoulli against mean images", sampling(bundle)))
    rows += [SheetRow("C2", "04", "fully synthetic loop, mean images", v) for v in diversity_loss(bundle)]
    rows += [SheetRow("C4", "05", "replace, 50% against 0% real", v) for v in real_fraction(bundle)]
    rows += [SheetRow("C4", "05", f"replace, {f:.0%} real, generations 6-11 against 0-5", v)
             for f, v in plateaus(bundle=bundle).items()]
    rows += [SheetRow("C4", "05", "replace, real data from digits 0-4", v) for v in diversity(bundle)]
    for measure in ("test_nelbo", "fid"):
        study = synthetic_share_study(measure, bundle=bundle)
        for real in study.real_sizes:
            rows.append(SheetRow("C3", "06", f"generation 1, {real:,} real images held fixed", study.added(real)))
            rows.append(SheetRow("C3", "06", f"generation 1, {round(real / 0.9):,} images in all",
                                 study.replaced(real)))
        rows.append(SheetRow("C3", "06", "generation 1, real images held fixed, 4 sizes", study.added_overall()))
        rows.append(SheetRow("C3", "06", "generation 1, total held fixed, 4 sizes", study.replaced_overall()))
        rows.append(SheetRow("C3", "06", "generation 1, total held fixed, largest against smallest size",
                             study.shrinks()))
    rows += [SheetRow("C5", "06", "replace, k fresh real images in each generation's 10,000", v)
             for v in few_real_images(bundle=bundle).values()]
    rows += [SheetRow("C4", "07", "no real data after generation 0", v) for v in accumulation(bundle)]
    rows.append(SheetRow("C2", "07", "fully synthetic loop, Bernoulli samples", temperature(bundle)))
    return rows


def gaussian_rows(seed: int = 0, generations: int = 1000, chains: int = 1000) -> list[SheetRow]:
    """The Gaussian verdicts of lessons 01 and 06, run at the full profile's sizes with ``seed`` (a few seconds)."""
    from .theory import GaussianConfig, lifeline_study, run_gaussian

    def run(**options):
        return run_gaussian(GaussianConfig(samples_per_generation=100, generations=generations, chains=chains,
                                           **options), seed=seed)

    rows = [SheetRow(v.claim, "01", f"Gaussian, N = 100, {chains} chains, seed {seed}", v)
            for v in gaussian(run(), run(fit="unbiased"), run(real_fraction=0.1))]
    study = lifeline_study(generations=generations, chains=chains, seed=seed, prior_variances=(1.0, 4.0))
    rows += [SheetRow("C5", "06", f"Gaussian, N = 100, {chains} chains, seed {seed}", v) for v in lifeline(study)]
    return rows


def verdict_sheet(bundle=None, seed: int = 0) -> str:
    """``lessons/verdicts.md``: every verdict of the course as a table (claim, lesson, conditions, effect with its
    95% interval, holds or not), written by ``scripts/write_verdict_sheet.py`` and kept true by a test."""
    from . import bundle as bundles

    shipped = bundles.shipped() if bundle is None else bundle
    lines = ["# Verdict sheet", "",
             "Every verdict the lessons draw, in one table. An effect holds only if its whole 95% confidence interval "
             "lies on the claimed side of zero (or, for a closed form, within 4 standard errors; for a plateau, "
             "within a quarter of the early pace). VAE rows: the shipped results bundle, 10 seeds, full profile "
             f"(built with torch {shipped.provenance.get('torch')} on {shipped.provenance.get('cpu')}). Gaussian "
             "rows: the chains of one seed at the full profile's sizes.",
             "", "Written by `python scripts/write_verdict_sheet.py` from `collapse_kit.claims`; a test keeps it true.",
             "", "| claim | lesson | conditions | measured (95% CI) | verdict |", "|---|---|---|---|---|"]
    for row in bundle_rows(bundle) + gaussian_rows(seed):
        verdict = row.verdict
        text = str(verdict).split(": ", 1)[1].rsplit(": ", 1)[0].replace("|", "\\|")
        lines.append(f"| {row.claim} | {row.lesson} | {row.conditions} | {text} | "
                     f"{'holds' if verdict.holds else 'does not hold'} |")
    return "\n".join(lines) + "\n"
