"""The discrete telephone game: a word-frequency table refitted on M words drawn from its last fit.

Generation 0 is the training text's own word frequencies p0 (11,676 word types, 183,547 words; ``text_data``).
Generation g draws M words from generation g-1's fit and refits: the new fit is the words' counts / M (maximum
likelihood, a multinomial refit). A word that is not drawn has frequency 0 from then on: it can never come back, an
absorbing state, and rare words (small p) are the likeliest not to be drawn. The discrete case of Shumailov et al.'s
theory, the Gaussian's counterpart of lesson 01.

With ``real_fraction`` > 0 a share of each generation's M words is real: drawn afresh from p0 each generation
("fresh", a stream of real words) or drawn once and kept in every generation ("fixed", a kept share of real text).

Given a fit p, the expected number of word types in the next generation has a closed form,
E[types] = sum_w 1 - (1 - p_w)^(M - R) (1 - p0_w)^R (R real words drawn fresh; R = 0 fully synthetic).

Many independent chains run at once: a chain's fit is kept as its M drawn words (codes = frequency ranks in the
training text), and drawing M words from a fit is drawing M of those words at random, so a generation costs a few
array operations over chains x M words and chains x 11,676 types. For lesson 09.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core._validation import check_choice, check_fraction, check_int
from .data import training_words, word_classes

REAL_SOURCES = ("fresh", "fixed")
# Frequency ranks (1 = most frequent) at which the rank-frequency (Zipf) curve is kept.
RANKS = (1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


@dataclass(frozen=True)
class WordGameConfig:
    """The discrete telephone game; the truth is the training text's word frequencies.

    Attributes:
        words_per_generation: M, words drawn to refit each generation (from generation 1 on); >= 1.
        generations: fits in sequence, generation 0 (the training text's own frequencies) included; >= 1. Counted
            as ``ExperimentConfig.generations`` and ``GaussianConfig.generations`` are.
        real_fraction: share of each generation's M words drawn from the real frequencies p0, in [0, 1].
        real_source: "fresh" (real words drawn anew each generation) or "fixed" (drawn once, kept every generation).
        chains: independent repetitions run side by side.
    """

    words_per_generation: int = 10_000
    generations: int = 20
    real_fraction: float = 0.0
    real_source: str = "fresh"
    chains: int = 100

    def __post_init__(self):
        check_int("words_per_generation", self.words_per_generation, 1, 10_000_000)
        check_int("generations", self.generations, 1)
        check_fraction("real_fraction", self.real_fraction)
        check_choice("real_source", self.real_source, REAL_SOURCES)
        check_int("chains", self.chains, 1)
        if self.chains * self.words_per_generation > 50_000_000:
            raise ValueError(f"chains * words_per_generation must be <= 50,000,000 (memory), got "
                             f"{self.chains} * {self.words_per_generation}")

    @property
    def real_words(self) -> int:
        """R: real words among each generation's M (from generation 1 on): round(real_fraction * M)."""
        return round(self.real_fraction * self.words_per_generation)


@dataclass
class WordGameResult:
    """Every chain's word types over generations (index 0 = generation 0, the training text itself).

    Attributes:
        types: (chains, generations) word types with a nonzero frequency in each fit.
        rare_types, common_types: (chains, generations) how many of the real text's rare types (seen <= 5 times)
            and common types (its top 1,000) each fit still has.
        expected_types: (chains, generations) the closed form's E[types] of each generation given the chain's
            previous fit (generation 0: the real count, exact).
        rank_frequency: (chains, generations, len(RANKS)) each fit's frequency at the ranks ``RANKS``, 0 past its
            last type: the Zipf curve, its tail cut as types die.
    """

    config: WordGameConfig
    seed: int
    types: np.ndarray
    rare_types: np.ndarray
    common_types: np.ndarray
    expected_types: np.ndarray
    rank_frequency: np.ndarray

    @property
    def generation(self) -> np.ndarray:
        return np.arange(self.types.shape[1])

    def surviving_share(self, kind: str = "all") -> np.ndarray:
        """Share of the real text's types of ``kind`` ("all", "rare" or "common") still alive, (chains,
        generations). Rare words go first. For lesson 09."""
        check_choice("kind", kind, ("all", "rare", "common"))
        alive = {"all": self.types, "rare": self.rare_types, "common": self.common_types}[kind]
        return alive / alive[:, :1]


def expected_types(probabilities, words: int, real_words: int = 0, real_probabilities=None) -> np.ndarray:
    """E[word types among ``words`` draws]: sum_w 1 - (1 - p_w)^(words - real_words) (1 - p0_w)^real_words.

    Args:
        probabilities: a fit p, (types,) or (chains, types), each row summing to 1.
        words: M, words drawn in all.
        real_words: R of them drawn from ``real_probabilities`` p0 instead of p (0: fully synthetic).
    Returns:
        The expected count of distinct types, one per row. For lesson 09.
    """
    p = np.asarray(probabilities, dtype=float)
    words = check_int("words", words, 0)
    real_words = check_int("real_words", real_words, 0, words)
    if p.ndim not in (1, 2) or np.any(p < 0):
        raise ValueError(f"probabilities must be a (types,) or (chains, types) array of p >= 0, got shape {p.shape}")
    log_absent = _log_absent(p, words - real_words)
    if real_words:
        log_absent = log_absent + _log_absent(np.asarray(real_probabilities, dtype=float), real_words)
    return -np.expm1(log_absent).sum(axis=-1)


def _log_absent(p: np.ndarray, draws: int) -> np.ndarray:
    """ln P(a type of probability p is missed by ``draws`` draws) = draws ln(1 - p); 0 draws miss everything.
    log1p keeps it exact for the tiny p of rare words, where 1 - p rounds to 1; p = 1 gives -inf (never missed)."""
    if draws == 0:
        return np.zeros_like(p)
    with np.errstate(divide="ignore"):
        return draws * np.log1p(-np.minimum(p, 1.0))


def real_frequencies() -> np.ndarray:
    """p0: the training text's word frequencies, most frequent first (sums to 1). For lesson 09."""
    counts = training_words()[1]
    return counts / counts.sum()


def run_word_game(config: WordGameConfig | None = None, seed: int = 0) -> WordGameResult:
    """Play the discrete telephone game in ``config.chains`` independent chains.

    The defaults (100 chains, M = 10,000, 20 generations) took 1.4 s on the course's 2-core AMD EPYC, 30 chains
    0.4 s (measured): a slider over M redraws at once with a few dozen chains. For lesson 09.
    """
    config = WordGameConfig() if config is None else config
    if not isinstance(config, WordGameConfig):
        raise TypeError(f"config must be a WordGameConfig, got {type(config).__name__}")
    seed = check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    real_counts = training_words()[1]
    p0 = real_frequencies()
    real_tokens = np.repeat(np.arange(len(real_counts), dtype=np.int32), real_counts)  # the training text's words
    # Types are ordered by training count, so the common types are the first columns and the rare ones the last.
    common_end, rare_start = int(word_classes()["common"].sum()), int(np.argmax(word_classes()["rare"]))
    chains, m, r, vocabulary = config.chains, config.words_per_generation, config.real_words, len(real_counts)
    shape = (chains, config.generations)
    types, rare, common = (np.empty(shape, dtype=np.int64) for _ in range(3))
    expected = np.empty(shape)
    ranks = np.empty(shape + (len(RANKS),))
    offsets = np.arange(chains, dtype=np.int64)[:, None]
    counts = np.broadcast_to(real_counts, (chains, vocabulary))
    closed_form = _ClosedForm(m, r, p0)
    tokens = fixed = None
    for generation in range(config.generations):
        if generation == 0:
            expected[:, 0] = vocabulary
        elif generation == 1:  # drawn from generation 0's fit, p0 itself: all M words are real draws
            expected[:, 1] = expected_types(p0, m)
            tokens = real_tokens[rng.integers(0, len(real_tokens), (chains, m), dtype=np.int32)]
        else:
            expected[:, generation] = closed_form(counts, fixed if config.real_source == "fixed" else None)
            # drawing M words from a fit = drawing M of the words it was fitted on, with replacement
            previous = np.take_along_axis(tokens, rng.integers(0, m, (chains, m - r), dtype=np.int32), axis=1)
            if config.real_source == "fresh" or fixed is None:
                real = real_tokens[rng.integers(0, len(real_tokens), (chains, r), dtype=np.int32)]
                fixed = real if config.real_source == "fixed" else None
            else:
                real = fixed
            tokens = np.concatenate([real, previous], axis=1)
        if generation:
            counts = np.bincount((tokens + offsets * vocabulary).ravel(),
                                 minlength=chains * vocabulary).reshape(chains, vocabulary)
        types[:, generation] = np.count_nonzero(counts, axis=1)
        common[:, generation] = np.count_nonzero(counts[:, :common_end], axis=1)
        rare[:, generation] = np.count_nonzero(counts[:, rare_start:], axis=1)
        ranks[:, generation] = _rank_frequency(counts)
    return WordGameResult(config, seed, types, rare, common, expected, ranks)


class _ClosedForm:
    """E[types] of the next generation given each chain's counts over its M words: ``expected_types`` computed
    from a table of the terms per count (a count is an integer in 0..M), so a generation costs one gather."""

    def __init__(self, m: int, r: int, p0: np.ndarray):
        self.m, self.r = m, r
        # (M - R) ln(1 - c / M) for every count c, and R ln(1 - p0_w) for every type
        self.synthetic = _log_absent(np.arange(m + 1) / m, m - r)
        self.real = _log_absent(p0, r)
        self.fully_synthetic = -np.expm1(self.synthetic)

    def __call__(self, counts: np.ndarray, fixed: np.ndarray | None) -> np.ndarray:
        if fixed is not None:  # the kept real words are there for sure; the other types come from M - R draws
            held = np.zeros(counts.shape, dtype=bool)
            held[np.arange(len(counts))[:, None], fixed] = True
            drawn = np.where(held, 0.0, self.fully_synthetic[counts])
            return held.sum(axis=1) + drawn.sum(axis=1)
        if self.r == 0:
            return self.fully_synthetic[counts].sum(axis=1)
        return -np.expm1(self.synthetic[counts] + self.real).sum(axis=1)


def _rank_frequency(counts: np.ndarray) -> np.ndarray:
    """Each row's frequency (count / total) at the ranks ``RANKS``; 0 where a row has fewer types."""
    ordered = np.sort(counts, axis=1)  # ascending: rank k is column -k
    width = counts.shape[1]
    values = np.zeros((len(counts), len(RANKS)))
    for index, rank in enumerate(RANKS):
        if rank <= width:
            values[:, index] = ordered[:, width - rank]
    return values / counts.sum(axis=1, keepdims=True)
