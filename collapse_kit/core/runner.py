"""Many independent experiments at once: worker processes on this machine (joblib), or a Dask cluster.

A *run* is one ``(config, seed)`` pair, of any world: the config runs itself (``config.run(seed, ...)``, the
contract of ``world.WorldConfig``). ``run_runs`` runs a list of them, in worker processes with one torch thread
each (``workers=N``) or as one Dask task each (``client=``), and returns their results in the order asked. Every
worker writes finished generations to the same cache (atomic writes: two workers finishing the same run leave one
whole file), so an interrupted sweep resumes and a run already computed anywhere is loaded, not trained. Numbers do
not depend on where a run ran: a worker's results equal a serial run's, bit for bit, on the same platform.
Used by ``evidence.studies.run_sweep``, the results bundle's build script and ``collapse-kit sweep``; lessons 05-08.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass

import torch
from tqdm.auto import tqdm

from ._validation import check_int, check_writable_dir
from .torch_parts import resolve_device
from .world import WorldResult

SCHEDULER_TIMEOUT = "10s"  # how long a scheduler address may take to answer before it counts as unreachable


@dataclass(frozen=True)
class Failure:
    """A run that raised: what was asked, and the error with its traceback (text, so it crosses processes)."""

    config: object
    seed: int
    error: str

    def __str__(self) -> str:
        return f"seed {self.seed}, {self.config}: {self.error.strip().splitlines()[-1]}"


class RunsFailed(RuntimeError):
    """Some runs failed; every other run finished and is cached. ``results`` holds None where a run failed."""

    def __init__(self, results: list, failures: list[Failure]):
        self.results, self.failures = results, failures
        lines = "\n".join(f"  - {failure}" for failure in failures)
        super().__init__(f"{len(failures)} of {len(results)} runs failed (the others finished and are cached):\n"
                         f"{lines}")


def parse_seeds(text: str) -> list[int]:
    """Seeds from a short text: ``"0-9"``, ``"0,3,5"`` or ``"0-4,7"`` (ranges include both ends)."""
    seeds = []
    for part in str(text).split(","):
        first, _, last = part.strip().partition("-")
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            raise ValueError(f"seeds must look like 0-9 or 0,3,5 (whole numbers >= 0), got {text!r}") from None
        if low < 0 or high < low:
            raise ValueError(f"seeds must look like 0-9 or 0,3,5 (whole numbers >= 0), got {text!r}")
        seeds.extend(range(low, high + 1))
    return list(dict.fromkeys(seeds))


def _run_one(config, seed: int, options: dict, threads: int | None, on_generation=None):
    """One run: ``("ok", result)`` or ``("failed", traceback text)``; an error never stops the other runs."""
    if threads is not None:
        torch.set_num_threads(threads)  # N workers with one thread each, not N x cores threads fighting
    try:
        return "ok", config.run(seed, progress=False, on_generation=on_generation, **options)
    except Exception:  # reported by the caller, with the run's config, as a Failure
        return "failed", traceback.format_exc()


def run_runs(runs, *, workers: int = 1, client=None, cache: bool = True, cache_dir=None, device: str = "auto",
             progress: bool = True) -> list[WorldResult]:
    """Run every ``(config, seed)`` of ``runs`` and return their results in the same order.

    Args:
        runs: pairs ``(config, seed)`` (a config of any world: it has ``run(seed, ...)``); a pair given twice runs
            once.
        workers: processes on this machine, one torch thread each (1: run here, one after the other).
        client: a ``dask.distributed.Client`` or a scheduler address such as ``"tcp://host:8786"``: one task per
            run on the cluster (then ``workers`` is ignored). The cache must be a folder every worker sees.
        cache, cache_dir, device: as in ``run_experiment``.
        progress: one progress bar over runs.
    Raises:
        RunsFailed: after every other run finished, if any run raised (each failure names its config and error).
        KeyboardInterrupt: workers are stopped; every finished generation stays in the cache.
    """
    pairs = [_checked_pair(pair) for pair in runs]
    unique = list(dict.fromkeys(pairs))
    workers = check_int("workers", workers, 1)
    resolve_device(device)  # a bad argument is the caller's mistake, raised here, not a failed run
    if cache and cache_dir is not None:
        cache_dir = str(check_writable_dir("cache_dir", cache_dir).resolve())
    options = dict(cache=cache, cache_dir=cache_dir, device=device)
    bar = tqdm(total=len(unique), desc="runs", unit="run", disable=not progress)
    if client is not None:
        outcomes = _on_dask(client, unique, options, bar)
    elif workers == 1 or len(unique) == 1:
        outcomes = _here(unique, options, bar)
    else:
        outcomes = _in_processes(unique, options, workers, bar)
    bar.close()
    failures = [Failure(config, seed, outcomes[(config, seed)][1]) for config, seed in unique
                if outcomes[(config, seed)][0] == "failed"]
    results = [outcomes[pair][1] if outcomes[pair][0] == "ok" else None for pair in pairs]
    if failures:
        raise RunsFailed(results, failures)
    return results


def _checked_pair(pair) -> tuple[object, int]:
    try:
        config, seed = pair
    except (TypeError, ValueError):
        raise TypeError(f"runs must hold (config, seed) pairs, got {pair!r}") from None
    if not callable(getattr(config, "run", None)) or not hasattr(config, "record"):
        raise TypeError(f"runs must hold (config, seed) pairs of a world's config (a WorldConfig, with run() and "
                        f"record), got a {type(config).__name__} config")
    return config, check_int("seed", seed, 0)


def _finished(bar, outcomes: dict, pair, outcome) -> None:
    outcomes[pair] = outcome
    bar.update(1)
    if outcome[0] == "failed":
        bar.write(f"run failed: {Failure(*pair, outcome[1])}")


def _here(pairs, options, bar) -> dict:
    """One after the other in this process (its own thread count); the bar shows the current run's generation."""
    outcomes = {}
    for config, seed in pairs:
        def advance(record, total, seed=seed):
            bar.set_postfix_str(f"seed {seed}: generation {record.generation + 1}/{total}")
        _finished(bar, outcomes, (config, seed), _run_one(config, seed, options, None, advance))
    return outcomes


def _in_processes(pairs, options, workers, bar) -> dict:
    """Worker processes (joblib's loky), results as they finish; Ctrl-C stops the workers (joblib aborts them)."""
    from joblib import Parallel, delayed  # only when workers > 1: a serial run needs no process pool

    outcomes = {}
    jobs = Parallel(n_jobs=workers, return_as="generator_unordered")(
        delayed(_tagged)(pair, options) for pair in pairs)
    for pair, outcome in jobs:
        _finished(bar, outcomes, pair, outcome)
    return outcomes


def _tagged(pair, options):
    return pair, _run_one(*pair, options, threads=1)


def _on_dask(client, pairs, options, bar) -> dict:
    """One Dask task per run; a scheduler address opens (and afterwards closes) a client of our own."""
    from distributed import Client, as_completed  # the optional cluster extra: imported only with a client

    own = isinstance(client, str)
    if own:
        try:
            client = Client(client, timeout=SCHEDULER_TIMEOUT)
        except (OSError, ValueError) as error:  # unreachable or malformed address: one clear line, not a traceback
            raise ValueError(f"scheduler {client!r}: cannot connect to a Dask scheduler there ({error})") from None
    elif not callable(getattr(client, "submit", None)):
        raise TypeError(f"client must be a dask.distributed.Client or a scheduler address, got {client!r}")
    try:
        futures = {client.submit(_run_one, config, seed, options, 1, pure=False): (config, seed)
                   for config, seed in pairs}
        outcomes = {}
        try:
            for future in as_completed(futures):
                _finished(bar, outcomes, futures[future], future.result())
        except KeyboardInterrupt:
            client.cancel(list(futures))
            raise
        return outcomes
    finally:
        if own:
            client.close()
