"""The verdict sheet, ``lessons/verdicts.md``: every verdict of ``claims`` in one table, in lesson order.

VAE rows come from the shipped results bundle (10 seeds, full profile); Gaussian rows from the theory runs of lessons
01 and 06 at the full profile's sizes. Written by ``scripts/write_verdict_sheet.py``; a test regenerates it and fails
on any difference.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import claims
from .bundle import shipped
from .stats import Verdict
from .theory import GaussianConfig, lifeline_study, run_gaussian


@dataclass(frozen=True)
class SheetRow:
    """One line of the verdict sheet: the claim, the lesson, the conditions, and the verdict itself."""

    claim: str
    lesson: str
    conditions: str
    verdict: Verdict


def bundle_rows(bundle=None) -> list[SheetRow]:
    """Every VAE verdict of the course, from the shipped bundle (10 seeds, full profile), in lesson order."""
    rows = [SheetRow("C1", "03", "fully synthetic loop, mean images", v) for v in claims.recursion(bundle)]
    rows.append(SheetRow("C1", "03", "fully synthetic loop, Bernoulli against mean images", claims.sampling(bundle)))
    rows += [SheetRow("C2", "04", "fully synthetic loop, mean images", v) for v in claims.diversity_loss(bundle)]
    rows += [SheetRow("C4", "05", "replace, 50% against 0% real", v) for v in claims.real_fraction(bundle)]
    rows += [SheetRow("C4", "05", f"replace, {f:.0%} real, generations 6-11 against 0-5", v)
             for f, v in claims.plateaus(bundle=bundle).items()]
    rows += [SheetRow("C4", "05", "replace, real data from digits 0-4", v) for v in claims.diversity(bundle)]
    for measure in ("test_nelbo", "fid"):
        study = claims.synthetic_share(measure, bundle=bundle)
        for real in study.real_sizes:
            rows.append(SheetRow("C3", "06", f"generation 1, {real:,} real images held fixed", study.added(real)))
            rows.append(SheetRow("C3", "06", f"generation 1, {study.total(real):,} images in all",
                                 study.replaced(real)))
        rows.append(SheetRow("C3", "06", "generation 1, real images held fixed, 4 sizes", study.added_overall()))
        rows.append(SheetRow("C3", "06", "generation 1, total held fixed, 4 sizes", study.replaced_overall()))
        rows.append(SheetRow("C3", "06", "generation 1, total held fixed, largest against smallest size",
                             study.shrinks()))
    rows += [SheetRow("C5", "06", "replace, k fresh real images in each generation's 10,000", v)
             for v in claims.few_real_images(bundle=bundle).values()]
    rows += [SheetRow("C4", "07", "no real data after generation 0", v) for v in claims.accumulation(bundle)]
    rows.append(SheetRow("C2", "07", "fully synthetic loop, Bernoulli samples", claims.temperature(bundle)))
    return rows


def gaussian_rows(seed: int = 0, generations: int = 1000, chains: int = 1000) -> list[SheetRow]:
    """The Gaussian verdicts of lessons 01 and 06, run at the full profile's sizes with ``seed`` (a few seconds)."""
    def run(**options):
        return run_gaussian(GaussianConfig(samples_per_generation=100, generations=generations, chains=chains,
                                           **options), seed=seed)

    conditions = f"Gaussian, N = 100, {chains} chains, seed {seed}"
    rows = [SheetRow(v.claim, "01", conditions, v)
            for v in claims.gaussian(run(), run(fit="unbiased"), run(real_fraction=0.1))]
    study = lifeline_study(generations=generations, chains=chains, seed=seed, prior_variances=(1.0, 4.0))
    rows += [SheetRow("C5", "06", conditions, v) for v in claims.lifeline(study)]
    return rows


def verdict_sheet(bundle=None, seed: int = 0) -> str:
    """``lessons/verdicts.md``: every verdict of the course as a table (claim, lesson, conditions, effect with its
    95% interval, holds or not)."""
    built = (shipped() if bundle is None else bundle).provenance
    lines = ["# Verdict sheet", "",
             "Every verdict the lessons draw, in one table. An effect holds only if its whole 95% confidence interval "
             "lies on the claimed side of zero (or, for a closed form, within 4 standard errors; for a plateau, "
             "within a quarter of the early pace). VAE rows: the shipped results bundle, 10 seeds, full profile "
             f"(built with torch {built.get('torch')} on {built.get('cpu')}). Gaussian "
             "rows: the chains of one seed at the full profile's sizes.",
             "", "Written by `python scripts/write_verdict_sheet.py` from `collapse_kit.claims`; a test keeps it true.",
             "", "| claim | lesson | conditions | measured (95% CI) | verdict |", "|---|---|---|---|---|"]
    for row in bundle_rows(bundle) + gaussian_rows(seed):
        verdict = row.verdict
        lines.append(f"| {row.claim} | {row.lesson} | {row.conditions} | {verdict.measured.replace('|', chr(92) + '|')} "
                     f"| {'holds' if verdict.holds else 'does not hold'} |")
    return "\n".join(lines) + "\n"
