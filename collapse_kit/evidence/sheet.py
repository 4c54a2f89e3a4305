"""The verdict sheet, ``lessons/verdicts.md``, and the stored table the lessons read: every registered verdict of
``claims`` (``registry``) in lesson order, with its family and, for the confirmatory ones, its outcome once Holm's
correction runs over its claim's confirmatory verdicts.

VAE and language-model rows come from the shipped results bundle (10 seeds, full profile); Gaussian rows from the
theory runs of lessons 01 and 06 at the full profile's sizes. ``scripts/write_verdict_sheet.py`` writes the sheet
and the stored table (``collapse_kit/assets/verdict_table.json``) together; a test regenerates both and fails on any
difference, and tests/test_referee.py recomputes every row with scipy.stats. A lesson's Holm lines
(``family_wise``) read the stored table: nothing is rebuilt in a student's kernel.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass
from pathlib import Path

from . import claims  # noqa: F401  (importing it registers every verdict of the course)
from .bundle import shipped
from .margins import MARGINS
from .registry import FAMILIES, entries
from .stats import LEVEL, Verdict, holm
from .variants import VARIANTS, judge

TABLE_FILE = Path(__file__).resolve().parents[1] / "assets" / "verdict_table.json"
TABLE_FIELDS = ("claim", "lesson", "conditions", "family", "measured", "test", "p", "outcome", "outcome_words",
                "holm", "variants", "under_variants")


@dataclass(frozen=True)
class SheetRow:
    """One line of the verdict sheet: the claim, the lesson, the conditions, the family, the verdict itself and, for a
    confirmatory verdict once its claim's family is known (``rows``), its family-wise outcome ("" otherwise)."""

    claim: str
    lesson: str
    conditions: str
    family: str
    verdict: Verdict
    family_wise: str = ""
    source: str = "bundle"  # where its numbers come from (``registry.SOURCES``)
    under_variants: dict = dataclasses.field(default_factory=dict)  # a confirmatory verdict's outcome under each
    # analysis choice whose bands are built (``variants``): {variant name: outcome}

    @property
    def variants(self) -> str:
        """The sheet's last column: in how many variants the outcome is kept, and which ones change it, e.g. "kept
        in 2 of 3 (converged generation 0, another test subset); not resolved under the other sampling"."""
        return robustness(self.verdict.outcome, self.under_variants)

    def record(self) -> dict:
        """The row as the stored table keeps it (``TABLE_FIELDS``): words and numbers, no arrays."""
        verdict = self.verdict
        return {"claim": self.claim, "lesson": self.lesson, "conditions": self.conditions, "family": self.family,
                "measured": verdict.measured, "test": verdict.test, "p": verdict.decisive_p,
                "outcome": verdict.outcome, "outcome_words": verdict.outcome_words, "holm": self.family_wise,
                "variants": self.variants, "under_variants": dict(self.under_variants)}


def rows(bundle=None) -> list[SheetRow]:
    """Every row of the sheet, in lesson order, each confirmatory one with its outcome once Holm corrects its
    claim's confirmatory verdicts at 5% (``stats.holm``) and under each analysis variant built (``variants``)."""
    every = []
    for entry in entries():
        items = entry.items(bundle)
        confirmatory = any(family == "confirmatory" for _, family, _ in items)
        judged = (judge(entry, bundle, [verdict for _, _, verdict in items])
                  if confirmatory and entry.source == "bundle" else {})
        for index, (conditions, family, verdict) in enumerate(items):
            under = {name: found[index].outcome for name, found in judged.items()
                     if family == "confirmatory" and found[index] is not None}
            every.append(SheetRow(verdict.claim, entry.lesson, conditions, family, verdict,  # a verdict names its claim
                                  source=entry.source, under_variants=under))
    for claim in sorted({row.claim for row in every}):
        members = [index for index, row in enumerate(every) if row.claim == claim and row.family == "confirmatory"]
        for index, outcome in zip(members, holm([every[index].verdict for index in members], LEVEL)):
            every[index] = dataclasses.replace(every[index], family_wise=outcome)
    return every


def robustness(outcome: str, under_variants: dict) -> str:
    """In how many of the variants judged a verdict keeps ``outcome``, and under which ones it changes: "kept in 2
    of 3 (converged generation 0, another test subset); not resolved under the other sampling" ("" if none)."""
    if not under_variants:
        return ""
    kept = [name for name, found in under_variants.items() if found == outcome]
    changed = [f"{found} under {name}" for name, found in under_variants.items() if found != outcome]
    return "; ".join([f"kept in {len(kept)} of {len(under_variants)}" + (f" ({', '.join(kept)})" if kept else ""),
                      *changed])


def robust_count(confirmatory) -> str:
    """The header's sum of the last column over confirmatory rows, e.g. "9 confirmatory verdicts are judged under at
    least one variant (14 judgements in all); 6 of them keep their outcome under every one"."""
    judged = [row for row in confirmatory if row.under_variants]
    kept = [row for row in judged if set(row.under_variants.values()) == {row.verdict.outcome}]
    return (f"{len(judged)} confirmatory verdicts are judged under at least one variant "
            f"({sum(len(row.under_variants) for row in judged)} judgements in all); {len(kept)} of them keep their "
            "outcome under every one.")


def unbuilt_variants(bundle=None) -> list[str]:
    """The variants some of whose lines are still to build (``Variant.unbuilt``; the sheet's header names them)."""
    bundle = shipped() if bundle is None else bundle
    return [variant.name for variant in VARIANTS if variant.unbuilt(bundle)]


def family_size(sheet_rows, claim: str) -> int:
    """How many confirmatory verdicts a claim's family holds (the ones not testable left out)."""
    return sum(row["claim"] == claim and row["family"] == "confirmatory" and row["outcome"] != "not testable"
               for row in sheet_rows)


def table(bundle=None) -> dict:
    """The stored table: every row's record (``SheetRow.record``) and the bundle's provenance it was read from."""
    built = (shipped() if bundle is None else bundle).provenance
    return {"bundle": {key: built.get(key) for key in ("torch", "cpu")},
            "rows": [row.record() for row in rows(bundle)]}


@functools.lru_cache(maxsize=1)
def stored_table() -> tuple[dict, ...]:
    """The rows of ``collapse_kit/assets/verdict_table.json`` (written with the sheet)."""
    return tuple(json.loads(TABLE_FILE.read_text())["rows"])


def _stored(verdict: Verdict) -> dict:
    """The stored table's row of ``verdict`` (a row of the sheet); a verdict the sheet lacks raises ValueError."""
    found = [row for row in stored_table() if row["claim"] == verdict.claim and row["measured"] == verdict.measured]
    if not found:
        raise ValueError(f"verdicts must be rows of the verdict sheet (claims on the shipped bundle), got {verdict}")
    return found[0]


def family_wise(verdicts) -> list[str]:
    """For each of ``verdicts`` (rows of the sheet, e.g. ``claims.recursion()``), a line with its outcome alone and,
    for a confirmatory verdict, its outcome once Holm corrects its claim's family, e.g. "C1: latent std at
    generation 5 ...: holds (beyond +-0.028); Holm over C1's 6 confirmatory verdicts: holds". Read from the stored
    table (no verdict is recomputed); a verdict the sheet lacks raises ValueError."""
    stored, lines = stored_table(), []
    for verdict in verdicts:
        row = _stored(verdict)
        if row["family"] == "confirmatory":
            corrected = (f"Holm over {verdict.claim}'s {family_size(stored, verdict.claim)} confirmatory verdicts: "
                         f"{row['holm']}")
        else:
            corrected = f"{row['family']}, not part of a corrected family"
        lines.append(f"{verdict.claim}: {verdict.statement}: {verdict.outcome_words}; {corrected}")
    return lines


def depends_on(verdict: Verdict) -> dict[str, str]:
    """A confirmatory verdict's outcome under each analysis variant (``variants``), {variant name:
    outcome}, read from the stored table; empty for a verdict no variant re-judges (lessons 03-07 check what their
    text says it depends on)."""
    return dict(_stored(verdict)["under_variants"])


def changed_under(verdict: Verdict) -> dict[str, str]:
    """The analysis variants under which a confirmatory verdict takes another outcome, {variant name: outcome}
    (``depends_on`` less the variants that keep it): what a lesson must say its verdict depends on."""
    return {name: outcome for name, outcome in depends_on(verdict).items() if outcome != verdict.outcome}


def variant_lines(verdicts) -> list[str]:
    """For each confirmatory one of ``verdicts``, a line saying in how many analysis variants its outcome is kept
    and which ones change it, e.g. "C1: digits covered at generation 5 ...: holds; kept in 1 of 2 (confident digits
    only); not testable under converged generation 0" (from the stored table; lessons 03-07)."""
    lines = []
    for verdict in verdicts:
        if _stored(verdict)["family"] == "confirmatory":
            kept = robustness(verdict.outcome, depends_on(verdict)) or "no variant judged yet"
            lines.append(f"{verdict.claim}: {verdict.statement}: {verdict.outcome}; {kept}")
    return lines


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def header(every: list[SheetRow], bundle=None) -> list[str]:
    """The sheet's opening: how an outcome reads, the margins with their reasons, the families, the bundle."""
    built = (shipped() if bundle is None else bundle).provenance
    confirmatory = [row for row in every if row.family == "confirmatory"]
    survivors = sum(row.family_wise == row.verdict.outcome for row in confirmatory)
    lines = [
        "# Verdict sheet", "",
        "Every verdict the lessons draw, in one table. Each is an effect with its 95% confidence interval, read "
        "against its measure's **margin**, the smallest effect that matters, fixed in advance (below): it "
        "**holds** if the whole interval lies beyond the margin on the claimed side; it is **negligible** if the "
        "whole interval lies within the margin on both sides, whether or not it excludes zero; **contradicted** if "
        "it lies wholly beyond the margin on the other side; **not resolved** otherwise, including an interval that "
        "excludes zero but reaches into the margin (an effect is there, but it may be negligible: the row says "
        "so), with the smallest effect the seeds could have detected at 80% power; **not testable** when both "
        "arms sit at the same floor or ceiling of their measure (nothing can tell them apart), or, for a derived "
        "measure (a share of generation 0 kept, a gap between arms, a late slope), when one arm does (it cannot "
        "move the way the claim needs): the row says which. One arm brought down to a floor from far above it is "
        "the effect itself, and the interval then understates it. A closed form "
        "holds within 4 standard errors. A plateau holds when its late slope lies within a tolerance fixed by the "
        "margin (the margin spread over generations 6-11). The test follows the design: the same seeds in both "
        "arms, paired t; settings pooled over, each seed's mean first. VAE and language-model rows: the shipped "
        f"results bundle, 10 seeds, full profile (built with torch {built.get('torch')} on {built.get('cpu')}). "
        "Gaussian rows: the chains of one seed at the full profile's sizes.", "",
        "## Margins", "",
        "Each fixed in `collapse_kit/evidence/margins.py` before these verdicts were read, from a yardstick the "
        "course teaches, never a share of the effect it judges; a share of generation 0 kept takes its measure's "
        "margin over the arm's generation-0 mean.", "",
        "| measure | margin | reason |", "|---|---|---|",
    ]
    lines += [f"| {item.measure} | {item.value:g} | {_cell(item.reason)} |" for item in MARGINS.values()]
    lines += [
        "", "## Families", "",
        "Holm's correction runs over each claim's **confirmatory** verdicts (the headline ones its lessons conclude "
        "from), at 5%: the last column. Secondary readings, yardsticks, closed-form agreements and metric checks "
        "are listed apart, uncorrected: " + ", ".join(f"**{family}**" for family in FAMILIES[1:]) + ". "
        f"{survivors} of {len(confirmatory)} confirmatory verdicts keep their outcome after the correction.", "",
        "## Variants", "",
        "The last column re-judges each confirmatory verdict of the VAE world under the analysis choices a referee "
        "would vary (`collapse_kit/evidence/variants.py`), by running the verdict's own function on the variant's "
        "bands or columns: *kept in n of m* counts the variants judged in which the outcome is the same, "
        "and each one that changes it is named with the outcome it takes there. A variant is judged once its bands "
        "are in the bundle, and only where it changes a number of the verdict. "
        f"{robust_count(confirmatory)}", "",
        "| variant | what it varies |", "|---|---|",
        *(f"| {variant.name} | {_cell(variant.reason)} |" for variant in VARIANTS),
        "",
        (f"Not built yet, for some verdicts: {', '.join(unbuilt_variants(bundle))} (the results bundle's guide "
         "says how to build them)." if unbuilt_variants(bundle) else "Every variant's band is built."), "",
        "Written by `python scripts/write_verdict_sheet.py` from `collapse_kit.evidence.claims`; a test keeps it "
        "true.", "",
    ]
    return lines


def verdict_sheet(bundle=None) -> str:
    """``lessons/verdicts.md``: every verdict of the course as a table (claim, lesson, conditions, family, effect with
    its 95% interval, test, the p-value of its outcome, outcome, and for a confirmatory verdict its outcome once
    Holm corrects its claim's family)."""
    every = rows(bundle)
    lines = header(every, bundle)
    lines += ["| claim | lesson | conditions | family | measured (95% CI) | test | p | outcome | Holm, within its "
              "claim | under the variants |", "|---|---|---|---|---|---|---|---|---|---|"]
    for row in every:
        verdict = row.verdict
        lines.append(f"| {row.claim} | {row.lesson} | {_cell(row.conditions)} | {row.family} | "
                     f"{_cell(verdict.measured)} | {verdict.test} | {verdict.decisive_p:.2g} | "
                     f"{_cell(verdict.outcome_words)} | {row.family_wise or '-'} | {_cell(row.variants) or '-'} |")
    return "\n".join(lines) + "\n"
