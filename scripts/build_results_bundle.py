"""Build the results bundle shipped in the package: the lessons' experiments over many seeds, with provenance.

Runs every experiment of the catalogue (``collapse_kit.evidence.experiments.CATALOGUE``, full profile) for every seed
with the parallel runner, then writes ``collapse_kit/assets/results_bundle.npz`` atomically. Finished generations go
to the cache, so an interrupted build resumes. An experiment the existing bundle already holds with the same config
and seeds is kept as it is, with the provenance of the build that ran it (``--rebuild`` runs everything again); a test
recomputes a sampled entry of each with the current code. On a machine with many cores (or a Dask cluster) it
takes minutes.

``--only NAME ...`` runs only those lines of the catalogue and refuses to start unless every other line is already
in the bundle (same config and seeds): a new world's lines join the bundle without any other experiment running
again. Every band kept is checked, before the file is replaced, to come back with the very same arrays, config,
seeds and provenance. The build's provenance records its wall time, the CPU time of this process and its workers,
and the load average before and after (the machine may be shared).

Usage (from the repository root):

    python scripts/build_results_bundle.py --seeds 0-9 --workers 2
    python scripts/build_results_bundle.py --seeds 0-9 --workers 2 --only "text, replace, real 0" ...
    python scripts/build_results_bundle.py --seeds 0-9 --scheduler tcp://HOST:8786 --cache-dir /shared/cache
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import torch

from collapse_kit import __version__
from collapse_kit.core.cache import atomic_write, code_version, platform_tag
from collapse_kit.core.runner import parse_seeds, run_runs
from collapse_kit.evidence import bundle
from collapse_kit.evidence.experiments import CATALOGUE, WITHOUT_SAMPLES


def cpu_model() -> str:
    """The CPU's model name (Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
                              cwd=Path(__file__).resolve().parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process, its live worker processes and every child it has reaped."""
    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.Error:  # a worker that ended meanwhile is counted below, once reaped
            pass
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    return total + reaped.ru_utime + reaped.ru_stime


def selected(names, catalogue: dict, kept: dict, leave_unbuilt: bool = False) -> list[tuple[str, object]]:
    """The catalogue lines to run: ``names`` (every line not kept, when None). With ``names``, every other line
    must be kept from the existing bundle, else ValueError (nothing else may run again, nor be dropped), unless
    ``leave_unbuilt``: then a line the bundle does not hold yet stays out of it until its own build (new lines
    built band by band, ``scripts/build_bands.py``)."""
    if names is None:
        return [(name, config) for name, config in catalogue.items() if name not in kept]
    unknown = [name for name in names if name not in catalogue]
    if unknown:
        raise ValueError(f"--only must name lines of the catalogue, got {unknown}; lines: {list(catalogue)}")
    missing = [name for name in catalogue if name not in names and name not in kept]
    if missing and not leave_unbuilt:
        raise ValueError(f"--only {names} would leave these lines neither run nor kept (not in the bundle with this "
                         f"config and these seeds): {missing}")
    return [(name, config) for name, config in catalogue.items() if name in names]


def check_kept(packed: bytes, kept: dict) -> None:
    """Every kept band comes back from ``packed`` with the same arrays (dtype, shape, values), config, seeds, sample
    seeds and provenance; else ValueError, before the file is written."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".npz") as file:
        file.write(packed)
        file.flush()
        new = bundle.read(file.name)
    for name, old in kept.items():
        again = new.band(name)
        same = (dataclasses.asdict(again.config) == dataclasses.asdict(old.config) and again.seeds == old.seeds
                and again.provenance == old.provenance and again.sample_seeds == old.sample_seeds
                and set(again.values) == set(old.values)
                and all(again.values[key].dtype == old.values[key].dtype and np.array_equal(again.values[key],
                        old.values[key]) for key in old.values)
                and ((again.samples is None and old.samples is None)
                     or (again.samples is not None and old.samples is not None
                         and again.samples.dtype == old.samples.dtype and np.array_equal(again.samples, old.samples))))
        if not same:
            raise ValueError(f"kept band {name!r} would not come back unchanged; nothing written")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=parse_seeds, default=parse_seeds("0-9"), help="e.g. 0-9 (default)")
    parser.add_argument("--rebuild", action="store_true",
                        help="run every experiment again, even those the existing bundle holds")
    parser.add_argument("--workers", type=int, default=2, help="worker processes on this machine (default 2)")
    parser.add_argument("--scheduler", default=None, help="a Dask scheduler address, e.g. tcp://HOST:8786")
    parser.add_argument("--cache-dir", type=Path, default=None, help="default: $COLLAPSE_KIT_CACHE or ~/.cache")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--output", type=Path, default=bundle.BUNDLE_FILE)
    parser.add_argument("--only", nargs="+", metavar="NAME", default=None,
                        help="run only these catalogue lines; every other line must already be in the bundle")
    parser.add_argument("--leave-unbuilt", action="store_true",
                        help="with --only: catalogue lines not in the bundle yet stay out of it (built later)")
    args = parser.parse_args(argv)
    if len(args.seeds) < 10:
        print(f"note: {len(args.seeds)} seeds; the course's evidence standard asks for 10 or more", file=sys.stderr)

    experiments = list(CATALOGUE.items())
    kept = {}
    if args.output.exists() and not args.rebuild:
        old = bundle.read(args.output)
        for band in old.bands:
            if CATALOGUE.get(band.name) == band.config and band.seeds == args.seeds:
                kept[band.name] = band
        print(f"keeping {len(kept)} experiments of {args.output} (same config and seeds); --rebuild runs them again")
    if args.only is not None:
        kept = {name: band for name, band in kept.items() if name not in args.only}
    to_run = selected(args.only, CATALOGUE, kept, args.leave_unbuilt)
    print(f"running {len(to_run)} experiments x {len(args.seeds)} seeds: {[name for name, _ in to_run]}")
    # The longest runs first, so no worker is left with a long run at the end (a config may say what it costs).
    order = sorted(to_run, key=lambda e: -getattr(e[1], "cost", lambda: 0)())
    runs = [(config, seed) for _, config in order for seed in args.seeds]
    load_before, cpu_before = os.getloadavg(), cpu_seconds()
    started = time.perf_counter()
    results = run_runs(runs, workers=args.workers, client=args.scheduler, cache_dir=args.cache_dir,
                       device=args.device)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    by_run = dict(zip(runs, results))
    provenance = {
        "package_version": __version__, "git_commit": git_commit(),
        # each world's code version (each band records its own world's): the newest build's, for the whole file
        "code_version": ", ".join(f"{module} {code_version(module)}"
                                  for module in sorted({config.module for config in CATALOGUE.values()})),
        "torch": torch.__version__, "platform": platform_tag(args.device), "cpu": cpu_model(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(), "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}",
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "build_seconds": round(seconds, 1), "workers": args.workers if args.scheduler is None else args.scheduler,
        "seeds": args.seeds, "experiments_run": len(to_run),
        "cpu_seconds": round(cpu, 1), "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()], "nice": os.nice(0),
    }

    def own(config) -> dict:  # each world's code version: the module that runs it and what it imports
        return {**provenance, "code_version": code_version(config.module)}

    def built(name, config) -> bundle.Band:  # a line run now; issue 27's variants ship no sample grids
        band = bundle.shipped_band(name, [by_run[(config, seed)] for seed in args.seeds], own(config))
        return dataclasses.replace(band, samples=None, sample_seeds=[]) if name in WITHOUT_SAMPLES else band

    ran = {name for name, _ in to_run}
    experiments = [(name, config) for name, config in experiments if name in kept or name in ran]  # --leave-unbuilt
    packed = bundle.pack([kept.get(name) or built(name, config) for name, config in experiments], provenance)
    check_kept(packed, kept)
    atomic_write(args.output, packed)
    print(f"wrote {args.output} ({len(packed) / 1e6:.2f} MB, {len(experiments)} experiments x {len(args.seeds)} "
          f"seeds; {len(to_run)} run now in {seconds:.0f} s wall, {cpu:.0f} s CPU; {len(kept)} kept unchanged)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
