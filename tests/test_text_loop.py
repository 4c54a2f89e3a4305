"""The text loop: a character model trained on its own text, generation after generation (lesson 09's library)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch

from collapse_kit.core import runner
from collapse_kit.core.cache import code_files
from collapse_kit.text.generation import TEXT_METRIC_NAMES, TextGenerationResult
from collapse_kit.text.loop import TextConfig, TextResult, run_text_experiment

# Under a second a run on one thread: 4,096 characters a generation, 4 epochs of a 64-unit model, measured on 128
# sampled passages (about 1,500 words: enough for the coverage of the 1,000 commonest words to move; over seeds 0-9
# fully synthetic generation 2 used 0.022-0.036 fewer of them than all-real, and scored 0.49-0.64 more bits per
# character).
TINY = TextConfig(generations=3, passages=64, passage_length=64, epochs=4, context=4, embedding=8, hidden=64,
                  batch_size=128, learning_rate=2e-2, metric_passages=128)


@pytest.fixture(scope="module")
def tiny_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("text-cache")


@pytest.fixture(scope="module")
def tiny_runs(tiny_cache) -> dict[tuple[float, int], TextResult]:
    """The tiny loop at real fractions 0 and 1 for seeds 0-4, cached in one folder (generation 0 shared)."""
    return {(fraction, seed): run_text_experiment(TINY.replace(real_fraction=fraction), seed, cache_dir=tiny_cache,
                                                  progress=False)
            for seed in range(5) for fraction in (0.0, 1.0)}


@pytest.mark.slow
def test_a_run_has_one_record_per_generation_with_every_measure(tiny_runs):
    result = tiny_runs[0.0, 0]
    assert [record.generation for record in result.generations] == [0, 1, 2]
    for record in result.generations:
        assert isinstance(record, TextGenerationResult) and record.model_state is None
        assert record.sample_perplexity_gen0.shape == (TINY.metric_passages,)
        assert record.samples.shape == (8, TINY.passage_length) and record.samples.dtype == np.uint8
        assert 0 < record.test_bits_per_character < np.log2(65) + 0.5
        assert 0 <= record.rare_coverage <= record.common_coverage <= 1 and 0 <= record.invented_share <= 1
        assert isinstance(record.text(2, lines=3), str) and record.text(1, lines=1).count("\n") == 0
    assert result.metric("real_share").tolist() == [1.0, 0.0, 0.0]
    assert result.metric("train_characters").tolist() == [4096.0] * 3
    row = json.loads(json.dumps(result.to_dict()))  # JSON-ready
    assert set(TEXT_METRIC_NAMES) <= set(row["generations"][0])
    assert result.table().splitlines()[0].split() == ["gen", "real", "bits/char", "bits@rare", "bits@common", "ppl@0",
                                                      "words", "rare", "common", "rare6+", "invented", "repeat"]


@pytest.mark.slow
def test_fully_synthetic_text_loses_the_real_vocabulary(tiny_runs):
    # By generation 2, the text of a model fed its own text uses fewer of the 1,000 commonest real words than the
    # text of a model fed real text each generation, and predicts real text worse: for every seed 0-4 (same
    # generation 0 in both), and on average by more than 3 standard errors of the paired differences.
    coverage = np.array([[tiny_runs[f, s].metric("common_coverage")[-1] for s in range(5)] for f in (0.0, 1.0)])
    bits = np.array([[tiny_runs[f, s].metric("test_bits_per_character")[-1] for s in range(5)] for f in (0.0, 1.0)])
    for measure, worse in ((coverage[1] - coverage[0], "coverage"), (bits[0] - bits[1], "bits per character")):
        assert np.all(measure > 0), f"{worse}: {measure}"
        assert measure.mean() > 3 * measure.std(ddof=1) / np.sqrt(len(measure)), f"{worse}: {measure}"
    for seed in range(5):  # generation 0 trains on the same real text in both
        first = [tiny_runs[f, seed].generations[0].test_bits_per_character for f in (0.0, 1.0)]
        assert first[0] == first[1]


@pytest.mark.slow
def test_the_same_seed_gives_the_same_numbers_and_the_cache_gives_them_back(tiny_runs, tiny_cache, tmp_path):
    cached = run_text_experiment(TINY, 0, cache_dir=tiny_cache, progress=False)
    fresh = run_text_experiment(TINY, 0, cache=False, progress=False)
    elsewhere = run_text_experiment(TINY, 0, cache_dir=tmp_path, progress=False)
    for other in (cached, fresh, elsewhere):
        assert other.to_dict() == tiny_runs[0.0, 0].to_dict()
        for mine, theirs in zip(tiny_runs[0.0, 0].generations, other.generations):
            np.testing.assert_array_equal(mine.sample_perplexity_gen0, theirs.sample_perplexity_gen0)
            np.testing.assert_array_equal(mine.samples, theirs.samples)
    assert cached.cache_key == tiny_runs[0.0, 0].cache_key and fresh.cache_key is None
    assert tiny_runs[0.0, 1].to_dict() != tiny_runs[0.0, 0].to_dict()


def test_generation_0_is_trained_once_per_seed_for_every_setting(tiny_cache, tmp_path, monkeypatch):
    from collapse_kit.text import loop as text_loop

    run_text_experiment(TINY.replace(generations=1), 3, cache_dir=tmp_path, progress=False)
    trained = []
    real_train = text_loop.train_char_model
    monkeypatch.setattr(text_loop, "train_char_model", lambda *a, **k: trained.append(1) or real_train(*a, **k))
    other = run_text_experiment(TINY.replace(generations=2, temperature=0.7, real_fraction=0.5), 3,
                                cache_dir=tmp_path, progress=False)
    assert len(trained) == 1  # generation 1 only: generation 0's weights came from the cache
    again = run_text_experiment(TINY.replace(generations=2, temperature=0.7, real_fraction=0.5), 3, cache=False,
                                progress=False)
    assert other.to_dict() == again.to_dict()


@pytest.mark.slow
def test_an_interrupted_run_resumes_with_the_same_numbers(tmp_path):
    accumulate = TINY.replace(strategy="accumulate", real_fraction=0.25)
    whole = run_text_experiment(accumulate, 2, cache=False, progress=False)
    store = tmp_path / run_text_experiment(accumulate, 2, cache_dir=tmp_path, progress=False).cache_key
    (store / "generation_002.pt").unlink()  # as if stopped after generation 1: its sets are rebuilt from the models
    resumed = run_text_experiment(accumulate, 2, cache_dir=tmp_path, progress=False)
    assert resumed.to_dict() == whole.to_dict()
    assert resumed.metric("train_characters").tolist() == [4096.0, 8192.0, 12288.0]
    np.testing.assert_allclose(resumed.metric("real_share"), [1.0, (64 + 16) / 128, (64 + 32) / 192])


def test_equal_compute_trains_every_generation_generation_0s_steps():
    result = run_text_experiment(TINY.replace(strategy="accumulate", compute="steps", generations=2), 0,
                                 cache=False, progress=False)
    # 4 epochs of 4,096 characters in batches of 128: 128 steps, which generation 1's doubled set takes in 2 epochs
    assert [len(record.loss_per_epoch) for record in result.generations] == [4, 2]


@pytest.mark.parametrize("start, starts_from, label", [("fine-tune", [0, 1], ", fine-tuned"),
                                                       ("fine-tune-first", [0, 0], ", fine-tuned from generation 0")])
def test_a_generation_can_be_fine_tuned_from_an_earlier_model(tmp_path, monkeypatch, start, starts_from, label):
    """start="fine-tune" or "fine-tune-first": generations 1 and 2 start from the weights of generations 0 and 1 (or
    0 and 0) instead of new ones; generation 0, and every number of the default ("fresh"), stay as they were."""
    from collapse_kit.text import loop as text_loop

    initial = []
    real_train = text_loop.train_char_model
    monkeypatch.setattr(text_loop, "train_char_model", lambda model, *a, **k: initial.append(
        {name: value.clone() for name, value in model.state_dict().items()}) or real_train(model, *a, **k))
    config = TINY.replace(start=start)
    tuned = run_text_experiment(config, 0, cache_dir=tmp_path, progress=False, keep_models=True)
    assert config.label().endswith(label)
    for generation, earlier in zip((1, 2), starts_from):
        for name, value in tuned.model(earlier).state_dict().items():
            assert torch.equal(initial[generation][name], value), (generation, name)
    fresh = run_text_experiment(TINY, 0, cache=False, progress=False)
    assert tuned.to_dict()["generations"][0] == fresh.to_dict()["generations"][0]
    assert tuned.metric("test_bits_per_character")[2] != fresh.metric("test_bits_per_character")[2]


def test_models_are_kept_on_request_and_sample_like_the_records(tmp_path):
    result = run_text_experiment(TINY.replace(generations=2), 0, cache_dir=tmp_path, progress=False,
                                 keep_models=True)
    model = result.model(1)
    assert model.hidden.out_features == TINY.hidden and not model.training
    with pytest.raises(ValueError, match="models were not kept"):
        run_text_experiment(TINY.replace(generations=2), 0, cache_dir=tmp_path, progress=False).model(1)


def test_the_runner_runs_text_configs_like_any_world(tmp_path):
    results = runner.run_runs([(TINY.replace(generations=1), 0), (TINY.replace(generations=1), 1)],
                              cache_dir=tmp_path, progress=False)
    assert [type(result) for result in results] == [TextResult, TextResult]
    assert results[0].to_dict() == TINY.replace(generations=1).run(0, cache_dir=tmp_path, progress=False).to_dict()


def test_on_generation_is_told_of_every_generation(tmp_path):
    seen = []
    run_text_experiment(TINY.replace(generations=2), 0, cache_dir=tmp_path, progress=False,
                        on_generation=lambda record, total: seen.append((record.generation, total)))
    assert seen == [(0, 2), (1, 2)]


def test_the_cache_key_covers_the_text_worlds_code_and_its_data_checksum():
    files = code_files(TextConfig.module)
    for name in ("loop.py", "data.py", "models.py", "training.py", "metrics.py", "generation.py", "words.py"):
        assert f"text/{name}" in files
    assert not [name for name in files if name.startswith("vae/")]  # the VAE world's edits leave these keys alone


def test_the_profiles_are_valid_configs_and_a_config_survives_json():
    for overrides in TextConfig.profiles.values():
        config = TextConfig(**overrides)
        assert TextConfig(**json.loads(json.dumps(dataclasses.asdict(config)))) == config


@pytest.mark.parametrize("settings, message", [
    ({"generations": 0}, "generations must be >= 1, got 0"),
    ({"real_fraction": -0.1}, r"real_fraction must be in \[0, 1\], got -0.1"),
    ({"strategy": "keep"}, "strategy must be one of 'replace', 'accumulate', got 'keep'"),
    ({"temperature": 0.0}, r"temperature must be in \(0, 10\], got 0"),
    ({"top_k": 0}, "top_k must be >= 1, got 0"),
    ({"compute": "flops"}, "compute must be one of 'epochs', 'steps', got 'flops'"),
    ({"passage_length": 8}, "passage_length must be >= 16, got 8"),
    ({"passages": 5000}, "passages must be <= 2232, the training text's non-overlapping passages of 256 characters"),
    ({"hidden": 0}, "hidden must be >= 1, got 0"),
    ({"batch_size": 10**9}, "batch_size must be <= 262144"),
    ({"learning_rate": 2.0}, r"learning_rate must be in \(0, 1\], got 2"),
    ({"metric_passages": 0}, "metric_passages must be >= 1, got 0"),
    ({"metric_passages": 151}, "metric_passages must be <= 150, the test text's non-overlapping passages of 256"),
    ({"start": "warm"}, "start must be one of 'fresh', 'fine-tune', 'fine-tune-first', got 'warm'")])
def test_bad_settings_are_refused_by_name(settings, message):
    with pytest.raises(ValueError, match=message):
        TextConfig(**settings)
    with pytest.raises(ValueError, match=message):
        TextConfig().replace(**settings)


def test_bad_run_arguments_are_refused_by_name():
    with pytest.raises(TypeError, match="config must be a TextConfig"):
        run_text_experiment(dataclasses.asdict(TINY))
    with pytest.raises(ValueError, match="seed must be >= 0, got -1"):
        run_text_experiment(TINY, -1, cache=False)
    with pytest.raises(TypeError, match="on_generation must be callable"):
        run_text_experiment(TINY, 0, cache=False, on_generation=3)


def test_the_loop_runs_on_one_thread_and_gives_the_callers_setting_back(tmp_path):
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        seen = []
        record = lambda record, total: seen.append(torch.get_num_threads())  # noqa: E731
        run_text_experiment(TINY.replace(generations=1), 0, cache=False, progress=False, on_generation=record)
        assert seen == [1] and torch.get_num_threads() == 2
        run_text_experiment(TINY.replace(generations=1), 0, cache_dir=tmp_path, progress=False, threads=None,
                            on_generation=record)
        assert seen == [1, 2]
        with pytest.raises(ValueError, match="threads must be >= 1, got 0"):
            run_text_experiment(TINY, 0, cache=False, threads=0)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_a_run_leaves_the_callers_random_state_alone(tmp_path):
    torch.manual_seed(11)
    before = torch.random.get_rng_state()
    run_text_experiment(TINY.replace(generations=1), 0, cache_dir=tmp_path, progress=False)
    assert torch.equal(before, torch.random.get_rng_state())
