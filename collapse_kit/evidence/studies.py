"""Studies built from the recursive loop: sweeps, the real-data reference, what the metrics see, the temperature
trade-off, data policies.

Each is a seeded function returning plain data; the plots module draws them. (Verdicts live in ``claims``.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..core._validation import check_choice, check_float, check_int
from ..core.runner import run_runs
from ..core.strategies import STRATEGIES
from ..vae import metrics
from ..vae.classifier import classify, load_classifier, real_test_features
from ..vae.data import random_images
from ..vae.loop import ExperimentConfig, ExperimentResult
from ..vae.models import VAE
from . import bundle, margins
from . import experiments as ex
from .bundle import Band
from .stats import Verdict, compare


def run_sweep(real_fractions=(0.0, 0.5, 1.0), strategies=("replace",), base: ExperimentConfig | None = None,
              seed: int = 0, *, seeds=None, workers: int = 1, client=None, **run_options) -> list[ExperimentResult]:
    """One experiment per (strategy, real fraction, seed), in that order; ``base`` sets everything else.

    Args:
        seed, seeds: one seed, or several (``seeds=range(10)``: each setting over 10 seeds).
        workers, client: run in parallel, on this machine or a Dask cluster (``runner.run_runs``).
        run_options: cache, cache_dir, progress, device (as in ``run_experiment``).
    Used by ``collapse-kit sweep`` and the benchmark.
    """
    base = ExperimentConfig.for_profile() if base is None else base
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


def real_data_scores(metric_samples: int = 2000, seed: int = 0) -> dict:
    """What a perfect generator would score: real training images measured exactly like a generation's samples.

    Returns fid, precision, recall, class_entropy, classes_covered and pixel_diversity of ``metric_samples`` random
    training images against the first ``metric_samples`` test images.
    """
    count = check_int("metric_samples", metric_samples, 10, 10_000)
    generator = torch.Generator().manual_seed(check_int("seed", seed, 0))
    images = random_images("train", count, generator)
    real_features = real_test_features(count)
    scores = metrics.classifier_scores(*classify(images), real_features)
    del scores["class_histogram"]
    return {**scores, "pixel_diversity": metrics.pixel_diversity(images)}


@dataclass(frozen=True)
class GenerationZero:
    """How far the course's generation 0 is from the data (lessons 02-04): means over the bundle's seeds.

    Attributes:
        lessons: {measure: the lessons' generation 0} (the full profile: 20 epochs, ``experiments.REAL_0``).
        converged: {measure: generation 0 trained to its criterion} (320 epochs, ``experiments.CONVERGED``).
        real: {measure: what real training digits score against real test digits}; test -ELBO has none (nan).
        seeds: how many seeds each mean is over.
    """

    lessons: dict
    converged: dict
    real: dict
    seeds: int

    def lines(self) -> list[str]:
        """One printable line per measure, e.g. "FID: the lessons' generation 0 382, trained to its criterion 162,
        real data 13.1"."""
        words = {"fid": "FID", "precision": "precision", "recall": "recall", "test_nelbo": "real test -ELBO (nats)"}
        real = {name: "" if np.isnan(value) else f", real data {value:.3g}" for name, value in self.real.items()}
        return [f"{words[name]}: the lessons' generation 0 {self.lessons[name]:.3g}, trained to its criterion "
                f"{self.converged[name]:.3g}{real[name]}" for name in words]


def generation_zero(metric_samples: int = 2000) -> GenerationZero:
    """Generation 0 of the shipped bundle beside real data's own scores (``real_data_scores``): FID, precision,
    recall and real test -ELBO, each the mean over the bundle's seeds. Reads the bundle; trains nothing."""
    names = ("fid", "precision", "recall", "test_nelbo")
    lessons, converged = bundle.band(ex.REAL_0), bundle.band(ex.CONVERGED[ex.REAL_0])
    real = real_data_scores(metric_samples)
    return GenerationZero({name: float(lessons.at(name, 0).mean()) for name in names},
                          {name: float(converged.at(name, 0).mean()) for name in names},
                          {name: float(real.get(name, np.nan)) for name in names}, len(lessons.seeds))


CONFIDENT = metrics.CONFIDENT  # declared beside the loop's confident digits, which count with it
STANDARD_K = metrics.STANDARD_K  # and the loop's standard precision and recall


def _views_of(images: torch.Tensor, real_features: torch.Tensor, real_length: float, confident: float) -> dict:
    """Raw and unit-sphere precision/recall, the unrecognisable share and the feature length of one image set."""
    labels, features = classify(images)
    with torch.no_grad():
        top = load_classifier().head(features).softmax(dim=1).max(dim=1).values
    raw = metrics.precision_recall(real_features, features)
    standard = metrics.precision_recall(real_features, features, k=STANDARD_K)
    sphere = metrics.direction_precision_recall(real_features, features)
    return {"raw_precision": raw[0], "raw_recall": raw[1], "standard_precision": standard[0],
            "standard_recall": standard[1], "precision": sphere[0], "recall": sphere[1],
            "unrecognisable": float((top < confident).float().mean()),
            "classes_covered": metrics.classes_covered(metrics.class_histogram(labels)),
            "feature_length": float(features.norm(dim=1).mean()) / real_length}


@dataclass(frozen=True)
class MetricViews:
    """What the classifier-based metrics see, per generation of one run and for real images (lesson 04).

    ``values[name]`` holds one number per generation; ``real[name]`` the same measure of real training images (the
    yardstick). Names: raw_precision, raw_recall (k-NN with k = 5 on the classifier's raw features),
    standard_precision, standard_recall (Kynkaanniemi et al.'s definition: raw features, k = 3), precision, recall
    (k = 5 on unit-length features: what the loop reports), unrecognisable (share of samples to which the
    classifier gives no digit ``confident`` probability or more), classes_covered, and feature_length (mean length
    of the features, as a share of real test digits').
    """

    values: dict
    real: dict
    confident: float


def metric_views(result: ExperimentResult, count: int = 1000, seed: int = 0,
                 confident: float = CONFIDENT) -> MetricViews:
    """Draw ``count`` samples from every generation's model of ``result`` (a run made with ``keep_models=True``) and
    ``count`` real training images, and measure each as ``MetricViews`` describes, against the first ``count`` real
    test images."""
    count = check_int("count", count, 10, 10_000)
    confident = check_float("confident", confident, 0.0, 1.0, exclusive_minimum=True)
    generator = torch.Generator().manual_seed(check_int("seed", seed, 0))
    real_features = real_test_features(count)
    real_length = float(real_features.norm(dim=1).mean())
    rows = []
    for generation in range(len(result.generations)):
        samples = result.model(generation).sample(count, result.config.sample_mode, result.config.temperature,
                                                  generator)
        rows.append(_views_of(samples, real_features, real_length, confident))
    real = _views_of(random_images("train", count, generator), real_features, real_length, confident)
    values = {name: np.array([row[name] for row in rows], dtype=float) for name in rows[0]}
    return MetricViews(values, real, confident)


def blur_study(result: ExperimentResult, count: int = 300, seed: int = 0) -> dict:
    """What blur alone does to the pixel diversity and the latent std (lesson 04): ``count`` real training images,
    the same images blurred once by generation 0's model (each decoded from its latent mean: the same digits and
    styles, drawn as a decoder draws them), blurred twice, and ``count`` of generation 0's own samples (mean images).

    Returns ``{name: {"pixel_diversity": ..., "latent_std": ...}}`` for "real", "blurred once", "blurred twice" and
    "generation 0 samples"; the latent std is measured under generation 0's encoder, like the loop's. A drop from
    "real" to "blurred once" is what blur costs a measure with no digit or style lost. ``result``: a run made with
    ``keep_models=True``.
    """
    count = check_int("count", count, 10, 10_000)
    generator = torch.Generator().manual_seed(check_int("seed", seed, 0))
    model = result.model(0)
    model.eval()
    real = random_images("train", count, generator)
    with torch.no_grad():
        once = model.reconstruct(real)
        twice = model.reconstruct(once)
    samples = model.sample(count, "mean", 1.0, generator)
    sets = {"real": real, "blurred once": once, "blurred twice": twice, "generation 0 samples": samples}
    return {name: {"pixel_diversity": metrics.pixel_diversity(images), "latent_std": metrics.latent_std(model, images)}
            for name, images in sets.items()}


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
    look typical (precision holds or rises) but cover less of the data (recall falls).
    """
    count = check_int("count", count, 10, 10_000)
    temperatures = np.array([check_float("temperature", t, 0.0, 10.0, exclusive_minimum=True) for t in temperatures])
    real = real_test_features(count)
    precision, recall = [], []
    for temperature in temperatures:
        generator = torch.Generator().manual_seed(check_int("seed", seed, 0))
        samples = model.sample(count, sample_mode, float(temperature), generator)
        p, r = metrics.direction_precision_recall(real, classify(samples)[1])
        precision.append(p)
        recall.append(r)
    return Tradeoff(temperatures, np.array(precision), np.array(recall), sample_mode)


# The capstone's bound on the latent spread (lesson 08), and its reason: the share of generation 0's latent std
# that the fully synthetic loop (experiments.REAL_0) keeps after its *first* generation, 0.698 over the bundle's 10
# seeds (tests/test_capstone.py keeps it true). A policy must lose no more over all its generations than that loop
# loses in one.
SPREAD_BOUND = 0.7
POLICY_SEEDS = 4  # the seeds a policy the bundle lacks runs on: several, and within a few minutes on 2 CPU cores


@dataclass(frozen=True)
class PolicyBounds:
    """What the capstone (lesson 08) asks of a data policy after the last generation.

    Attributes:
        max_real_images: real images the whole run may draw (generation 0 included): the budget, a price.
        min_classes: digits the last generation must still cover (a model covers whole digits: at most one lost).
        min_latent_ratio: the last generation's latent std over generation 0's, at least (``SPREAD_BOUND``: what
            the fully synthetic loop keeps after one generation).
    """

    max_real_images: int
    min_classes: int = 9
    min_latent_ratio: float = SPREAD_BOUND


def policy_seeds(seed: int, count: int = POLICY_SEEDS) -> list[int]:
    """The seeds a policy runs on when the bundle lacks it: ``seed`` (the class's) and the ``count - 1`` after it."""
    seed, count = check_int("seed", seed, 0), check_int("count", count, 2, 100)
    return list(range(seed, seed + count))


def policy_evidence(config: ExperimentConfig, seeds, shipped=None, progress: bool = True, **run_options) -> Band:
    """The evidence a policy is judged on: the bundle's seeds where it holds the setting (instant), else one live run
    per seed of ``seeds`` (at least 2), with one progress bar over the runs. ``run_options``: cache, cache_dir,
    workers, device (as in ``runner.run_runs``)."""
    if not isinstance(config, ExperimentConfig):
        raise TypeError(f"config must be an ExperimentConfig (base.replace(...)), got {type(config).__name__}")
    found = bundle.find(config, shipped)
    if found is not None:
        return found
    seeds = [check_int("seed", seed, 0) for seed in seeds]
    if len(set(seeds)) < 2:
        raise ValueError(f"seeds must hold at least 2 different seeds (an interval needs them), got {seeds}")
    return bundle.bands_of(run_runs([(config, seed) for seed in seeds], progress=progress, **run_options),
                           source="your runs")[0]


def training_images(config: ExperimentConfig, train_sizes) -> int:
    """Images pushed through training over a whole run (gradient steps x batch size): the compute price of a
    policy. ``train_sizes``: each generation's training-set size. Used by ``policy_report`` (lesson 08)."""
    per_generation = [config.epochs * ((config.samples_per_generation if config.compute == "steps" else int(size))
                                       // config.batch_size) for size in train_sizes]
    return int(sum(per_generation) * config.batch_size)


def bound_verdict(values, limit: float, margin: float, measure: str) -> Verdict:
    """Verdict on "the mean of ``values`` (one per seed) lies above ``limit`` less ``margin``": a bound is met when
    the whole 95% interval over seeds rules out a shortfall that matters (``margin``, the measure's smallest effect
    that matters, ``evidence.margins``). "holds": met; "contradicted": short of it beyond the margin; "not
    resolved": the seeds cannot tell, which does not meet it."""
    floor = limit - margin
    return compare("capstone", values, floor, measure, f"the bound {limit:.3g} less its margin {margin:.3g}")


def policy_report(evidence: Band, bounds: PolicyBounds) -> dict:
    """Does a policy meet the bounds? Each bound's value, limit and verdict, plus ``passed`` and the compute spent.

    ``evidence``: a ``bundle.Band`` of the policy's setting over 2 seeds or more (``policy_evidence``: the bundle's
    seeds, or live runs). The real images are a count the config fixes; each quality bound is judged by the 95%
    interval of its mean over the seeds (``bound_verdict``), with its measure's margin: the latent ratio's is the
    latent std's margin over the band's own generation-0 mean (``margins.share_margin``), the digits' half a digit.
    ``value`` is the mean over seeds, ``interval`` its 95% interval, ``seeds_passing`` the seeds at or above the limit
    (shown, not judged). ``training_images`` counts every image pushed through training (``training_images``).
    """
    if not isinstance(evidence, Band):
        raise TypeError(f"evidence must be a bundle.Band (policy_evidence(config, seeds)), got "
                        f"{type(evidence).__name__}")
    if len(evidence.seeds) < 2:
        raise ValueError(f"evidence must hold 2 seeds or more to judge a policy by its interval, got "
                         f"{len(evidence.seeds)} ({evidence.label()}): use policy_evidence(config, seeds)")
    config = evidence.config
    classes, latent = evidence.metric("classes_covered"), evidence.metric("latent_std")
    sizes = evidence.metric("train_size")[0]
    ratio = np.where(latent[:, 0] > 0, latent[:, -1] / np.where(latent[:, 0] > 0, latent[:, 0], 1), 0.0)
    real = config.real_images_used
    checks = {"real_images": {"value": real, "limit": bounds.max_real_images, "ok": real <= bounds.max_real_images,
                              "seeds_passing": f"{len(ratio) if real <= bounds.max_real_images else 0} of "
                                               f"{len(ratio)}"}}
    quality = {"classes_covered": (classes[:, -1], bounds.min_classes, margins.margin("classes_covered"),
                                   "digits covered at the last generation"),
               "latent_ratio": (ratio, bounds.min_latent_ratio,
                                margins.share_margin("latent_std", float(np.mean(latent[:, 0]))),
                                "share of generation 0's latent std kept at the last generation")}
    for name, (values, limit, margin, measure) in quality.items():
        verdict = bound_verdict(values, limit, margin, measure)
        floor = limit - margin
        checks[name] = {"value": round(float(np.mean(values)), 3), "limit": limit,
                        "interval": (round(verdict.low + floor, 3), round(verdict.high + floor, 3)),
                        "margin": round(margin, 3), "outcome": verdict.outcome, "ok": verdict.outcome == "holds",
                        "seeds_passing": f"{int(np.sum(values >= limit))} of {len(values)}", "verdict": str(verdict)}
    return {"policy": f"real_fraction={config.real_fraction:g}, strategy={config.strategy}"
                      + (", keep_first_set=True" if config.keep_first_set else "")
                      + (", compute=steps" if config.compute == "steps" else ""),
            "evidence": evidence.label(), "checks": checks, "passed": all(row["ok"] for row in checks.values()),
            "training_images": training_images(config, sizes)}
