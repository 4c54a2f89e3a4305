"""The toy theory of collapse: a Gaussian, or a mixture of two, refitted again and again on its own samples.

Generation 0 fits the truth's samples; every later generation fits ``samples_per_generation`` points of which
``real_fraction`` (plus ``real_points``) come from the truth and the rest from the previous fit. A maximum-likelihood
fit's variance shrinks on average by (1 - 1/N) per generation and hits 0; the tails go first (Shumailov et al.).
Many independent chains run at once as arrays, so thousands of generations take about a second.
Used in lessons 01 and 06.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr  # the standard normal CDF (scipy.stats would cost ~60 MB more to import)

from ._checks import check_choice, check_float, check_fraction, check_int

STRATEGIES = ("replace", "accumulate")
FITS = ("mle", "map")
REAL_SOURCES = ("fresh", "fixed")


@dataclass(frozen=True)
class GaussianConfig:
    """Recursive refitting of a d-dimensional Gaussian; the truth is N(0, I).

    Attributes:
        dim: dimensions d.
        samples_per_generation: N points fitted each generation.
        generations: refits after generation 0.
        real_fraction: share of each generation's N points drawn from the truth, in [0, 1].
        real_points: extra count of the N points drawn from the truth ("a single real point": 1).
        real_source: "fresh" (real points drawn anew each generation) or "fixed" (the same real points, drawn once,
            in every generation: the "lifeline" of Jangjoo et al.).
        strategy: "replace" (fit this generation's points) or "accumulate" (every point so far).
        fit: "mle" (maximum likelihood) or "map" (mode of a Normal-inverse-Wishart prior: a regularised fit).
        prior_variance, prior_strength: the MAP prior's variance per dimension and weight in pseudo-points.
        chains: independent repetitions run side by side.
    """

    dim: int = 1
    samples_per_generation: int = 100
    generations: int = 1000
    real_fraction: float = 0.0
    real_points: int = 0
    real_source: str = "fresh"
    strategy: str = "replace"
    fit: str = "mle"
    prior_variance: float = 1.0
    prior_strength: float = 1.0
    chains: int = 100

    def __post_init__(self):
        check_int("dim", self.dim, 1, 64)
        check_int("samples_per_generation", self.samples_per_generation, 2)
        check_int("generations", self.generations, 1)
        check_fraction("real_fraction", self.real_fraction)
        check_int("real_points", self.real_points, 0, self.samples_per_generation)
        check_choice("real_source", self.real_source, REAL_SOURCES)
        check_choice("strategy", self.strategy, STRATEGIES)
        check_choice("fit", self.fit, FITS)
        check_float("prior_variance", self.prior_variance, 0.0, None, exclusive_minimum=True)
        check_float("prior_strength", self.prior_strength, 0.0, None)
        check_int("chains", self.chains, 1)
        if self.real_count > self.samples_per_generation:
            raise ValueError(f"real_fraction * samples_per_generation + real_points = {self.real_count} exceeds "
                             f"samples_per_generation={self.samples_per_generation}")

    @property
    def real_count(self) -> int:
        """Points per generation (from generation 1 on) drawn from the truth."""
        return round(self.real_fraction * self.samples_per_generation) + self.real_points


@dataclass
class GaussianResult:
    """Fitted parameters of every generation (index 0 = generation 0) for every chain.

    ``means``: (chains, generations + 1, dim). ``variances``: (chains, generations + 1), the fitted covariance's
    trace / dim (the variance per dimension; the truth has 1).
    """

    config: GaussianConfig
    seed: int
    means: np.ndarray
    variances: np.ndarray

    @property
    def generation(self) -> np.ndarray:
        return np.arange(self.variances.shape[1])

    def tail_mass(self, threshold: float = 2.0) -> np.ndarray:
        """P(|x - mean| > threshold) under each fitted 1-D Gaussian, (chains, generations + 1): its tails.

        Measured around each fit's own mean, so the drift of the mean (a separate effect, shown by ``means``)
        does not hide the thinning of the tails. The truth has 0.0455 at threshold 2. Used in lesson 01.
        """
        if self.config.dim != 1:
            raise ValueError(f"tail_mass needs dim=1, got dim={self.config.dim}")
        threshold = check_float("threshold", threshold, 0.0, None, exclusive_minimum=True)
        with np.errstate(divide="ignore"):
            return 2.0 * ndtr(-threshold / np.sqrt(self.variances))


def expected_mle_variance(generations: int, samples_per_generation: int, initial_variance: float = 1.0) -> np.ndarray:
    """E[sigma_t^2] = (1 - 1/N)^t sigma_0^2 for t = 0..generations: the MLE refit's closed form. Used in lesson 01.

    ``GaussianResult.variances[:, 0]`` is already a fit of N points (expected 1 - 1/N for the truth's variance 1),
    so compare it with ``initial_variance=1 - 1/N``.
    """
    generations = check_int("generations", generations, 0)
    n = check_int("samples_per_generation", samples_per_generation, 2)
    return initial_variance * (1.0 - 1.0 / n) ** np.arange(generations + 1)


def _symmetric_root(cov: np.ndarray) -> np.ndarray:
    """Square root of each covariance (chains, d, d), robust when a fit has collapsed to (near) zero."""
    values, vectors = np.linalg.eigh(cov)
    return vectors * np.sqrt(np.clip(values, 0.0, None))[:, None, :] @ np.swapaxes(vectors, 1, 2)


def run_gaussian(config: GaussianConfig | None = None, seed: int = 0) -> GaussianResult:
    """Refit a Gaussian on its own samples, generation after generation, in ``config.chains`` independent chains.

    Fits use running sums (count, sum, sum of outer products), so "accumulate" costs no more than "replace".
    Used in lessons 01 and 06.
    """
    config = GaussianConfig() if config is None else config
    if not isinstance(config, GaussianConfig):
        raise TypeError(f"config must be a GaussianConfig, got {type(config).__name__}")
    seed = check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    chains, n, d, real = config.chains, config.samples_per_generation, config.dim, config.real_count
    means = np.empty((chains, config.generations + 1, d))
    variances = np.empty((chains, config.generations + 1))
    count, total, outer = 0, np.zeros((chains, d)), np.zeros((chains, d, d))
    mean = root = fixed = None
    for generation in range(config.generations + 1):
        if generation == 0:
            points = rng.standard_normal((chains, n, d))
        else:
            noise = rng.standard_normal((chains, n - real, d))
            synthetic = mean[:, None, :] + noise @ root  # root is symmetric
            if config.real_source == "fixed":
                fixed = rng.standard_normal((chains, real, d)) if fixed is None else fixed
                real_points = fixed
            else:
                real_points = rng.standard_normal((chains, real, d))
            points = np.concatenate([real_points, synthetic], axis=1)
        if config.strategy == "replace":
            count, total, outer = 0, np.zeros_like(total), np.zeros_like(outer)
        count += n
        total += points.sum(axis=1)
        outer += np.einsum("cni,cnj->cij", points, points)
        mean, cov = _fit(config, count, total, outer)
        root = _symmetric_root(cov)
        means[:, generation] = mean
        # Running sums cancel to about +-1e-16 once a chain has collapsed; a variance is never below 0.
        variances[:, generation] = np.maximum(np.trace(cov, axis1=1, axis2=2) / d, 0.0)
    return GaussianResult(config, seed, means, variances)


def _fit(config: GaussianConfig, count: int, total: np.ndarray, outer: np.ndarray):
    """Mean and covariance from running sums: maximum likelihood, or the Normal-inverse-Wishart mode (MAP)."""
    d = config.dim
    mean = total / count
    scatter = outer - count * np.einsum("ci,cj->cij", mean, mean)  # sum of (x - mean)(x - mean)^T
    if config.fit == "mle":
        return mean, scatter / count
    # Prior: mean 0 with weight k0 = prior_strength points; covariance scale prior_variance * I with nu0 = k0 + d + 1
    # pseudo-points. With no data the mode is nu0 / (nu0 + d + 1) * prior_variance (0.6 for d = 1, k0 = 1): a floor
    # that the data outweigh as they accumulate.
    k0 = config.prior_strength
    nu0 = k0 + d + 1
    shrunk = count * mean / (count + k0)
    psi = nu0 * config.prior_variance * np.eye(d) + scatter + (k0 * count / (k0 + count)) * np.einsum(
        "ci,cj->cij", mean, mean)
    return shrunk, psi / (nu0 + count + d + 1)


@dataclass(frozen=True)
class MixtureConfig:
    """Recursive refitting of a mixture of two 1-D Gaussians; the truth is 0.5 N(-2, 1) + 0.5 N(2, 1).

    Attributes mean the same as GaussianConfig's; ``fit="map"`` adds ``regularisation`` to every component's
    variance at each fit (scikit-learn's reg_covar), which floors it. Accumulate keeps every point: slow past a few
    hundred generations.
    """

    samples_per_generation: int = 1000
    generations: int = 2000
    real_fraction: float = 0.0
    real_points: int = 0
    strategy: str = "replace"
    fit: str = "mle"
    regularisation: float = 1e-2

    def __post_init__(self):
        check_int("samples_per_generation", self.samples_per_generation, 4)
        check_int("generations", self.generations, 1)
        check_fraction("real_fraction", self.real_fraction)
        check_int("real_points", self.real_points, 0, self.samples_per_generation)
        check_choice("strategy", self.strategy, STRATEGIES)
        check_choice("fit", self.fit, FITS)
        check_float("regularisation", self.regularisation, 0.0, None)
        real = round(self.real_fraction * self.samples_per_generation) + self.real_points
        if real > self.samples_per_generation:
            raise ValueError(f"real_fraction * samples_per_generation + real_points = {real} exceeds "
                             f"samples_per_generation={self.samples_per_generation}")


@dataclass
class MixtureResult:
    """Per generation: component ``means`` (generations + 1, 2), ``stds`` (same), ``weights`` (same), sorted by mean."""

    config: MixtureConfig
    seed: int
    means: np.ndarray
    stds: np.ndarray
    weights: np.ndarray


TRUE_MEANS, TRUE_STD = np.array([-2.0, 2.0]), 1.0


def _sample_truth(rng, count: int) -> np.ndarray:
    return rng.choice(TRUE_MEANS, size=count) + TRUE_STD * rng.standard_normal(count)


def run_mixture(config: MixtureConfig | None = None, seed: int = 0, progress: bool = True) -> MixtureResult:
    """Refit a 2-component Gaussian mixture (EM, scikit-learn) on its own samples. Used in lesson 01."""
    from sklearn.mixture import GaussianMixture
    from tqdm.auto import tqdm

    config = MixtureConfig() if config is None else config
    if not isinstance(config, MixtureConfig):
        raise TypeError(f"config must be a MixtureConfig, got {type(config).__name__}")
    seed = check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    n = config.samples_per_generation
    real = round(config.real_fraction * n) + config.real_points
    # Warm start: each fit starts from the previous generation's, as a retrained model would.
    model = GaussianMixture(2, reg_covar=config.regularisation if config.fit == "map" else 1e-12,
                            warm_start=True, random_state=seed, tol=1e-4, max_iter=200)
    shape = (config.generations + 1, 2)
    means, stds, weights = np.empty(shape), np.empty(shape), np.empty(shape)
    kept = []
    for generation in tqdm(range(config.generations + 1), desc="mixture generations", disable=not progress):
        if generation == 0:
            points = _sample_truth(rng, n)
        else:
            # sklearn refuses to sample 0 points (real_fraction 1): then the set is all real.
            synthetic = model.sample(n - real)[0][:, 0] if real < n else np.empty(0)
            model.random_state = rng.integers(2**31)  # sklearn's sample() reuses its own fixed state otherwise
            points = np.concatenate([_sample_truth(rng, real), synthetic])
        kept = kept + [points] if config.strategy == "accumulate" else [points]
        model.fit(np.concatenate(kept)[:, None])
        order = np.argsort(model.means_[:, 0])
        means[generation] = model.means_[order, 0]
        stds[generation] = np.sqrt(model.covariances_[order].reshape(2))
        weights[generation] = model.weights_[order]
    return MixtureResult(config, seed, means, stds, weights)
