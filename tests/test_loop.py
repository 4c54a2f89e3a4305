"""The recursive loop: collapse without real data, repeatability, caching and resuming, and config checks."""

from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import pytest
import torch

from collapse_kit.vae import generation, loop, training_sets
from collapse_kit.vae.generation import METRIC_NAMES
from collapse_kit.vae.loop import ExperimentConfig, ExperimentResult, run_experiment


def same_numbers(a: ExperimentResult, b: ExperimentResult) -> bool:
    return json.dumps(a.to_dict()) == json.dumps(b.to_dict())


# --- the effect -----------------------------------------------------------------------------------------------------

def test_fully_synthetic_loop_loses_diversity(synthetic_run, real_run):
    # Same seed, same generation 0; from generation 1 on one run sees only its own samples, the other only real data.
    last_synthetic, last_real = synthetic_run.generations[-1], real_run.generations[-1]
    assert last_synthetic.pixel_diversity < 0.8 * last_real.pixel_diversity
    assert last_synthetic.latent_std < 0.5 * last_real.latent_std


def test_fully_synthetic_loop_shrinks_generation_after_generation(synthetic_run):
    spread = synthetic_run.metric("latent_std")
    diversity = synthetic_run.metric("pixel_diversity")
    assert spread[-1] < 0.5 * spread[0]
    assert diversity[-1] < diversity[0]


def test_real_data_every_generation_keeps_the_spread_of_generation_zero(real_run):
    spread = real_run.metric("latent_std")
    assert spread[-1] > 0.7 * spread[0]


def test_generation_zero_is_trained_on_real_data_whatever_the_real_fraction(synthetic_run, real_run):
    assert synthetic_run.generations[0].scalars() == real_run.generations[0].scalars()
    assert synthetic_run.generations[0].real_share == 1.0
    assert synthetic_run.metric("real_share")[1:].tolist() == [0.0, 0.0]
    assert real_run.metric("real_share").tolist() == [1.0, 1.0, 1.0]


# --- the result -------------------------------------------------------------------------------------------------------

def test_result_has_one_record_per_generation_with_every_metric(synthetic_run, tiny_config):
    assert [record.generation for record in synthetic_run.generations] == list(range(tiny_config.generations))
    for name in METRIC_NAMES + ("train_size", "real_share"):
        values = synthetic_run.metric(name)
        assert values.shape == (tiny_config.generations,) and np.isfinite(values).all(), name
    record = synthetic_run.generations[0]
    assert len(record.loss_per_epoch) == tiny_config.epochs
    assert record.class_histogram.shape == (10,) and record.class_histogram.sum() == pytest.approx(1.0)
    assert record.sample_nelbo_gen0.shape == (tiny_config.metric_samples,)
    assert record.samples.shape == (generation.GRID_IMAGES, 1, 28, 28) and record.samples.dtype == torch.uint8
    assert 0.0 <= record.precision <= 1.0 and 0.0 <= record.recall <= 1.0


def test_metric_refuses_unknown_names(synthetic_run):
    with pytest.raises(ValueError, match=r"name must be one of .*'fid'.*got 'accuracy'"):
        synthetic_run.metric("accuracy")


def test_to_dict_is_json_ready_with_one_entry_per_generation(synthetic_run, tiny_config):
    summary = json.loads(json.dumps(synthetic_run.to_dict()))
    assert summary["config"] == dataclasses.asdict(tiny_config)
    assert summary["seed"] == 0
    assert [g["generation"] for g in summary["generations"]] == [0, 1, 2]
    assert [g["fid"] for g in summary["generations"]] == synthetic_run.metric("fid").tolist()
    assert all(len(g["class_histogram"]) == 10 for g in summary["generations"])


def test_models_are_only_kept_when_asked(synthetic_run):
    with pytest.raises(ValueError, match="keep_models=True"):
        synthetic_run.model(0)


@pytest.mark.slow
def test_accumulate_strategy_grows_the_training_set_and_keeps_models(tmp_path):
    config = ExperimentConfig(generations=3, samples_per_generation=512, epochs=1, batch_size=256,
                              metric_samples=50, strategy="accumulate", real_fraction=0.5)
    result = run_experiment(config, seed=0, cache_dir=tmp_path, progress=False, keep_models=True)
    assert result.metric("train_size").tolist() == [512, 1024, 1536]
    # Every earlier set is kept: generation g has 1 all-real set and g sets that are half real.
    np.testing.assert_allclose(result.metric("real_share"), [(1 + 0.5 * g) / (g + 1) for g in range(3)])
    model = result.model(2)
    assert not model.training
    assert model.sample(3).shape == (3, 1, 28, 28)
    with pytest.raises(ValueError, match="generation must be <= 2, got 3"):
        result.model(3)


@pytest.mark.slow
def test_equal_compute_trains_every_accumulate_generation_the_steps_of_generation_zero(tmp_path, monkeypatch):
    seen = []
    train = loop.train_vae

    def recording(*args, **kwargs):
        result = train(*args, **kwargs)
        seen.append(result.samples_seen)
        return result

    monkeypatch.setattr(loop, "train_vae", recording)
    config = ExperimentConfig(generations=3, samples_per_generation=512, epochs=2, batch_size=256,
                              metric_samples=50, strategy="accumulate")
    run_experiment(config, seed=0, cache_dir=tmp_path, progress=False)
    assert seen == [1024, 2048, 3072]  # equal epochs: the growing set costs more steps every generation
    seen.clear()
    steps = run_experiment(config.replace(compute="steps"), seed=0, cache_dir=tmp_path, progress=False)
    # Generation 0 is the first run's (shared by every setting of the seed); 1 and 2 train generation 0's steps.
    assert seen == [1024, 1024] and steps.metric("train_size").tolist() == [512, 1024, 1536]
    seen.clear()
    run_experiment(config.replace(compute="steps"), seed=0, cache=False, progress=False)
    assert seen == [1024, 1024, 1024]


def test_real_digits_draw_the_real_share_from_those_digits_only():
    from collapse_kit.vae.data import load_mnist

    train = load_mnist("train")
    threes = {bytes(image.numpy()) for image in train.images[train.labels == 3]}
    config = ExperimentConfig(samples_per_generation=512, real_fraction=1.0, real_digits=[3])
    assert config.real_digits == (3,) and config == config.replace(real_digits=(3, 3))
    generation_1 = training_sets.new_training_set(config, seed=0, generation=1, previous=None)
    assert all(bytes(image.numpy()) in threes for image in generation_1)
    generation_0 = training_sets.new_training_set(config, seed=0, generation=0, previous=None)  # always all ten digits
    assert sum(bytes(image.numpy()) in threes for image in generation_0) < 100


def test_accumulate_resumed_from_the_cache_rebuilds_the_same_training_sets(tmp_path):
    """A resumed accumulate run regenerates the earlier sets from cached models: the numbers must not change."""
    config = ExperimentConfig(generations=3, samples_per_generation=512, epochs=1, batch_size=256,
                              metric_samples=50, strategy="accumulate")
    whole = run_experiment(config, seed=0, cache_dir=tmp_path / "whole", progress=False)
    first = run_experiment(config, seed=0, cache_dir=tmp_path / "resume", progress=False)
    (tmp_path / "resume" / first.cache_key / "generation_002.pt").unlink()  # as if interrupted in generation 2
    resumed = run_experiment(config, seed=0, cache_dir=tmp_path / "resume", progress=False)
    assert resumed.metric("fid").tolist() == whole.metric("fid").tolist()
    assert resumed.metric("test_nelbo").tolist() == whole.metric("test_nelbo").tolist()
    # A shorter run of the same config agrees on the generations both have.
    shorter = run_experiment(config.replace(generations=2), seed=0, cache=False, progress=False)
    assert shorter.metric("fid").tolist() == whole.metric("fid")[:2].tolist()


def test_replace_strategy_trains_every_generation_on_n_images(synthetic_run, tiny_config):
    assert synthetic_run.metric("train_size").tolist() == [tiny_config.samples_per_generation] * 3


def test_table_has_a_header_and_one_line_per_generation(synthetic_run):
    lines = synthetic_run.table().splitlines()
    assert len(lines) == 1 + len(synthetic_run.generations)
    assert "FID" in lines[0] and "digits" in lines[0]
    assert [line.split()[0] for line in lines[1:]] == ["0", "1", "2"]


@pytest.mark.slow
def test_on_generation_is_told_about_every_generation_even_from_the_cache(synthetic_run, tiny_config,
                                                                          synthetic_cache):
    seen = []
    run_experiment(tiny_config, seed=0, cache_dir=synthetic_cache, progress=False,
                   on_generation=lambda record, total: seen.append((record.generation, total)))
    assert seen == [(0, 3), (1, 3), (2, 3)]
    with pytest.raises(TypeError, match="on_generation must be callable"):
        run_experiment(tiny_config, seed=0, cache_dir=synthetic_cache, progress=False, on_generation=3)


def test_real_images_used_counts_generation_zero_and_each_real_share():
    config = ExperimentConfig(generations=4, samples_per_generation=1000, real_fraction=0.1)
    assert config.real_images_used == 1000 + 3 * 100


# --- repeatability and the cache --------------------------------------------------------------------------------------

@pytest.mark.slow
def test_same_seed_gives_same_metrics(synthetic_run, tiny_config, training_calls):
    # Generation g does not depend on how many generations follow it, so two generations suffice to compare.
    again = run_experiment(tiny_config.replace(generations=2), seed=0, cache=False, progress=False)
    assert training_calls == [0, 1]  # really recomputed, not loaded
    assert again.cache_key is None
    for first, second in zip(synthetic_run.generations, again.generations):
        assert second.scalars() == first.scalars()
        assert torch.equal(first.samples, second.samples)


def test_different_seed_gives_different_metrics(synthetic_run, tiny_config):
    other = run_experiment(tiny_config.replace(generations=1), seed=1, cache=False, progress=False)
    assert other.generations[0].loss_per_epoch != synthetic_run.generations[0].loss_per_epoch
    assert other.generations[0].fid != synthetic_run.generations[0].fid


def test_cached_rerun_trains_nothing_and_gives_equal_numbers(synthetic_run, tiny_config, synthetic_cache,
                                                              training_calls):
    again = run_experiment(tiny_config, seed=0, cache_dir=synthetic_cache, progress=False)
    assert training_calls == []
    assert again.cache_key == synthetic_run.cache_key
    assert same_numbers(again, synthetic_run)


@pytest.mark.slow
def test_interrupted_run_resumes_from_the_last_finished_generation(synthetic_run, tiny_config, synthetic_cache,
                                                                    tmp_path, monkeypatch):
    # Start from a cache holding only generation 0 (as if generations 1 and 2 had never run), then stop the run
    # during generation 1, as a student pressing "interrupt" would.
    shutil.copytree(synthetic_cache, tmp_path, dirs_exist_ok=True)
    folder = tmp_path / synthetic_run.cache_key
    for later in (1, 2):
        (folder / f"generation_{later:03d}.pt").unlink()
    train = loop._train_generation
    calls = []

    def stopped_during_generation_one(config, seed, generation, *args, **kwargs):
        calls.append(generation)
        if generation == 1:
            raise KeyboardInterrupt
        return train(config, seed, generation, *args, **kwargs)

    monkeypatch.setattr(loop, "_train_generation", stopped_during_generation_one)
    with pytest.raises(KeyboardInterrupt):
        run_experiment(tiny_config, seed=0, cache_dir=tmp_path, progress=False)
    assert calls == [1]
    assert sorted(path.name for path in folder.glob("*.pt")) == ["generation_000.pt"]
    assert not list(folder.glob(".*.tmp"))

    def counted(config, seed, generation, *args, **kwargs):
        calls.append(generation)
        return train(config, seed, generation, *args, **kwargs)

    calls.clear()
    monkeypatch.setattr(loop, "_train_generation", counted)
    resumed = run_experiment(tiny_config, seed=0, cache_dir=tmp_path, progress=False)
    assert calls == [1, 2]  # generation 0 came from the cache
    assert same_numbers(resumed, synthetic_run)


def test_corrupt_cached_generation_is_recomputed_with_a_warning(synthetic_run, tiny_config, synthetic_cache, tmp_path,
                                                               training_calls):
    shutil.copytree(synthetic_cache, tmp_path, dirs_exist_ok=True)
    damaged = tmp_path / synthetic_run.cache_key / "generation_001.pt"
    damaged.write_bytes(damaged.read_bytes()[:1000])
    with pytest.warns(RuntimeWarning, match=r"generation_001\.pt is corrupt"):
        result = run_experiment(tiny_config, seed=0, cache_dir=tmp_path, progress=False)
    assert training_calls == [1]
    assert same_numbers(result, synthetic_run)
    assert damaged.stat().st_size > 1000  # stored again, whole


def test_run_leaves_the_callers_random_numbers_alone(tmp_path):
    config = ExperimentConfig(generations=2, samples_per_generation=256, epochs=1, batch_size=256, metric_samples=20)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    run_experiment(config, seed=0, cache_dir=tmp_path, progress=False)
    assert torch.equal(torch.rand(3), expected)


# --- config checks ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, value, message", [
    ("real_fraction", 1.5, r"real_fraction must be in \[0, 1\], got 1.5"),
    ("real_fraction", -0.1, r"real_fraction must be in \[0, 1\], got -0.1"),
    ("real_fraction", float("nan"), r"real_fraction must be a finite number in \[0, 1\], got nan"),
    ("generations", 0, "generations must be >= 1, got 0"),
    ("strategy", "mix", r"strategy must be one of 'replace', 'accumulate', got 'mix'"),
    ("model", "gan", r"model must be one of 'mlp', 'conv', got 'gan'"),
    ("sample_mode", "median", "sample_mode must be one of"),
    ("samples_per_generation", 100, "samples_per_generation must be >= 512, got 100"),
    ("samples_per_generation", 60_001, "samples_per_generation must be <= 60000"),
    ("temperature", 0.0, r"temperature must be in \(0, 10\], got 0"),
    ("epochs", 0, "epochs must be >= 1, got 0"),
    ("learning_rate", 2.0, "learning_rate must be in"),
    ("metric_samples", 5, "metric_samples must be >= 10, got 5"),
    ("compute", "flops", r"compute must be one of 'epochs', 'steps', got 'flops'"),
    ("real_digits", (3, 10), r"real_digits\[...\] must be <= 9, got 10"),
    ("real_digits", (), "real_digits must name at least one digit"),
])
def test_bad_config_values_are_rejected_by_name(name, value, message):
    with pytest.raises(ValueError, match=message):
        ExperimentConfig(**{name: value})


def test_samples_per_generation_must_fill_at_least_one_batch():
    assert ExperimentConfig(samples_per_generation=256, batch_size=256).samples_per_generation == 256
    with pytest.raises(ValueError, match="samples_per_generation must be >= 256, got 255"):
        ExperimentConfig(samples_per_generation=255, batch_size=256)


@pytest.mark.parametrize("name, value", [("generations", 2.0), ("generations", True), ("real_fraction", "0.5")])
def test_wrong_config_types_are_type_errors(name, value):
    with pytest.raises(TypeError, match=name):
        ExperimentConfig(**{name: value})


def test_replace_validates_the_changed_copy(tiny_config):
    assert tiny_config.replace(real_fraction=0.25).real_fraction == 0.25
    assert tiny_config.real_fraction == 0.0  # frozen: the original is untouched
    with pytest.raises(ValueError, match="real_fraction"):
        tiny_config.replace(real_fraction=1.5)


def test_real_images_per_generation_is_the_rounded_share():
    assert ExperimentConfig(samples_per_generation=1000, real_fraction=0.1234).real_per_generation == 123


def test_run_experiment_refuses_other_configs_and_negative_seeds(tmp_path):
    with pytest.raises(TypeError, match="config must be an ExperimentConfig, got dict"):
        run_experiment({"generations": 1}, cache_dir=tmp_path, progress=False)
    with pytest.raises(ValueError, match="seed must be >= 0, got -1"):
        run_experiment(ExperimentConfig(generations=1), seed=-1, cache_dir=tmp_path, progress=False)
