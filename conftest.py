"""Test-session setup shared by the unit tests and the lessons (which nbval collects from lessons/).

The lessons' kernels inherit this process's environment, so the profile and the cache are chosen here, before any
kernel starts: the fast profile (unless the shell names one) and one fresh cache folder for the whole session, so a
lesson reuses the runs of the lessons before it, as it does for a student, and nothing touches ~/.cache.
"""

import os
import shutil
import tempfile


def pytest_configure(config):
    os.environ.setdefault("COLLAPSE_KIT_PROFILE", "fast")
    if "COLLAPSE_KIT_CACHE" not in os.environ:
        folder = tempfile.mkdtemp(prefix="collapse-kit-test-cache-")
        os.environ["COLLAPSE_KIT_CACHE"] = folder
        config._collapse_kit_cache = folder


def pytest_unconfigure(config):
    folder = getattr(config, "_collapse_kit_cache", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
