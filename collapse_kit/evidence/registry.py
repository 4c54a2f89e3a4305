"""Every verdict registers itself: its claim, lesson, conditions and family, declared once beside its function.

A verdict function of ``claims`` carries ``@verdict(claim, lesson, conditions, family)``; the sheet
(``sheet.rows``), the stored verdict table the lessons read (``sheet.family_wise``) and the tests all read this
registry, so a new verdict is one function and its decorator. The function takes ``bundle=None`` (the shipped bundle
by default) and returns one ``stats.Verdict``, a list of them or a dict of them; ``conditions`` and ``family`` are
one string for every item, or a sequence with one per item (in order), and a dict result's key fills ``{key}`` in
the conditions.

The families (which verdicts a correction for multiple testing runs over):

* **confirmatory**: the headline verdicts of a claim, the ones its lessons' conclusions rest on; Holm's correction
  runs over each claim's confirmatory verdicts at 5% (one family per claim), and a lesson quotes that outcome;
* **secondary**: a reading beside the headline (another size, another measure, a mechanism): reported with its own
  interval, uncorrected, never a conclusion on its own;
* **yardstick**: what gives a size its meaning (what doubling the real data buys): it sets margins, it tests no claim;
* **closed form**: a run agrees with theory (the null hypothesis is the claim);
* **metric check**: what a measure sees, not what the loop does.

Used by ``claims`` and ``sheet``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..core._validation import check_choice

FAMILIES = ("confirmatory", "secondary", "yardstick", "closed form", "metric check")
SOURCES = ("bundle", "run")  # where a verdict's numbers come from: the shipped bundle, or runs made by the function


@dataclass(frozen=True)
class Entry:
    """One registered verdict function and what the sheet says of its verdicts."""

    function: Callable
    claim: str
    lesson: str
    conditions: str | tuple[str, ...]
    family: str | tuple[str, ...]
    source: str

    @property
    def name(self) -> str:
        return self.function.__name__

    def items(self, bundle=None) -> list[tuple[str, str, object]]:
        """Every verdict of the function with its conditions and family: ``[(conditions, family, verdict)]``."""
        result = self.function(bundle=bundle) if self.source == "bundle" else self.function()
        keys, verdicts = ((list(result), list(result.values())) if isinstance(result, dict)
                          else (None, list(result) if isinstance(result, (list, tuple)) else [result]))
        conditions = _per_item("conditions", self.conditions, len(verdicts), self.name)
        families = _per_item("family", self.family, len(verdicts), self.name)
        if keys is not None:
            conditions = [text.format(key=key) for text, key in zip(conditions, keys)]
        return list(zip(conditions, families, verdicts))


def _per_item(name: str, value, count: int, function: str) -> list:
    if isinstance(value, str):
        return [value] * count
    if len(value) != count:
        raise ValueError(f"{name} of {function} must be one string or one per verdict ({count}), got {len(value)}")
    return list(value)


_REGISTRY: dict[str, Entry] = {}


def verdict(claim: str, lesson: str, conditions, family="confirmatory", source: str = "bundle"):
    """Register the decorated verdict function (see the module docstring); returns the function unchanged."""
    for item in ((family,) if isinstance(family, str) else family):
        check_choice("family", item, FAMILIES)
    check_choice("source", source, SOURCES)

    def register(function):
        if function.__name__ in _REGISTRY:
            raise ValueError(f"a verdict function named {function.__name__!r} is registered already")
        _REGISTRY[function.__name__] = Entry(function, claim, lesson,
                                             conditions if isinstance(conditions, str) else tuple(conditions),
                                             family if isinstance(family, str) else tuple(family), source)
        return function

    return register


def entries() -> list[Entry]:
    """Every registered verdict function, in lesson order (within a lesson, as they were defined). Importing
    ``claims`` registers the course's verdicts (``sheet`` does)."""
    return sorted(_REGISTRY.values(), key=lambda entry: entry.lesson)


def entry_of(function) -> Entry:
    """The registry's entry of a verdict function (a clear error for a function that is not registered)."""
    entry = _REGISTRY.get(getattr(function, "__name__", None))
    if entry is None or entry.function is not function:
        raise ValueError(f"function must be a registered verdict function (claims' @verdict), got {function!r}")
    return entry
