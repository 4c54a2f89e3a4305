"""Build the course website (site/conf.py): every lesson executed, with its outputs, as a page; the verdict sheet;
the glossary; Binder and Colab launch buttons on every lesson page.

Usage (from the repository root, after ``pip install -e '.[site]'``):

    python scripts/build_site.py                    # the full profile, as published: site/_build/full/html
    python scripts/build_site.py --profile fast     # what CI builds and checks (tests/test_site.py)
    python scripts/build_site.py --execute none     # no lesson runs: structure and links only, in seconds
    python scripts/build_site.py --execute 00,01    # only these lessons run; the others are pages without outputs

Lessons run through jupyter-cache (myst-nb's ``nb_execution_mode = "cache"``), in site/_build/.jupyter_cache/
<profile>-seed<seed>: a rebuild runs again only the lessons whose code cells changed, or all of them when the course
library changed (site/_ext/collapse_site.py). ``--fresh`` empties that cache first. A lesson that raises (a failed
check cell included) fails the build, and so does any Sphinx warning (a broken link or reference, a missing page).
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
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error(f"--seed must be a whole number >= 0, got {args.seed}")

    output = (args.output or SITE / "_build" / args.profile / "html").resolve()
    cache = (args.cache or SITE / "_build" / ".jupyter_cache" / f"{args.profile}-seed{args.seed}").resolve()
    if args.fresh and cache.exists():
        shutil.rmtree(cache)
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
