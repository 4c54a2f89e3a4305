"""Build the course website (site/conf.py): every lesson executed, with its outputs, as a page; the verdict sheet;
the glossary; Binder and Colab launch buttons on every lesson page.

Usage (from the repository root, after ``pip install -e '.[site]'``):

    python scripts/build_site.py                    # the full profile, as published: site/_build/full/html
    python scripts/build_site.py --profile fast     # what CI builds and checks (tests/test_site.py)
    python scripts/build_site.py --execute none     # no lesson runs: structure and links only, in seconds
    python scripts/build_site.py --execute 00,01    # only these lessons run; the others are pages without outputs
    python scripts/build_site.py --profile fast --executed DIR   # outputs of lessons executed already

Lessons run through jupyter-cache (myst-nb's ``nb_execution_mode = "cache"``), in site/_build/.jupyter_cache/
<profile>-seed<seed>: a rebuild runs again only the lessons whose code cells changed, or all of them when the course
library changed (site/_ext/collapse_site.py). ``--fresh`` empties that cache first. A lesson that raises (a failed
check cell included) fails the build, and so does any Sphinx warning (a broken link or reference, a missing page).

``--executed DIR`` puts copies of the lessons executed already in the same profile and seed (the test session's:
conftest.py) into the execution cache first, so the build shows their outputs instead of running the lessons again
(tests/test_site.py); a lesson without a copy there runs as usual.

After the build, each lesson as its page shows it ran (the lesson with the execution cache's outputs) is kept in
``executed/<lesson>.ipynb`` beside the HTML folder, for the site's checks to read what each cell printed or drew
(tests/test_site.py; myst-nb's own ``jupyter_execute`` copy lacks the outputs of a lesson taken from the cache).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "site"
PROFILES = ("fast", "full")


def execute_choice(value: str) -> str:
    """``all``, ``none`` or lesson numbers such as ``00,01,02``."""
    value = value.strip().lower()
    if value in ("all", "none"):
        return value
    numbers = [number.strip() for number in value.split(",") if number.strip()]
    lessons = {path.name[:2] for path in (REPO / "lessons").glob("[0-9][0-9]_*.ipynb")}
    unknown = [number for number in numbers if number not in lessons]
    if not numbers or unknown:
        raise argparse.ArgumentTypeError(f"--execute must be all, none or lesson numbers from {sorted(lessons)}, "
                                         f"got {value!r}")
    return ",".join(numbers)


def prime_execution_cache(cache: Path, executed: Path) -> list[str]:
    """Store each lesson's executed copy ``executed/<lesson>.ipynb`` in the jupyter-cache folder ``cache``, as if the
    build had run it; return the names of the lessons stored. jupyter-cache matches a lesson by its code cells, so
    the copy must hold the lesson's very code (a copy of an older version is simply not used)."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    sys.path.insert(0, str(SITE / "_ext"))
    from collapse_site import STAMP, library_digest  # the site's own extension: what it checks the cache against

    digest, stamp = library_digest(), cache / STAMP
    if cache.exists() and (not stamp.exists() or stamp.read_text().strip() != digest):
        shutil.rmtree(cache)  # runs of another library (collapse_site.refresh_execution_cache would do the same)
    cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest + "\n")  # the library these copies ran with: this one
    store = get_cache(str(cache))
    primed = []
    for lesson in sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb")):
        if (executed / lesson.name).is_file():
            notebook = nbformat.read(executed / lesson.name, as_version=4)
            store.cache_notebook_bundle(CacheBundleIn(notebook, str(lesson)), check_validity=True, overwrite=True)
            primed.append(lesson.stem)
    return primed


def keep_executed_lessons(cache: Path, folder: Path) -> list[str]:
    """Write each lesson with the outputs the execution cache ``cache`` holds for its code to ``folder/<lesson>.ipynb``
    (what its page shows); return the names of the lessons written (a lesson that did not run has none)."""
    import nbformat
    from jupyter_cache import get_cache

    if not cache.is_dir():
        return []
    store, kept = get_cache(str(cache)), []
    folder.mkdir(parents=True, exist_ok=True)
    for lesson in sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb")):
        try:
            _, executed = store.merge_match_into_notebook(nbformat.read(lesson, as_version=4))
        except KeyError:  # no run of this code in the cache: the lesson did not run (or changed since)
            (folder / lesson.name).unlink(missing_ok=True)
            continue
        nbformat.write(executed, folder / lesson.name)
        kept.append(lesson.stem)
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", choices=PROFILES, default="full",
                        help="the profile the lessons run in (default: full, as published)")
    parser.add_argument("--seed", type=int, default=0, help="the lessons' seed, COLLAPSE_KIT_SEED (default: 0)")
    parser.add_argument("--execute", type=execute_choice, default="all", metavar="all|none|NN,NN",
                        help="which lessons run (default: all)")
    parser.add_argument("--output", type=Path, default=None,
                        help="the HTML folder (default: site/_build/<profile>/html); doctrees and the lessons' "
                             "executed notebooks go beside it")
    parser.add_argument("--cache", type=Path, default=None,
                        help="the jupyter-cache folder (default: site/_build/.jupyter_cache/<profile>-seed<seed>)")
    parser.add_argument("--fresh", action="store_true", help="empty the jupyter-cache folder first")
    parser.add_argument("--executed", type=Path, default=None, metavar="DIR",
                        help="take each lesson's outputs from DIR/<lesson>.ipynb, a copy executed already in this "
                             "profile and seed, instead of running the lesson")
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error(f"--seed must be a whole number >= 0, got {args.seed}")

    output = (args.output or SITE / "_build" / args.profile / "html").resolve()
    cache = (args.cache or SITE / "_build" / ".jupyter_cache" / f"{args.profile}-seed{args.seed}").resolve()
    if args.fresh and cache.exists():
        shutil.rmtree(cache)
    if args.executed is not None:
        if not args.executed.is_dir():
            parser.error(f"--executed must be a folder of executed lessons, got {str(args.executed)!r}")
        primed = prime_execution_cache(cache, args.executed.resolve())
        print(f"lessons taken from {args.executed}, not run: {', '.join(primed) or 'none'}")
    # The lessons' kernels inherit this environment: the profile and seed reach them here, never through their code.
    env = {**os.environ, "COLLAPSE_KIT_PROFILE": args.profile, "COLLAPSE_KIT_SEED": str(args.seed),
           "COLLAPSE_KIT_SITE_EXECUTE": args.execute}
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(SITE), "-d", str(output.parent / "doctrees"),
               "-D", f"nb_execution_cache_path={cache}", "--fail-on-warning", "--keep-going", str(REPO), str(output)]
    print(f"building the site: profile {args.profile}, seed {args.seed}, lessons run: {args.execute}")
    print("+ " + " ".join(command), flush=True)
    started = time.perf_counter()
    code = subprocess.call(command, cwd=REPO, env=env)
    seconds = time.perf_counter() - started
    if code:
        print(f"the site build failed (exit code {code}) after {seconds:.0f} s", file=sys.stderr)
        return code
    print(f"built in {seconds:.0f} s: open {output / 'site' / 'index.html'}")
    if args.execute != "none":
        kept = keep_executed_lessons(cache, output.parent / "executed")
        print(f"the lessons as their pages show them ran, in {output.parent / 'executed'}: {', '.join(kept) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
