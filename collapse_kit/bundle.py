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
FORMAT = 1
SAMPLE_IMAGES = 16  # images per generation in the shipped sample grids
BUNDLE_GENERATIONS = 12  # long runs: a plateau is judged on the slope of the last generations, not on one endpoint


def bundle_configs(profile: str) -> dict[str, ExperimentConfig]:
    """The experiments the bundle holds for ``profile``, by name: the lessons' sweep (replace, 12 generations,
    real fraction 0 to 1) and accumulate against replace with no real data (the profile's generations)."""
    from .profiles import LESSON_SETTINGS, profile_config

    fractions = sorted({f for settings in LESSON_SETTINGS.values() for f in settings["sweep_fractions"]})
    base = profile_config(profile, generations=BUNDLE_GENERATIONS)
    configs = {f"replace, real {f:g}": base.replace(real_fraction=f) for f in fractions}
    configs["accumulate, real 0"] = profile_config(profile, strategy="accumulate")
    return configs


@dataclass
class Experiment:
    """One config over many seeds: ``values[column]`` is (seeds, generations); ``samples`` (sample seeds, generations,
    16, 28, 28) uint8."""

    name: str
    profile: str
    config: ExperimentConfig
    seeds: list[int]
    values: dict[str, np.ndarray]
    sample_seeds: list[int]
    samples: np.ndarray

    def metric(self, name: str, generations: int | None = None) -> np.ndarray:
        """One column over seeds and generations, (seeds, generations), the first ``generations`` only if given."""
        if name not in self.values:
            raise ValueError(f"name must be one of {', '.join(sorted(self.values))}, got {name!r}")
        return self.values[name][:, :generations]


@dataclass
class Bundle:
    """Every experiment of the bundle and where the numbers came from."""

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


def _checksum(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in sorted(arrays):
        digest.update(name.encode())
        digest.update(str(arrays[name].dtype).encode() + str(arrays[name].shape).encode())
        digest.update(np.ascontiguousarray(arrays[name]).tobytes())
    return digest.hexdigest()


def pack(experiments: list[tuple[str, str, list[ExperimentResult]]], provenance: dict,
         sample_seeds=(0, 1, 2)) -> bytes:
    """The bundle file's bytes from ``(name, profile, results over seeds)`` triples (used by the build script)."""
    arrays, entries = {}, []
    for index, (name, profile, results) in enumerate(experiments):
        config = results[0].config
        if any(result.config != config for result in results):
            raise ValueError(f"experiment {name!r} mixes configs; one config over many seeds is allowed")
        rows = [[record.scalars() for record in result.generations] for result in results]
        for column in COLUMNS:
            arrays[f"{index}/{column.name}"] = np.array([[row[column.name] for row in run] for run in rows])
        kept = [result for result in results if result.seed in sample_seeds]
        arrays[f"{index}/samples"] = np.stack([np.stack([record.samples[:SAMPLE_IMAGES, 0].numpy()
                                                         for record in result.generations]) for result in kept])
        entries.append({"name": name, "profile": profile, "config": dataclasses.asdict(config),
                        "seeds": [result.seed for result in results],
                        "sample_seeds": [result.seed for result in kept]})
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
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path} has bundle format {meta.get('format')!r}; this collapse-kit reads format {FORMAT}")
    if _checksum(arrays) != meta["checksum"]:
        raise ValueError(f"{path} is corrupt: its arrays do not match its checksum; rebuild or reinstall it")
    experiments = []
    for index, entry in enumerate(meta["experiments"]):
        values = {column.name: arrays[f"{index}/{column.name}"] for column in COLUMNS}
        config = ExperimentConfig(**{key: value for key, value in entry["config"].items()
                                     if key in {f.name for f in dataclasses.fields(ExperimentConfig)}})
        experiments.append(Experiment(entry["name"], entry["profile"], config, entry["seeds"], values,
                                      entry["sample_seeds"], arrays[f"{index}/samples"]))
    return Bundle(experiments, meta["provenance"])


@functools.lru_cache(maxsize=1)
def shipped() -> Bundle:
    """The bundle shipped in the package, read once per kernel."""
    return read()
