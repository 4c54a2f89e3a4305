"""Measures of a language model and of the text it writes, generation after generation.

* bits per character of the real test text (C1): how well a generation's model still predicts real Shakespeare;
* each generated passage's perplexity under generation 0's model (Shumailov et al.'s Fig. 1: mass piling up at low
  perplexity, a tail of improbable text);
* the words of the samples (``text_data.words``' rule): distinct words; the share of the real training vocabulary's
  rare words (seen <= 5 times) and common words (its top 1,000) that appear (C2: tails first); invented words, word
  tokens never seen in the real training text (errors amplified); repetition, the share of word 4-grams that repeat
  an earlier one; the frequency-rank (Zipf) curve at fixed ranks.

What they cannot see: a coverage share depends on how much text is sampled (compare generations at the same size,
as the loop does, and real text of that size: ``real_text_measures``); a word spelled right can still be nonsense in
its place. For lesson 09.
"""

from __future__ import annotations

import functools
import math
from collections import Counter

import numpy as np
import torch

from ..core._validation import check_choice, check_int
from .data import SPLITS, decode, real_passages, split_codes, training_words, word_classes, words
from .models import CharMLP
from .words import RANKS

REPEATED_NGRAM = 4  # repetition is measured on word 4-grams


def bits_per_character(model: CharMLP, split: str = "test") -> float:
    """The model's cross-entropy on a whole real split, read from its start, in bits per character (lower:
    better; a model that knew nothing would score log2(65) = 6.02). For lesson 09 through the text loop."""
    codes = torch.from_numpy(split_codes(check_choice("split", split, SPLITS)).copy())
    return float(model.nats_per_character(codes[None])[0]) / math.log(2)


def passage_perplexities(model: CharMLP, passages) -> np.ndarray:
    """Each passage's perplexity per character under ``model`` (exp of its mean nats per character), float64 (P,).

    The text loop scores every generation's samples with generation 0's model. For lesson 09 through the text
    loop.
    """
    return torch.exp(model.nats_per_character(torch.as_tensor(np.asarray(passages)))).double().numpy()


def word_measures(passages) -> dict:
    """The word measures of sampled passages (codes (P, L) or a list of strings), as a dict:

    ``words`` (word tokens), ``distinct_words``, ``rare_coverage`` and ``common_coverage`` (shares in [0, 1] of the
    training vocabulary's rare and common types that appear), ``invented_share`` (share of word tokens not in the
    training vocabulary), ``repeated_ngrams`` (share of word 4-grams, within passages, that repeat an earlier one),
    ``rank_frequency`` (float64 (len(RANKS),): the frequency of the word at each rank of ``words.RANKS``, 0 past
    the last). For lesson 09 through the text loop.
    """
    texts = _texts(passages)
    per_passage = [words(text) for text in texts]
    counts = Counter(word for tokens in per_passage for word in tokens)
    total = sum(counts.values())
    types, _ = training_words()
    rank_of = _rank_of()
    known = np.array([rank_of[word] for word in counts if word in rank_of], dtype=np.int64)
    seen = np.zeros(len(types), dtype=bool)
    seen[known] = True
    classes = word_classes()
    invented = sum(count for word, count in counts.items() if word not in rank_of)
    grams = [tuple(tokens[i:i + REPEATED_NGRAM]) for tokens in per_passage
             for i in range(len(tokens) - REPEATED_NGRAM + 1)]
    ordered = np.sort(np.fromiter(counts.values(), dtype=np.int64, count=len(counts)))[::-1]
    frequencies = np.array([ordered[rank - 1] / total if rank <= len(ordered) else 0.0 for rank in RANKS])
    return {"words": total, "distinct_words": len(counts),
            "rare_coverage": float(seen[classes["rare"]].mean()),
            "common_coverage": float(seen[classes["common"]].mean()),
            "invented_share": invented / total if total else 0.0,
            "repeated_ngrams": 1.0 - len(set(grams)) / len(grams) if grams else 0.0,
            "rank_frequency": frequencies}


def real_text_measures(count: int, length: int, seed: int = 0, split: str = "test") -> dict:
    """``word_measures`` of ``count`` real passages of ``length`` characters from a held-out split: the yardstick
    a generation's samples of the same size are read against (real text also has words unseen in training).
    For lesson 09."""
    check_int("seed", seed, 0)
    return word_measures(real_passages(count, length, np.random.default_rng(seed), split))


def _texts(passages) -> list[str]:
    if isinstance(passages, (list, tuple)) and all(isinstance(text, str) for text in passages):
        return list(passages)
    codes = np.asarray(passages.cpu() if isinstance(passages, torch.Tensor) else passages)
    if codes.ndim != 2:
        raise ValueError(f"passages must be (passages, characters) codes or a list of strings, got shape "
                         f"{codes.shape}")
    return [decode(row) for row in codes]


@functools.lru_cache(maxsize=1)
def _rank_of() -> dict[str, int]:
    """{word: its frequency rank in the training text (0: the most frequent)}, built once."""
    return {word: rank for rank, word in enumerate(training_words()[0])}
