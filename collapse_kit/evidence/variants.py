"""The choices a referee would vary (issue 27), each a view of the results bundle: a headline verdict is re-judged
under a choice by running its very function (``claims``) on the view, so no verdict is written twice.

A variant either reads other lines (``lines``: each headline line -> the line built with the variant's fields, e.g.
``experiments.CONVERGED``) or reads other columns of the same lines (``columns``: each measure -> the column read in
its place, ``vae.generation.REREADINGS``). Under a variant, a line or column the bundle lacks raises
``bundle.Unbuilt``: the verdict is then not judged under it (and the sheet says which lines are still to build). A
variant that changes no number of a verdict (a reading of a measure the verdict does not use) is no variant of it.

Used by ``sheet`` (the column "under the variants", and the count of variants each headline verdict keeps its outcome
in) and the lessons' lines on what a verdict depends on (03-07).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..vae.generation import REREADINGS
from . import experiments as ex
from .bundle import Band, Bundle, Unbuilt, shipped
from .stats import Verdict


@dataclass(frozen=True)
class Variant:
    """One analysis choice a referee would vary.

    Attributes:
        name: how the sheet and the lessons name it, e.g. "converged generation 0".
        reason: why a referee would vary it (one sentence, printed in the sheet's header).
        lines: headline line -> the line built under this choice; None when the variant reads the same lines.
        columns: measure -> the column read in its place; None when the variant reads the same columns.
    """

    name: str
    reason: str
    lines: dict[str, str] | None = None
    columns: dict[str, str] | None = None

    def __post_init__(self):
        if (self.lines is None) == (self.columns is None):
            raise ValueError(f"a variant reads other lines or other columns, one of them: {self.name!r}")

    def unbuilt(self, bundle: Bundle) -> set[str]:
        """The lines still to build for this variant: its lines not in ``bundle``, or the headline lines
        (``experiments.REREAD_LINES``) whose bands lack its columns."""
        if self.lines is not None:
            return set(self.lines.values()) - set(bundle.names())
        return {line for line in ex.REREAD_LINES if line not in bundle.names()
                or not set(self.columns.values()) <= set(bundle.band(line).values)}


def _reread(measures: tuple[str, ...]) -> dict[str, str]:
    return {measure: REREADINGS[measure] for measure in measures}


VARIANTS = (
    Variant("converged generation 0", "generation 0 trained to its criterion (320 epochs: its test -ELBO within 1 "
            "nat of a run 4 times longer), each later generation fine-tuned from its predecessor, where the lessons' "
            "20-epoch generation 0 is far from the data", lines=ex.CONVERGED),
    Variant("the other sampling", "Bernoulli (0/1-pixel) samples where a line trains on mean images, mean images "
            "where it trains on Bernoulli ones: the sampling is a choice of the loop, not of the claim",
            lines=ex.OTHER_SAMPLING),
    Variant("precision and recall as published", "Kynkäänniemi et al.'s definition (k = 3 nearest neighbours on "
            "raw classifier features) in place of the course's (k = 5 on unit-sphere features)",
            columns=_reread(("precision", "recall"))),
    Variant("confident digits only", "a digit counts as covered only through samples the classifier is confident "
            "about, so that a blur it guesses a label for does not cover a digit",
            columns=_reread(("classes_covered",))),
    Variant("another test subset", "real test -ELBO on the last 2,000 test images in place of the first 2,000",
            columns=_reread(("test_nelbo",))),
)


@dataclass(frozen=True)
class View:
    """The bundle as a variant reads it: what ``claims`` needs of a bundle (``band``, ``names``)."""

    bundle: Bundle
    variant: Variant

    def band(self, name: str) -> Band:
        variant = self.variant
        if variant.columns is not None:
            return dataclasses.replace(self.bundle.band(name), readings=dict(variant.columns))
        if name not in variant.lines:
            raise Unbuilt(f"{name!r} has no line under {variant.name}")
        if variant.lines[name] not in self.bundle.names():
            raise Unbuilt(f"{variant.lines[name]!r} is not built yet")
        return self.bundle.band(variant.lines[name])

    def names(self) -> list[str]:
        return self.bundle.names()


def _changed(found: Verdict, base: Verdict) -> bool:
    return (found.effect, found.low, found.high, found.floor) != (base.effect, base.low, base.high, base.floor)


def judge(entry, bundle: Bundle | None = None, base: list[Verdict] | None = None) -> dict[str, list[Verdict | None]]:
    """A registered verdict function (``registry.Entry`` of the bundle) re-judged under every variant: {variant
    name: its verdicts, aligned with the entry's items}, None where the variant has no number yet (a line or column
    not built) or changes nothing (a reading of a measure the verdict does not use). ``base``: the entry's own
    verdicts on ``bundle``, if the caller has them already (the sheet does)."""
    bundle = shipped() if bundle is None else bundle
    base = [item for _, _, item in entry.items(bundle)] if base is None else base
    judged = {}
    for variant in VARIANTS:
        try:
            found = [item for _, _, item in entry.items(View(bundle, variant))]
        except Unbuilt:
            found = [None] * len(base)
        judged[variant.name] = [item if item is not None and _changed(item, original) else None
                                for item, original in zip(found, base)]
    return judged
