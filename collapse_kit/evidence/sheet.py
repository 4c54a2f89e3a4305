"""The verdict sheet, ``lessons/verdicts.md``: every verdict of ``claims`` in one table, in lesson order.

VAE and language-model rows come from the shipped results bundle (10 seeds, full profile); Gaussian rows from the
theory runs of lessons 01 and 06 at the full profile's sizes. Beside each raw outcome stands its family-wise one: Holm's correction over
every row of the sheet at 5% (``stats.holm``), what a verdict is worth once 60-odd are drawn at once; the lessons
print it for their headline verdicts (``family_wise``). Written by ``scripts/write_verdict_sheet.py``; a test
regenerates it and fails on any difference, and tests/test_referee.py recomputes every row with scipy.stats.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

from ..gaussian.theory import GaussianConfig, lifeline_study, run_gaussian
from . import claims
from .bundle import shipped
from .stats import LEVEL, Verdict, holm


@dataclass(frozen=True)
class SheetRow:
    """One line of the verdict sheet: the claim, the lesson, the conditions, the verdict itself and, once the whole
    sheet is known (``rows``), its family-wise outcome."""

    claim: str
    lesson: str
    conditions: str
    verdict: Verdict
    family_wise: str = ""


def bundle_rows(bundle=None) -> list[SheetRow]:
    """Every verdict of the course on the shipped bundle (10 seeds, full profile), in lesson order: the VAE's, then
    the language model's (``text_rows``)."""
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
        rows.append(SheetRow("C3", "06", "generation 1, all real: the yardstick of doubling the data",
                             study.doubling()))
        rows.append(SheetRow("C3", "06", "generation 1, replacing 10% against doubling the data",
                             study.cost_against_doubling()))
    rows += [SheetRow("C5", "06", "replace, k fresh real images in each generation's 10,000", v)
             for v in claims.few_real_images(bundle=bundle).values()]
    rows += [SheetRow("C4", "07", "no real data after generation 0", v) for v in claims.accumulation(bundle)]
    rows.append(SheetRow("C2", "07", "fully synthetic loop, Bernoulli samples", claims.temperature(bundle)))
    rows += [SheetRow("C2", "07", "fully synthetic loop, Bernoulli samples, over generations", v)
             for v in claims.compounding(bundle)]
    return rows + text_rows(bundle)


def text_rows(bundle=None) -> list[SheetRow]:
    """Every verdict on the language model (lesson 09), from the shipped bundle (10 seeds, full profile)."""
    model = "language model"
    rows = [SheetRow("C1", "09", f"{model}, fully synthetic loop", claims.text_recursion(bundle))]
    rows += [SheetRow("C2", "09", f"{model}, fully synthetic loop", v) for v in claims.text_tails(bundle)]
    rows += [SheetRow("C4", "09", f"{model}, replace, fresh real passages in each generation", v)
             for v in claims.text_real_fraction(bundle)]
    rows.append(SheetRow("C5", "09", f"{model}, replace, 10 fresh real passages in each generation's 1,024",
                         claims.text_few_real(bundle)))
    rows += [SheetRow("C2", "09", f"{model}, fully synthetic loop, sampling temperature", v)
             for v in claims.text_temperature(bundle)]
    rows += [SheetRow("C4", "09", f"{model}, no real text after generation 0", v)
             for v in claims.text_accumulation(bundle)]
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


def rows(bundle=None, seed: int = 0) -> list[SheetRow]:
    """Every row of the sheet (``bundle_rows`` then ``gaussian_rows``), each with its family-wise outcome: Holm
    over all of them at 5%."""
    every = bundle_rows(bundle) + gaussian_rows(seed)
    outcomes = holm([row.verdict for row in every], LEVEL)
    return [dataclasses.replace(row, family_wise=outcome) for row, outcome in zip(every, outcomes)]


@functools.lru_cache(maxsize=1)
def _shipped_rows() -> tuple[SheetRow, ...]:
    return tuple(rows())


def family_wise(verdicts) -> list[str]:
    """For each of ``verdicts`` (rows of the sheet, e.g. ``claims.recursion()``), a line with its outcome alone and
    its outcome once the whole sheet is corrected (Holm at 5%), e.g. "C1: latent std at generation 5 ...: holds;
    Holm over the sheet's 78 verdicts: holds". A verdict the sheet lacks raises ValueError. About 4 seconds the
    first time in a kernel (the sheet's Gaussian runs). Used in lessons 03 and 05-09."""
    sheet_rows = _shipped_rows()
    lines = []
    for verdict in verdicts:
        found = [row for row in sheet_rows if row.verdict == verdict]
        if not found:
            raise ValueError(f"verdicts must be rows of the verdict sheet (claims on the shipped bundle), got "
                             f"{verdict}")
        lines.append(f"{verdict.claim}: {verdict.statement}: {verdict.outcome}; Holm over the sheet's "
                     f"{len(sheet_rows)} verdicts: {found[0].family_wise}")
    return lines


def verdict_sheet(bundle=None, seed: int = 0) -> str:
    """``lessons/verdicts.md``: every verdict of the course as a table (claim, lesson, conditions, effect with its
    95% interval, test, p-value, outcome, and the outcome once Holm corrects for the whole sheet)."""
    built = (shipped() if bundle is None else bundle).provenance
    every = rows(bundle, seed)
    survivors = sum(row.family_wise == row.verdict.outcome for row in every)
    lines = ["# Verdict sheet", "",
             "Every verdict the lessons draw, in one table. An effect **holds** only if its whole 95% confidence "
             "interval lies on the claimed side of zero (or, for a closed form, within 4 standard errors; for a "
             "plateau, within a quarter of the early pace); it is **contradicted** if the interval lies wholly on the "
             "other side; **equivalent** if it lies within the margin the lesson states (the smallest effect that "
             "would matter); otherwise it is **not resolved**, with the smallest effect the seeds could have "
             "detected at 80% power, which is no evidence of no effect. The test follows the design: the same seeds "
             "in both arms, paired t; settings pooled over, each seed's mean first. VAE and language-model rows: the "
             f"shipped results bundle, 10 seeds, full profile (built with torch {built.get('torch')} on "
             f"{built.get('cpu')}). "
             "Gaussian rows: the chains of one seed at the full profile's sizes.",
             "",
             f"The last column corrects the whole sheet for multiple testing: Holm's method over its {len(every)} "
             "p-values at 5% (for an equivalence, the p-value of its two one-sided tests). A verdict that the "
             'correction no longer supports reads "not resolved"; an agreement with a closed form keeps its '
             f"outcome. {survivors} of {len(every)} rows keep their outcome.",
             "", "Written by `python scripts/write_verdict_sheet.py` from `collapse_kit.evidence.claims`; a test keeps it true.",
             "", "| claim | lesson | conditions | measured (95% CI) | test | p | outcome | Holm, whole sheet |",
             "|---|---|---|---|---|---|---|---|"]
    for row in every:
        verdict = row.verdict
        lines.append(f"| {row.claim} | {row.lesson} | {row.conditions} | {verdict.measured.replace('|', chr(92) + '|')} "
                     f"| {verdict.test} | {verdict.decisive_p:.2g} | {verdict.outcome_words} | {row.family_wise} |")
    return "\n".join(lines) + "\n"
