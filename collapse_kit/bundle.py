"""The shipped results bundle: the lessons' experiments run over many seeds, so bands show before any training.

One file, ``assets/results_bundle.npz``: for each experiment (a config of the full or fast profile) and each seed,
every column of every generation (``generation.COLUMNS``), small sample grids for a few seeds, and the provenance
(code version, torch, platform, CPU, date). Its checksum (sha256 over every array) is stored inside and verified on
load. No model weights. Built by ``scripts/build_results_bundle.py`` with the parallel runner; a test recomputes a
sampled entry. Used by the explorer (lesson 05) and the lessons' band figures (03-08).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .generation import COLUMNS
from .loop import ExperimentConfig, ExperimentResult

BUNDLE_FILE = Path(__file__).resolve().parent / "assets" / "results_bundle.npz"
FORMAT = 2  # 2: every experiment carries the provenance of the build that ran it (1: one provenance for all)
READABLE_FORMATS = (1, 2)
SAMPLE_IMAGES = 16  # images per generation in the shipped sample grids
BUNDLE_GENERATIONS = 12  # long runs: a plateau is judged on the slope of the last generations, not on one endpoint
FEW_REAL_IMAGES = (1, 10, 100)  # C5 in the VAE world: k fresh real images in each generation's set (lesson 06)
C3_REAL_SIZES = (2250, 4500, 9000, 18000)  # C3: real images in generation 1's set, alone or with 10% synthetic
C3_SYNTHETIC_SHARE = 0.1
DIVERSITY_DIGITS = (0, 1, 2, 3, 4)  # C4's "diverse": half the real data, from half the digits (lesson 05)
SAMPLING_TEMPERATURES, TEMPERATURE_GENERATIONS = (1.0, 0.6), 4  # a biased sampler over generations (lesson 07)


def few_real_name(k: int) -> str:
    """The bundle's name for the loop with k fresh real images per generation ("replace, real 0" for k = 0)."""
    return "replace, real 0" if k == 0 else f"replace, {k} real image{'s' if k > 1 else ''}"


def c3_names(real: int) -> tuple[str, str, str]:
    """The bundle's names of C3 at ``real`` real images: alone, plus the synthetic share, and all real at that total."""
    total = round(real / (1 - C3_SYNTHETIC_SHARE))
    return f"C3, {real} real", f"C3, {real} real + synthetic", f"C3, {total} real"


def bundle_configs(profile: str = "full") -> dict[str, ExperimentConfig]:
    """The experiments the bundle holds for ``profile``, by name (the lessons name them through
    ``replicates.bundle_band``):

    * ``"replace, real f"``: the lessons' sweep over the real fraction f (0 to 1), 12 generations (lessons 03, 05);
    * ``"accumulate, real 0"`` and ``"accumulate, real 0, equal steps"``: accumulate at equal epochs and at equal
      compute (each generation the gradient steps of generation 0), the profile's generations (lesson 07);
    * ``"replace, k real images"`` for k in ``FEW_REAL_IMAGES`` (lesson 06) and ``"replace, real 0.5, digits 0-4"``
      (lesson 05), the profile's generations;
    * ``"replace, bernoulli, temperature t"`` for t in ``SAMPLING_TEMPERATURES``: 0/1-pixel samples drawn at
      temperature t, no real data, 4 generations (lesson 07);
    * C3, two generations each (lesson 06), for n in ``C3_REAL_SIZES``: ``"C3, n real"`` (n real images alone),
      ``"C3, n real + synthetic"`` (the same n real images plus 10% synthetic: n / 0.9 in all) and
      ``"C3, N real"`` for that total N all real (the total held fixed); every one trains about the profile's
      gradient steps per generation (its epochs scaled to its size), so size is not confounded with training.
    """
    from .profiles import LESSON_SETTINGS, profile_config

    fractions = sorted({f for settings in LESSON_SETTINGS.values() for f in settings["sweep_fractions"]})
    base = profile_config(profile, generations=BUNDLE_GENERATIONS)
    configs = {f"replace, real {f:g}": base.replace(real_fraction=f) for f in fractions}
    configs["accumulate, real 0"] = profile_config(profile, strategy="accumulate")
    configs["accumulate, real 0, equal steps"] = profile_config(profile, strategy="accumulate", compute="steps")
    n = profile_config(profile).samples_per_generation
    for k in FEW_REAL_IMAGES:
        configs[few_real_name(k)] = profile_config(profile, real_fraction=k / n)
    digits = "-".join(str(d) for d in (DIVERSITY_DIGITS[0], DIVERSITY_DIGITS[-1]))
    configs[f"replace, real 0.5, digits {digits}"] = profile_config(profile, real_fraction=0.5,
                                                                   real_digits=DIVERSITY_DIGITS)
    for temperature in SAMPLING_TEMPERATURES:
        configs[f"replace, bernoulli, temperature {temperature:g}"] = profile_config(
            profile, generations=TEMPERATURE_GENERATIONS, sample_mode="bernoulli", temperature=temperature)
    two = profile_config(profile, generations=2)
    steps = two.epochs * (two.samples_per_generation // two.batch_size)  # the profile's steps per generation

    def sized(n: int, real_fraction: float) -> ExperimentConfig:
        # About the profile's gradient steps at every size (epochs scaled, within 3%): a small set is not left
        # under-trained, and a set with synthetic images added buys no extra steps.
        return two.replace(samples_per_generation=n, real_fraction=real_fraction,
                           epochs=max(1, round(steps / (n // two.batch_size))))

    for real in C3_REAL_SIZES:
        total = round(real / (1 - C3_SYNTHETIC_SHARE))
        alone, mixed, all_real = c3_names(real)
        configs[alone] = sized(real, 1.0)
        configs[mixed] = sized(total, 1 - C3_SYNTHETIC_SHARE)
        configs[all_real] = sized(total, 1.0)
        assert configs[mixed].real_per_generation == real, "the real images held fixed"
    return configs


@dataclass
class Experiment:
    """One config over many seeds: ``values[column]`` is (seeds, generations); ``samples`` (sample seeds, generations,
    16, 28, 28) uint8; ``provenance``: the build that ran it (code version, torch, platform, CPU, date)."""

    name: str
    profile: str
    config: ExperimentConfig
    seeds: list[int]
    values: dict[str, np.ndarray]
    sample_seeds: list[int]
    samples: np.ndarray
    provenance: dict = dataclasses.field(default_factory=dict)

    def metric(self, name: str, generations: int | None = None) -> np.ndarray:
        """One column over seeds and generations, (seeds, generations), the first ``generations`` only if given."""
        if name not in self.values:
            raise ValueError(f"name must be one of {', '.join(sorted(self.values))}, got {name!r}")
        return self.values[name][:, :generations]


def experiment_of(name: str, profile: str, results: list[ExperimentResult], provenance: dict,
                  sample_seeds=(0, 1, 2)) -> Experiment:
    """An Experiment from one config's results over seeds (what the build script packs)."""
    config = results[0].config
    if any(result.config != config for result in results):
        raise ValueError(f"experiment {name!r} mixes configs; one config over many seeds is allowed")
    rows = [[record.scalars() for record in result.generations] for result in results]
    values = {column.name: np.array([[row[column.name] for row in run] for run in rows]) for column in COLUMNS}
    kept = [result for result in results if result.seed in sample_seeds]
    samples = np.stack([np.stack([record.samples[:SAMPLE_IMAGES, 0].numpy() for record in result.generations])
                        for result in kept])
    return Experiment(name, profile, config, [result.seed for result in results], values,
                      [result.seed for result in kept], samples, dict(provenance))


@dataclass
class Bundle:
    """Every experiment of the bundle; ``provenance`` is the newest build's (each experiment keeps its own)."""

    experiments: list[Experiment]
    provenance: dict

    def find(self, config: ExperimentConfig) -> Experiment | None:
        """The experiment that ran ``config`` for at least its generations, or None.

        Generation g's numbers do not depend on how many generations follow, so a 12-generation run holds a
        6-generation run's numbers in its first 6.
        """
        wanted = dataclasses.asdict(config)
        for experiment in self.experiments:
            have = dataclasses.asdict(experiment.config)
            if (have["generations"] >= wanted["generations"]
                    and {**have, "generations": 0} == {**wanted, "generations": 0}):
                return experiment
        return None

    def named(self, name: str, profile: str = "full") -> Experiment:
        """The experiment of that name and profile (names: ``bundle_configs``); a clear error if it is missing."""
        for experiment in self.experiments:
            if experiment.name == name and experiment.profile == profile:
                return experiment
        have = ", ".join(sorted({e.name for e in self.experiments if e.profile == profile}))
        raise ValueError(f"name must be an experiment of the {profile} profile's bundle ({have}), got {name!r}")


def _checksum(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in sorted(arrays):
        digest.update(name.encode())
        digest.update(str(arrays[name].dtype).encode() + str(arrays[name].shape).encode())
        digest.update(np.ascontiguousarray(arrays[name]).tobytes())
    return digest.hexdigest()


def pack(experiments: list[Experiment], provenance: dict) -> bytes:
    """The bundle file's bytes from Experiments (``experiment_of``); ``provenance`` is the newest build's."""
    arrays, entries = {}, []
    for index, experiment in enumerate(experiments):
        for column in COLUMNS:
            arrays[f"{index}/{column.name}"] = np.asarray(experiment.values[column.name])
        arrays[f"{index}/samples"] = np.asarray(experiment.samples, dtype=np.uint8)
        entries.append({"name": experiment.name, "profile": experiment.profile,
                        "config": dataclasses.asdict(experiment.config), "seeds": list(experiment.seeds),
                        "sample_seeds": list(experiment.sample_seeds),
                        "provenance": experiment.provenance or provenance})
    meta = {"format": FORMAT, "provenance": provenance, "experiments": entries, "checksum": _checksum(arrays)}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays)
    return buffer.getvalue()


def read(path=None) -> Bundle:
    """Read and verify a bundle file (default: the shipped one). A wrong checksum or format raises ValueError."""
    path = Path(BUNDLE_FILE if path is None else path)
    if not path.exists():
        raise FileNotFoundError(f"no results bundle at {path}; build it with scripts/build_results_bundle.py")
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(data["meta"].tobytes())
        arrays = {name: data[name] for name in data.files if name != "meta"}
    if meta.get("format") not in READABLE_FORMATS:
        raise ValueError(f"{path} has bundle format {meta.get('format')!r}; this collapse-kit reads formats "
                         f"{', '.join(map(str, READABLE_FORMATS))}")
    if _checksum(arrays) != meta["checksum"]:
        raise ValueError(f"{path} is corrupt: its arrays do not match its checksum; rebuild or reinstall it")
    experiments = []
    for index, entry in enumerate(meta["experiments"]):
        values = {column.name: arrays[f"{index}/{column.name}"] for column in COLUMNS}
        config = ExperimentConfig(**{key: value for key, value in entry["config"].items()
                                     if key in {f.name for f in dataclasses.fields(ExperimentConfig)}})
        experiments.append(Experiment(entry["name"], entry["profile"], config, entry["seeds"], values,
                                      entry["sample_seeds"], arrays[f"{index}/samples"],
                                      entry.get("provenance", meta["provenance"])))
    return Bundle(experiments, meta["provenance"])


@functools.lru_cache(maxsize=1)
def shipped() -> Bundle:
    """The bundle shipped in the package, read once per kernel."""
    return read()
