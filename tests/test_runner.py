"""Many runs at once: worker processes and a Dask cluster give a serial run's numbers; failures and Ctrl-C lose
nothing."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
import warnings

import pytest

from collapse_kit.core import cache, runner
from collapse_kit.core.runner import RunsFailed, parse_seeds, run_runs
from collapse_kit.evidence.studies import run_sweep


def numbers(results) -> list[str]:
    """Every number of every run, as text: equal text means equal bits."""
    return [json.dumps(result.to_dict()) for result in results]


@pytest.fixture(scope="module")
def two_settings(tiny_config):
    return [(tiny_config.replace(real_fraction=fraction, generations=2), seed)
            for fraction in (0.0, 0.5) for seed in (0, 1)]


@pytest.fixture(scope="module")
def serial(two_settings, tmp_path_factory):
    return run_runs(two_settings, cache_dir=tmp_path_factory.mktemp("serial"), progress=False)


def test_seeds_are_read_from_ranges_and_lists():
    assert parse_seeds("0-3") == [0, 1, 2, 3]
    assert parse_seeds("0,3,5") == [0, 3, 5]
    assert parse_seeds("0-2,7,1") == [0, 1, 2, 7]
    for bad in ("", "a", "3-1", "-2", "1.5"):
        with pytest.raises(ValueError, match="seeds must look like 0-9"):
            parse_seeds(bad)


def test_bad_runs_are_refused_naming_the_parameter(tiny_config):
    with pytest.raises(TypeError, match="runs must hold"):
        run_runs([tiny_config])
    with pytest.raises(ValueError, match="workers must be >= 1"):
        run_runs([(tiny_config, 0)], workers=0)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        run_runs([(tiny_config, -1)])


@pytest.mark.slow
def test_worker_processes_give_the_serial_numbers_in_the_order_asked(two_settings, serial, tmp_path):
    parallel = run_runs(two_settings, workers=2, cache_dir=tmp_path, progress=False)
    assert [(r.config, r.seed) for r in parallel] == two_settings
    assert numbers(parallel) == numbers(serial)
    # Every worker wrote its generations to the shared cache: a second sweep loads them, bit for bit.
    assert numbers(run_runs(two_settings, cache_dir=tmp_path, progress=False)) == numbers(serial)


@pytest.mark.slow
def test_a_sweep_over_seeds_runs_each_setting_for_each_seed(tiny_config, tmp_path):
    results = run_sweep((0.0, 1.0), base=tiny_config.replace(generations=1), seeds=[3, 4], workers=2,
                        cache_dir=tmp_path, progress=False)
    assert [(r.config.real_fraction, r.seed) for r in results] == [(0.0, 3), (0.0, 4), (1.0, 3), (1.0, 4)]


@pytest.mark.slow
def test_a_failed_run_names_its_config_and_error_and_the_others_finish(two_settings, serial, tmp_path):
    # The cache folder of one run is taken by a file: that run fails inside its worker, the others do not.
    blocked_config, blocked_seed = two_settings[1]
    key = cache.run_key(dataclasses.asdict(blocked_config), blocked_seed, blocked_config.module)
    (tmp_path / key).write_text("not a folder")
    with pytest.raises(RunsFailed) as failed:
        run_runs(two_settings, workers=2, cache_dir=tmp_path, progress=False)
    error = failed.value
    assert [(f.config, f.seed) for f in error.failures] == [(blocked_config, blocked_seed)]
    assert "seed 1" in str(error) and "real_fraction=0.0" in str(error) and "Error" in str(error)
    finished = [r for r in error.results if r is not None]
    assert len(finished) == 3 and error.results[1] is None
    assert numbers(finished) == numbers([r for i, r in enumerate(serial) if i != 1])


@pytest.mark.slow
def test_two_workers_finishing_the_same_run_leave_one_whole_cache(tiny_config, tmp_path):
    """Two processes train the same run into the same folder at once: every file loads, and equals a serial run."""
    config = tiny_config.replace(generations=2)
    script = ("import sys; from collapse_kit.vae.loop import ExperimentConfig, run_experiment; "
              f"run_experiment(ExperimentConfig(**{config.__dict__!r}), 0, cache_dir=sys.argv[1], progress=False)")
    racers = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path)]) for _ in range(2)]
    assert [racer.wait(timeout=300) for racer in racers] == [0, 0]
    # the run's own folder (generation 0's weights also have one of their own, shared by every setting of the seed)
    folder = tmp_path / cache.run_key(dataclasses.asdict(config), 0, config.module)
    assert sorted(path.name for path in folder.iterdir()) == ["config.json", "generation_000.pt", "generation_001.pt"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a corrupt entry would warn and be recomputed: fail instead
        loaded = run_runs([(config, 0)], cache_dir=tmp_path, progress=False)
    assert numbers(loaded) == numbers(run_runs([(config, 0)], cache=False, progress=False))


@pytest.mark.slow
def test_a_local_dask_cluster_gives_the_serial_numbers(two_settings, serial, tmp_path):
    distributed = pytest.importorskip("distributed", reason="Dask's distributed is in the test extra")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            on_cluster = run_runs(two_settings, client=client, cache_dir=tmp_path, progress=False)
            # The same sweep by scheduler address, as `collapse-kit sweep --scheduler tcp://...` does: all cached.
            again = run_runs(two_settings, client=cluster.scheduler_address, cache_dir=tmp_path, progress=False)
    assert numbers(on_cluster) == numbers(serial) == numbers(again)


@pytest.mark.slow
def test_ctrl_c_stops_the_workers_and_keeps_every_finished_generation(tmp_path):
    # Two runs, one per worker: each has two generations left to train when the first generation file appears.
    command = [sys.executable, "-m", "collapse_kit.faces.cli", "sweep", "--real-fractions", "0", "--seeds", "0-1",
               "--workers", "2", "--profile", "fast", "--generations", "3", "--samples", "1024", "--epochs", "4",
               "--quiet", "--cache-dir", str(tmp_path / "cache"), "--output", str(tmp_path / "out")]
    # A shell that starts pytest in the background (as CI may) makes it ignore SIGINT, and children inherit that:
    # the sweep must start with Ctrl-C's default meaning, as it has in a terminal.
    sweep = subprocess.Popen(command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 240
    while len(list((tmp_path / "cache").glob("*/generation_*.pt"))) < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    kept = {path: path.stat().st_mtime_ns for path in (tmp_path / "cache").glob("*/generation_*.pt")}
    assert kept, "no generation finished in time"
    os.killpg(sweep.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
    _, err = sweep.communicate(timeout=60)
    assert sweep.returncode == 130 and "run the same command again to resume" in err
    time.sleep(2)
    with pytest.raises(ProcessLookupError):  # no worker left behind
        os.killpg(sweep.pid, 0)
    assert not (tmp_path / "out" / "metrics.json").exists()

    resumed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert {path: path.stat().st_mtime_ns for path in kept} == kept  # loaded, not trained again
    rows = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert len(rows) == 1 * 2 * 3  # fractions x seeds x generations


@pytest.mark.slow
def test_an_unreachable_scheduler_is_a_clear_error(two_settings, monkeypatch):
    pytest.importorskip("distributed", reason="Dask's distributed is in the test extra")
    monkeypatch.setattr(runner, "SCHEDULER_TIMEOUT", "1s")  # the address refuses at once; no need to wait 10 s
    with pytest.raises(ValueError, match="scheduler 'tcp://127.0.0.1:9': cannot connect"):
        run_runs(two_settings, client="tcp://127.0.0.1:9", progress=False)
    with pytest.raises(TypeError, match="client must be a dask.distributed.Client"):
        run_runs(two_settings, client=42, progress=False)
