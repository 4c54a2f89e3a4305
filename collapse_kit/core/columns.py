"""A world's per-generation row, declared once: every column's name, how it is reduced from its field, and, for a
metric, its plot label, table header, print format, which way is better and how a verdict names it.

A world (the VAE loop, the language model) declares its generation record as a dataclass whose fields carry their
columns (``declare``); its config names that record (``config.record``). The cache entry, the JSON/CSV row, the
results bundle's columns, the run table, the plot labels and the verdicts' wording are all derived from these
declarations, so a new metric is one ``Column`` plus its computation. Used by ``generation``, ``loop``, ``bundle``,
``plots`` and ``claims``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Callable

BETTER = ("higher", "lower")


@dataclass(frozen=True)
class Column:
    """One value of a generation's row.

    Attributes:
        name: the row's key, e.g. ``"fid"``.
        reduce: turns the field's value into the row's value (default ``float``).
        label: set for a *metric*: its plot title, e.g. "MNIST FID (lower: closer to real)".
        short: the run table's header (None: not in the table).
        fmt: how one value prints, e.g. ``"{:.1f}"``.
        better: "higher" or "lower": which way is closer to real data (None: neither, e.g. a size).
        measure: how a verdict names it, e.g. "test -ELBO" (default: the label).
        unit: the unit of one value, e.g. "nats" (None: a count, a share or a score without one).
        floor, ceiling: the lowest and highest values the measure can take, or a no-skill baseline reaches (None:
            unbounded): a comparison whose arms sit there tests nothing (``evidence.stats``' floor guard).
    """

    name: str
    reduce: Callable = float
    label: str | None = None
    short: str | None = None
    fmt: str = "{:.3g}"
    better: str | None = None
    measure: str | None = None
    unit: str | None = None
    floor: float | None = None
    ceiling: float | None = None

    def __post_init__(self):
        if self.better not in (None,) + BETTER:
            raise ValueError(f"better must be one of {BETTER} or None, got {self.better!r}")

    @property
    def words(self) -> str:
        """How a verdict names the column: ``measure`` (else ``label``, else ``name``) with its unit, e.g.
        "test -ELBO (nats)"."""
        words = self.measure or self.label or self.name
        return f"{words} ({self.unit})" if self.unit else words

    def at(self, generation: int, details: str = "") -> str:
        """A verdict's statement of this measure at a generation, e.g. "test -ELBO (nats) at generation 5 with 50%
        real" (``details`` appended after a space, or straight after when it opens with a comma)."""
        text = f"{self.words} at generation {generation}"
        return text + (details if details.startswith(",") or not details else f" {details}")

    def describe(self, value) -> str:
        """One value as a summary line names it, e.g. "test -ELBO 185.1 nats" or "FID 712.4": the column's measure,
        its format, its unit. The explorers' summaries are built from it."""
        number = self.fmt.format(value)
        return f"{self.measure or self.label or self.name} {number}" + (f" {self.unit}" if self.unit else "")

    @property
    def worse(self) -> str:
        """The direction a degrading model moves this metric: the opposite of ``better``."""
        if self.better is None:
            raise ValueError(f"column {self.name!r} has no better direction to turn round")
        return BETTER[1 - BETTER.index(self.better)]


def float_list(values) -> list[float]:
    """A column of several numbers (a histogram, a rank-frequency curve) as the row's list of plain floats."""
    return [float(value) for value in values]


def declare(*columns: Column, **options):
    """A dataclass field that contributes ``columns`` to the row (``options`` as for ``dataclasses.field``)."""
    return field(metadata={"columns": columns}, **options)


def columns_of(record_type) -> tuple[Column, ...]:
    """Every column of a generation record type, in declaration order."""
    return tuple(column for item in fields(record_type) for column in item.metadata.get("columns", ()))


def metrics_of(record_type) -> dict[str, Column]:
    """The metric columns (those with a label) of a record type, by name."""
    return {column.name: column for column in columns_of(record_type) if column.label}


def scalars(record) -> dict:
    """JSON-ready row of one record: every column of every field, reduced."""
    return {column.name: column.reduce(getattr(record, item.name))
            for item in fields(record) for column in item.metadata.get("columns", ())}


def metric(config, name: str) -> Column:
    """The metric ``name`` of ``config``'s world (its ``record``); a clear error naming the allowed metrics."""
    metrics = metrics_of(config.record)
    if name not in metrics:
        raise ValueError(f"metrics must be among {', '.join(metrics)} (the metrics of {type(config).__name__}), "
                         f"got {name!r}")
    return metrics[name]


def entry_fields(record_type) -> tuple[str, ...]:
    """What a cache entry must hold to rebuild a record: every field but ``generation`` (the entry's file name)."""
    return tuple(item.name for item in fields(record_type) if item.name != "generation")


def run_table(columns, rows: list[dict]) -> str:
    """A fixed-width table of ``rows`` (one dict per generation): the columns with a ``short`` header, each value
    in its column's format. Shared by every world's result."""
    shown = [column for column in columns if column.short]
    cells = [[column.fmt.format(row[column.name]) for column in shown] for row in rows]
    widths = [max([len(column.short)] + [len(line[index]) for line in cells]) for index, column in enumerate(shown)]
    lines = ["  ".join(column.short.rjust(width) for column, width in zip(shown, widths))]
    lines += ["  ".join(cell.rjust(width) for cell, width in zip(line, widths)) for line in cells]
    return "\n".join(lines)
