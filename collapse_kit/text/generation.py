"""What one generation of the text loop produced, declared once: every field, its row columns, its metrics.

The record of the language model's world, a ``core.world.TrainedGeneration`` as every trained world's is: each field
carries the ``columns.Column``s it contributes to a generation's JSON/CSV row; a column with a label is a metric
(plotted over generations, shown in the run table if it has a ``short`` header, named in verdicts by its
``measure``). The cache entry's fields (``columns.entry_fields``) and the metric names (``TEXT_METRIC_NAMES``) are
derived from it. For lesson 09.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.columns import Column, columns_of, declare, float_list, metrics_of
from ..core.world import TrainedGeneration
from .data import decode

SHIPPED_PASSAGES = 4  # sampled passages per generation that the results bundle ships (codes; read with ``decode``)


@dataclass
class TextGenerationResult(TrainedGeneration):
    """What one generation's language model did, after the columns of every trained world
    (``world.TrainedGeneration``). Scalars are floats; arrays are numpy."""

    train_size: int = declare(Column("train_characters", int))  # the training set counted in characters
    test_bits_per_character: float = declare(Column(
        "test_bits_per_character", label="real test text (bits per character)", short="bits/char", fmt="{:.3f}",
        better="lower", measure="real test text", unit="bits per character", floor=0.0))
    # How well the model predicts the real test text's tail and head (``metrics.word_class_bits``).
    rare_word_bits: float = declare(Column(
        "rare_word_bits", label="real test text on rare words (bits per character)", short="bits@rare",
        fmt="{:.3f}", better="lower", measure="real test text on its rare words", unit="bits per character",
        floor=0.0))
    common_word_bits: float = declare(Column(
        "common_word_bits", label="real test text on common words (bits per character)", short="bits@common",
        fmt="{:.3f}", better="lower", measure="real test text on its common words", unit="bits per character",
        floor=0.0))
    sample_perplexity_gen0: np.ndarray = declare(
        Column("sample_perplexity_gen0", lambda values: float(np.mean(values)),
               "samples' perplexity under gen 0 (per character)", short="ppl@0", fmt="{:.2f}",
               measure="mean perplexity of the samples under generation 0"),
        Column("sample_perplexity_gen0_spread", lambda values: float(np.std(values)),
               "spread (std) of samples' perplexity under gen 0", fmt="{:.2f}", better="higher",
               measure="spread of the samples' perplexity under generation 0"))
    words: int = declare(Column("words", int))
    distinct_words: int = declare(Column("distinct_words", int, "distinct words in the samples", short="words",
                                         fmt="{:.0f}", measure="distinct words"))
    rare_coverage: float = declare(Column(
        "rare_coverage", label="rare real words used (share of those seen <= 5 times)", short="rare",
        fmt="{:.3f}", better="higher", measure="share of the rare real words used", floor=0.0, ceiling=1.0))
    common_coverage: float = declare(Column(
        "common_coverage", label="common real words used (share of the top 1,000)", short="common", fmt="{:.3f}",
        better="higher", measure="share of the common real words used", floor=0.0, ceiling=1.0))
    long_rare_coverage: float = declare(Column(
        "long_rare_coverage", label="long rare real words used (share of those of 6+ letters seen <= 5 times)",
        short="rare6+", fmt="{:.4f}", better="higher", measure="share of the long rare real words used", floor=0.0,
        ceiling=1.0))
    # Coverage against real held-out text of the same size (``metrics.shares_of_real``): 1 is real text's level.
    rare_of_real: float = declare(Column(
        "rare_of_real", label="rare real words used (share of real text's coverage)", fmt="{:.3f}", better="higher",
        measure="coverage of the rare real words, as a share of real text's", floor=0.0))
    common_of_real: float = declare(Column(
        "common_of_real", label="common real words used (share of real text's coverage)", fmt="{:.3f}",
        better="higher", measure="coverage of the common real words, as a share of real text's", floor=0.0))
    long_rare_of_real: float = declare(Column(
        "long_rare_of_real", label="long rare real words used (share of real text's coverage)", fmt="{:.3f}",
        better="higher", measure="coverage of the long rare real words, as a share of real text's", floor=0.0))
    invented_share: float = declare(Column(
        "invented_share", label="invented words (share of word tokens)", short="invented", fmt="{:.3f}",
        better="lower", measure="share of invented words", floor=0.0, ceiling=1.0))
    repeated_ngrams: float = declare(Column(
        "repeated_ngrams", label="repeated word 4-grams (share)", short="repeat", fmt="{:.3f}", better="lower",
        measure="share of repeated word 4-grams"))
    rank_frequency: np.ndarray = declare(Column("rank_frequency", float_list))
    samples: np.ndarray = declare()  # the first few sampled passages, codes uint8 (n, length), for reading
    model_state: dict | None = declare(default=None, repr=False)  # the weights, only with keep_models=True

    def shipped_samples(self) -> np.ndarray:
        """What the results bundle keeps of this generation's samples: the first ``SHIPPED_PASSAGES`` passages,
        codes uint8 (passages, characters). The text explorer shows them without training (lesson 09)."""
        return np.asarray(self.samples[:SHIPPED_PASSAGES], dtype=np.uint8)

    def text(self, passages: int = 1, lines: int | None = 3) -> str:
        """The first ``passages`` sampled passages, each cut to its first ``lines`` lines (None: whole), for
        reading the decline. For lesson 09."""
        shown = [decode(row) for row in self.samples[:passages]]
        if lines is not None:
            shown = ["\n".join(text.split("\n")[:lines]) for text in shown]
        return "\n\n".join(shown)


TEXT_COLUMNS = columns_of(TextGenerationResult)
TEXT_METRICS = metrics_of(TextGenerationResult)
TEXT_METRIC_NAMES = tuple(TEXT_METRICS)
