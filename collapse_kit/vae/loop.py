"""The recursive loop: generation after generation, a fresh VAE trained on the previous generation's samples.

Generation 0 trains on real MNIST. Every later generation trains on a set of ``samples_per_generation`` images of
which a share ``real_fraction`` is real (drawn afresh from the training split) and the rest is synthetic, sampled
from the previous generation's model. With ``strategy="accumulate"`` each generation also keeps every earlier
generation's set (Gerstgrasser et al.). Generation 0 depends only on the seed and the model and training settings
(``GENERATION_0_FIELDS``), so its weights are trained once per seed and shared by every setting of the loop (cached on
their own).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch

from ..core._validation import (
    FRACTION,
    GENERATIONS,
    TEMPERATURE,
    Choice,
    Interval,
    Maybe,
    bounded,
    check_bounds,
    check_digits,
    check_int,
)
from ..core.cache import RunCache
from ..core.strategies import COMPUTE_BUDGETS, STRATEGIES
from ..core.torch_parts import resolve_device
from ..core.world import (
    GenerationsResult,
    WorldConfig,
    check_run_arguments,
    load_model,
    new_model,
    run_generations,
    stream_seed,
    weights,
)
from .generation import HEADLINE_METRICS, GenerationResult, measure
from .models import MODEL_KINDS, SAMPLE_MODES, VAE, make_model
from .training import train_vae
from .training_sets import real_share_of, training_set

STARTS = ("fresh", "fine-tune")  # how each generation after generation 0 starts (``ExperimentConfig.start``)
# What generation 0's weights depend on: trained once per seed for every setting that shares these.
GENERATION_0_FIELDS = ("generation_0_samples", "generation_0_epochs", "model", "batch_size", "learning_rate")


@dataclass(frozen=True)
class ExperimentConfig(WorldConfig):
    """One recursive-training experiment; everything that changes its numbers except the seed.

    Attributes:
        generations: models trained in sequence, generation 0 (all real) included; >= 1.
        samples_per_generation: N, images in each generation's new training set.
        real_fraction: share of each new set (generation 1 on) that is real MNIST, in [0, 1].
        strategy: "replace" (train on this generation's set only) or "accumulate" (all sets so far).
        sample_mode: "mean" (the decoder's mean image: grey pixels, no noise) or "bernoulli" (0/1 pixels).
        temperature: scale of the prior's std when sampling synthetic data (< 1: sampling bias).
        epochs: training epochs per generation.
        model: "mlp" (fast default) or "conv" (Shumailov et al.'s architecture).
        batch_size, learning_rate: Adam settings.
        metric_samples: synthetic and real test images used by the metrics of each generation.
        compute: "epochs" (every generation trains ``epochs`` passes over its own set, so an accumulating set costs
            more steps each generation) or "steps" (every generation from 1 on trains the gradient steps of ``epochs``
            passes over N images, ``epochs * (N // batch_size)``: equal compute, as in Kazdan et al. 2024). Same
            thing under "replace" (unless ``keep_first_set``).
        real_digits: the digits the real images of generation 1 on are drawn from, e.g. ``(0, 1, 2, 3, 4)`` (the
            real data's diversity, lesson 05); None: all ten. Generation 0 always trains on all ten.
        first_epochs: generation 0's training epochs (None: ``epochs``): a generation 0 that has learned (the
            bundle's, ``experiments.FIRST_EPOCHS``, has its test -ELBO within 1 nat of a run 4 times longer), with
            ``start="fine-tune"`` so that later generations are not handicapped against it.
        first_samples: generation 0's training set, in real images (None: ``samples_per_generation``): with
            ``first_epochs`` and ``start="fine-tune"``, every later generation fine-tunes one pre-trained model on
            sets of another size (C3 from the bundle's converged generation 0, as Shumailov et al. fine-tune one
            pre-trained model). "replace" only, without ``keep_first_set``.
        start: how each generation from 1 on starts: "fresh" (new random weights: Shumailov et al.'s VAE) or
            "fine-tune" (its predecessor's weights, then ``epochs`` more passes: as Shumailov et al. fine-tune
            their language model every generation).
        keep_first_set: whether each generation from 1 on also trains on generation 0's all-real set: None does
            what ``strategy`` does (replace: no; accumulate: yes); True with "replace" trains on it beside each
            new set; False with "accumulate" keeps every later set but not it (the synthetic sets only, when
            ``real_fraction`` is 0). The controls that tell keeping real data from keeping old synthetic data.
        real_pool: draw the real share of each generation from 1 on from one fixed pool of this many training
            images (of ``real_digits``), drawn once per seed, in a fresh order each generation and repeated as
            often as the share needs; None: fresh images from the whole split each generation. ``real_pool`` equal
            to the real share: the same images every generation (C5's fixed lifeline); a small pool at 50% real:
            the same dose of real data with less variety but every digit.
    """

    # Each field's bound is declared once, as data (``core._validation``): validation, the command line and the
    # explorer's sliders read it.
    generations: int = bounded(6, GENERATIONS)
    samples_per_generation: int = bounded(10_000, Interval(int, 1, 60_000))  # and >= batch_size (__post_init__)
    real_fraction: float = bounded(0.0, FRACTION)
    strategy: str = bounded("replace", Choice(STRATEGIES))
    sample_mode: str = bounded("mean", Choice(SAMPLE_MODES))
    temperature: float = bounded(1.0, TEMPERATURE)
    epochs: int = bounded(20, Interval(int, 1))
    model: str = bounded("mlp", Choice(MODEL_KINDS))
    batch_size: int = bounded(512, Interval(int, 1))
    learning_rate: float = bounded(1e-3, Interval(float, 0.0, 1.0, open_low=True))
    metric_samples: int = bounded(2000, Interval(int, 10, 10_000))
    compute: str = bounded("epochs", Choice(COMPUTE_BUDGETS))
    real_digits: tuple[int, ...] | None = None
    first_epochs: int | None = bounded(None, Maybe(Interval(int, 1)))
    first_samples: int | None = bounded(None, Maybe(Interval(int, 1, 60_000)))  # and >= batch_size
    start: str = bounded("fresh", Choice(STARTS))
    keep_first_set: bool | None = None
    real_pool: int | None = None
    record = GenerationResult  # what one generation of this world produces (its columns)
    module = "vae/loop.py"  # this file: it and what it imports decide the cache key
    profiles = {
        "full": {},  # the defaults above
        "fast": {"generations": 4, "samples_per_generation": 4096, "batch_size": 128, "epochs": 8,
                 "metric_samples": 1000},
    }
    headline = HEADLINE_METRICS

    def __post_init__(self):
        check_bounds(self)
        # a list (from JSON) becomes the same sorted tuple: equal configs compare equal
        if self.real_digits is not None:
            object.__setattr__(self, "real_digits", check_digits("real_digits", self.real_digits))
        check_int("samples_per_generation", self.samples_per_generation, self.batch_size, 60_000)
        if self.keep_first_set is not None:
            if not isinstance(self.keep_first_set, bool):
                raise TypeError(f"keep_first_set must be True, False or None, got {self.keep_first_set!r}")
            does = self.strategy == "accumulate"  # what the strategy does with generation 0's set on its own
            if self.keep_first_set == does:
                raise ValueError(f"keep_first_set must be None or {not does} with strategy={self.strategy!r} "
                                 f"({self.strategy} {'keeps' if does else 'drops'} generation 0's set already), "
                                 f"got {self.keep_first_set!r}")
        if self.first_samples is not None:
            check_int("first_samples", self.first_samples, self.batch_size, 60_000)
            if self.strategy != "replace" or self.keep_first_set is not None:
                raise ValueError(f"first_samples must be None unless strategy='replace' without keep_first_set (its "
                                 f"sets would differ in size), got {self.first_samples} with "
                                 f"strategy={self.strategy!r}, keep_first_set={self.keep_first_set!r}")
        if self.real_pool is not None:
            check_int("real_pool", self.real_pool, 1, 60_000)
            if self.real_per_generation == 0:
                raise ValueError(f"real_pool must be None when no real image is drawn after generation 0 "
                                 f"(real_fraction={self.real_fraction} of {self.samples_per_generation} images), "
                                 f"got {self.real_pool}")

    @property
    def generation_0_epochs(self) -> int:
        """Generation 0's training epochs: ``first_epochs``, else ``epochs``."""
        return self.epochs if self.first_epochs is None else self.first_epochs

    @property
    def generation_0_samples(self) -> int:
        """Generation 0's training set, in real images: ``first_samples``, else ``samples_per_generation``."""
        return self.samples_per_generation if self.first_samples is None else self.first_samples

    @property
    def real_per_generation(self) -> int:
        """Real images in each new set from generation 1 on: round(real_fraction * N)."""
        return round(self.real_fraction * self.samples_per_generation)

    @property
    def real_images_used(self) -> int:
        """Real images the run draws in all (repeats counted): N, then the real share of each later set."""
        return self.generation_0_samples + (self.generations - 1) * self.real_per_generation

    def label(self) -> str:
        """A short legend label of the setting, e.g. "real 50% / replace", "1 real image / replace",
        "real 0% / accumulate, equal steps" or "real 50% (digits 0-4) / replace". Used by the lessons' figures."""
        k = self.real_per_generation
        real = (f"{k} real image{'s' if k != 1 else ''}" if 0 < self.real_fraction < 0.05
                else f"real {self.real_fraction:.0%}")
        if self.real_digits is not None:
            digits = self.real_digits
            span = (f"{digits[0]}-{digits[-1]}" if digits == tuple(range(digits[0], digits[-1] + 1))
                    else ",".join(map(str, digits)))
            real += f" (digits {span})"
        if self.real_pool is not None:
            real += (" (the same each generation)" if self.real_pool == k
                     else f" (from a pool of {self.real_pool:,})")
        if self.sample_mode == "bernoulli":
            real += f", Bernoulli samples at temperature {self.temperature:g}"
        strategy = {(None, "replace"): "replace", (None, "accumulate"): "accumulate",
                    (True, "replace"): "replace + generation 0's set",
                    (False, "accumulate"): "accumulate, without generation 0's set"}[self.keep_first_set,
                                                                                      self.strategy]
        text = f"{real} / {strategy}" + (", equal steps" if self.compute == "steps" else "")
        if self.first_epochs is not None:
            text += f", generation 0 trained {self.first_epochs} epochs"
        if self.first_samples is not None:
            text += f" on {self.first_samples:,} images"
        return text + (", fine-tuned" if self.start == "fine-tune" else "")

    def cost(self) -> int:
        """Images pushed through training over a whole run, roughly (the bundle's build runs the longest first)."""
        sets = (self.generations + 1) / 2 if self.strategy == "accumulate" and self.compute == "epochs" else 1
        if self.keep_first_set and self.compute == "epochs":
            sets = 2
        later = self.generations * self.epochs * sets - self.epochs  # passes over N images, generation 0's apart
        return round(later * self.samples_per_generation + self.generation_0_epochs * self.generation_0_samples)

    def run(self, seed: int = 0, **options) -> "ExperimentResult":
        """``run_experiment(self, seed, **options)``: how the runner and the bundle run any world's config."""
        return run_experiment(self, seed, **options)

    def new_model(self) -> VAE:
        """A fresh, untrained VAE of this setting's ``model`` kind."""
        return make_model(self.model)


class ExperimentResult(GenerationsResult):
    """A whole VAE run: its config and seed, and one GenerationResult per generation, in order (``metric``,
    ``table``, ``to_dict`` and ``model`` as every world's: ``world.GenerationsResult``)."""


def _evaluate(config, seed, generation, model, gen0_model) -> dict:
    """Every measure of one trained generation (``generation.measure``), with this generation's own metric seed."""
    generator = torch.Generator().manual_seed(stream_seed(seed, generation, "metrics"))
    return measure(model, gen0_model, config.metric_samples, config.sample_mode, config.temperature, generator,
                   elbo_seed=generation)


def run_experiment(config: ExperimentConfig | None = None, seed: int = 0, *, cache: bool = True, cache_dir=None,
                   progress: bool = True, device: str = "auto", keep_models: bool = False,
                   on_generation=None) -> ExperimentResult:
    """Run (or load from the cache) one recursive-training experiment.

    Args:
        config: what to run (default: ``ExperimentConfig()``).
        seed: the same seed and config give the same numbers.
        cache: reuse and store finished generations on disk (an interrupted run resumes where it stopped).
        cache_dir: where (default ``$COLLAPSE_KIT_CACHE`` or ``~/.cache/collapse-kit``).
        progress: show progress bars.
        device: "auto" (CUDA if present), "cpu" or "cuda".
        keep_models: keep every generation's weights in the result (``result.model(g)``).
        on_generation: called as ``on_generation(record, generations)`` after each generation, trained or loaded
            (the explorer widget moves its progress bar with it).
    Returns:
        ExperimentResult with one GenerationResult per generation.
    """
    config = ExperimentConfig() if config is None else config
    seed = check_run_arguments(config, ExperimentConfig, seed, on_generation)
    device = resolve_device(device)
    store = RunCache(cache_dir, dataclasses.asdict(config), seed, config.module, device) if cache else None
    sets: dict = {}  # accumulate: the buffer of every generation's set so far, built only when needed

    def train(generation, models):
        return _train_generation(config, seed, generation, models, sets, device, progress, cache, cache_dir)

    return run_generations(config, seed, train, store=store, keep_models=keep_models, progress=progress,
                           on_generation=on_generation, result_type=ExperimentResult,
                           postfix=lambda entry: {"fid": f"{entry['fid']:.1f}",
                                                  "classes": int(entry["classes_covered"])})


def _generation_0(config, seed, data, device, progress, cache, cache_dir):
    """Generation 0's model and training losses: trained once per seed and ``GENERATION_0_FIELDS``, then shared
    by every setting through its own cache entry (the loop's settings differ only from generation 1 on)."""
    store = None
    if cache:
        shared = {"generation_0_of": {name: getattr(config, name) for name in GENERATION_0_FIELDS}}
        store = RunCache(cache_dir, shared, seed, config.module, device)
        stored = store.load(0, ("model_state", "loss_per_epoch"))
        if stored is not None:
            return load_model(config, stored["model_state"]), stored["loss_per_epoch"]
    model = new_model(config, stream_seed(seed, 0, "init"))
    training = train_vae(model, data, config.generation_0_epochs, config.batch_size, config.learning_rate,
                         seed=stream_seed(seed, 0, "train"), device=device, progress=progress,
                         description="generation 0")
    model = model.cpu().eval()  # sampling and metrics run on the CPU: the same numbers on any device
    if store is not None:
        store.save(0, {"model_state": weights(model), "loss_per_epoch": training.loss_per_epoch})
    return model, training.loss_per_epoch


def _train_generation(config, seed, generation, models, sets, device, progress, cache=False, cache_dir=None) -> dict:
    """Train (or, for generation 0, load the shared weights) and evaluate one generation; ``models`` holds every
    earlier generation's model."""
    n = config.samples_per_generation
    data = training_set(config, seed, generation, models, sets)
    if generation == 0:
        model, losses = _generation_0(config, seed, data, device, progress, cache, cache_dir)
    else:
        if config.start == "fine-tune":  # a copy of the predecessor's weights (its own model stays as it was)
            model = load_model(config, weights(models[generation - 1]))
        else:
            model = new_model(config, stream_seed(seed, generation, "init"))
        steps = config.epochs * (n // config.batch_size) if config.compute == "steps" else None
        training = train_vae(model, data, config.epochs, config.batch_size, config.learning_rate,
                             seed=stream_seed(seed, generation, "train"), device=device, progress=progress,
                             description=f"generation {generation}", steps=steps)
        model, losses = model.cpu().eval(), training.loss_per_epoch  # metrics run on the CPU: same numbers anywhere
    entry = {"model_state": weights(model), "train_size": len(data), "real_share": real_share_of(config, generation),
             "loss_per_epoch": losses}
    entry.update(_evaluate(config, seed, generation, model, model if generation == 0 else models[0]))
    return entry
