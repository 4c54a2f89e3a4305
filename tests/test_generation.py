"""A generation's fields are declared once: rows, metric names, plot labels and cache entries all follow."""

from __future__ import annotations

import json

import numpy as np

from collapse_kit.core.columns import entry_fields
from collapse_kit.vae.generation import COLUMNS, METRIC_LABELS, METRIC_NAMES, GenerationResult


def test_a_row_holds_every_declared_column_in_order(synthetic_run):
    row = synthetic_run.generations[1].scalars()
    assert list(row) == [column.name for column in COLUMNS]
    assert json.loads(json.dumps(row)) == row  # JSON-ready: plain numbers and lists
    assert row["sample_nelbo_gen0"] == float(np.mean(synthetic_run.generations[1].sample_nelbo_gen0))
    assert len(row["class_histogram"]) == 10 and row["final_loss"] == synthetic_run.generations[1].loss_per_epoch[-1]


def test_metrics_are_the_labelled_columns_and_each_reads_over_generations(synthetic_run):
    assert set(METRIC_NAMES) == set(METRIC_LABELS) and "fid" in METRIC_NAMES and "generation" not in METRIC_NAMES
    for name in METRIC_NAMES:
        values = synthetic_run.metric(name)
        assert values.shape == (len(synthetic_run.generations),) and np.isfinite(values).all(), name


def test_a_cache_entry_needs_every_field_but_the_generation():
    fields = set(GenerationResult.__dataclass_fields__)
    assert set(entry_fields(GenerationResult)) == fields - {"generation"}
