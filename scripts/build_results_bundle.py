"""Build the results bundle shipped in the package: the lessons' experiments over many seeds, with provenance.

Runs every experiment of the catalogue (``collapse_kit.experiments.CATALOGUE``, full profile) for every seed with the
parallel runner, then writes ``collapse_kit/assets/results_bundle.npz`` atomically. Finished generations go to the cache, so
an interrupted build resumes. An experiment the existing bundle already holds with the same config and seeds is
kept as it is, with the provenance of the build that ran it (``--rebuild`` runs everything again); a test
recomputes a sampled entry of each with the current code. On a machine with many cores (or a Dask cluster) it
takes minutes.

Usage (from the repository root):

    python scripts/build_results_bundle.py --seeds 0-9 --workers 2
    python scripts/build_results_bundle.py --seeds 0-9 --scheduler tcp://HOST:8786 --cache-dir /shared/cache
"""

from __future__ import annotations

import argparse
import datetime
import platform
import subprocess
import sys
import time
from pathlib import Path

import torch

from collapse_kit import __version__, bundle
from collapse_kit.experiments import CATALOGUE
from collapse_kit.cache import atomic_write, code_version, platform_tag
from collapse_kit.runner import parse_seeds, run_runs


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
    to_run = [(name, config) for name, config in experiments if name not in kept]
    # The longest runs first, so no worker is left with a long run at the end (a config may say what it costs).
    order = sorted(to_run, key=lambda e: -getattr(e[1], "cost", lambda: 0)())
    runs = [(config, seed) for _, config in order for seed in args.seeds]
    started = time.perf_counter()
    results = run_runs(runs, workers=args.workers, client=args.scheduler, cache_dir=args.cache_dir,
                       device=args.device)
    seconds = time.perf_counter() - started
    by_run = dict(zip(runs, results))
    provenance = {
        "package_version": __version__, "code_version": code_version(), "git_commit": git_commit(),
        "torch": torch.__version__, "platform": platform_tag(args.device), "cpu": cpu_model(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(), "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}",
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "build_seconds": round(seconds, 1), "workers": args.workers if args.scheduler is None else args.scheduler,
        "seeds": args.seeds, "experiments_run": len(to_run),
    }
    def own(config) -> dict:  # each world's code version: the module that runs it and what it imports
        return {**provenance, "code_version": code_version(type(config).__module__.rsplit(".", 1)[-1] + ".py")}

    packed = bundle.pack([kept.get(name) or bundle.shipped_band(
        name, [by_run[(config, seed)] for seed in args.seeds], own(config))
        for name, config in experiments], provenance)
    atomic_write(args.output, packed)
    print(f"wrote {args.output} ({len(packed) / 1e6:.2f} MB, {len(experiments)} experiments x {len(args.seeds)} "
          f"seeds; {len(to_run)} run now in {seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
