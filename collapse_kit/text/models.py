"""The text world's language model: a character-level MLP on the last few characters (Bengio et al. 2003).

The model reads the codes of the last ``context`` characters, looks up an ``embedding``-wide vector for each,
concatenates them, and maps them through one hidden layer of ``hidden`` ReLU units to 65 logits, the scores of the
next character. Bengio et al. used tanh units; on this course's 2-core CPU torch's in-place tanh of a 512 x 256 batch
took 727 microseconds against a ReLU's 47 (one thread, measured), 7% of a training step. Before a passage begins,
the context is filled with newlines: a passage starts as a speech does, after a blank line.

Why this model: its trainer (``text_training``) ran at 80,000 characters per second on one core of the course's
2-core AMD EPYC (174,000 on two; ``bench/benchmark.py --text``), and it samples a thousand passages side by side, one
character per step for all of them, so six generations of train, sample and measure took 22 s (measured): a lesson's
minute holds them. Issue 16's probe of a 2-layer character transformer trained at 23,000 tokens per second on such a
machine.

What it costs: it sees 8 characters and nothing before them. It learns spelling, short words and the look of a
speech (a name in capitals, a colon, short lines), but no grammar beyond a word or two, no long-range structure, no
plot: its text is Shakespeare-shaped nonsense from generation 0 on, and the measures (bits per character of real
text, the words it spells) tell how much worse each generation gets. For lesson 09.

Bengio, Ducharme, Vincent, Jauvin, "A Neural Probabilistic Language Model", JMLR 3 (2003) 1137-1155.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ..core._validation import check_float, check_int
from .data import NEWLINE_CODE

VOCABULARY = 65  # the characters of Tiny Shakespeare (``text_data.characters()``)


def check_sizes(context: int, embedding: int, hidden: int) -> tuple[int, int, int]:
    """The model's sizes, each checked by name: context 1-64 characters, embedding 1-256, hidden 1-4096 units."""
    return (check_int("context", context, 1, 64), check_int("embedding", embedding, 1, 256),
            check_int("hidden", hidden, 1, 4096))


class CharMLP(nn.Module):
    """P(next character | last ``context`` characters): embeddings -> ReLU hidden layer -> 65 logits.

    Args:
        context: characters the model sees, k.
        embedding: width of each character's vector.
        hidden: ReLU units.
    """

    def __init__(self, context: int = 8, embedding: int = 16, hidden: int = 256):
        super().__init__()
        self.context = check_sizes(context, embedding, hidden)[0]
        self.embedding = nn.Embedding(VOCABULARY, embedding)
        self.hidden = nn.Linear(context * embedding, hidden)
        self.output = nn.Linear(hidden, VOCABULARY)
        with torch.no_grad():  # small first logits: the untrained model is near uniform (ln 65 = 4.17 nats)
            self.output.weight.mul_(0.1)
            self.output.bias.zero_()

    def forward(self, contexts: torch.Tensor) -> torch.Tensor:
        """Logits (n, 65) of the next character after each row of ``contexts`` (n, k) character codes."""
        vectors = self.embedding(contexts.long()).reshape(len(contexts), -1)
        return self.output(torch.relu(self.hidden(vectors)))

    def hidden_table(self) -> torch.Tensor:
        """The hidden layer's input from each character at each context position, (context, 65, hidden): row
        [j, c] is what character c at position j adds to the hidden units (its embedding times the layer's
        weights). Inference sums ``context`` rows instead of multiplying a matrix: 2 to 4 times faster sampling."""
        weight = self.hidden.weight.view(self.hidden.out_features, self.context, -1)  # (hidden, context, embedding)
        table = torch.matmul(self.embedding.weight, weight.permute(1, 2, 0))
        table[0] += self.hidden.bias  # the bias, added once through the first position's rows
        return table

    def _logits_from_table(self, table: torch.Tensor, contexts: torch.Tensor) -> torch.Tensor:
        """``forward(contexts)`` computed through ``hidden_table()`` (equal up to float rounding)."""
        rows = contexts.long() + torch.arange(self.context, device=contexts.device) * VOCABULARY
        summed = nn.functional.embedding_bag(rows, table.reshape(-1, table.shape[-1]), mode="sum")
        return self.output(summed.relu_())

    @torch.no_grad()
    def nats_per_character(self, passages: torch.Tensor, chunk: int = 8192) -> torch.Tensor:
        """Each passage's mean negative log-likelihood, nats per character, (P,), each passage read from its start
        (newline context). Perplexity is its exp; bits per character is it / ln 2."""
        return self.character_nats(passages, chunk).mean(dim=1)

    @torch.no_grad()
    def character_nats(self, passages: torch.Tensor, chunk: int = 8192) -> torch.Tensor:
        """The negative log-likelihood of every character of ``passages`` (P, L), nats, (P, L), each passage read
        from its start (newline context)."""
        windows = contexts_and_targets(passages, self.context)
        table = self.hidden_table()
        losses = torch.empty(len(windows))
        for start in range(0, len(windows), chunk):
            part = windows[start:start + chunk].long()
            logits = self._logits_from_table(table, part[:, :-1])
            losses[start:start + chunk] = nn.functional.cross_entropy(logits, part[:, -1], reduction="none")
        return losses.reshape(passages.shape)

    @torch.no_grad()
    def sample(self, count: int, length: int, temperature: float = 1.0, top_k: int | None = None,
               generator: torch.Generator | None = None) -> torch.Tensor:
        """``count`` passages of ``length`` characters, codes uint8 (count, length), all drawn side by side.

        Args:
            temperature: logits are divided by it (< 1: the likelier characters get likelier: sampling bias).
            top_k: draw among the ``top_k`` likeliest characters only (None: all 65).
            generator: the draws' random stream (same generator state, same passages).
        For lesson 09 through the text loop.
        """
        check_int("count", count, 1)
        check_int("length", length, 1)
        temperature = check_float("temperature", temperature, 0.0, 10.0, exclusive_minimum=True)
        if top_k is not None:
            check_int("top_k", top_k, 1, VOCABULARY)
        table = self.hidden_table()
        device = table.device
        # the passages after ``context`` newlines; position t's context is columns t .. t + context - 1
        text = torch.full((count, self.context + length), NEWLINE_CODE, dtype=torch.long, device=device)
        for position in range(length):
            logits = self._logits_from_table(table, text[:, position:position + self.context])
            if top_k is not None and top_k < VOCABULARY:
                threshold = logits.topk(top_k, dim=1).values[:, -1:]
                logits = logits.masked_fill(logits < threshold, -math.inf)
            text[:, self.context + position] = _draw(logits.div_(temperature), generator)
        return text[:, self.context:].to(torch.uint8)


class LetterChain:
    """The no-skill baseline: a letter n-gram chain, P(next character | last ``order`` characters) read off counts.

    It stores which character followed each run of ``order`` characters in its training passages (each read from
    its start, after newlines, as ``CharMLP`` reads them) and nothing else: with ``order=2`` no word longer than
    three letters can be stored, so any long word it writes is spelled by chance. Counts are smoothed towards the
    chain one character shorter (down to the characters' own frequencies, plus one each): P_k(c | h) =
    (N(h, c) + prior P_{k-1}(c | h without its first character)) / (N(h) + prior), so unseen pairs keep a small
    probability and real test text has a finite score. What a measure reaches under this chain is the floor a
    model that stores no words reaches (lesson 09; ``metrics.letter_chain_floor``).

    Args:
        passages: the training passages, codes (P, L).
        order: characters of context, 1-3 (the counts take 65 ** (order + 1) numbers).
        prior: the weight of the shorter chain in each count, > 0. The default, 10, scored the validation split
            best among 1, 3, 10, 30, 100 and 300 (order 2, generation 0's passages of seeds 0-2: 2.909-2.925 bits per
            character, against 2.929-2.950 at 1).
    """

    def __init__(self, passages, order: int = 2, prior: float = 10.0):
        self.order = check_int("order", order, 1, 3)
        self.prior = check_float("prior", prior, 0.0, 1e6, exclusive_minimum=True)
        windows = contexts_and_targets(torch.as_tensor(np.asarray(passages)), order).numpy().astype(np.int64)
        target = windows[:, -1]
        probabilities = (np.bincount(target, minlength=VOCABULARY) + 1.0) / (len(target) + VOCABULARY)
        for k in range(1, order + 1):  # contexts of k characters, the last k before each target
            context = np.zeros(len(windows), dtype=np.int64)
            for column in range(order - k, order):
                context = context * VOCABULARY + windows[:, column]
            counts = np.bincount(context * VOCABULARY + target, minlength=VOCABULARY ** (k + 1)).astype(float)
            counts = counts.reshape(VOCABULARY ** k, VOCABULARY)
            shorter = np.tile(probabilities.reshape(-1, VOCABULARY), (VOCABULARY, 1))  # row h -> h without its first
            probabilities = (counts + self.prior * shorter) / (counts.sum(axis=1, keepdims=True) + self.prior)
        self.probabilities = probabilities  # (65 ** order, 65), each row sums to 1

    def _contexts(self, windows: np.ndarray) -> np.ndarray:
        context = np.zeros(len(windows), dtype=np.int64)
        for column in range(self.order):
            context = context * VOCABULARY + windows[:, column]
        return context

    def character_nats(self, passages) -> torch.Tensor:
        """The negative log-likelihood of every character of ``passages`` (P, L), nats, float64 (P, L), each passage
        read from its start (newline context), as ``CharMLP.character_nats``."""
        passages = torch.as_tensor(np.asarray(passages))
        windows = contexts_and_targets(passages, self.order).numpy().astype(np.int64)
        nats = -np.log(self.probabilities[self._contexts(windows), windows[:, -1]])
        return torch.from_numpy(nats.reshape(tuple(passages.shape)))

    def nats_per_character(self, passages) -> torch.Tensor:
        """Each passage's mean negative log-likelihood, nats per character, (P,)."""
        return self.character_nats(passages).mean(dim=1)

    def sample(self, count: int, length: int, rng: np.random.Generator) -> np.ndarray:
        """``count`` passages of ``length`` characters drawn from the chain, codes uint8 (count, length), each
        started after newlines as ``CharMLP.sample``'s are; ``rng`` is the draws' random stream."""
        check_int("count", count, 1)
        check_int("length", length, 1)
        cumulative = np.cumsum(self.probabilities, axis=1)
        context = np.full(count, NEWLINE_CODE * sum(VOCABULARY ** j for j in range(self.order)), dtype=np.int64)
        text = np.empty((count, length), dtype=np.uint8)
        for position in range(length):
            rows = cumulative[context]
            drawn = np.minimum((rows < rng.random((count, 1)) * rows[:, -1:]).sum(axis=1), VOCABULARY - 1)
            text[:, position] = drawn
            context = (context * VOCABULARY + drawn) % VOCABULARY ** self.order
        return text


def _draw(logits: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """One category per row, drawn with probabilities softmax(logits), by inverting the cumulative sum with one
    uniform number per row (``torch.multinomial`` draws one exponential per category: 65 times the random numbers,
    a third of sampling's time)."""
    weights = logits.sub_(logits.amax(dim=1, keepdim=True)).exp_()  # unnormalised: the total scales the uniform
    cumulative = weights.cumsum_(dim=1)
    uniform = torch.rand((len(logits), 1), generator=generator, device=logits.device).mul_(cumulative[:, -1:])
    # right=True: the first category whose cumulative weight exceeds the draw, never one of weight 0
    return torch.searchsorted(cumulative, uniform, right=True)[:, 0].clamp_(max=logits.shape[1] - 1)


def contexts_and_targets(passages: torch.Tensor, context: int) -> torch.Tensor:
    """Every (context, next character) pair of ``passages`` (P, L) as rows (P * L, context + 1) of uint8 codes: the
    ``context`` characters before each position (newlines before the passage's start), then the character there."""
    if passages.ndim != 2:
        raise ValueError(f"passages must be a (passages, characters) array of codes, got shape {tuple(passages.shape)}")
    padded = torch.cat([torch.full((len(passages), context), NEWLINE_CODE, dtype=torch.uint8),
                        passages.to(torch.uint8).cpu()], dim=1)
    return padded.unfold(1, context + 1, 1).reshape(-1, context + 1)
