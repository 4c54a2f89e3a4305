"""The text loop: generation after generation, a fresh character model trained on the previous model's text.

Generation 0 trains on ``passages`` real passages of Shakespeare (``passage_length`` characters each, each from the
start of a speech, drawn from the training split). Every later generation trains on as many passages, of which a
share ``real_fraction`` is real (drawn afresh) and the rest is sampled from the previous generation's model at
``temperature`` (and ``top_k``). With ``strategy="accumulate"`` each generation also keeps every earlier generation's
passages (Gerstgrasser et al.). Each generation starts from new weights, or with ``start`` from an earlier
generation's, fine-tuned (closer to Shumailov et al.'s fine-tuned OPT-125m). The VAE loop's (``loop.py``) design, for
text: same knobs, same seeding, same cache. Generation 0 depends only on the seed and the model and training
settings, so it is trained once per seed and reused by every setting of the loop (its weights are cached on their
own). For lesson 09.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from ..core import _validation, world
from ..core._validation import FRACTION, GENERATIONS, TEMPERATURE, Choice, Interval, Maybe, bounded
from ..core.cache import RunCache
from ..core.strategies import COMPUTE_BUDGETS, STRATEGIES, real_share
from ..core.torch_parts import resolve_device
from .data import passage_starts, real_passages
from .generation import TextGenerationResult
from .metrics import bits_per_character, passage_perplexities, shares_of_real, word_class_bits, word_measures
from .models import VOCABULARY, CharMLP, LetterChain
from .training import train_char_model

SHOWN_PASSAGES = 8  # sampled passages kept per generation for reading
CHAIN_STREAM = 5  # the letter chain's random stream, [seed, 0, 5]: past the purposes a generation draws (PURPOSES)
# Where a generation's training starts: new weights, or a copy of the previous or of generation 0's model to fine-tune
# ("fresh" and "fine-tune" as in the VAE world's ExperimentConfig.start).
STARTS = ("fresh", "fine-tune", "fine-tune-first")
# What generation 0's weights depend on: its model is trained once per seed for every setting sharing these.
GENERATION_0_FIELDS = ("passages", "passage_length", "epochs", "context", "embedding", "hidden", "batch_size",
                       "learning_rate")


@dataclass(frozen=True)
class TextConfig(world.WorldConfig):
    """One recursive-training experiment of the language model; everything that changes its numbers but the seed.

    Attributes:
        generations: models trained in sequence, generation 0 (all real) included; >= 1.
        passages: passages in each generation's new training set.
        passage_length: characters in each passage.
        real_fraction: share of each new set's passages (generation 1 on) that is real text, in [0, 1].
        strategy: "replace" (train on this generation's set only) or "accumulate" (all sets so far).
        temperature: sampling temperature of the synthetic text (< 1: likelier characters favoured).
        top_k: sample among the top_k likeliest characters only (None: all 65).
        compute: "epochs" (every generation trains ``epochs`` passes over its own set, so an accumulating set costs
            more steps each generation) or "steps" (every generation trains generation 0's gradient steps: equal
            compute). Same thing under "replace".
        start: where each generation from 1 on starts training: "fresh" (new random weights, the loop's default),
            "fine-tune" (a copy of the previous generation's model, trained on the new set) or "fine-tune-first" (a
            copy of generation 0's model, as Shumailov et al. fine-tune their first model anew each generation).
        epochs: passes over a generation's training set.
        context, embedding, hidden: the character MLP's size (``text_models.CharMLP``).
        batch_size, learning_rate: Adam's batch and its starting learning rate (it falls linearly to 0 over a
            generation's steps).
        metric_passages: passages sampled from each generation's model for its measures; at most the test split's
            non-overlapping passages of ``passage_length`` (150 of 256 characters): the samples' coverage is read
            against real test text of the same size.
    """

    # Each field's bound is declared once, as data (``core._validation``): validation, the command line and the
    # explorer's sliders read it; the bounds that depend on the text (passages, metric_passages, batch_size) are
    # checked after them.
    generations: int = bounded(6, GENERATIONS)
    passages: int = bounded(1024, Interval(int, 1))
    passage_length: int = bounded(256, Interval(int, 16, 4096))
    real_fraction: float = bounded(0.0, FRACTION)
    strategy: str = bounded("replace", Choice(STRATEGIES))
    temperature: float = bounded(1.0, TEMPERATURE)
    top_k: int | None = bounded(None, Maybe(Interval(int, 1, VOCABULARY)))
    compute: str = bounded("epochs", Choice(COMPUTE_BUDGETS))
    start: str = bounded("fresh", Choice(STARTS))
    epochs: int = bounded(1, Interval(int, 1))
    context: int = bounded(8, Interval(int, 1, 64))
    embedding: int = bounded(16, Interval(int, 1, 256))
    hidden: int = bounded(256, Interval(int, 1, 4096))
    batch_size: int = bounded(512, Interval(int, 1))
    learning_rate: float = bounded(1e-2, Interval(float, 0.0, 1.0, open_low=True))
    metric_passages: int = bounded(128, Interval(int, 1))
    record = TextGenerationResult  # what one generation of this world produces (its columns)
    module = "text/loop.py"  # this file: it and what it imports decide the cache key
    profiles = {
        "full": {},  # the defaults above
        "fast": {"generations": 3, "passages": 256, "epochs": 2, "metric_passages": 64},
    }
    headline = ("test_bits_per_character", "distinct_words", "rare_coverage", "invented_share")

    def __post_init__(self):
        _validation.check_bounds(self)
        available = len(passage_starts("train", self.passage_length))
        if self.passages > available:
            raise ValueError(f"passages must be <= {available}, the training text's non-overlapping passages of "
                             f"{self.passage_length} characters, got {self.passages}")
        _validation.check_int("batch_size", self.batch_size, 1, self.characters_per_generation)
        held_out = len(passage_starts("test", self.passage_length))
        if self.metric_passages > held_out:
            raise ValueError(f"metric_passages must be <= {held_out}, the test text's non-overlapping passages of "
                             f"{self.passage_length} characters (the real text the samples are read against), got "
                             f"{self.metric_passages}")

    @property
    def characters_per_generation(self) -> int:
        """Characters in each generation's new training set: passages x passage_length."""
        return self.passages * self.passage_length

    @property
    def real_per_generation(self) -> int:
        """Real passages in each new set from generation 1 on: round(real_fraction * passages)."""
        return round(self.real_fraction * self.passages)

    def label(self) -> str:
        """A short legend label, e.g. "real 10% / replace, temperature 0.8". Used by the lessons' figures."""
        text = f"real {self.real_fraction:.0%} / {self.strategy}"
        if self.temperature != 1.0:
            text += f", temperature {self.temperature:g}"
        if self.top_k is not None:
            text += f", top-{self.top_k}"
        text += ", equal steps" if self.compute == "steps" else ""
        return text + {"fresh": "", "fine-tune": ", fine-tuned", "fine-tune-first": ", fine-tuned from generation 0"}[
            self.start]

    def run(self, seed: int = 0, **options) -> "TextResult":
        """``run_text_experiment(self, seed, **options)``: how the runner and the bundle run any world's config."""
        return run_text_experiment(self, seed, **options)

    def new_model(self) -> CharMLP:
        """A fresh, untrained character model of this setting's size."""
        return CharMLP(self.context, self.embedding, self.hidden)


class TextResult(world.GenerationsResult):
    """A whole run of the language model: its config and seed, and one TextGenerationResult per generation, in
    order (``metric``, ``table``, ``to_dict`` and ``model`` as every world's: ``world.GenerationsResult``)."""


def new_passages(config: TextConfig, seed: int, generation: int, previous: CharMLP | None) -> torch.Tensor:
    """The passages generation ``generation`` adds, codes uint8 (passages, passage_length): all real for generation
    0, else ``real_per_generation`` real ones, then text sampled from ``previous``."""
    count = config.passages if generation == 0 else config.real_per_generation
    stream = np.random.default_rng(world.stream_seed(seed, generation, "real"))
    real = torch.from_numpy(real_passages(count, config.passage_length, stream))
    if count == config.passages:
        return real
    generator = torch.Generator().manual_seed(world.stream_seed(seed, generation, "synthetic"))
    synthetic = previous.sample(config.passages - count, config.passage_length, config.temperature, config.top_k,
                                generator)
    return torch.cat([real, synthetic])


def run_text_experiment(config: TextConfig | None = None, seed: int = 0, *, cache: bool = True, cache_dir=None,
                        progress: bool = True, device: str = "auto", keep_models: bool = False,
                        on_generation=None, threads: int | None = 1) -> TextResult:
    """Run (or load from the cache) one recursive-training experiment of the language model.

    Args as for ``loop.run_experiment``: ``cache`` reuses and stores finished generations (and generation 0's
    weights, shared by every setting with the same seed and model) in ``cache_dir``; ``device`` trains there
    (sampling and measures run on the CPU); ``keep_models`` keeps every generation's weights; ``on_generation``
    is called as ``on_generation(record, generations)`` after each generation.
    ``threads``: torch's CPU threads while the loop runs (the caller's setting comes back after); None leaves it.
    One by default: the loop's products are small and its steps many, so a second thread mostly waits (the measured
    times are in bench/README.md, "The language model"), and one thread gives the same bits whatever the machine's
    core count.
    Returns:
        TextResult with one TextGenerationResult per generation. For lesson 09.
    """
    config = TextConfig() if config is None else config
    seed = world.check_run_arguments(config, TextConfig, seed, on_generation)
    device = resolve_device(device)
    if threads is None:
        return _run(config, seed, cache, cache_dir, progress, device, keep_models, on_generation)
    previous = torch.get_num_threads()
    torch.set_num_threads(_validation.check_int("threads", threads, 1))
    try:
        return _run(config, seed, cache, cache_dir, progress, device, keep_models, on_generation)
    finally:
        torch.set_num_threads(previous)


def _run(config, seed, cache, cache_dir, progress, device, keep_models, on_generation) -> TextResult:
    """``run_text_experiment`` once its arguments are checked: every generation, loaded or trained."""
    store = RunCache(cache_dir, dataclasses.asdict(config), seed, config.module, device) if cache else None
    sets: list[torch.Tensor] = []  # accumulate: every generation's passages so far, built only when needed

    def train(generation, models):
        return _train_generation(config, seed, generation, models, sets, device, progress, cache, cache_dir)

    return world.run_generations(config, seed, train, store=store, keep_models=keep_models, progress=progress,
                                 on_generation=on_generation, result_type=TextResult,
                                 postfix=lambda entry: {"bits": f"{entry['test_bits_per_character']:.3f}",
                                                        "words": int(entry["distinct_words"])})


def _train_generation(config, seed, generation, models, sets, device, progress, cache, cache_dir) -> dict:
    """Train (or, for generation 0, load the shared weights) and measure one generation."""
    if config.strategy == "replace":
        data = new_passages(config, seed, generation, models[-1] if generation else None)
    else:
        for g in range(len(sets), generation + 1):  # rebuilt after a resume from the cached models
            sets.append(new_passages(config, seed, g, models[g - 1] if g else None))
        data = torch.cat(sets[:generation + 1])
    gen0_store = None
    if generation == 0 and cache:
        shared = {"generation_0_of": {name: getattr(config, name) for name in GENERATION_0_FIELDS}}
        gen0_store = RunCache(cache_dir, shared, seed, config.module, device)
        stored = gen0_store.load(0, ("model_state", "loss_per_epoch"))
        if stored is not None:
            return _measure(config, seed, 0, world.load_model(config, stored["model_state"]), None, data,
                            stored["loss_per_epoch"])
    if generation and config.start != "fresh":  # fine-tune a copy of an earlier generation's model
        model = world.load_model(config, world.weights(models[-1] if config.start == "fine-tune" else models[0]))
    else:
        model = world.new_model(config, world.stream_seed(seed, generation, "init"))
    steps = None
    if config.compute == "steps":
        steps = config.epochs * (config.characters_per_generation // config.batch_size)
    training = train_char_model(model, data, config.epochs, config.batch_size, config.learning_rate,
                                seed=world.stream_seed(seed, generation, "train"), device=device, progress=progress,
                                description=f"generation {generation}", steps=steps)
    model = model.cpu().eval()  # sampling and measures run on the CPU: the same numbers on any device
    if gen0_store is not None:
        gen0_store.save(0, {"model_state": world.weights(model), "loss_per_epoch": training.loss_per_epoch})
    return _measure(config, seed, generation, model, models[0] if generation else None, data,
                    training.loss_per_epoch)


def letter_chain_measures(config: TextConfig, seed: int, order: int = 2) -> dict:
    """The no-skill floor of ``config``'s measures for one seed: a letter chain (``models.LetterChain``, ``order``
    characters of context) fitted to the very passages generation 0 trains on, sampled to a generation's measured
    size (``metric_passages`` passages of ``passage_length`` characters, from a random stream no generation draws)
    and measured as a generation is: its word measures, their shares of real text's and its bits per character of
    the real test text, overall and on rare and common words. ``scripts/build_text_baseline.py`` ships them for
    seeds 0-9 (``metrics.letter_chain_floor``). For lesson 09.
    """
    _validation.check_int("seed", seed, 0)
    chain = LetterChain(new_passages(config, seed, 0, None), order)
    stream = np.random.default_rng([seed, 0, CHAIN_STREAM])
    samples = chain.sample(config.metric_passages, config.passage_length, stream)
    measures = {key: value for key, value in word_measures(samples).items() if key != "rank_frequency"}
    return {**measures, **shares_of_real(measures, config.metric_passages, config.passage_length, seed),
            "test_bits_per_character": bits_per_character(chain, "test"), **word_class_bits(chain, "test")}


def _measure(config, seed, generation, model, gen0_model, data, losses) -> dict:
    """The cache entry of one trained generation: its weights, training record and measures."""
    generator = torch.Generator().manual_seed(world.stream_seed(seed, generation, "metrics"))
    samples = model.sample(config.metric_passages, config.passage_length, config.temperature, config.top_k,
                           generator)
    measures = word_measures(samples)
    return {"model_state": world.weights(model), "train_size": data.numel(),
            "real_share": real_share(config.strategy, generation, config.passages, config.real_per_generation),
            "loss_per_epoch": list(losses),
            "test_bits_per_character": bits_per_character(model, "test"), **word_class_bits(model, "test"),
            "sample_perplexity_gen0": passage_perplexities(gen0_model or model, samples),
            **measures, **shares_of_real(measures, config.metric_passages, config.passage_length, seed),
            "samples": samples[:SHOWN_PASSAGES].numpy()}
