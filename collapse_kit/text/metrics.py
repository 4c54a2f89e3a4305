"""Measures of a language model and of the text it writes, generation after generation.

* bits per character of the real test text (C1): how well a generation's model still predicts real Shakespeare;
* each generated passage's perplexity under generation 0's model (Shumailov et al.'s Fig. 1: mass piling up at low
  perplexity, a tail of improbable text);
* the words of the samples (``text_data.words``' rule): distinct words; the share of the real training vocabulary's
  rare words (seen <= 5 times), long rare words (those of 6 letters or more) and common words (its top 1,000) that
  appear (C2: tails first), and each as a share of what real held-out text of the same size covers
  (``shares_of_real``); invented words, word tokens never seen in the real training text (errors amplified);
  repetition, the share of word 4-grams that repeat an earlier one; the frequency-rank (Zipf) curve at fixed ranks;
* bits per character of the real test text on its rare words and on its common words (``word_class_bits``): the
  tail and the head of real text, as the model predicts them;
* the no-skill floor of all these: a letter chain that stores no words (``models.LetterChain``), measured the same
  way and shipped for seeds 0-9 (``letter_chain_floor``).

What they cannot see: a coverage share depends on how much text is sampled (compare generations at the same size,
as the loop does, and real text of that size: ``real_text_measures``); a word spelled right can still be nonsense in
its place; a coverage a letter chain reaches by chance says nothing of what a model learned. For lesson 09.
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import torch

from ..core._validation import check_choice, check_int
from .data import (
    ASSETS,
    SPLITS,
    WORD_RULE,
    decode,
    load_split,
    real_passages,
    split_codes,
    training_words,
    word_classes,
    words,
)
from .models import CharMLP
from .words import RANKS

REPEATED_NGRAM = 4  # repetition is measured on word 4-grams
COVERAGE_KINDS = ("rare", "common", "long_rare")  # the word classes whose coverage is read against real text
BASELINE_FILE = ASSETS / "text_baseline.json"  # the letter chain's measures, seeds 0-9 (``letter_chain_floor``)


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

    ``words`` (word tokens), ``distinct_words``, ``rare_coverage``, ``common_coverage`` and ``long_rare_coverage``
    (shares in [0, 1] of the training vocabulary's rare, common and long rare types that appear: ``word_classes``),
    ``invented_share`` (share of word tokens not in the
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
            "long_rare_coverage": float(seen[classes["long_rare"]].mean()),
            "invented_share": invented / total if total else 0.0,
            "repeated_ngrams": 1.0 - len(set(grams)) / len(grams) if grams else 0.0,
            "rank_frequency": frequencies}


def real_text_measures(count: int, length: int, seed: int = 0, split: str = "test") -> dict:
    """``word_measures`` of ``count`` real passages of ``length`` characters from a held-out split: the yardstick
    a generation's samples of the same size are read against (real text also has words unseen in training).
    For lesson 09."""
    check_int("seed", seed, 0)
    return word_measures(real_passages(count, length, np.random.default_rng(seed), split))


def shares_of_real(measures: dict, count: int, length: int, seed: int) -> dict:
    """A sample's coverage of the rare, common and long rare real words as a share of what real held-out text of
    the same size covers (``real_text_measures(count, length, seed)``, the test split): ``rare_of_real``,
    ``common_of_real``, ``long_rare_of_real`` (1: as much as real text; NaN where the real text covers none).

    Coverage grows with the text's size, so a sample is read against real text of its own size: generation 0 is
    then measured too, not only its successors against it. For lesson 09 through the text loop."""
    real = _real_coverage(count, length, seed)
    return {f"{kind}_of_real": measures[f"{kind}_coverage"] / real[kind] if real[kind] else math.nan
            for kind in COVERAGE_KINDS}


@functools.lru_cache(maxsize=8)
def _real_coverage(count: int, length: int, seed: int) -> dict[str, float]:
    measures = real_text_measures(count, length, seed, "test")
    return {kind: measures[f"{kind}_coverage"] for kind in COVERAGE_KINDS}


def word_class_bits(model, split: str = "test") -> dict:
    """Bits per character of a real split on the characters of its rare-word tokens and of its common-word tokens
    (``rare_word_bits``, ``common_word_bits``): how well ``model`` (anything with ``character_nats``: a ``CharMLP``
    or the ``LetterChain`` baseline) still predicts the real tail against the real head. Each character is
    predicted from the ones before it, the split read from its start. For lesson 09 through the text loop."""
    codes = torch.from_numpy(split_codes(check_choice("split", split, SPLITS)).copy())
    nats = np.asarray(model.character_nats(codes[None])[0], dtype=np.float64)
    return {f"{kind}_word_bits": float(nats[mask].mean() / math.log(2))
            for kind, mask in _word_characters(split).items()}


@functools.lru_cache(maxsize=len(SPLITS))
def _word_characters(split: str) -> dict[str, np.ndarray]:
    """Boolean masks over a split's characters: those inside a word token whose type is rare, or common, in the
    training text (``word_classes``; a word the training text never has is in neither)."""
    text, rank_of, classes = load_split(split).lower(), _rank_of(), word_classes()
    masks = {kind: np.zeros(len(text), dtype=bool) for kind in ("rare", "common")}
    for match in WORD_RULE.finditer(text):
        rank = rank_of.get(match.group())
        for kind, mask in masks.items():
            if rank is not None and classes[kind][rank]:
                mask[match.start():match.end()] = True
    return masks


@dataclass(frozen=True)
class ChainFloor:
    """The shipped no-skill floor of lesson 09's measures: a letter chain's numbers, one per seed.

    Attributes:
        order: the chain's characters of context (``models.LetterChain``).
        seeds: the seeds, one per entry of every ``values`` array (the results bundle's text seeds).
        values: measure -> (seeds,) float64 (the columns of ``text.generation`` that a chain has).
        provenance: how the file was built (script, command, config, versions, date).
    """

    order: int
    seeds: tuple[int, ...]
    values: dict[str, np.ndarray]
    provenance: dict

    def at(self, name: str, seed: int) -> float:
        """The chain's ``name`` for one seed."""
        check_choice("name", name, tuple(self.values))
        check_choice("seed", seed, self.seeds)
        return float(self.values[name][self.seeds.index(seed)])

    def mean(self, name: str) -> float:
        """The chain's ``name``, averaged over the seeds."""
        check_choice("name", name, tuple(self.values))
        return float(self.values[name].mean())


def letter_chain_floor() -> ChainFloor:
    """The no-skill floor shipped in ``assets/text_baseline.json``: a 2-character letter chain fitted to each seed's
    generation-0 passages of the full profile and measured as a generation is (``loop.letter_chain_measures``),
    seeds 0-9. A generation that reaches it uses no more of what it learned than a model that stores no words.
    Read from the file, nothing computed (``scripts/build_text_baseline.py`` builds it). For lesson 09."""
    if not BASELINE_FILE.exists():
        raise FileNotFoundError(f"the shipped baseline {BASELINE_FILE} is missing; build it with "
                                "python scripts/build_text_baseline.py")
    shipped = json.loads(BASELINE_FILE.read_text())
    return ChainFloor(shipped["order"], tuple(shipped["seeds"]),
                      {name: np.array(values, dtype=float) for name, values in shipped["values"].items()},
                      shipped["provenance"])


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
