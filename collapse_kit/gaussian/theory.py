"""The toy theory of collapse: a Gaussian, or a mixture of two, refitted again and again on its own samples.

Generation 0 fits the truth's samples; every later generation fits ``samples_per_generation`` points of which
``real_fraction`` (plus ``real_points``) come from the truth and the rest from the previous fit. A maximum-likelihood
fit's variance shrinks on average by (1 - 1/N) per generation and hits 0; the tails go first (Shumailov et al.).
An unbiased fit (divide by N - 1) keeps the *mean* variance at 1, yet almost every chain still collapses: the log of
the variance drifts down. Many independent chains run at once as arrays, each generation drawn as its points' mean
and scatter (their exact law): a thousand generations of a thousand chains take under a tenth of a second.

Runs are cached on disk like the VAE's (``collapse_kit.core.cache``, same folder): a run's key is its config, its seed,
the code of this module and what it imports, numpy's version (scikit-learn's too for the mixture) and the platform.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from importlib.metadata import version

import numpy as np
from scipy.special import digamma, ndtr  # ndtr: the normal CDF (scipy.stats would cost ~60 MB more to import)
from tqdm.auto import tqdm

from ..core._validation import (
    FRACTION,
    GENERATIONS,
    Choice,
    Interval,
    bounded,
    check_bounds,
    check_choice,
    check_float,
    check_int,
)
from ..core.cache import RunCache
from ..core.columns import Column, declare
from ..core.profiles import LESSON_SETTINGS
from ..core.strategies import STRATEGIES
from ..core.world import GenerationRecord, WorldConfig, WorldResult

FITS = ("mle", "unbiased", "map")
MIXTURE_FITS = ("mle", "map")
REAL_SOURCES = ("fresh", "fixed")
DRAWS = ("summaries", "points")
THEORY_MODULE = "gaussian/theory.py"  # this file: it and what it imports decide the cache keys of this world


@dataclass
class GaussianGeneration(GenerationRecord):
    """One generation of a Gaussian run, summed over its chains (the columns of ``GaussianResult.rows``)."""

    variance: float = declare(Column("variance", label="fitted variance (mean over chains; truth 1)", short="var",
                                     fmt="{:.4g}", better="higher", measure="fitted variance"))
    log_variance: float = declare(Column("log_variance", label="log of the fitted variance (mean over chains)",
                                         short="log var", fmt="{:.3f}", better="higher",
                                         measure="log fitted variance"))
    mean_drift: float = declare(Column("mean_drift", label="distance of the fitted mean from the truth's (mean)",
                                       short="|mean|", fmt="{:.3f}", better="lower", measure="mean drift"))


@dataclass
class MixtureGeneration(GenerationRecord):
    """One generation of a mixture run (the columns of ``MixtureResult.rows``)."""

    std: float = declare(Column("std", label="components' std (mean of the two; truth 1)", short="std",
                                fmt="{:.3f}", better="higher", measure="components' std"))
    separation: float = declare(Column("separation", label="distance between the two means (truth 4)",
                                       short="sep", fmt="{:.3f}", measure="separation of the means"))
    weight_balance: float = declare(Column("weight_balance", label="smaller component's weight (truth 0.5)",
                                           short="min w", fmt="{:.3f}", better="higher",
                                           measure="smaller component's weight"))


def _profiles(**names) -> dict:
    """A world's profiles read from the lessons' sizes (``profiles.LESSON_SETTINGS``): one home for each size."""
    return {profile: {field: settings[name] for field, name in names.items()}
            for profile, settings in LESSON_SETTINGS.items()}


@dataclass(frozen=True)
class GaussianConfig(WorldConfig):
    """Recursive refitting of a d-dimensional Gaussian; the truth is N(0, I).

    Attributes:
        dim: dimensions d.
        samples_per_generation: N points fitted each generation.
        generations: fits in sequence, generation 0 (a fit of the truth's points) included; >= 1. The same count
            as ``ExperimentConfig.generations``: 1000 generations are 999 refits after generation 0.
        real_fraction: share of each generation's N points drawn from the truth, in [0, 1].
        real_points: extra count of the N points drawn from the truth ("a single real point": 1).
        real_source: "fresh" (real points drawn anew from the truth each generation: what Jangjoo et al. describe,
            points "generated from a fixed model" (arXiv v1) or "from a ground truth model" at each retraining
            iteration (Phys. Rev. Lett.)) or "fixed" (the same real points, drawn once, in every generation: a
            contrast the course adds; their abstracts do not propose it).
        strategy: "replace" (fit this generation's points) or "accumulate" (every point so far).
        fit: "mle" (maximum likelihood: scatter / N), "unbiased" (scatter / (N - 1)) or "map" (mode of a
            Normal-inverse-Wishart prior: a regularised fit).
        prior_variance, prior_strength: the MAP prior's variance per dimension and weight in pseudo-points.
        chains: independent repetitions run side by side.
        draws: "summaries" (each generation's sample mean and scatter drawn straight from their exact joint law:
            ``draw_summary``: 0.074 s against 1.44 s for 1,000 chains x 1,000 generations at N = 100 on a 2-core
            AMD EPYC) or "points" (every point drawn, then
            summarised: the loop a student writes in lesson 01, whose numbers it matches draw for draw). Same
            distribution either way (tests/test_theory.py).
    """

    dim: int = bounded(1, Interval(int, 1, 64))
    samples_per_generation: int = bounded(100, Interval(int, 2))  # a variance needs two points
    generations: int = bounded(1000, GENERATIONS)
    real_fraction: float = bounded(0.0, FRACTION)
    real_points: int = bounded(0, Interval(int, 0))
    real_source: str = bounded("fresh", Choice(REAL_SOURCES))
    strategy: str = bounded("replace", Choice(STRATEGIES))
    fit: str = bounded("mle", Choice(FITS))
    prior_variance: float = bounded(1.0, Interval(float, 0.0, None, open_low=True))
    prior_strength: float = bounded(1.0, Interval(float, 0.0))
    chains: int = bounded(100, Interval(int, 1))
    draws: str = bounded("summaries", Choice(DRAWS))
    record = GaussianGeneration
    module = THEORY_MODULE
    profiles = _profiles(generations="gaussian_generations", chains="gaussian_chains")
    headline = ("variance", "log_variance")

    def __post_init__(self):
        check_bounds(self)
        check_int("real_points", self.real_points, 0, self.samples_per_generation)
        if self.real_count > self.samples_per_generation:
            raise ValueError(f"real_fraction * samples_per_generation + real_points = {self.real_count} exceeds "
                             f"samples_per_generation={self.samples_per_generation}")

    @property
    def real_count(self) -> int:
        """Points per generation (from generation 1 on) drawn from the truth."""
        return round(self.real_fraction * self.samples_per_generation) + self.real_points

    def run(self, seed: int = 0, **options) -> "GaussianResult":
        """``run_gaussian(self, seed, **options)``: how the runner runs any world's config."""
        options.pop("progress", None), options.pop("device", None), options.pop("on_generation", None)
        return run_gaussian(self, seed, **options)

    def label(self) -> str:
        """A short legend label, e.g. "N = 100, mle / replace" or "N = 100, 1 real point (fresh), map / replace"."""
        text = f"N = {self.samples_per_generation}"
        if self.real_fraction:
            text += f", real {self.real_fraction:.0%}"
        if self.real_points:
            text += f", {self.real_points} real point{'s' if self.real_points != 1 else ''} ({self.real_source})"
        return f"{text}, {self.fit} / {self.strategy}"


@dataclass
class GaussianResult(WorldResult):
    """Fitted parameters of every generation (index 0 = generation 0) for every chain.

    ``means``: (chains, generations, dim). ``variances``: (chains, generations), the fitted covariance's
    trace / dim (the variance per dimension; the truth has 1). ``metric``, ``table`` and ``to_dict`` read the
    chains' averages (``rows``).
    """

    config: GaussianConfig
    seed: int
    means: np.ndarray
    variances: np.ndarray

    def rows(self) -> list[dict]:
        """One row per generation: the variance, log variance and mean drift, each averaged over the chains."""
        with np.errstate(divide="ignore"):
            log_variance = np.log(self.variances).mean(axis=0)
        variance = self.variances.mean(axis=0)
        drift = np.linalg.norm(self.means, axis=2).mean(axis=0)
        return [{"generation": g, "variance": float(variance[g]), "log_variance": float(log_variance[g]),
                 "mean_drift": float(drift[g])} for g in range(self.variances.shape[1])]

    @property
    def generation(self) -> np.ndarray:
        return np.arange(self.variances.shape[1])

    def tail_mass(self, threshold: float = 2.0) -> np.ndarray:
        """P(|x - mean| > threshold) under each fitted 1-D Gaussian, (chains, generations): its tails.

        Measured around each fit's own mean, so the drift of the mean (a separate effect, shown by ``means``)
        does not hide the thinning of the tails. The truth has 0.0455 at threshold 2.
        """
        if self.config.dim != 1:
            raise ValueError(f"tail_mass needs dim=1, got dim={self.config.dim}")
        threshold = check_float("threshold", threshold, 0.0, None, exclusive_minimum=True)
        with np.errstate(divide="ignore"):
            return 2.0 * ndtr(-threshold / np.sqrt(self.variances))


def expected_mle_variance(generations: int, samples_per_generation: int, initial_variance: float = 1.0) -> np.ndarray:
    """E[sigma_t^2] = (1 - 1/N)^t sigma_0^2 for t = 0..generations - 1: the MLE refit's closed form from any start.

    ``GaussianResult.variances[:, 0]`` is already a fit of N points (expected 1 - 1/N for the truth's variance 1),
    so compare it with ``initial_variance=1 - 1/N``.
    """
    generations = check_int("generations", generations, 1)
    n = check_int("samples_per_generation", samples_per_generation, 2)
    return initial_variance * (1.0 - 1.0 / n) ** np.arange(generations)


def _closed_form_generations(generations, samples_per_generation, fit):
    generations = check_int("generations", generations, 1)
    n = check_int("samples_per_generation", samples_per_generation, 2)
    check_choice("fit", fit, ("mle", "unbiased"))
    return np.arange(1, generations + 1), n  # generation t is the (t + 1)-th fit: generation 0 fits the truth


def expected_variance(generations: int, samples_per_generation: int, fit: str = "mle") -> np.ndarray:
    """E[variances[:, t]] for t = 0..generations - 1: fully synthetic 1-D refits of N points, truth N(0, 1).

    Each refit multiplies the variance by chi2_{N-1} / N ("mle") or chi2_{N-1} / (N - 1) ("unbiased"), independent
    of the past, so the mean is (1 - 1/N)^(t+1) for the MLE and exactly 1 for the unbiased fit.
    """
    fits, n = _closed_form_generations(generations, samples_per_generation, fit)
    return (1.0 - 1.0 / n) ** fits if fit == "mle" else np.ones(len(fits))


def expected_log_variance(generations: int, samples_per_generation: int, fit: str = "mle") -> np.ndarray:
    """E[ln variances[:, t]] for t = 0..generations - 1 (natural log), same setting as ``expected_variance``.

    The log adds one independent ln(chi2_{N-1} / (N - 1)) per refit, of mean digamma((N-1)/2) + ln(2 / (N-1)) < 0
    (about -1/N), plus ln(1 - 1/N) for the MLE: it drifts down linearly, so the typical (median) chain collapses
    even when the mean variance stays at 1.
    """
    fits, n = _closed_form_generations(generations, samples_per_generation, fit)
    drift = digamma((n - 1) / 2) + np.log(2.0 / (n - 1)) + (np.log(1.0 - 1.0 / n) if fit == "mle" else 0.0)
    return drift * fits


def _symmetric_root(cov: np.ndarray) -> np.ndarray:
    """Square root of each covariance (chains, d, d), robust when a fit has collapsed to (near) zero."""
    values, vectors = np.linalg.eigh(cov)
    return vectors * np.sqrt(np.clip(values, 0.0, None))[:, None, :] @ np.swapaxes(vectors, 1, 2)


def _cached_run(config, seed: int, cache: bool, cache_dir, fields: tuple[str, ...], compute,
                libraries: tuple[str, ...] = ("numpy",)) -> dict:
    """The arrays of one theory run, ``{field: array}``: from the run cache if stored there, else ``compute()``,
    stored whole as the run's one entry (written atomically). ``libraries``: packages whose version decides the bits."""
    if not cache:
        return compute()
    key = {"kind": type(config).__name__, **asdict(config), **{name: version(name) for name in libraries}}
    store = RunCache(cache_dir, key, seed, THEORY_MODULE)
    entry = store.load(0, fields)
    if entry is None:
        entry = compute()
        store.save(0, entry)
    return entry


def run_gaussian(config: GaussianConfig | None = None, seed: int = 0, *, cache: bool = True,
                 cache_dir=None) -> GaussianResult:
    """Refit a Gaussian on its own samples, generation after generation, in ``config.chains`` independent chains.

    Fits keep each chain's count, mean and centred scatter, merged pairwise (Chan et al.) under "accumulate", so
    "accumulate" costs no more than "replace" and a variance of 1e-20 is still measured to full precision.
    ``cache``: reuse and store the run on disk, in ``cache_dir`` (default ``$COLLAPSE_KIT_CACHE`` or
    ``~/.cache/collapse-kit``, as for ``run_experiment``).
    """
    config = GaussianConfig() if config is None else config
    if not isinstance(config, GaussianConfig):
        raise TypeError(f"config must be a GaussianConfig, got {type(config).__name__}")
    seed = check_int("seed", seed, 0)
    arrays = _cached_run(config, seed, cache, cache_dir, ("means", "variances"), lambda: _refit_gaussian(config, seed))
    return GaussianResult(config, seed, arrays["means"], arrays["variances"])


def _refit_gaussian(config: GaussianConfig, seed: int) -> dict:
    """``run_gaussian``'s computation: {"means": (chains, generations, dim), "variances": (chains, generations)}.

    A fit needs only the count, mean and centred scatter of its points, so each generation draws those directly
    (``draw_summary``) instead of the points: a few numbers per chain instead of N x dim, the same distribution
    (``draws="points"``: the points themselves, in the order lesson 01's exercise draws them).
    """
    rng = np.random.default_rng(seed)
    chains, n, d, real = config.chains, config.samples_per_generation, config.dim, config.real_count
    points = config.draws == "points"
    means = np.empty((chains, config.generations, d))
    variances = np.empty((chains, config.generations))
    count = centre = scatter = mean = root = fixed = None
    for generation in range(config.generations):
        if generation == 0:
            batch = draw_summary(rng, n, chains, d, points=points)
        else:
            synthetic = draw_summary(rng, n - real, chains, d, mean, root, points=points)
            if config.real_source == "fixed":
                fixed = draw_summary(rng, real, chains, d, points=points) if fixed is None else fixed
                truth = fixed
            else:
                truth = draw_summary(rng, real, chains, d, points=points)
            batch = merge_summaries(truth, synthetic)
        if config.strategy == "replace" or generation == 0:
            count, centre, scatter = batch
        else:
            count, centre, scatter = merge_summaries((count, centre, scatter), batch)
        mean, cov = _fit(config, count, centre, scatter)
        root = np.sqrt(cov) if d == 1 else _symmetric_root(cov)
        means[:, generation] = mean
        variances[:, generation] = np.trace(cov, axis1=1, axis2=2) / d
    return {"means": means, "variances": variances}


def draw_summary(rng, count: int, chains: int, dim: int, mean=None, root=None, points: bool = False):
    """(count, sample mean (chains, dim), centred scatter (chains, dim, dim)) of ``count`` points per chain drawn
    from N(mean, root root^T) (N(0, I) when ``mean`` is None), or None for no points.

    Drawn from their exact joint law, not point by point: the sample mean is N(mean, cov / count), the scatter
    root W root with W Wishart(count - 1, I) (Bartlett: W = A A^T, A lower triangular with sqrt(chi2_{count-1-i})
    on its diagonal and N(0, 1) below it), the two independent. ``points`` (or fewer points than dim + 1): the
    points are drawn, ``rng.standard_normal((chains, count, dim))``, and summarised.
    """
    if count == 0:
        return None
    if points or count - 1 < dim:
        drawn = rng.standard_normal((chains, count, dim))
        z = drawn.mean(axis=1)
        centred = drawn - z[:, None, :]
        w = np.einsum("cni,cnj->cij", centred, centred)
    elif dim == 1:
        z = rng.standard_normal((chains, 1)) / np.sqrt(count)
        w = rng.chisquare(count - 1, size=(chains, 1, 1))
    else:
        z = rng.standard_normal((chains, dim)) / np.sqrt(count)
        a = np.zeros((chains, dim, dim))
        diagonal = np.arange(dim)
        a[:, diagonal, diagonal] = np.sqrt(rng.chisquare(count - 1 - diagonal, size=(chains, dim)))
        below = np.tril_indices(dim, -1)
        a[:, below[0], below[1]] = rng.standard_normal((chains, len(below[0])))
        w = a @ np.swapaxes(a, 1, 2)
    if mean is None:
        return count, z, w
    if dim == 1:  # root: (chains, 1, 1)
        return count, mean + z * root[:, :, 0], w * root * root
    return count, mean + (root @ z[:, :, None])[:, :, 0], root @ w @ root  # root is symmetric


def merge_summaries(first, second):
    """The (count, mean, centred scatter) of two sets of points together (Chan et al.'s pairwise update); either may
    be None (no points). Centred sums, not sums of squares: those cancel to +-1e-16 once a chain has collapsed."""
    if first is None or second is None:
        return second if first is None else first
    (n1, c1, s1), (n2, c2, s2) = first, second
    shift = c2 - c1
    count = n1 + n2
    return count, c1 + shift * (n2 / count), s1 + s2 + (n1 * n2 / count) * np.einsum("ci,cj->cij", shift, shift)


def _fit(config: GaussianConfig, count: int, mean: np.ndarray, scatter: np.ndarray):
    """Mean and covariance from the count, sample mean and scatter (sum of (x - mean)(x - mean)^T) of the points:
    maximum likelihood, the unbiased estimate, or the Normal-inverse-Wishart mode (MAP)."""
    d = config.dim
    if config.fit == "mle":
        return mean, scatter / count
    if config.fit == "unbiased":
        return mean, scatter / (count - 1)
    # Prior: mean 0 with weight k0 = prior_strength points; covariance scale prior_variance * I with nu0 = k0 + d + 1
    # pseudo-points. With no data the mode is nu0 / (nu0 + d + 1) * prior_variance (0.6 for d = 1, k0 = 1): a floor
    # that the data outweigh as they accumulate.
    k0 = config.prior_strength
    nu0 = k0 + d + 1
    shrunk = count * mean / (count + k0)
    psi = nu0 * config.prior_variance * np.eye(d) + scatter + (k0 * count / (k0 + count)) * np.einsum(
        "ci,cj->cij", mean, mean)
    return shrunk, psi / (nu0 + count + d + 1)


REAL_POINT_SETTINGS = ("none", "fixed", "fresh")


@dataclass
class LifelineStudy:
    """C5 in the Gaussian world: one real point per generation (none, fixed or fresh) under MLE and under MAP priors.

    ``runs`` maps (fit, prior_variance, real_point) to its GaussianResult; prior_variance is None for the MLE. Every
    run has its own seed, so its chains are independent of every other run's. Fully synthetic MAP refits settle near
    nu0 * prior_variance / (nu0 + dim + 2) = prior_variance / 2 (dim 1, prior_strength 1), a little above as the
    mean wanders: the prior, not the data, sets that level. Returned by ``lifeline_study``.
    """

    runs: dict
    seed: int

    @property
    def prior_variances(self) -> tuple[float, ...]:
        """The MAP priors' variances the study ran, in order."""
        return tuple(dict.fromkeys(prior for fit, prior, _ in self.runs if fit == "map"))

    def result(self, fit: str, real_point: str, prior_variance: float | None = None) -> GaussianResult:
        """The run of one setting, e.g. ``result("map", "fixed", prior_variance=4.0)``."""
        key = (fit, None if fit == "mle" else prior_variance, real_point)
        if key not in self.runs:
            raise ValueError(f"no run {key}; the study ran (fit, prior_variance, real_point) = {list(self.runs)}")
        return self.runs[key]

    def settled_variance(self, fit: str, real_point: str, prior_variance: float | None = None) -> np.ndarray:
        """Each chain's mean fitted variance over the last quarter of generations, (chains,): where it settles."""
        variances = self.result(fit, real_point, prior_variance).variances
        return variances[:, -max(1, variances.shape[1] // 4):].mean(axis=1)


def lifeline_study(generations: int = 1000, chains: int = 200, seed: int = 0, samples_per_generation: int = 100,
                   prior_variances=(1.0, 4.0), *, cache: bool = True, cache_dir=None) -> LifelineStudy:
    """Run C5's grid: MLE and MAP (one prior per ``prior_variances``), each with no, one fixed or one fresh real point.

    A prior variance of 1 is well specified (the truth's); 4 is misspecified. Comparing MAP with and without the
    point separates what the point adds from what the prior does. ``cache``, ``cache_dir``: as for ``run_gaussian``
    (each run of the grid is cached on its own).
    """
    seed = check_int("seed", seed, 0)
    priors = tuple(check_float("prior_variances", value, 0.0, None, exclusive_minimum=True)
                   for value in prior_variances)
    keys = [(fit, prior, real_point) for fit, prior in [("mle", None), *[("map", p) for p in priors]]
            for real_point in REAL_POINT_SETTINGS]
    seeds = np.random.SeedSequence(seed).generate_state(len(keys))  # independent streams, one per run
    runs = {}
    for (fit, prior, real_point), run_seed in zip(keys, seeds):
        config = GaussianConfig(samples_per_generation=samples_per_generation, generations=generations, chains=chains,
                                fit=fit, prior_variance=1.0 if prior is None else prior,
                                real_points=0 if real_point == "none" else 1,
                                real_source="fresh" if real_point == "none" else real_point)
        runs[fit, prior, real_point] = run_gaussian(config, seed=int(run_seed), cache=cache, cache_dir=cache_dir)
    return LifelineStudy(runs, seed)


@dataclass(frozen=True)
class MixtureConfig(WorldConfig):
    """Recursive refitting of a mixture of two 1-D Gaussians; the truth is 0.5 N(-2, 1) + 0.5 N(2, 1).

    Attributes mean the same as GaussianConfig's; ``fit="map"`` adds ``regularisation`` to every component's
    variance at each fit (scikit-learn's reg_covar), which floors it. Accumulate keeps every point: slow past a few
    hundred generations.
    """

    samples_per_generation: int = bounded(1000, Interval(int, 4))  # two points for each component's variance
    generations: int = bounded(2000, GENERATIONS)
    real_fraction: float = bounded(0.0, FRACTION)
    real_points: int = bounded(0, Interval(int, 0))
    strategy: str = bounded("replace", Choice(STRATEGIES))
    fit: str = bounded("mle", Choice(MIXTURE_FITS))
    regularisation: float = bounded(1e-2, Interval(float, 0.0))
    record = MixtureGeneration
    module = THEORY_MODULE
    profiles = _profiles(generations="mixture_generations")
    headline = ("std", "separation")

    def __post_init__(self):
        check_bounds(self)
        check_int("real_points", self.real_points, 0, self.samples_per_generation)
        real = round(self.real_fraction * self.samples_per_generation) + self.real_points
        if real > self.samples_per_generation:
            raise ValueError(f"real_fraction * samples_per_generation + real_points = {real} exceeds "
                             f"samples_per_generation={self.samples_per_generation}")


    def run(self, seed: int = 0, **options) -> "MixtureResult":
        """``run_mixture(self, seed, **options)``: how the runner runs any world's config."""
        options.pop("device", None), options.pop("on_generation", None)
        return run_mixture(self, seed, **options)

    def label(self) -> str:
        """A short legend label, e.g. "N = 1000, mle / replace"."""
        real = f", real {self.real_fraction:.0%}" if self.real_fraction else ""
        points = f", {self.real_points} real points" if self.real_points else ""
        return f"N = {self.samples_per_generation}{real}{points}, {self.fit} / {self.strategy}"


@dataclass
class MixtureResult(WorldResult):
    """Per generation: component ``means`` (generations, 2), ``stds`` (same), ``weights`` (same), sorted by mean."""

    config: MixtureConfig
    seed: int
    means: np.ndarray
    stds: np.ndarray
    weights: np.ndarray

    def rows(self) -> list[dict]:
        """One row per generation: the components' mean std, the distance between their means, the smaller
        weight."""
        return [{"generation": g, "std": float(self.stds[g].mean()),
                 "separation": float(self.means[g, 1] - self.means[g, 0]),
                 "weight_balance": float(self.weights[g].min())} for g in range(len(self.stds))]


TRUE_MEANS, TRUE_STD = np.array([-2.0, 2.0]), 1.0


def _sample_truth(rng, count: int) -> np.ndarray:
    return rng.choice(TRUE_MEANS, size=count) + TRUE_STD * rng.standard_normal(count)


def run_mixture(config: MixtureConfig | None = None, seed: int = 0, progress: bool = True, *, cache: bool = True,
                cache_dir=None) -> MixtureResult:
    """Refit a 2-component Gaussian mixture (EM, scikit-learn) on its own samples. ``cache``, ``cache_dir``: as for
    ``run_gaussian``."""
    config = MixtureConfig() if config is None else config
    if not isinstance(config, MixtureConfig):
        raise TypeError(f"config must be a MixtureConfig, got {type(config).__name__}")
    seed = check_int("seed", seed, 0)
    arrays = _cached_run(config, seed, cache, cache_dir, ("means", "stds", "weights"),
                         lambda: _refit_mixture(config, seed, progress), libraries=("numpy", "scikit-learn"))
    return MixtureResult(config, seed, arrays["means"], arrays["stds"], arrays["weights"])


def _refit_mixture(config: MixtureConfig, seed: int, progress: bool) -> dict:
    """``run_mixture``'s computation: {"means", "stds", "weights"}, each (generations, 2)."""
    from sklearn.mixture import GaussianMixture  # scikit-learn costs ~1 s to import: only the mixture needs it

    rng = np.random.default_rng(seed)
    n = config.samples_per_generation
    real = round(config.real_fraction * n) + config.real_points
    # Warm start: each fit starts from the previous generation's, as a retrained model would.
    model = GaussianMixture(2, reg_covar=config.regularisation if config.fit == "map" else 1e-12,
                            warm_start=True, random_state=seed, tol=1e-4, max_iter=200)
    shape = (config.generations, 2)
    means, stds, weights = np.empty(shape), np.empty(shape), np.empty(shape)
    kept = []
    for generation in tqdm(range(config.generations), desc="mixture generations", disable=not progress):
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
    return {"means": means, "stds": stds, "weights": weights}
