"""Build issue 27's planned bands one by one, in the plan's order, and commit each as soon as it is in the bundle.

For each line: take the bundle's lock (``/tmp/collapse_bundle.lock``, the one every build of the bundle holds, so
that no two builds overlap), move the line from ``experiments.PLANNED`` into ``CATALOGUE``, run
``scripts/build_results_bundle.py --only LINE`` and let the lock go; then commit the bundle and that one line of
``experiments.py`` (the line moved in the committed file too, nothing else of the file: others edit it as well).
A line of ``experiments.REBUILT`` (already in the catalogue) is built again to carry the new columns, and committed
only if every column it had comes back bit for bit. A failed build puts its line back into PLANNED and stops.
Finished generations are cached, so a stopped build resumes where it was when run again (same code).

Usage (from the repository root; by default every line still to do, in the plan's order):

    nohup python scripts/build_planned_bands.py > /tmp/collapse_bands.log 2>&1 &
    python scripts/build_planned_bands.py "replace, real 0, converged generation 0" --no-commit

The plan (units per seed of every band, seconds per unit, order): site/guides/results-bundle.md.
"""

from __future__ import annotations

import argparse
import ast
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

REPO = Path(__file__).resolve().parents[1]
LOCK = Path("/tmp/collapse_bundle.lock")
SOURCE = "collapse_kit/evidence/experiments.py"
BUNDLE = "collapse_kit/assets/results_bundle.npz"
END_MARKER = "    # (end of issue 27's lines)\n"
# The plan's order (site/guides/results-bundle.md): the verdicts that matter most first.
ORDER = (ex.CONVERGED[ex.REAL_0], ex.CONVERGED[ex.REAL_50], ex.KEEP_FIRST_SET, ex.ACCUMULATE_SYNTHETIC,
         *ex.FIXED_REAL.values(), ex.REAL_50_POOL,
         *(ex.CONVERGED[line] for line in (ex.REAL_25, ex.REAL_50_NARROW, ex.ACCUMULATE_EQUAL_STEPS,
                                          *(ex.FEW_REAL[k] for k in (1, 10, 100)), *ex.BERNOULLI.values())),
         *(ex.OTHER_SAMPLING[line] for line in (ex.REAL_0, ex.REAL_50, ex.REAL_25, ex.REAL_50_NARROW,
                                                ex.ACCUMULATE_EQUAL_STEPS, *(ex.FEW_REAL[k] for k in (1, 10, 100)),
                                                ex.BERNOULLI[0.6], *(mixed for _, mixed, _ in ex.C3.values()))),
         *ex.REBUILT)
NEW_COLUMN = "test_nelbo_other"  # a rebuilt line carries issue 27's columns once it holds this one


def git(*args, text=True, env=None, input=None) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, check=True, text=text, input=input,
                          env=None if env is None else {**os.environ, **env}).stdout


def planned_span(source: str, name: str) -> tuple[int, int] | None:
    """The 0-based line span [start, end) of ``name``'s entry in the PLANNED dict of ``source``, or None."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "PLANNED":
            for key, value in zip(node.value.keys, node.value.values):
                if eval(compile(ast.Expression(key), SOURCE, "eval"), vars(ex)) == name:
                    return key.lineno - 1, value.end_lineno  # the entry's lines, its trailing comma included
    return None


def moved(source: str, name: str) -> str:
    """``source`` with ``name``'s PLANNED entry moved to the end of issue 27's lines in CATALOGUE."""
    span = planned_span(source, name)
    if span is None:
        raise ValueError(f"{name!r} is not a line of PLANNED in {SOURCE}")
    lines = source.splitlines(keepends=True)
    entry = lines[span[0]:span[1]]
    rest = lines[:span[0]] + lines[span[1]:]
    end = rest.index(END_MARKER)
    return "".join(rest[:end] + entry + rest[end:])


def moved_back(source: str, name: str, before: str) -> str:
    """``source`` (``before`` after ``moved``, perhaps edited since by others) with ``name``'s entry back at the top
    of PLANNED (a failed build)."""
    start, end = planned_span(before, name)
    entry = before.splitlines(keepends=True)[start:end]
    lines = source.splitlines(keepends=True)
    stop = lines.index(END_MARKER)
    if lines[stop - len(entry):stop] != entry:
        raise ValueError(f"{name!r}'s entry is not where it was moved to in {SOURCE}; put it back by hand")
    lines = lines[:stop - len(entry)] + lines[stop:]
    top = lines.index("PLANNED: dict[str, ExperimentConfig] = {\n") + 1
    return "".join(lines[:top] + entry + lines[top:])


def still_to_do(shipped: bundle.Bundle) -> list[str]:
    """The plan's lines not yet built: in PLANNED, or rebuilt lines whose band lacks the new columns."""
    names = set(shipped.names())
    return [name for name in ORDER if name in ex.PLANNED
            or (name in ex.REBUILT and (name not in names or NEW_COLUMN not in shipped.band(name).values))]


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


def commit(name: str, message: str) -> str:
    """Commit the bundle and ``name``'s line in experiments.py (moved in HEAD's text), nothing else, through a
    private index; retried while another commit or an index lock gets in the way."""
    for attempt in range(60):
        head = git("rev-parse", "HEAD").strip()
        head_source = git("show", f"HEAD:{SOURCE}")
        source = moved(head_source, name) if planned_span(head_source, name) else head_source
        with tempfile.TemporaryDirectory() as folder:
            env = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
            git("read-tree", head, env=env)
            for path, content in ((BUNDLE, (REPO / BUNDLE).read_bytes()), (SOURCE, source.encode())):
                blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=REPO, input=content,
                                      capture_output=True, check=True).stdout.decode().strip()
                git("update-index", "--cacheinfo", f"100644,{blob},{path}", env=env)
            tree = git("write-tree", env=env).strip()
        new = git("commit-tree", tree, "-p", head, "-m", message).strip()
        try:
            git("update-ref", "-m", f"commit: {message.splitlines()[0]}", "HEAD", new, head)
        except subprocess.CalledProcessError:  # HEAD moved meanwhile: build the commit again on the new HEAD
            time.sleep(2)
            continue
        for _ in range(60):  # the shared index: these two paths now match HEAD (others' staged files untouched)
            try:
                git("reset", "-q", "HEAD", "--", BUNDLE, SOURCE)
                break
            except subprocess.CalledProcessError:
                time.sleep(5)
        return new
    raise RuntimeError(f"could not commit {name!r}: HEAD kept moving")


def build(name: str, seeds: str, workers: int, do_commit: bool) -> None:
    with open(LOCK, "a") as lock:
        print(f"{time.strftime('%H:%M:%S')} waiting for the bundle lock for {name!r}", flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)  # flock(2), the lock `flock /tmp/collapse_bundle.lock` takes
        print(f"{time.strftime('%H:%M:%S')} building {name!r}", flush=True)
        path = REPO / SOURCE
        before = path.read_text()
        if name in ex.PLANNED:
            path.write_text(moved(before, name))
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "scripts/build_results_bundle.py", "--seeds", seeds, "--workers",
                               str(workers), "--only", name], cwd=REPO)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            if name in ex.PLANNED:
                path.write_text(moved_back(path.read_text(), name, before))
            raise SystemExit(f"the build of {name!r} failed (exit {done.returncode}); its line is back in PLANNED")
    if name in ex.REBUILT and not same_old_columns(name):
        raise SystemExit(f"{name!r} did not come back bit for bit: not committed; look before building on")
    band = bundle.read().band(name)
    print(f"{time.strftime('%H:%M:%S')} {name!r}: {seconds:.0f} s, {band.provenance.get('cpu')}, "
          f"{len(band.seeds)} seeds, {band.generations} generations", flush=True)
    if do_commit:
        what = "built again with issue 27's columns" if name in ex.REBUILT else "issue 27"
        message = (f"Results bundle: {name} ({what}), seeds {seeds}, {band.generations} generations, built in "
                   f"{band.provenance.get('build_seconds')} s wall on {band.provenance.get('cpu')} "
                   f"({band.provenance.get('workers')} workers, load {band.provenance.get('load_average_before')})")
        print(f"committed {commit(name, message)[:12]}: {message}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="lines to build (default: every line still to do, in order)")
    parser.add_argument("--seeds", default="0-9")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-commit", action="store_true")
    args = parser.parse_args(argv)
    names = args.names or still_to_do(bundle.read())
    unknown = [name for name in names if name not in ORDER]
    if unknown:
        raise SystemExit(f"names must be lines of the plan, got {unknown}; the plan: {list(ORDER)}")
    print(f"{len(names)} lines to build: {names}", flush=True)
    for name in names:
        build(name, args.seeds, args.workers, not args.no_commit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
