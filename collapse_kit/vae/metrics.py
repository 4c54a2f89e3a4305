"""How collapse is measured: class coverage, MNIST FID, k-NN precision/recall, latent spread, diversity, ELBO.

Every function takes plain tensors and returns plain numbers or arrays; ``classifier`` supplies labels and features.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch

from ..core._validation import check_float, check_int
from .models import VAE

NUM_CLASSES = 10
CONFIDENT = 0.9  # a sample is "recognisable" when the classifier gives one digit at least this probability
STANDARD_K = 3  # Kynkaanniemi et al. (2019)'s k for precision and recall, on raw features (the course uses 5)


def on_one_thread(function):
    """Run ``function`` on one torch thread (then restore the count): the same bits for any thread count.

    Threaded reductions and eigensolvers change the last bits with the number of threads, and a parallel sweep's
    workers (one thread each) must give a serial run's numbers exactly. Used for the metrics that reduce.
    """
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return function(*args, **kwargs)
        finally:
            torch.set_num_threads(threads)
    return wrapper


def class_histogram(labels: torch.Tensor) -> np.ndarray:
    """Share of each digit 0-9 among ``labels`` (10 numbers summing to 1)."""
    counts = torch.bincount(torch.as_tensor(labels).flatten(), minlength=NUM_CLASSES).double()
    if counts.sum() == 0:
        raise ValueError("labels must not be empty")
    return (counts / counts.sum()).numpy()


def class_entropy(histogram) -> float:
    """Entropy of a class histogram in nats: ln(10) = 2.30 for balanced digits, 0 when one digit is left."""
    shares = np.asarray(histogram, dtype=float)
    shares = shares[shares > 0]
    return float(-(shares * np.log(shares)).sum()) + 0.0  # + 0.0: one digit left gives 0.0, not -0.0


def classes_covered(histogram, min_share: float = 0.01) -> int:
    """Number of digits holding at least ``min_share`` of the samples (default 1%)."""
    min_share = check_float("min_share", min_share, 0.0, 1.0)
    return int((np.asarray(histogram) >= min_share).sum())


def confident_classes_covered(labels: torch.Tensor, confidence: torch.Tensor, confident: float = CONFIDENT,
                              min_share: float = 0.01) -> int:
    """Number of digits that at least ``min_share`` of all the samples are, with the classifier's probability of
    that digit at least ``confident``: ``classes_covered`` without the samples it only guesses at (a blur still
    gets a label). 0 when no sample is recognisable. Behind the confident digits of every generation."""
    confident = check_float("confident", confident, 0.0, 1.0, exclusive_minimum=True)
    min_share = check_float("min_share", min_share, 0.0, 1.0)
    labels = torch.as_tensor(labels).flatten()
    if len(labels) == 0 or torch.as_tensor(confidence).shape != labels.shape:
        raise ValueError(f"labels and confidence must be two equal, non-empty (n,) arrays, got {tuple(labels.shape)} "
                         f"and {tuple(torch.as_tensor(confidence).shape)}")
    counts = torch.bincount(labels[torch.as_tensor(confidence) >= confident], minlength=NUM_CLASSES)
    return int((counts.double() / len(labels) >= min_share).sum())


@on_one_thread
def frechet_distance(features_a: torch.Tensor, features_b: torch.Tensor) -> float:
    """Frechet distance between Gaussians fitted to two feature sets (n, d): the "FID" in classifier features.

    ||mu_a - mu_b||^2 + tr(S_a + S_b - 2 (S_a^1/2 S_b S_a^1/2)^1/2), computed in float64 with symmetric
    eigendecompositions (stable, no complex square roots). 0 for identical distributions. Behind the FID of every
    generation (the loop computes it; lessons 04-08 show it).
    """
    a, b = (torch.as_tensor(f, dtype=torch.float64) for f in (features_a, features_b))
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(f"features must be two (n, d) arrays with the same d and n >= 2, got "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    mean_a, mean_b = a.mean(0), b.mean(0)
    cov_a, cov_b = torch.cov(a.T), torch.cov(b.T)
    values, vectors = torch.linalg.eigh(cov_a)
    root_a = vectors @ torch.diag(values.clamp(min=0).sqrt()) @ vectors.T
    cross = torch.linalg.eigvalsh(root_a @ cov_b @ root_a).clamp(min=0).sqrt().sum()
    distance = (mean_a - mean_b).pow(2).sum() + cov_a.trace() + cov_b.trace() - 2 * cross
    return float(distance.clamp(min=0))


def _kth_neighbour_radius(points: torch.Tensor, k: int, chunk: int = 2048) -> torch.Tensor:
    """Distance from each point to its k-th nearest other point."""
    radii = []
    for start in range(0, len(points), chunk):
        distances = torch.cdist(points[start:start + chunk], points)
        # k + 1 smallest: the point itself sits at distance 0.
        radii.append(distances.topk(k + 1, dim=1, largest=False).values[:, k])
    return torch.cat(radii)


def _share_inside(queries: torch.Tensor, points: torch.Tensor, radii: torch.Tensor, chunk: int = 2048) -> float:
    """Share of ``queries`` inside at least one ball (points, radii): the k-NN manifold estimate."""
    inside = []
    for start in range(0, len(queries), chunk):
        distances = torch.cdist(queries[start:start + chunk], points)
        inside.append((distances <= radii[None, :]).any(dim=1))
    return float(torch.cat(inside).float().mean())


def on_unit_sphere(features: torch.Tensor) -> torch.Tensor:
    """Features scaled to length 1, the space where the loop measures precision and recall.

    Why: the classifier reads a feature vector through a linear layer and a softmax, so the vector's direction
    decides which digit (and style) it sees, while its length mostly scales how sure it is. A blurry image (a
    decoder mean) gets short features (lesson 04 prints how short), and on raw features that length, not the digit
    or its style, would decide every k-NN distance. On the unit sphere the balls compare what the classifier sees.
    This is the course's choice, not the published definition: lesson 04 shows both (``studies.metric_views``).
    """
    features = torch.as_tensor(features, dtype=torch.float32)
    return features / features.norm(dim=1, keepdim=True).clamp(min=1e-12)


def precision_recall(real_features: torch.Tensor, synthetic_features: torch.Tensor, k: int = 5) -> tuple[float, float]:
    """k-NN precision and recall (Kynkaanniemi et al. 2019, who use k = 3 on raw features), both in [0, 1].

    Precision: share of synthetic samples inside the real manifold (quality). Recall: share of real samples inside
    the synthetic manifold (diversity). Each manifold is the union of balls reaching every point's k-th neighbour.
    Behind the precision and recall of every generation (lessons 04-08 show them).
    """
    k = check_int("k", k, 1)
    real = torch.as_tensor(real_features, dtype=torch.float32)
    fake = torch.as_tensor(synthetic_features, dtype=torch.float32)
    if min(len(real), len(fake)) <= k:
        raise ValueError(f"precision_recall needs more than k={k} samples on each side, got {len(real)} real "
                         f"and {len(fake)} synthetic")
    precision = _share_inside(fake, real, _kth_neighbour_radius(real, k))
    recall = _share_inside(real, fake, _kth_neighbour_radius(fake, k))
    return precision, recall


def direction_precision_recall(real_features, synthetic_features, k: int = 5) -> tuple[float, float]:
    """k-NN precision and recall of unit-length features (``on_unit_sphere``): what lessons 04-08 report."""
    return precision_recall(on_unit_sphere(real_features), on_unit_sphere(synthetic_features), k=k)


def classifier_scores(labels: torch.Tensor, features: torch.Tensor, real_features: torch.Tensor) -> dict:
    """Every classifier-based score of one image set against real images' features (n, 128).

    Returns class_histogram (10 shares), class_entropy (nats), classes_covered, fid, precision and recall.
    Used for each generation of the loop and for the real-data yardstick (lesson 04).
    """
    histogram = class_histogram(labels)
    precision, recall = direction_precision_recall(real_features, features)
    return {"class_histogram": histogram, "class_entropy": class_entropy(histogram),
            "classes_covered": classes_covered(histogram), "fid": frechet_distance(real_features, features),
            "precision": precision, "recall": recall}


@on_one_thread
@torch.no_grad()
def latent_std(encoder: VAE, images: torch.Tensor) -> float:
    """Std of latent means under ``encoder`` (over images, averaged over latent dimensions).

    With the generation-0 encoder it is the course's fixed ruler of how far a generation's samples spread (after
    Shumailov et al.'s VAE experiment; the course quotes no value of theirs). Behind the latent std of every
    generation (lessons 03-08 show it).
    """
    mean, _ = encoder.encode(images)
    return float(mean.std(dim=0).mean())


@on_one_thread
def pixel_diversity(images: torch.Tensor, max_images: int = 1000) -> float:
    """Mean Euclidean distance between two images of the set, in pixel units (pixels in [0, 1]).

    About 10 for real MNIST; it falls as samples become alike. Uses the first ``max_images`` images.
    """
    flat = torch.as_tensor(images[:max_images], dtype=torch.float32).reshape(min(len(images), max_images), -1)
    if len(flat) < 2:
        raise ValueError(f"pixel_diversity needs at least 2 images, got {len(flat)}")
    return float(torch.pdist(flat).mean())


@torch.no_grad()
def negative_elbo(model: VAE, images: torch.Tensor, seed: int = 0, batch_size: int = 2000) -> np.ndarray:
    """Negative ELBO of each image under ``model``, in nats (lower: the model finds the image more likely).

    Real test images under each generation's model show what it forgot; synthetic samples under the generation-0
    model show tails vanishing.
    """
    generator = torch.Generator().manual_seed(check_int("seed", seed, 0))
    model.eval()
    values = [model.negative_elbo(images[start:start + batch_size], generator=generator)
              for start in range(0, len(images), batch_size)]
    return torch.cat(values).numpy() if values else np.empty(0, dtype=np.float32)


def max_entropy() -> float:
    """Entropy of perfectly balanced digits, ln(10) nats."""
    return math.log(NUM_CLASSES)
