"""Studies built from the recursive loop: sweeps, the real-data reference, the temperature trade-off, data policies.

Each is a seeded function returning plain data; the plots module draws them. Used in lessons 04-08 and by
``collapse-kit sweep``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from . import metrics
from ._validation import check_choice, check_float, check_int
from .classifier import classify
from .data import load_mnist, random_images
from .loop import STRATEGIES, ExperimentConfig, ExperimentResult
from .models import VAE
from .profiles import profile_config
from .runner import run_runs


def run_sweep(real_fractions=(0.0, 0.5, 1.0), strategies=("replace",), base: ExperimentConfig | None = None,
              seed: int = 0, *, seeds=None, workers: int = 1, client=None, **run_options) -> list[ExperimentResult]:
    """One experiment per (strategy, real fraction, seed), in that order; ``base`` sets everything else.

    Args:
        seed, seeds: one seed, or several (``seeds=range(10)``: each setting over 10 seeds).
        workers, client: run in parallel, on this machine or a Dask cluster (``runner.run_runs``).
        run_options: cache, cache_dir, progress, device (as in ``run_experiment``).
    Used in lessons 05-07 and by ``collapse-kit sweep``.
    """
    base = profile_config() if base is None else base
    if not isinstance(base, ExperimentConfig):
        raise TypeError(f"base must be an ExperimentConfig, got {type(base).__name__}")
    real_fractions, strategies = list(real_fractions), list(strategies)
    seeds = [seed] if seeds is None else list(seeds)
    if not real_fractions or not strategies or not seeds:
        raise ValueError(f"real_fractions, strategies and seeds must not be empty, got {real_fractions}, "
                         f"{strategies} and {seeds}")
    for strategy in strategies:
        check_choice("strategy", strategy, STRATEGIES)
    runs = [(base.replace(real_fraction=float(f), strategy=s), seed_) for s in strategies for f in real_fractions
            for seed_ in seeds]
    return run_runs(runs, workers=workers, client=client, **run_options)


def final_metric(results: list[ExperimentResult], name: str) -> np.ndarray:
    """The last generation's value of metric ``name`` for each run, in order. Used in lesson 05."""
    return np.array([result.metric(name)[-1] for result in results])


def real_data_scores(metric_samples: int = 2000, seed: int = 0) -> dict:
    """What a perfect generator would score: real training images measured exactly like a generation's samples.

    Returns fid, precision, recall, class_entropy, classes_covered and pixel_diversity of ``metric_samples`` random
    training images against the first ``metric_samples`` test images. Used in lesson 04.
    """
    count = check_int("metric_samples", metric_samples, 10, 10_000)
    generator = torch.Generator().manual_seed(check_int("seed", seed, 0))
    images = random_images("train", count, generator)
    _, real_features = classify(load_mnist("test", limit=count).images)
    scores = metrics.classifier_scores(*classify(images), real_features)
    del scores["class_histogram"]
    return {**scores, "pixel_diversity": metrics.pixel_diversity(images)}


@dataclass
class Tradeoff:
    """Precision and recall of one model's samples at each sampling temperature (lesson 07)."""

    temperatures: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    sample_mode: str


def sampling_tradeoff(model: VAE, temperatures=(1.0, 0.8, 0.6, 0.4), sample_mode: str = "bernoulli",
                      count: int = 1000, seed: int = 0) -> Tradeoff:
    """k-NN precision and recall of ``count`` samples drawn at each temperature, against real test images.

    Lower temperature is the sampling bias of Alemohammad et al.: samples stay near the prior's centre, so they
    look typical (precision holds or rises) but cover less of the data (recall falls). Used in lesson 07.
    """
    count = check_int("count", count, 10, 10_000)
    temperatures = np.array([check_float("temperature", t, 0.0, 10.0, exclusive_minimum=True) for t in temperatures])
    real = classify(load_mnist("test", limit=count).images)[1]
    precision, recall = [], []
    for temperature in temperatures:
        generator = torch.Generator().manual_seed(check_int("seed", seed, 0))
        samples = model.sample(count, sample_mode, float(temperature), generator)
        p, r = metrics.direction_precision_recall(real, classify(samples)[1])
        precision.append(p)
        recall.append(r)
    return Tradeoff(temperatures, np.array(precision), np.array(recall), sample_mode)


@dataclass(frozen=True)
class PolicyBounds:
    """What the capstone (lesson 08) asks of a data policy after the last generation.

    Attributes:
        max_real_images: real images the whole run may draw (generation 0 included).
        min_classes: digits the last generation must still cover.
        min_latent_ratio: the last generation's latent std over generation 0's, at least.
    """

    max_real_images: int
    min_classes: int = 9
    min_latent_ratio: float = 0.7


def policy_report(result: ExperimentResult, bounds: PolicyBounds) -> dict:
    """Does a run meet the bounds? Each bound's value, limit and verdict, plus ``passed`` and the compute spent.

    ``training_images`` counts every image the run trained on, epochs included: the compute price of a policy.
    Used in lesson 08.
    """
    config = result.config
    last, first = result.generations[-1], result.generations[0]
    ratio = last.latent_std / first.latent_std if first.latent_std > 0 else 0.0
    real = config.real_images_used
    rows = {
        "real_images": (real, bounds.max_real_images, real <= bounds.max_real_images),
        "classes_covered": (last.classes_covered, bounds.min_classes, last.classes_covered >= bounds.min_classes),
        "latent_ratio": (round(ratio, 3), bounds.min_latent_ratio, ratio >= bounds.min_latent_ratio),
    }
    return {"policy": f"real_fraction={config.real_fraction:g}, strategy={config.strategy}",
            "checks": {name: {"value": v, "limit": limit, "ok": bool(ok)} for name, (v, limit, ok) in rows.items()},
            "passed": all(ok for _, _, ok in rows.values()),
            "training_images": int(sum(record.train_size for record in result.generations) * config.epochs)}
