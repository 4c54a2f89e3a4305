"""Build the results bundle band by band, and commit each band as soon as it is in the bundle.

For each line of the catalogue named (by default: every line the bundle lacks, then every headline line whose band
lacks a re-reading column, ``variants.Variant.unbuilt``): take the bundle's lock (``/tmp/collapse_bundle.lock``,
the one every build of the bundle holds, so that no two builds overlap), run ``scripts/build_results_bundle.py
--only LINE`` and let the lock go; then commit the bundle, nothing else. A line the bundle held already (built again
to carry new columns) is committed only if every column it had comes back bit for bit. A build longer than one
sitting loses at most the band in progress, and finished generations are cached, so a stopped build resumes where
it was when run again (same code).

Usage (from the repository root):

    nohup python scripts/build_bands.py > /tmp/collapse_bands.log 2>&1 &
    python scripts/build_bands.py "replace, real 0, converged generation 0" --no-commit

What each band of issue 27 cost, and the order they were built in: site/guides/results-bundle.md.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from collapse_kit.evidence import bundle
from collapse_kit.evidence import experiments as ex
from collapse_kit.evidence.variants import VARIANTS

REPO = Path(__file__).resolve().parents[1]
LOCK = Path("/tmp/collapse_bundle.lock")
BUNDLE = "collapse_kit/assets/results_bundle.npz"


def git(*args, text=True, env=None, input=None) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, check=True, text=text, input=input,
                          env=None if env is None else {**os.environ, **env}).stdout


def still_to_do(shipped: bundle.Bundle) -> list[str]:
    """The catalogue's lines the bundle lacks, then the lines whose bands lack a column a variant reads."""
    missing = [name for name in ex.CATALOGUE if name not in shipped.names()]
    lacking = set().union(*(variant.unbuilt(shipped) for variant in VARIANTS)) - set(missing)
    return missing + [name for name in ex.CATALOGUE if name in lacking]


def same_old_columns(name: str) -> bool:
    """Every column the committed bundle's band ``name`` had comes back equal in the new bundle, bit for bit."""
    with tempfile.NamedTemporaryFile(suffix=".npz") as file:
        file.write(git("show", f"HEAD:{BUNDLE}", text=False))
        file.flush()
        old = bundle.read(file.name).band(name)
    new = bundle.read().band(name)
    differ = [column for column in old.values if not np.array_equal(old.values[column], new.values[column])]
    print(f"{name}: {len(old.values)} columns of the committed band; differ: {differ or 'none'}", flush=True)
    return not differ and old.seeds == new.seeds


def commit(message: str) -> str:
    """Commit the bundle, nothing else, through a private index (others' staged files untouched); retried while
    another commit gets in the way."""
    for _ in range(60):
        head = git("rev-parse", "HEAD").strip()
        with tempfile.TemporaryDirectory() as folder:
            env = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
            git("read-tree", head, env=env)
            blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=REPO, capture_output=True, check=True,
                                  input=(REPO / BUNDLE).read_bytes()).stdout.decode().strip()
            git("update-index", "--cacheinfo", f"100644,{blob},{BUNDLE}", env=env)
            tree = git("write-tree", env=env).strip()
        new = git("commit-tree", tree, "-p", head, "-m", message).strip()
        try:
            git("update-ref", "-m", f"commit: {message.splitlines()[0]}", "HEAD", new, head)
        except subprocess.CalledProcessError:  # HEAD moved meanwhile: build the commit again on the new HEAD
            time.sleep(2)
            continue
        for _ in range(60):  # the shared index: the bundle now matches HEAD
            try:
                git("reset", "-q", "HEAD", "--", BUNDLE)
                break
            except subprocess.CalledProcessError:
                time.sleep(5)
        return new
    raise RuntimeError("could not commit the bundle: HEAD kept moving")


def build(name: str, seeds: str, workers: int, do_commit: bool) -> None:
    rebuilt = name in bundle.read().names()
    with open(LOCK, "a") as lock:
        print(f"{time.strftime('%H:%M:%S')} waiting for the bundle lock for {name!r}", flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)  # flock(2), the lock `flock /tmp/collapse_bundle.lock` takes
        print(f"{time.strftime('%H:%M:%S')} building {name!r}", flush=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "scripts/build_results_bundle.py", "--seeds", seeds, "--workers",
                               str(workers), "--only", name, "--leave-unbuilt"], cwd=REPO)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"the build of {name!r} failed (exit {done.returncode})")
    if rebuilt and not same_old_columns(name):
        raise SystemExit(f"{name!r} did not come back bit for bit: not committed; look before building on")
    band = bundle.read().band(name)
    print(f"{time.strftime('%H:%M:%S')} {name!r}: {seconds:.0f} s, {band.provenance.get('cpu')}, "
          f"{len(band.seeds)} seeds, {band.generations} generations", flush=True)
    if do_commit:
        message = (f"Results bundle: {name}{' (built again)' if rebuilt else ''}, seeds {seeds}, {band.generations} "
                   f"generations, built in {band.provenance.get('build_seconds')} s wall on "
                   f"{band.provenance.get('cpu')} ({band.provenance.get('workers')} workers, load "
                   f"{band.provenance.get('load_average_before')})")
        print(f"committed {commit(message)[:12]}: {message}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="catalogue lines to build (default: every line still to build)")
    parser.add_argument("--seeds", default="0-9")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-commit", action="store_true")
    args = parser.parse_args(argv)
    names = args.names or still_to_do(bundle.read())
    unknown = [name for name in names if name not in ex.CATALOGUE]
    if unknown:
        raise SystemExit(f"names must be lines of the catalogue, got {unknown}; lines: {list(ex.CATALOGUE)}")
    print(f"{len(names)} lines to build: {names}", flush=True)
    for name in names:
        build(name, args.seeds, args.workers, not args.no_commit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
