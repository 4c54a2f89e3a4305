"""Test-session setup shared by the unit tests and the lessons (which nbval collects from lessons/).

The lessons' kernels inherit this process's environment, so the profile, the seed and the cache are chosen here,
before any kernel starts: the fast profile (unless the shell names one), the lessons' seed (``--lesson-seed N``, else
the shell's ``COLLAPSE_KIT_SEED``, else 0; CI runs the lessons under a second seed this way) and one fresh cache
folder for the whole session, so a lesson reuses the runs of the lessons before it, as it does for a student, and
nothing touches ~/.cache.
"""

import os
import shutil
import tempfile


def pytest_addoption(parser):
    parser.addoption("--lesson-seed", type=int, default=None, metavar="N",
                     help="run the lessons with COLLAPSE_KIT_SEED=N (every check cell must hold for any seed)")


def pytest_configure(config):
    os.environ.setdefault("COLLAPSE_KIT_PROFILE", "fast")
    seed = config.getoption("--lesson-seed")
    if seed is not None:
        if seed < 0:
            raise ValueError(f"--lesson-seed must be a whole number >= 0, got {seed}")
        os.environ["COLLAPSE_KIT_SEED"] = str(seed)
    if "COLLAPSE_KIT_CACHE" not in os.environ:
        folder = tempfile.mkdtemp(prefix="collapse-kit-test-cache-")
        os.environ["COLLAPSE_KIT_CACHE"] = folder
        config._collapse_kit_cache = folder


def pytest_unconfigure(config):
    folder = getattr(config, "_collapse_kit_cache", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
