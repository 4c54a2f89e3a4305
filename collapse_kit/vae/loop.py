"""The recursive loop: generation after generation, a fresh VAE trained on the previous generation's samples.

Generation 0 trains on real MNIST. Every later generation trains on a set of ``samples_per_generation`` images of
which a share ``real_fraction`` is real (drawn afresh from the training split) and the rest is synthetic, sampled
from the previous generation's model. With ``strategy="accumulate"`` each generation also keeps every earlier
generation's set (Gerstgrasser et al.). Used in lessons 03-08 and by ``collapse-kit run``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch

from ..core._validation import check_choice, check_digits, check_float, check_fraction, check_int
from ..core.cache import RunCache
from ..core.strategies import COMPUTE_BUDGETS, STRATEGIES, real_share
from ..core.torch_parts import resolve_device
from ..core.world import (
    GenerationsResult,
    WorldConfig,
    check_run_arguments,
    new_model,
    run_generations,
    stream_seed,
    weights,
)
from .data import random_images
from .generation import HEADLINE_METRICS, GenerationResult, measure
from .models import IMAGE_SHAPE, MODEL_KINDS, SAMPLE_MODES, VAE, make_model
from .training import train_vae


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
            more steps each generation) or "steps" (every generation trains the gradient steps generation 0 took,
            ``epochs * (N // batch_size)``: equal compute, as in Kazdan et al. 2024). Same thing under "replace".
        real_digits: the digits the real images of generation 1 on are drawn from, e.g. ``(0, 1, 2, 3, 4)`` (the
            real data's diversity, lesson 05); None: all ten. Generation 0 always trains on all ten.
    """

    generations: int = 6
    samples_per_generation: int = 10_000
    real_fraction: float = 0.0
    strategy: str = "replace"
    sample_mode: str = "mean"
    temperature: float = 1.0
    epochs: int = 20
    model: str = "mlp"
    batch_size: int = 512
    learning_rate: float = 1e-3
    metric_samples: int = 2000
    compute: str = "epochs"
    real_digits: tuple[int, ...] | None = None
    record = GenerationResult  # what one generation of this world produces (its columns)
    module = "vae/loop.py"  # this file: it and what it imports decide the cache key
    profiles = {
        "full": {},  # the defaults above
        "fast": {"generations": 4, "samples_per_generation": 4096, "batch_size": 128, "epochs": 8,
                 "metric_samples": 1000},
    }
    headline = HEADLINE_METRICS

    def __post_init__(self):
        check_choice("compute", self.compute, COMPUTE_BUDGETS)
        if self.real_digits is not None:  # a list (from JSON) becomes the same sorted tuple: equal configs compare equal
            object.__setattr__(self, "real_digits", check_digits("real_digits", self.real_digits))
        check_int("generations", self.generations, 1)
        check_int("batch_size", self.batch_size, 1)
        check_int("samples_per_generation", self.samples_per_generation, self.batch_size, 60_000)
        check_fraction("real_fraction", self.real_fraction)
        check_choice("strategy", self.strategy, STRATEGIES)
        check_choice("sample_mode", self.sample_mode, SAMPLE_MODES)
        check_float("temperature", self.temperature, 0.0, 10.0, exclusive_minimum=True)
        check_int("epochs", self.epochs, 1)
        check_choice("model", self.model, MODEL_KINDS)
        check_float("learning_rate", self.learning_rate, 0.0, 1.0, exclusive_minimum=True)
        check_int("metric_samples", self.metric_samples, 10, 10_000)

    @property
    def real_per_generation(self) -> int:
        """Real images in each new set from generation 1 on: round(real_fraction * N)."""
        return round(self.real_fraction * self.samples_per_generation)

    @property
    def real_images_used(self) -> int:
        """Real images the run draws in all (repeats counted): N, then the real share of each later set."""
        return self.samples_per_generation + (self.generations - 1) * self.real_per_generation

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
        if self.sample_mode == "bernoulli":
            real += f", Bernoulli samples at temperature {self.temperature:g}"
        return f"{real} / {self.strategy}" + (", equal steps" if self.compute == "steps" else "")

    def cost(self) -> int:
        """Images pushed through training over a whole run, roughly (the bundle's build runs the longest first)."""
        sets = (self.generations + 1) / 2 if self.strategy == "accumulate" and self.compute == "epochs" else 1
        return round(self.generations * self.samples_per_generation * self.epochs * sets)

    def run(self, seed: int = 0, **options) -> "ExperimentResult":
        """``run_experiment(self, seed, **options)``: how the runner and the bundle run any world's config."""
        return run_experiment(self, seed, **options)

    def new_model(self) -> VAE:
        """A fresh, untrained VAE of this setting's ``model`` kind."""
        return make_model(self.model)


class ExperimentResult(GenerationsResult):
    """A whole VAE run: its config and seed, and one GenerationResult per generation, in order (``metric``,
    ``table``, ``to_dict`` and ``model`` as every world's: ``world.GenerationsResult``)."""


def new_training_set(config: ExperimentConfig, seed: int, generation: int, previous: VAE | None) -> torch.Tensor:
    """The images generation ``generation`` adds: all real for generation 0, else real_fraction real + synthetic."""
    n = config.samples_per_generation
    real_count = n if generation == 0 else config.real_per_generation
    generator = torch.Generator().manual_seed(stream_seed(seed, generation, "real"))
    real = random_images("train", real_count, generator, config.real_digits if generation else None)
    if real_count == n:
        return real
    generator = torch.Generator().manual_seed(stream_seed(seed, generation, "synthetic"))
    synthetic = previous.sample(n - real_count, config.sample_mode, config.temperature, generator).cpu()
    return torch.cat([real, synthetic])


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
    Used in lessons 03, 04, 06, 07 (lesson 05 through the explorer, lesson 08 through ``evidence.bundle.evidence``).
    """
    config = ExperimentConfig() if config is None else config
    seed = check_run_arguments(config, ExperimentConfig, seed, on_generation)
    device = resolve_device(device)
    store = RunCache(cache_dir, dataclasses.asdict(config), seed, config.module, device) if cache else None
    sets: dict = {}  # accumulate: the buffer of every generation's set so far, built only when needed

    def train(generation, models):
        return _train_generation(config, seed, generation, models, sets, device, progress)

    return run_generations(config, seed, train, store=store, keep_models=keep_models, progress=progress,
                           on_generation=on_generation, result_type=ExperimentResult,
                           postfix=lambda entry: {"fid": f"{entry['fid']:.1f}",
                                                  "classes": int(entry["classes_covered"])})


def _train_generation(config, seed, generation, models, sets, device, progress) -> dict:
    """Train and evaluate one generation; ``models`` holds every earlier generation's model."""
    n = config.samples_per_generation
    if config.strategy == "replace":
        data = new_training_set(config, seed, generation, models[generation - 1] if generation else None)
    else:
        # One buffer for every generation's set, filled in place: generation g trains on a view of its first
        # (g + 1) * N images, so the growing training set is never copied (half the memory of concatenating).
        if "buffer" not in sets:
            sets["buffer"], sets["filled"] = torch.empty(config.generations * n, *IMAGE_SHAPE), 0
        for g in range(sets["filled"], generation + 1):
            sets["buffer"][g * n:(g + 1) * n] = new_training_set(config, seed, g, models[g - 1] if g else None)
        sets["filled"] = generation + 1
        data = sets["buffer"][:(generation + 1) * n]
    model = new_model(config, stream_seed(seed, generation, "init"))
    steps = config.epochs * (n // config.batch_size) if config.compute == "steps" else None
    training = train_vae(model, data, config.epochs, config.batch_size, config.learning_rate,
                         seed=stream_seed(seed, generation, "train"), device=device, progress=progress,
                         description=f"generation {generation}", steps=steps)
    model = model.cpu().eval()  # sampling and metrics run on the CPU: the same numbers on any device
    entry = {"model_state": weights(model), "train_size": len(data),
             "real_share": real_share(config.strategy, generation, n, config.real_per_generation),
             "loss_per_epoch": training.loss_per_epoch}
    entry.update(_evaluate(config, seed, generation, model, model if generation == 0 else models[0]))
    return entry
