"""Shared fixtures of the unit tests: tiny experiments run once per test session.

Every test that runs an experiment names its own cache folder (a pytest temporary folder). The repository's root
conftest.py chooses $COLLAPSE_KIT_PROFILE and $COLLAPSE_KIT_CACHE for the whole session (lessons included); here
each unit test also gets a default cache inside pytest's temporary folder, so none can ever reach ~/.cache.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no windows, ever: plots are only rendered to memory

import pytest  # noqa: E402
import torch  # noqa: E402

from collapse_kit.core.runner import run_runs  # noqa: E402
from collapse_kit.evidence import bundle  # noqa: E402
from collapse_kit.vae import loop  # noqa: E402
from collapse_kit.vae.data import load_mnist  # noqa: E402
from collapse_kit.vae.loop import ExperimentConfig, run_experiment  # noqa: E402

# One thread: on a 2-core machine shared with other work, two spinning threads made the loop tests ~5x slower
# (measured: test_loop.py 13-16 s with one thread, 86 s with two, while lessons ran beside them).
torch.set_num_threads(1)

# Small enough to train in about a second on 2 CPU cores, big enough that collapse shows after two refits:
# 16 steps of 128 images per epoch, 5 epochs per generation.
TINY = ExperimentConfig(generations=3, samples_per_generation=2048, epochs=5, batch_size=128, metric_samples=500)

# The seed of the tests' own random choices (which bundle entry a run recomputes, ...): $COLLAPSE_KIT_TEST_SEED if set,
# else derived from the git commit under test, so every run of one commit makes the same choices and a failure, which
# prints the seed, can be replayed anywhere.
TEST_SEED_ENV = "COLLAPSE_KIT_TEST_SEED"
REPO = Path(__file__).resolve().parent.parent


def test_seed_and_origin() -> tuple[int, str]:
    """(the tests' seed, where it came from): ``$COLLAPSE_KIT_TEST_SEED``, else the first 8 hex digits of the git
    commit as a number, else 0 outside a git checkout."""
    text = os.environ.get(TEST_SEED_ENV, "").strip()
    if text:
        if not text.isdigit():
            raise ValueError(f"{TEST_SEED_ENV} must be a whole number >= 0, got {text!r}")
        return int(text), f"${TEST_SEED_ENV}"
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True,
                                check=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return 0, "no git commit found"
    return int(commit[:8], 16), f"commit {commit[:12]}"


def pytest_report_header(config):
    seed, origin = test_seed_and_origin()
    return f"collapse-kit test seed: {seed} (from {origin}; set {TEST_SEED_ENV} to choose another)"


@pytest.fixture(scope="session")
def test_seed() -> int:
    """The seed of the tests' random choices (see ``test_seed_and_origin``); a failure prints ``replay_hint``."""
    return test_seed_and_origin()[0]


@pytest.fixture
def replay_hint(test_seed, request) -> str:
    """What a failure of this test prints so that anyone can make the same random choices again."""
    return f"test seed {test_seed}; replay: {TEST_SEED_ENV}={test_seed} pytest '{request.node.nodeid}'"


# Groups that run a browser, nbgrader or the site build: slow, like the lessons (conftest.py) and the tests marked
# slow one by one, so `pytest -m "not slow" tests` is the quick loop (pyproject.toml).
SLOW_GROUPS = ("browser", "coursework", "site")


def pytest_collection_modifyitems(items):
    for item in items:
        if any(item.get_closest_marker(group) for group in SLOW_GROUPS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def default_cache_in_a_temporary_folder(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("COLLAPSE_KIT_CACHE", str(tmp_path_factory.getbasetemp() / "default-cache"))


@pytest.fixture(scope="session")
def tiny_config() -> ExperimentConfig:
    """The fully synthetic tiny experiment (real_fraction 0, replace)."""
    return TINY


@pytest.fixture(scope="session")
def synthetic_cache(tmp_path_factory):
    """The cache folder that ``synthetic_run`` filled (computed fresh, not loaded)."""
    return tmp_path_factory.mktemp("synthetic-cache")


@pytest.fixture(scope="session")
def synthetic_run(tiny_config, synthetic_cache):
    """The tiny experiment with no real data after generation 0, seed 0."""
    return run_experiment(tiny_config, seed=0, cache_dir=synthetic_cache, progress=False)


@pytest.fixture(scope="session")
def real_run(tiny_config, tmp_path_factory):
    """The same experiment with every generation trained on fresh real images (real_fraction 1), seed 0."""
    return run_experiment(tiny_config.replace(real_fraction=1.0), seed=0,
                          cache_dir=tmp_path_factory.mktemp("real-cache"), progress=False)


@pytest.fixture(scope="session")
def real_test_images():
    """The first 1000 real test digits, pixels in [0, 1]."""
    return load_mnist("test", limit=1000)


def _count_training(monkeypatch, module) -> list[int]:
    """Record which generations ``module``'s loop (``vae.loop``, ``text.loop``) actually trains rather than loads
    from the cache; the list fills as the test runs."""
    calls, train = [], module._train_generation

    def counting(config, seed, generation, *args, **kwargs):
        calls.append(generation)
        return train(config, seed, generation, *args, **kwargs)

    monkeypatch.setattr(module, "_train_generation", counting)
    return calls


@pytest.fixture
def training_calls(monkeypatch):
    """The generations ``run_experiment`` actually trains (rather than loads from the cache)."""
    return _count_training(monkeypatch, loop)


@pytest.fixture
def training_calls_of(monkeypatch):
    """``training_calls`` for another world's loop: ``training_calls_of(text.loop)``."""
    return lambda module: _count_training(monkeypatch, module)


def _small_bundle(folder: Path, label: str, config, seeds: int = 3):
    results = run_runs([(config, seed) for seed in range(seeds)], cache_dir=folder, progress=False)
    band = bundle.shipped_band(label, results, {"built by": "the tests"})
    (folder / "bundle.npz").write_bytes(bundle.pack([band], {"built by": "the tests"}))
    return bundle.read(folder / "bundle.npz")


@pytest.fixture(scope="session")
def small_bundle_of():
    """``small_bundle_of(folder, label, config, seeds=3)``: a results bundle written in ``folder`` holding one band,
    ``label``, of ``config`` run over ``seeds`` seeds, as the shipped bundle holds the catalogue's lines (the widget
    tests open their explorers on it)."""
    return _small_bundle
