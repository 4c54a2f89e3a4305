"""The contract every world keeps: a config that runs itself, a result that reads itself, the cached generation loop.

A *world* is one kind of model trained generation after generation on its own output: the VAE on MNIST
(``vae.loop.ExperimentConfig``), the character model on Shakespeare (``text.loop.TextConfig``), the Gaussian chains
(``gaussian.theory.GaussianConfig``). Everything above the worlds (the runner, the cache, the results bundle, the
verdicts, the figures) reads a world only through this contract, so a new world is a new folder that subclasses
these classes:

* ``WorldConfig``: a frozen dataclass of everything that changes a run's numbers but the seed. It names its
  ``record`` (one generation's columns, ``columns.declare``), its ``module`` (the file that runs it: it and what it
  imports decide the cache key), its ``profiles`` ("full" and "fast" overrides of its defaults) and its ``headline``
  metrics; it ``run``s itself and ``label``s itself for a legend.
* ``WorldResult``: a run's ``metric(name)`` over generations, its ``table()`` and its ``to_dict()``, all read from
  its rows (one dict per generation, every column of ``record``).
* ``GenerationRecord``: the record every world's ``record`` subclasses (the generation's number first), and
  ``TrainedGeneration``, the one of a world that trains a model each generation (its training set's size, its real
  share and its losses next): a world declares only its own columns after them.
* ``run_generations``: the loop over generations, written once for every world that trains a model each generation:
  each finished generation is loaded from the run cache or trained and stored, so an interrupted run resumes.

Used by every world, the runner, ``profiles`` and the bundle.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, ClassVar

import numpy as np

from ._validation import check_choice, check_int
from .columns import Column, columns_of, declare, entry_fields, run_table, scalars
from .profiles import current_profile

# What each generation draws its own random stream for: no stream is ever reused (see ``stream_seed``).
PURPOSES = ("real", "synthetic", "init", "train", "metrics")


@dataclass
class GenerationRecord:
    """The column every world's row opens with: the generation's number. A world's ``record`` subclasses it (with
    ``@dataclass``) and declares its own fields after it."""

    generation: int = declare(Column("generation", int, short="gen", fmt="{:.0f}"))

    def scalars(self) -> dict:
        """JSON-ready row: every column of every field, reduced (``columns.scalars``)."""
        return scalars(self)


@dataclass
class TrainedGeneration(GenerationRecord):
    """The columns of every world that trains a model each generation, after the generation's number: its training
    set's size (in the world's unit; a world names its column by redeclaring the field), its real share and its
    losses. The world's own fields follow, ``model_state`` (the weights, or None) among them."""

    train_size: int = declare(Column("train_size", int))
    real_share: float = declare(Column("real_share", short="real", fmt="{:.0%}"))
    loss_per_epoch: list[float] = declare(Column("final_loss", lambda losses: float(losses[-1])))


class WorldConfig:
    """The base class of every world's config (subclass it with ``@dataclass(frozen=True)``).

    Class attributes a world sets:
        record: the dataclass of one generation's row, a ``GenerationRecord`` (its fields declare their
            ``columns.Column``s).
        module: the file, relative to the package, that runs the world (e.g. ``"vae/loop.py"``): it and every
            package module it imports decide the cache key (``cache.code_files``).
        profiles: ``{"full": {...}, "fast": {...}}``, each the overrides of the config's defaults.
        headline: the metrics a run of this world is summed up by (its figures, its explorer, a sweep's last line).
    """

    record: ClassVar[type]
    module: ClassVar[str]
    profiles: ClassVar[dict[str, dict]] = {"full": {}, "fast": {}}
    headline: ClassVar[tuple[str, ...]] = ()

    def run(self, seed: int = 0, **options) -> "WorldResult":
        """Run (or load from the cache) this setting for one seed: how the runner and the bundle run any world."""
        raise NotImplementedError(f"{type(self).__name__} must define run(seed, **options)")

    def label(self) -> str:
        """A short legend label of the setting, e.g. "real 50% / replace"."""
        raise NotImplementedError(f"{type(self).__name__} must define label()")

    def replace(self, **changes) -> "WorldConfig":
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def for_profile(cls, profile: str | None = None, **overrides) -> "WorldConfig":
        """The config of a profile (default: ``$COLLAPSE_KIT_PROFILE``, see ``profiles.current_profile``), with
        ``overrides`` (e.g. ``real_fraction=0.2``) on top. Used in every lesson that runs a world."""
        return cls(**{**cls.profiles[current_profile(profile)], **overrides})

    def new_model(self):
        """A fresh model of this setting (worlds that train a model each generation define it)."""
        raise NotImplementedError(f"{type(self).__name__} trains no model")


class WorldResult:
    """What a run of any world gives back: ``metric``, ``table`` and ``to_dict``, read from ``rows()``."""

    config: WorldConfig
    seed: int

    def rows(self) -> list[dict]:
        """One dict per generation: every column of ``config.record``."""
        raise NotImplementedError

    def metric(self, name: str) -> np.ndarray:
        """One numeric column over generations, e.g. ``result.metric("fid")`` (a mean where the column says so)."""
        rows = self.rows()
        numeric = tuple(key for key, value in rows[0].items() if isinstance(value, (int, float)))
        check_choice("name", name, numeric)
        return np.array([row[name] for row in rows], dtype=float)

    def table(self) -> str:
        """The per-generation table ``collapse-kit`` prints and the lessons show: every column with a ``short``
        header, right-aligned."""
        return run_table(columns_of(self.config.record), self.rows())

    def to_dict(self) -> dict:
        """JSON-ready: the config, the seed and every generation's row."""
        return {"config": dataclasses.asdict(self.config), "seed": self.seed, "generations": self.rows()}


@dataclass
class GenerationsResult(WorldResult):
    """A run of a world that trains a model each generation: one record per generation, in order."""

    config: WorldConfig
    seed: int
    generations: list
    cache_key: str | None = None

    def rows(self) -> list[dict]:
        return [record.scalars() for record in self.generations]

    def model(self, generation: int):
        """The trained model of ``generation`` (needs ``run(..., keep_models=True)``)."""
        check_int("generation", generation, 0, len(self.generations) - 1)
        state = self.generations[generation].model_state
        if state is None:
            raise ValueError("models were not kept: run again with keep_models=True")
        return load_model(self.config, state)


def stream_seed(seed: int, generation: int, purpose: str) -> int:
    """An independent seed for each (run seed, generation, purpose in ``PURPOSES``): no stream is reused."""
    return int(np.random.SeedSequence([seed, generation, PURPOSES.index(purpose)]).generate_state(1)[0])


def new_model(config: WorldConfig, seed: int | None = None):
    """``config.new_model()`` with torch's global RNG seeded by ``seed`` (if given) and then put back as it was: a
    run never moves the caller's random stream."""
    import torch  # the contract itself needs no torch; only worlds that train models come here

    with torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(seed)
        return config.new_model()


def load_model(config: WorldConfig, state: dict):
    """A model of ``config`` with the weights ``state``, in eval mode."""
    model = new_model(config)
    model.load_state_dict(state)
    return model.eval()


def weights(model) -> dict:
    """A detached copy of a model's weights, as a cache entry stores them."""
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


def check_run_arguments(config, config_type: type, seed, on_generation):
    """The checks every world's ``run`` makes: the config's type, the seed (>= 0), a callable ``on_generation``."""
    if not isinstance(config, config_type):
        article = "an" if config_type.__name__[0] in "AEIOU" else "a"
        raise TypeError(f"config must be {article} {config_type.__name__}, got {type(config).__name__}")
    if on_generation is not None and not callable(on_generation):
        raise TypeError(f"on_generation must be callable or None, got {on_generation!r}")
    return check_int("seed", seed, 0)


def run_generations(config: WorldConfig, seed: int, train: Callable, *, store, keep_models: bool, progress: bool,
                    on_generation=None, postfix: Callable | None = None,
                    result_type: type = GenerationsResult) -> GenerationsResult:
    """The loop over generations, once for every world: load each finished generation from ``store`` (a
    ``cache.RunCache``, or None for no cache) or ``train`` it and store it, then rebuild its model and its record.

    Args:
        train: ``train(generation, models)`` -> the cache entry of that generation (``model_state`` and every
            field of ``config.record``); ``models`` holds every earlier generation's model, on the CPU.
        keep_models: keep every generation's weights in its record (``result.model(g)``).
        on_generation: called as ``on_generation(record, generations)`` after each generation, trained or loaded.
        postfix: ``postfix(entry)`` -> a short dict the progress bar shows.
        result_type: the world's ``GenerationsResult`` subclass to return.
    """
    from tqdm.auto import tqdm

    record_type = config.record
    required = entry_fields(record_type)
    records, models = [], []
    bar = tqdm(range(config.generations), desc="generations", unit="gen", disable=not progress)
    for generation in bar:
        entry = store.load(generation, required) if store else None
        if entry is None:
            entry = train(generation, models)
            if store:
                store.save(generation, entry)
        models.append(load_model(config, entry["model_state"]))
        values = {name: entry[name] for name in required}
        values["model_state"] = values["model_state"] if keep_models else None
        records.append(record_type(generation=generation, **values))
        if on_generation is not None:
            on_generation(records[-1], config.generations)
        if postfix is not None:
            bar.set_postfix(postfix(entry))
    return result_type(config, seed, records, store.key if store else None)
