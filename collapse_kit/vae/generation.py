"""What one generation of the VAE loop produced, declared once: every field, its row columns, its metrics.

A field of ``GenerationResult`` is declared with the columns it contributes to a generation's JSON/CSV row
(``columns.Column``); a column with a label is a *metric*: plotted over generations, shown in the run table if it has
a ``short`` header, and named in verdicts by its ``measure``. ``measure`` computes every field of a trained
generation. The cache entry's fields (``columns.entry_fields``), the metric names, the plot labels, the run table and
the results bundle's columns are all derived from these declarations: a new metric is one field here and one line of
``measure``, in this file only. Used by ``loop``, ``plots``, ``bundle``, ``claims`` and ``collapse-kit``; lessons
03-08 read its fields.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from ..core.columns import Column, columns_of, declare, float_list, metrics_of
from ..core.world import TrainedGeneration
from . import metrics
from .classifier import classify, confidence, real_test_features
from .data import load_mnist
from .models import VAE

GRID_IMAGES = 64  # sample images kept per generation for the grids
SHIPPED_IMAGES = 16  # sample images per generation that the results bundle ships


@dataclass
class GenerationResult(TrainedGeneration):
    """What one generation's model did, after the columns of every trained world (``world.TrainedGeneration``:
    ``train_size`` counts images). Scalars are floats; arrays are numpy (nats per image for the ELBOs)."""

    fid: float = declare(Column("fid", label="MNIST FID (lower: closer to real)", short="FID", fmt="{:.1f}",
                                better="lower", measure="FID"))
    precision: float = declare(Column("precision", label="precision (quality)", short="prec", fmt="{:.2f}",
                                      better="higher", measure="precision", floor=0.0, ceiling=1.0))
    recall: float = declare(Column("recall", label="recall (diversity)", short="recall", fmt="{:.2f}",
                                   better="higher", measure="recall", floor=0.0, ceiling=1.0))
    class_entropy: float = declare(Column("class_entropy", label="class entropy (nats; ln 10 = 2.30 balanced)",
                                          fmt="{:.2f}", better="higher", measure="class entropy", unit="nats",
                                          floor=0.0, ceiling=math.log(10)))
    classes_covered: int = declare(Column("classes_covered", int, "digits covered (of 10)", short="digits",
                                          fmt="{:.0f}", better="higher", measure="digits covered", floor=1.0,
                                          ceiling=10.0))
    latent_std: float = declare(Column("latent_std", label="std of latent means (gen-0 encoder)", short="lat.std",
                                       fmt="{:.3f}", better="higher", measure="latent std", floor=0.0))
    pixel_diversity: float = declare(Column("pixel_diversity", label="pixel diversity (mean pair distance)",
                                            fmt="{:.2f}", better="higher", measure="pixel diversity", floor=0.0))
    test_nelbo: float = declare(Column("test_nelbo", label="real test -ELBO (nats/image)", short="test-ELBO",
                                       fmt="{:.1f}", better="lower", measure="test -ELBO", unit="nats"))
    # The readings a referee would vary (issue 27): each re-judges a headline verdict with another choice of measure.
    # Precision and recall as Kynkaenniemi et al. (2019) define them, k = 3 on the classifier's raw features: the
    # course's own (k = 5 on unit-length features, ``metrics.on_unit_sphere``) is a choice, and a verdict that holds
    # under only one of the two rests on that choice.
    standard_precision: float = declare(Column("standard_precision", label="precision as published (k = 3, raw)",
                                               fmt="{:.2f}", better="higher",
                                               measure="precision as published (k = 3, raw features)",
                                               floor=0.0, ceiling=1.0))
    standard_recall: float = declare(Column("standard_recall", label="recall as published (k = 3, raw)",
                                            fmt="{:.2f}", better="higher",
                                            measure="recall as published (k = 3, raw features)", floor=0.0,
                                            ceiling=1.0))
    # Digits covered counting only the samples the classifier is sure of (``metrics.CONFIDENT``): a blurred blob
    # gets a label too, so "digits covered" can count digits that no one would recognise.
    confident_digits: int = declare(Column("confident_digits", int, "digits covered, confident samples only",
                                           fmt="{:.0f}", better="higher",
                                           measure="digits covered by confidently classified samples",
                                           floor=0.0, ceiling=10.0))
    # The real test -ELBO on the last ``metric_samples`` test images, disjoint from the first (``test_nelbo``'s images
    # and the FID reference) while ``metric_samples`` <= 5,000: a verdict on test -ELBO should not be an accident of
    # one subset of the test split.
    test_nelbo_other: float = declare(Column("test_nelbo_other", label="real test -ELBO, other test images (nats)",
                                             fmt="{:.1f}", better="lower",
                                             measure="test -ELBO on the other test images", unit="nats"))
    sample_nelbo_gen0: np.ndarray = declare(
        Column("sample_nelbo_gen0", lambda values: float(np.mean(values)), "samples' -ELBO under gen 0 (nats)",
               fmt="{:.1f}"),
        Column("sample_nelbo_gen0_spread", lambda values: float(np.std(values)),
               "spread (std) of samples' -ELBO under gen 0", fmt="{:.1f}", better="higher",
               measure="spread of the samples' -ELBO under generation 0", unit="nats", floor=0.0))
    class_histogram: np.ndarray = declare(Column("class_histogram", float_list))
    samples: torch.Tensor = declare()  # a few synthetic images, uint8 (n, 1, 28, 28), for the grids
    model_state: dict | None = declare(default=None, repr=False)  # the weights, only with keep_models=True

    def shipped_samples(self) -> np.ndarray:
        """What the results bundle keeps of this generation's samples: the first 16 images, uint8 (16, 28, 28)."""
        return self.samples[:SHIPPED_IMAGES, 0].numpy()


COLUMNS = columns_of(GenerationResult)
METRICS = metrics_of(GenerationResult)
METRIC_LABELS = {name: column.label for name, column in METRICS.items()}
METRIC_NAMES = tuple(METRICS)
# The four measures a run is summed up by (the run's figures, the explorer, a sweep's last line).
HEADLINE_METRICS = ("fid", "classes_covered", "latent_std", "test_nelbo")
# What a referee would read instead of a headline verdict's measure (issue 27): the same verdict, re-judged on the
# column on the right (each declared above with its reason).
REREADINGS = {"precision": "standard_precision", "recall": "standard_recall", "classes_covered": "confident_digits",
              "test_nelbo": "test_nelbo_other"}


def measure(model: VAE, gen0_model: VAE, count: int, sample_mode: str, temperature: float,
            generator: torch.Generator, elbo_seed: int) -> dict:
    """Every measured field of one trained generation: ``count`` samples of ``model`` (drawn with ``generator``)
    against the first ``count`` real test images, and the real test -ELBO of the first and of the last ``count`` test
    images (its noise seeded by ``elbo_seed``)."""
    test = load_mnist("test", limit=count).images
    samples = model.sample(count, sample_mode, temperature, generator)
    labels, features = classify(samples)
    real_features = real_test_features(count)
    scores = metrics.classifier_scores(labels, features, real_features)
    standard = metrics.precision_recall(real_features, features, k=metrics.STANDARD_K)
    other = load_mnist("test").images[-count:]
    return {
        **scores, "latent_std": metrics.latent_std(gen0_model, samples),
        "pixel_diversity": metrics.pixel_diversity(samples),
        "test_nelbo": float(metrics.negative_elbo(model, test, seed=elbo_seed).mean()),
        "standard_precision": standard[0], "standard_recall": standard[1],
        "confident_digits": metrics.confident_classes_covered(labels, confidence(features)),
        "test_nelbo_other": float(metrics.negative_elbo(model, other, seed=elbo_seed).mean()),
        "sample_nelbo_gen0": metrics.negative_elbo(gen0_model, samples, seed=elbo_seed),
        "samples": samples[:GRID_IMAGES].mul(255).round().to(torch.uint8),
    }
