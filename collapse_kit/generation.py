"""What one generation of the recursive loop produced, declared once: every field, its row columns, its plot label.

A field of ``GenerationResult`` is declared here with the columns it contributes to a generation's JSON/CSV row
(``GenerationResult.scalars``); a column with a plot label is a *metric*, drawn over generations. The cache entry's
fields (``ENTRY_FIELDS``), the metric names (``METRIC_NAMES``), the plot labels (``METRIC_LABELS``) and the results
bundle's columns are all derived from these declarations: a new metric is one field here plus its computation in
``loop._evaluate``. Used by ``loop``, ``plots``, ``bundle`` and ``collapse-kit``; lessons 03-08 read its fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Callable

import numpy as np
import torch


@dataclass(frozen=True)
class Column:
    """One value of a generation's row: its name, how it is computed from the field, and (metrics only) a label."""

    name: str
    reduce: Callable = float
    label: str | None = None  # set: a metric, plotted over generations with this label


def _declare(*columns: Column, **options):
    return field(metadata={"columns": columns}, **options)


def _histogram_row(shares) -> list[float]:
    return [float(share) for share in shares]


@dataclass
class GenerationResult:
    """What one generation's model did. Scalars are floats; arrays are numpy (nats per image for the ELBOs)."""

    generation: int = _declare(Column("generation", int))
    train_size: int = _declare(Column("train_size", int))
    real_share: float = _declare(Column("real_share"))
    loss_per_epoch: list[float] = _declare(Column("final_loss", lambda losses: float(losses[-1])))
    fid: float = _declare(Column("fid", label="MNIST FID (lower: closer to real)"))
    precision: float = _declare(Column("precision", label="precision (quality)"))
    recall: float = _declare(Column("recall", label="recall (diversity)"))
    class_entropy: float = _declare(Column("class_entropy", label="class entropy (nats; ln 10 = 2.30 balanced)"))
    classes_covered: int = _declare(Column("classes_covered", int, "digits covered (of 10)"))
    latent_std: float = _declare(Column("latent_std", label="std of latent means (gen-0 encoder)"))
    pixel_diversity: float = _declare(Column("pixel_diversity", label="pixel diversity (mean pair distance)"))
    test_nelbo: float = _declare(Column("test_nelbo", label="real test -ELBO (nats/image)"))
    sample_nelbo_gen0: np.ndarray = _declare(
        Column("sample_nelbo_gen0", lambda values: float(np.mean(values)), "samples' -ELBO under gen 0 (nats)"),
        Column("sample_nelbo_gen0_spread", lambda values: float(np.std(values)),
               "spread (std) of samples' -ELBO under gen 0"))
    class_histogram: np.ndarray = _declare(Column("class_histogram", _histogram_row))
    samples: torch.Tensor = _declare()  # a few synthetic images, uint8 (n, 1, 28, 28), for the grids
    model_state: dict | None = _declare(default=None, repr=False)  # the weights, only with keep_models=True

    def scalars(self) -> dict:
        """JSON-ready row: every column of every field (the histogram as a list; the ELBO array as mean and std)."""
        return {column.name: column.reduce(getattr(self, item.name))
                for item in fields(self) for column in item.metadata["columns"]}


COLUMNS = tuple(column for item in fields(GenerationResult) for column in item.metadata["columns"])
METRIC_LABELS = {column.name: column.label for column in COLUMNS if column.label}
METRIC_NAMES = tuple(METRIC_LABELS)
# What a cache entry must hold to rebuild a GenerationResult (the generation is the entry's file name).
ENTRY_FIELDS = tuple(item.name for item in fields(GenerationResult) if item.name != "generation")


def from_entry(generation: int, entry: dict, keep_model: bool) -> GenerationResult:
    """The GenerationResult of a cache entry (arrays as numpy; the weights only if ``keep_model``)."""
    values = {name: entry[name] for name in ENTRY_FIELDS}
    values["model_state"] = values["model_state"] if keep_model else None
    return GenerationResult(generation=generation, **values)
