"""One setting over many seeds: per generation and metric, the mean, its standard error and a 95% interval.

A ``Band`` is what a lesson draws behind a student's live run: from the shipped results bundle (``from_bundle``,
instant) or from runs made here (``replicate``, through the parallel runner and the cache). Used by the explorer
(lesson 05), the lessons' band figures (03-08) and ``collapse-kit sweep --seeds``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._validation import check_int
from .generation import COLUMNS
from .loop import ExperimentConfig, ExperimentResult, run_experiment
from .runner import run_runs
from .verdicts import Summary, summarize

BAND_COLUMNS = tuple(column.name for column in COLUMNS if column.name != "class_histogram")


def setting_label(config: ExperimentConfig) -> str:
    """A short legend label of a setting, e.g. "real 50% / replace", "1 real image / replace",
    "real 0% / accumulate, equal steps" or "real 50% (digits 0-4) / replace". Used by the lessons' figures."""
    k = config.real_per_generation
    real = (f"{k} real image{'s' if k != 1 else ''}" if 0 < config.real_fraction < 0.05
            else f"real {config.real_fraction:.0%}")
    if config.real_digits is not None:
        digits = config.real_digits
        span = (f"{digits[0]}-{digits[-1]}" if digits == tuple(range(digits[0], digits[-1] + 1))
                else ",".join(map(str, digits)))
        real += f" (digits {span})"
    return f"{real} / {config.strategy}" + (", equal steps" if config.compute == "steps" else "")


@dataclass
class Band:
    """``values[name]``: (seeds, generations) for every numeric column; ``source`` says where they came from."""

    config: ExperimentConfig
    seeds: list[int]
    values: dict[str, np.ndarray]
    source: str  # "results bundle" (shipped) or "this machine"
    samples: np.ndarray | None = None  # bundle only: (sample seeds, generations, 16, 28, 28) uint8
    sample_seeds: list[int] = field(default_factory=list)

    @property
    def generations(self) -> int:
        return self.values["generation"].shape[1]

    def summary(self, name: str) -> Summary:
        """Mean, standard error and 95% t-interval of column ``name`` over seeds, one per generation."""
        if name not in self.values:
            raise ValueError(f"name must be one of {', '.join(self.values)}, got {name!r}")
        return summarize(self.values[name], axis=0)

    def label(self) -> str:
        return f"{setting_label(self.config)} ({len(self.seeds)} seeds, {self.source})"

    def last_generation_line(self, names=("fid", "classes_covered", "latent_std", "test_nelbo")) -> str:
        """The last generation's means with their 95% intervals, one line (what ``collapse-kit sweep`` prints)."""
        parts = []
        for name in names:
            summary = self.summary(name)
            parts.append(f"{name} {summary.mean[-1]:.3g} [{summary.low[-1]:.3g}, {summary.high[-1]:.3g}]")
        return f"{self.label()}, generation {self.generations - 1}: " + ", ".join(parts)


def bands_of(results: list[ExperimentResult], source: str = "this machine") -> list[Band]:
    """Group runs by config (in first-seen order): one Band per setting, over the seeds that ran it."""
    groups: dict[ExperimentConfig, list[ExperimentResult]] = {}
    for result in results:
        groups.setdefault(result.config, []).append(result)
    bands = []
    for config, runs in groups.items():
        rows = [[record.scalars() for record in run.generations] for run in runs]
        values = {name: np.array([[row[name] for row in run] for run in rows], dtype=float) for name in BAND_COLUMNS}
        bands.append(Band(config, [run.seed for run in runs], values, source))
    return bands


def replicate(config: ExperimentConfig, seeds=range(10), *, workers: int = 1, client=None, **run_options) -> Band:
    """Run ``config`` for every seed (cached runs load at once; the rest run on ``workers`` processes or ``client``).

    ``run_options``: cache, cache_dir, device, progress (as in ``runner.run_runs``). Used by lessons 05-08.
    """
    return bands_of(run_runs([(config, seed) for seed in seeds], workers=workers, client=client, **run_options))[0]


def from_bundle(config: ExperimentConfig, bundle=None) -> Band | None:
    """The shipped band of ``config`` (its first ``config.generations`` generations), or None if the bundle lacks it.

    Instant: no training. ``bundle``: a ``bundle.Bundle`` (default: the one shipped in the package).
    """
    from . import bundle as bundles

    bundle = bundles.shipped() if bundle is None else bundle
    experiment = bundle.find(config)
    if experiment is None:
        return None
    values = {name: experiment.metric(name, config.generations).astype(float) for name in BAND_COLUMNS}
    return Band(config, list(experiment.seeds), values, "results bundle",
                experiment.samples[:, :config.generations], list(experiment.sample_seeds))


def shipped_bands(runs, bundle=None) -> list[Band]:
    """The shipped bands of the settings of ``runs`` (results or configs, one band per setting), where the bundle
    has them: what a lesson draws behind the student's live runs. Used in lesson 03."""
    runs = [runs] if isinstance(runs, (ExperimentResult, ExperimentConfig)) else list(runs)
    configs = dict.fromkeys(run.config if isinstance(run, ExperimentResult) else run for run in runs)
    found = (from_bundle(config, bundle) for config in configs)
    return [band for band in found if band is not None]


def evidence(config: ExperimentConfig, seed: int = 0, bundle=None, **run_options):
    """The best evidence on ``config`` at hand: its shipped 10-seed ``Band`` where the results bundle holds it
    (instant), else one live run of ``seed`` (an ``ExperimentResult``; ``run_options`` as in ``run_experiment``).
    Used in lesson 08."""
    band = from_bundle(config, bundle)
    return band if band is not None else run_experiment(config, seed=seed, **run_options)


def bundle_band(name: str, profile: str = "full", bundle=None, generations: int | None = None) -> Band:
    """A shipped band by the bundle's name for it, e.g. ``bundle_band("replace, real 0.5")`` (full profile: what
    students run, whatever profile the lesson runs in), its first ``generations`` only if given. Names:
    ``bundle.bundle_configs(profile)``. Used in lessons 03, 05-08."""
    from .bundle import bundle_configs

    configs = bundle_configs(profile)
    if name not in configs:
        raise ValueError(f"name must be one of {', '.join(map(repr, configs))}, got {name!r}")
    config = configs[name]
    if generations is not None:
        config = config.replace(generations=check_int("generations", generations, 1, config.generations))
    band = from_bundle(config, bundle)
    if band is None:
        raise ValueError(f"the results bundle holds no {profile!r} run of {name!r}; rebuild it "
                         f"(scripts/build_results_bundle.py --profiles {profile})")
    return band
