"""The ``collapse-kit`` command: bad flags end in one clear line (exit 2), and a tiny run writes its results."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest
import torch

from collapse_kit.faces.cli import main
from collapse_kit.vae import loop

TINY_RUN = ["--profile", "fast", "--generations", "2", "--samples", "1024", "--epochs", "2", "--quiet"]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """Run in an empty folder, so the default output folder never lands in the repository."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def fails_with_usage_error(argv, capsys) -> str:
    """Run ``collapse-kit argv`` in-process; it must exit with code 2 and return its one-line message."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "Traceback" not in error
    return error.strip().splitlines()[-1]


@pytest.mark.parametrize("argv, words", [
    (["run", "--real-fraction", "1.5"], ["--real-fraction", "1.5"]),
    (["run", "--real-fraction", "nan"], ["--real-fraction", "nan"]),
    (["run", "--real-fraction", "half"], ["--real-fraction", "half"]),
    (["run", "--generations", "0"], ["generations", "0"]),
    (["run", "--samples", "100"], ["samples_per_generation", "100"]),
    (["run", "--temperature", "nan"], ["temperature", "nan"]),
    (["run", "--seed", "-1"], ["seed", "-1"]),
    (["run", "--model", "gan"], ["--model", "gan"]),
    (["run", "--strategy", "mix"], ["--strategy", "mix"]),
    (["run", "--profile", "slow"], ["--profile", "slow"]),
    (["run", "--device", "tpu"], ["device", "tpu"]),
    (["sweep", "--strategies", "mix"], ["--strategies", "mix"]),
    (["sweep", "--strategies", "replace,mix"], ["--strategies", "mix"]),
    (["sweep", "--real-fractions", "0,1.5"], ["--real-fractions", "1.5"]),
    (["sweep", "--real-fractions", ","], ["--real-fractions", "','"]),
    (["sweep", "--strategies", ""], ["--strategies"]),
    (["sweep", "--seeds", "3-1"], ["--seeds", "3-1"]),
    (["sweep", "--seeds", "a"], ["--seeds", "'a'"]),
    (["sweep", "--workers", "0", *TINY_RUN], ["workers", "0"]),
    (["text", "--real-fractions", "0,2"], ["--real-fractions", "2"]),
    (["text", "--strategies", "mix"], ["--strategies", "mix"]),
    (["text", "--compute", "flops"], ["--compute", "flops"]),
    (["text", "--profile", "fast", "--temperature", "0"], ["temperature", "0"]),
    (["text", "--profile", "fast", "--passages", "0"], ["passages", "0"]),
])
def test_bad_flag_exits_2_naming_the_flag_and_the_value(argv, words, workdir, capsys):
    message = fails_with_usage_error(argv, capsys)
    for word in words:
        assert word in message, f"{word!r} missing from {message!r}"


def test_output_under_a_regular_file_is_a_usage_error(workdir, capsys):
    (workdir / "afile").write_text("not a folder")
    message = fails_with_usage_error(["run", "--output", str(workdir / "afile" / "out")], capsys)
    assert "--output" in message and "afile/out" in message


def test_cache_dir_under_a_regular_file_is_a_usage_error(workdir, capsys):
    (workdir / "afile").write_text("not a folder")
    message = fails_with_usage_error(["run", *TINY_RUN, "--cache-dir", str(workdir / "afile" / "cache")], capsys)
    assert "cache_dir" in message and "afile/cache" in message


def test_cuda_without_a_gpu_is_a_usage_error(workdir, capsys, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    message = fails_with_usage_error(["run", *TINY_RUN, "--device", "cuda", "--cache-dir", str(workdir)], capsys)
    assert "device='cuda'" in message


@pytest.mark.parametrize("command", ["run", "sweep", "text"])
def test_help_exits_0_and_describes_the_flags(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "--generations" in text and "--output" in text
    assert ("--real-fraction " if command == "run" else "--real-fractions") in text


@pytest.mark.slow
def test_text_runs_the_language_model_over_fractions_and_seeds_and_writes_its_measures(workdir, capsys):
    argv = ["text", "--profile", "fast", "--generations", "2", "--passages", "32", "--real-fractions", "0,0.5",
            "--seeds", "0-1", "--workers", "2", "--quiet", "--cache-dir", str(workdir / "cache")]
    assert main(argv) == 0
    rows = json.loads((workdir / "collapse-kit-output" / "metrics.json").read_text())
    assert len(rows) == 2 * 2 * 2  # fractions x seeds x generations
    assert {(row["real_fraction"], row["seed"]) for row in rows} == {(f, s) for f in (0.0, 0.5) for s in (0, 1)}
    assert all(row["test_bits_per_character"] > 0 for row in rows)
    with open(workdir / "collapse-kit-output" / "metrics.csv", newline="") as table:
        assert len(list(csv.DictReader(table))) == len(rows)
    assert (workdir / "collapse-kit-output" / "metrics.png").stat().st_size > 0
    assert "wrote metrics.json" in capsys.readouterr().out


@pytest.mark.slow
def test_module_runs_as_a_command_with_one_line_errors(workdir):
    command = [sys.executable, "-m", "collapse_kit.faces.cli"]
    shown = subprocess.run([*command, "run", "--help"], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0 and "--real-fraction" in shown.stdout
    refused = subprocess.run([*command, "run", "--real-fraction", "1.5"], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2
    assert "--real-fraction" in refused.stderr and "1.5" in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.slow
def test_interrupted_command_says_how_to_resume(workdir, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(loop, "run_experiment", interrupted)
    assert main(["run", *TINY_RUN]) == 130
    assert "run the same command again to resume" in capsys.readouterr().err


@pytest.mark.slow
def test_tiny_run_writes_metrics_and_figures_and_reruns_from_the_cache(workdir, capsys, training_calls):
    output = workdir / "results"
    argv = ["run", *TINY_RUN, "--cache-dir", str(workdir / "cache"), "--output", str(output)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "FID" in printed and "wrote metrics.json" in printed
    assert training_calls == [0, 1]

    rows = json.loads((output / "metrics.json").read_text())
    assert [row["generation"] for row in rows] == [0, 1]
    assert all(row["real_fraction"] == 0.0 and row["strategy"] == "replace" and row["seed"] == 0 for row in rows)
    with open(output / "metrics.csv", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [int(row["generation"]) for row in table] == [0, 1]
    assert [float(row["fid"]) for row in table] == pytest.approx([row["fid"] for row in rows], rel=1e-6)
    for name in ("metrics.png", "samples_real0_replace.png", "classes.png", "elbo_tails.png"):
        assert (output / name).read_bytes().startswith(b"\x89PNG"), name
    assert not list(output.glob(".*.tmp"))

    # The same command again: everything loads from the cache and the numbers are the same.
    first = (output / "metrics.json").read_text()
    assert main(argv) == 0
    assert training_calls == [0, 1]
    assert (output / "metrics.json").read_text() == first


@pytest.mark.slow
def test_sweep_writes_one_row_per_run_and_generation(workdir, capsys):
    output = workdir / "sweep"
    argv = ["sweep", "--real-fractions", "0,1", "--profile", "fast", "--generations", "1", "--samples", "512",
            "--epochs", "1", "--quiet", "--cache-dir", str(workdir / "cache"), "--output", str(output)]
    assert main(argv) == 0
    rows = json.loads((output / "metrics.json").read_text())
    assert [(row["real_fraction"], row["generation"]) for row in rows] == [(0.0, 0), (1.0, 0)]
    assert (output / "samples_real0_replace.png").exists() and (output / "samples_real1_replace.png").exists()


@pytest.mark.slow
def test_a_sweep_over_seeds_in_two_workers_writes_every_seed_and_the_bands(workdir, capsys):
    output = workdir / "seeds"
    argv = ["sweep", "--real-fractions", "0,1", "--seeds", "0-1", "--workers", "2", "--profile", "fast",
            "--generations", "2", "--samples", "512", "--epochs", "1", "--quiet", "--cache-dir",
            str(workdir / "cache"), "--output", str(output)]
    assert main(argv) == 0
    rows = json.loads((output / "metrics.json").read_text())
    assert sorted({(row["real_fraction"], row["seed"]) for row in rows}) == [(0.0, 0), (0.0, 1), (1.0, 0), (1.0, 1)]
    printed = capsys.readouterr().out
    assert "real 0% / replace (2 seeds, this machine), generation 1: fid" in printed
    assert (output / "metrics.png").read_bytes().startswith(b"\x89PNG")
