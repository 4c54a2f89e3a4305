"""The shipped results bundle, and every way into it: a band of seeds by name, by config, or as the evidence on a
setting; one type, ``Band``, for a setting over seeds whether shipped or run here.

One file, ``assets/results_bundle.npz``: for each experiment of the catalogue (``experiments.CATALOGUE``) and each
seed, every column of every generation, small sample grids of a few seeds, and the provenance of the build that ran
it (code version, torch, platform, CPU, date). Its checksum (sha256 over every array) is stored inside and verified on
load. No model weights. Built by ``scripts/build_results_bundle.py``; a test recomputes a sampled entry. The file
stores each experiment's name, its config's type (its *world*: the VAE loop's ``ExperimentConfig`` or another) and
whatever columns its world declared: a bundle built before a metric was added still reads, without that column.

Used by the explorer (lesson 05), the lessons' band figures (03-08), ``claims`` and ``collapse-kit sweep``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core._validation import check_int
from ..core.columns import columns_of
from ..vae.loop import ExperimentConfig
from .stats import Summary, prediction_interval, summarize

BUNDLE_FILE = Path(__file__).resolve().parents[1] / "assets" / "results_bundle.npz"
FORMAT = 3  # 3: each experiment names its config's type; 2: each carries its build's provenance; 1: one for all
READABLE_FORMATS = (1, 2, 3)
SAMPLE_SEEDS = (0, 1, 2)  # the seeds whose sample grids the bundle ships
SHIPPED = "results bundle"  # a Band's source when it comes from the file


class Unbuilt(LookupError):
    """What a reading asks for is not in the bundle: a line not built (yet), or a column its band was built
    without. Raised only under an analysis variant (``variants``); the shipped bundle's own reads never raise it."""


@dataclass
class Band:
    """One setting over many seeds: ``values[column]`` is (seeds, generations) for every numeric column.

    Attributes:
        name: the catalogue's name for the setting ("" for a setting run here that the catalogue lacks).
        config: the setting (any world's config; ``config.record`` declares its columns).
        seeds: the seeds, one per row of every ``values`` array.
        values: column name -> (seeds, generations) array.
        source: "results bundle", "this machine", or "your run" (a student's live run).
        samples: shipped samples (sample seeds, generations, ...) uint8, or None: 16 images of 28 x 28 pixels
            (the VAE), or 4 passages of character codes (the language model: ``record.shipped_samples``).
        sample_seeds: the seeds of ``samples``.
        provenance: the build that ran it (shipped bands).
        readings: measure -> the column read in its place (an analysis variant's reading, ``variants``), or None
            where the variant has no number for that measure; empty for the band as built.
    """

    name: str
    config: object
    seeds: list[int]
    values: dict[str, np.ndarray]
    source: str = SHIPPED
    samples: np.ndarray | None = None
    sample_seeds: list[int] = field(default_factory=list)
    provenance: dict = field(default_factory=dict)
    readings: dict[str, str | None] = field(default_factory=dict)

    @property
    def generations(self) -> int:
        return next(iter(self.values.values())).shape[1]

    def column(self, measure: str) -> str:
        """The column read for ``measure``: itself, or the one a variant reads in its place (``readings``)."""
        if measure in self.readings and self.readings[measure] is None:
            raise Unbuilt(f"{self.name!r} has no {measure!r} under this reading")
        return self.readings.get(measure) or measure

    def metric(self, name: str, generations: int | None = None) -> np.ndarray:
        """Column ``name`` over seeds and generations, (seeds, generations), the first ``generations`` if given
        (under a variant's ``readings``, the column read in its place)."""
        name = self.column(name)
        if name not in self.values and name in self.readings.values():
            raise Unbuilt(f"{self.name!r} was built without the column {name!r}")
        if name not in self.values:
            raise ValueError(f"name must be one of {', '.join(sorted(self.values))} (the columns this band holds), "
                             f"got {name!r}")
        return self.values[name][:, :generations]

    def at(self, name: str, generation: int) -> np.ndarray:
        """Column ``name`` at one generation: one number per seed."""
        return self.metric(name)[:, check_int("generation", generation, 0, self.generations - 1)]

    def summary(self, name: str) -> Summary:
        """Mean, standard error and 95% t-interval of column ``name`` over seeds, one per generation."""
        return summarize(self.metric(name), axis=0)

    def prediction(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The 95% prediction interval of one more seed of column ``name``, (low, high), one per generation
        (``stats.prediction_interval``): where a new run of this setting lands 95% of the time."""
        return prediction_interval(self.metric(name), axis=0)

    def first(self, generations: int) -> "Band":
        """The same band cut to its first ``generations`` (generation g does not depend on how many follow it)."""
        generations = check_int("generations", generations, 1, self.generations)
        samples = None if self.samples is None else self.samples[:, :generations]
        return dataclasses.replace(self, config=self.config.replace(generations=generations),
                                   values={name: values[:, :generations] for name, values in self.values.items()},
                                   samples=samples)

    def label(self) -> str:
        """The legend label, e.g. "real 50% / replace (10 seeds, results bundle)" or "... (your run, seed 3)"."""
        if len(self.seeds) == 1:
            return f"{self.config.label()} ({self.source}, seed {self.seeds[0]})"
        return f"{self.config.label()} ({len(self.seeds)} seeds, {self.source})"

    def generation_line(self, generation: int = -1, names=None) -> str:
        """One generation's means with their 95% intervals, one line (what ``collapse-kit sweep`` prints).

        ``names``: the columns (default: every metric of the run table, e.g. FID, digits, latent std, test -ELBO).
        """
        columns = {column.name: column for column in columns_of(self.config.record)}
        names = [c.name for c in columns.values() if c.label and c.short] if names is None else list(names)
        generation = generation % self.generations
        parts = []
        for name in names:
            summary, fmt = self.summary(name), columns[name].fmt if name in columns else "{:.3g}"
            parts.append(f"{name} {fmt.format(summary.mean[generation])} [{fmt.format(summary.low[generation])}, "
                         f"{fmt.format(summary.high[generation])}]")
        return f"{self.label()}, generation {generation}: " + ", ".join(parts)


def bands_of(results, source: str = "this machine", name: str = "") -> list[Band]:
    """Runs grouped by config (in first-seen order): one Band per setting, over the seeds that ran it.

    ``results``: one run or many (any world's results: ``.config``, ``.seed``, ``.generations`` of records with
    ``.scalars()``). Numeric columns only; a list-valued column (a histogram) becomes a third axis.
    """
    results = [results] if hasattr(results, "seed") else list(results)
    groups: dict = {}
    for result in results:
        groups.setdefault(result.config, []).append(result)
    bands = []
    for config, runs in groups.items():
        rows = [[record.scalars() for record in run.generations] for run in runs]
        values = {column.name: np.array([[row[column.name] for row in run] for run in rows], dtype=float)
                  for column in columns_of(config.record)}
        samples, sample_seeds = None, [run.seed for run in runs if run.seed in SAMPLE_SEEDS]
        if sample_seeds and hasattr(runs[0].generations[0], "shipped_samples"):
            samples = np.stack([np.stack([record.shipped_samples() for record in run.generations])
                                for run in runs if run.seed in SAMPLE_SEEDS])
        bands.append(Band(name, config, [run.seed for run in runs], values, source, samples, sample_seeds))
    return bands


def shipped_band(name: str, results, provenance: dict) -> Band:
    """The band the bundle ships for experiment ``name``: one config's runs over seeds, with the build's provenance
    (what ``scripts/build_results_bundle.py`` packs)."""
    bands = bands_of(results, source=SHIPPED, name=name)
    if len(bands) != 1:
        raise ValueError(f"experiment {name!r} mixes {len(bands)} configs; one config over many seeds is allowed")
    bands[0].provenance = dict(provenance)
    return bands[0]


@dataclass
class Bundle:
    """Every band the bundle ships; ``provenance`` is the newest build's (each band keeps its own)."""

    bands: list[Band]
    provenance: dict

    def band(self, name: str) -> Band:
        """The band of that name (names: ``experiments.CATALOGUE``); a clear error if it is missing."""
        for band in self.bands:
            if band.name == name:
                return band
        raise ValueError(f"name must be an experiment of the results bundle ({', '.join(self.names())}), got "
                         f"{name!r}; rebuild the bundle with scripts/build_results_bundle.py if it is new")

    def names(self) -> list[str]:
        return [band.name for band in self.bands]

    def find(self, config) -> Band | None:
        """The shipped band of ``config`` (its first ``config.generations`` generations), or None.

        Generation g's numbers do not depend on how many generations follow, so a 12-generation run holds a
        6-generation run's numbers in its first 6.
        """
        wanted = {**dataclasses.asdict(config), "generations": 0}
        for band in self.bands:
            if (type(band.config) is type(config) and band.generations >= config.generations
                    and {**dataclasses.asdict(band.config), "generations": 0} == wanted):
                return band.first(config.generations)
        return None


@functools.lru_cache(maxsize=1)
def shipped() -> Bundle:
    """The bundle shipped in the package, read once per kernel."""
    return read()


def band(name: str, generations: int | None = None, bundle: Bundle | None = None) -> Band:
    """A shipped band by its catalogue name, e.g. ``band(experiments.REAL_50)``, its first ``generations`` if given.

    The full profile's (what students run), whatever profile the lesson runs in.
    """
    found = (shipped() if bundle is None else bundle).band(name)
    return found if generations is None else found.first(generations)


def find(config, bundle: Bundle | None = None) -> Band | None:
    """The shipped band of ``config`` if the bundle holds that setting, else None. Instant: nothing trains."""
    return (shipped() if bundle is None else bundle).find(config)


def bands_for(runs, bundle: Bundle | None = None) -> list[Band]:
    """The shipped bands of the settings of ``runs`` (results or configs, one band per setting) where the bundle
    has them: what a lesson draws behind the student's live runs."""
    runs = [runs] if hasattr(runs, "seed") or hasattr(runs, "record") else list(runs)
    configs = dict.fromkeys(getattr(run, "config", run) for run in runs)
    return [found for found in (find(config, bundle) for config in configs) if found is not None]


def evidence(config, seed: int = 0, bundle: Bundle | None = None, **run_options) -> Band:
    """The best evidence on ``config`` at hand, always a ``Band``: its shipped seeds where the bundle holds the
    setting (instant), else one live run of ``seed`` (a one-seed band, source "your run"; ``run_options`` as in
    ``config.run``)."""
    shipped_band = find(config, bundle)
    if shipped_band is not None:
        return shipped_band
    return bands_of(config.run(seed, **run_options), source="your run")[0]


def _checksum(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in sorted(arrays):
        digest.update(name.encode())
        digest.update(str(arrays[name].dtype).encode() + str(arrays[name].shape).encode())
        digest.update(np.ascontiguousarray(arrays[name]).tobytes())
    return digest.hexdigest()


def _world(config) -> str:
    return f"{type(config).__module__}.{type(config).__qualname__}"


# Where a world's config lived before each world had its folder (0.2.0): the shipped bundle names these.
FORMER_WORLDS = {"collapse_kit.loop.ExperimentConfig": "collapse_kit.vae.loop.ExperimentConfig",
                 "collapse_kit.text_loop.TextConfig": "collapse_kit.text.loop.TextConfig"}


def _config_type(world: str | None):
    """The config class a bundle entry names (format 1-2 entries are the VAE loop's ``ExperimentConfig``)."""
    if world is None:
        return ExperimentConfig
    world = FORMER_WORLDS.get(world, world)
    module, _, name = world.rpartition(".")
    package = __package__.split(".")[0]
    if not module.startswith(f"{package}."):
        raise ValueError(f"a bundle entry names the config type {world!r}; only {package}'s own are read")
    return getattr(importlib.import_module(module), name)


def pack(bands: list[Band], provenance: dict) -> bytes:
    """The bundle file's bytes from shipped bands; ``provenance`` is the newest build's."""
    arrays, entries = {}, []
    for index, item in enumerate(bands):
        for name, values in item.values.items():
            arrays[f"{index}/{name}"] = np.asarray(values)
        if item.samples is not None:
            arrays[f"{index}/samples"] = np.asarray(item.samples, dtype=np.uint8)
        entries.append({"name": item.name, "profile": "full", "world": _world(item.config),
                        "config": dataclasses.asdict(item.config), "seeds": list(item.seeds),
                        "columns": list(item.values), "sample_seeds": list(item.sample_seeds),
                        "provenance": item.provenance or provenance})
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
    bands = []
    for index, entry in enumerate(meta["experiments"]):
        config_type = _config_type(entry.get("world"))
        known = {item.name for item in dataclasses.fields(config_type)}
        config = config_type(**{key: value for key, value in entry["config"].items() if key in known})
        prefix = f"{index}/"
        values = {name[len(prefix):]: arrays[name] for name in arrays
                  if name.startswith(prefix) and name != f"{prefix}samples"}  # whatever columns this build had
        bands.append(Band(entry["name"], config, list(entry["seeds"]), values, SHIPPED, arrays.get(f"{prefix}samples"),
                          list(entry.get("sample_seeds", [])), entry.get("provenance", meta["provenance"])))
    return Bundle(bands, meta["provenance"])
