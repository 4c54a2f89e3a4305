"""The loop's variants (issue 27): a generation 0 trained once per seed and shared, trained longer, later generations
fine-tuned; the controls (generation 0's set kept or dropped, a fixed pool of real images); the readings a referee
would vary (precision and recall as published, confident digits, the other test images)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from collapse_kit.vae import loop, metrics, training_sets
from collapse_kit.vae.classifier import classify, confidence
from collapse_kit.vae.data import load_mnist
from collapse_kit.vae.loop import ExperimentConfig, run_experiment

SMALL = ExperimentConfig(generations=3, samples_per_generation=512, epochs=1, batch_size=128, metric_samples=50)


@pytest.fixture
def training(monkeypatch):
    """Every ``train_vae`` call of the loop: (its images, its epochs, its step budget, its starting weights)."""
    calls = []
    train = loop.train_vae

    def recording(model, images, epochs, *args, steps=None, **kwargs):
        start = {name: value.detach().clone() for name, value in model.state_dict().items()}
        calls.append({"images": images.clone(), "epochs": epochs, "steps": steps, "start": start})
        return train(model, images, epochs, *args, steps=steps, **kwargs)

    monkeypatch.setattr(loop, "train_vae", recording)
    return calls


def same_weights(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[name], b[name]) for name in a)


# --- generation 0: trained once per seed, shared, trained longer ---------------------------------------------------

def test_generation_zero_is_trained_once_per_seed_and_shared_by_every_setting(tmp_path, training):
    """Two settings of one seed: the second loads the first's generation 0, and both equal a run without any cache
    (whichever setting trains it first, it comes out the same)."""
    half = run_experiment(SMALL.replace(real_fraction=0.5, generations=1), seed=2, cache_dir=tmp_path,
                          progress=False, keep_models=True)
    assert len(training) == 1
    none = run_experiment(SMALL.replace(generations=2), seed=2, cache_dir=tmp_path, progress=False,
                          keep_models=True)
    assert len(training) == 2 and training[-1]["epochs"] == SMALL.epochs  # only generation 1 trained
    alone = run_experiment(SMALL.replace(generations=1), seed=2, cache=False, progress=False, keep_models=True)
    assert same_weights(half.model(0).state_dict(), none.model(0).state_dict())
    assert same_weights(alone.model(0).state_dict(), none.model(0).state_dict())
    assert alone.generations[0].scalars() == none.generations[0].scalars()
    other_seed = run_experiment(SMALL.replace(generations=1), seed=3, cache_dir=tmp_path, progress=False)
    assert len(training) == 4 and other_seed.generations[0].fid != none.generations[0].fid


def test_first_epochs_trains_generation_zero_longer_and_the_others_as_before(tmp_path, training):
    config = SMALL.replace(first_epochs=3, compute="steps")
    result = run_experiment(config, seed=0, cache_dir=tmp_path, progress=False)
    assert [call["epochs"] for call in training] == [3, 1, 1]
    assert training[0]["steps"] is None  # generation 0 trains its own epochs; the step budget is the others'
    assert [call["steps"] for call in training[1:]] == [SMALL.epochs * (512 // 128)] * 2
    assert [len(record.loss_per_epoch) for record in result.generations] == [3, 1, 1]
    assert config.generation_0_epochs == 3 and SMALL.generation_0_epochs == SMALL.epochs
    # A longer generation 0 is another generation 0: not shared with the 1-epoch one.
    run_experiment(SMALL.replace(generations=1), seed=0, cache_dir=tmp_path, progress=False)
    assert len(training) == 4


def test_first_samples_trains_generation_zero_on_its_own_set_and_shares_it_with_every_size(tmp_path, training):
    """C3 from one pre-trained model: generation 0 on ``first_samples`` real images, each later generation fine-tuned
    on sets of ``samples_per_generation``; a generation 0 of 512 images is shared with the loops of 512 images."""
    config = SMALL.replace(generations=2, samples_per_generation=256, first_samples=512, start="fine-tune")
    result = run_experiment(config, seed=0, cache_dir=tmp_path, progress=False)
    assert [record.train_size for record in result.generations] == [512, 256]
    assert len(training_sets.new_training_set(config, seed=0, generation=0, previous=None)) == 512
    same = run_experiment(SMALL.replace(generations=1), seed=0, cache_dir=tmp_path, progress=False)
    assert len(training) == 2  # generation 0 came from the cache: the same as SMALL's
    assert result.generations[0].scalars() == same.generations[0].scalars()
    assert config.generation_0_samples == 512 and SMALL.generation_0_samples == SMALL.samples_per_generation
    assert config.real_images_used == 512 + config.real_per_generation


def test_fine_tuned_generations_start_from_their_predecessors_weights(tmp_path, training):
    result = run_experiment(SMALL.replace(start="fine-tune"), seed=0, cache_dir=tmp_path, progress=False,
                            keep_models=True)
    for generation in (1, 2):
        assert same_weights(training[generation]["start"], result.model(generation - 1).state_dict())
    assert not same_weights(result.model(1).state_dict(), result.model(0).state_dict())  # and then trained on
    fresh = run_experiment(SMALL, seed=0, cache_dir=tmp_path, progress=False, keep_models=True)
    assert not same_weights(training[-1]["start"], fresh.model(1).state_dict())
    assert fresh.generations[0].scalars() == result.generations[0].scalars()  # the same shared generation 0


# --- the controls ----------------------------------------------------------------------------------------------------

def test_replace_can_keep_generation_zeros_real_set_beside_each_new_set(tmp_path, training):
    config = SMALL.replace(keep_first_set=True, real_fraction=0.25, compute="steps")
    result = run_experiment(config, seed=0, cache_dir=tmp_path, progress=False)
    assert result.metric("train_size").tolist() == [512, 1024, 1024]
    np.testing.assert_allclose(result.metric("real_share"), [1.0, (512 + 128) / 1024, (512 + 128) / 1024])
    first = training[0]["images"]
    for call in training[1:]:
        assert torch.equal(call["images"][:512], first) and call["steps"] == 512 // 128  # equal compute


def test_accumulate_can_keep_the_synthetic_sets_only(tmp_path, training):
    config = SMALL.replace(strategy="accumulate", keep_first_set=False, compute="steps")
    result = run_experiment(config, seed=0, cache_dir=tmp_path, progress=False)
    assert result.metric("train_size").tolist() == [512, 512, 1024]
    assert result.metric("real_share").tolist() == [1.0, 0.0, 0.0]
    assert torch.equal(training[2]["images"][:512], training[1]["images"])  # generation 1's set, kept
    everything = run_experiment(config.replace(keep_first_set=None), seed=0, cache_dir=tmp_path, progress=False)
    assert everything.metric("train_size").tolist() == [512, 1024, 1536]


def test_a_real_pool_gives_the_same_real_images_every_generation(tmp_path, training):
    def real_rows(call, count):
        return {bytes(image.numpy()) for image in call["images"][:count].mul(255).round().to(torch.uint8)}

    fixed = SMALL.replace(real_fraction=10 / 512, real_pool=10)
    run_experiment(fixed, seed=0, cache_dir=tmp_path, progress=False)
    assert fixed.real_per_generation == 10 and real_rows(training[1], 10) == real_rows(training[2], 10)
    assert len(real_rows(training[1], 10)) == 10
    fresh = fixed.replace(real_pool=None)
    run_experiment(fresh, seed=0, cache_dir=tmp_path, progress=False)
    assert real_rows(training[-2], 10) != real_rows(training[-1], 10)
    # A pool smaller than the share: each pool image comes back, every digit kept.
    small_pool = SMALL.replace(real_fraction=1.0, real_pool=64)
    images = training_sets.new_training_set(small_pool, seed=0, generation=1, previous=None)
    assert len(images) == 512 and len(real_rows({"images": images}, 512)) == 64
    assert torch.equal(training_sets.pool_images(small_pool, 0), training_sets.pool_images(small_pool, 0))
    assert not torch.equal(training_sets.pool_images(small_pool, 0), training_sets.pool_images(small_pool, 1))


@pytest.mark.parametrize("changes, error, message", [
    ({"first_epochs": 0}, ValueError, "first_epochs must be >= 1, got 0"),
    ({"start": "warm"}, ValueError, r"start must be one of 'fresh', 'fine-tune', got 'warm'"),
    ({"keep_first_set": False}, ValueError, r"keep_first_set must be None or True with strategy='replace'"),
    ({"keep_first_set": True, "strategy": "accumulate"}, ValueError,
     r"keep_first_set must be None or False with strategy='accumulate'"),
    ({"keep_first_set": 1}, TypeError, "keep_first_set must be True, False or None, got 1"),
    ({"real_pool": 10}, ValueError, r"real_pool must be None when no real image is drawn after generation 0"),
    ({"real_pool": 0, "real_fraction": 0.5}, ValueError, "real_pool must be >= 1, got 0"),
    ({"real_pool": 60_001, "real_fraction": 0.5}, ValueError, "real_pool must be <= 60000, got 60001"),
    ({"first_samples": 100}, ValueError, "first_samples must be >= 512, got 100"),
    ({"first_samples": 1024, "strategy": "accumulate"}, ValueError,
     r"first_samples must be None unless strategy='replace' without keep_first_set"),
])
def test_the_variants_fields_are_checked_by_name(changes, error, message):
    with pytest.raises(error, match=message):
        ExperimentConfig(**changes)


def test_the_variants_defaults_are_todays_loop():
    config = ExperimentConfig()
    assert (config.first_epochs, config.start, config.keep_first_set, config.real_pool) == (None, "fresh", None, None)
    assert config.label() == "real 0% / replace"
    assert ExperimentConfig(first_epochs=320, start="fine-tune").label() == (
        "real 0% / replace, generation 0 trained 320 epochs, fine-tuned")
    assert ExperimentConfig(real_fraction=0.0001, real_pool=1).label() == (
        "1 real image (the same each generation) / replace")


# --- the readings a referee would vary --------------------------------------------------------------------------------

def test_confident_digits_count_only_the_samples_the_classifier_is_sure_of():
    labels = torch.tensor([0, 0, 1, 1, 2, 2, 3, 3, 3, 3])
    sure = torch.tensor([0.95, 0.5, 0.99, 0.2, 0.3, 0.1, 0.9, 0.91, 0.2, 0.2])
    assert metrics.confident_classes_covered(labels, sure, min_share=0.1) == 3  # 0, 1 and 3; 2 only guessed
    assert metrics.confident_classes_covered(labels, sure, min_share=0.2) == 1  # two sure 3s of ten
    assert metrics.confident_classes_covered(labels, torch.zeros(10)) == 0
    with pytest.raises(ValueError, match="labels and confidence must be two equal"):
        metrics.confident_classes_covered(labels, sure[:3])
    real = load_mnist("test", limit=500).images
    labels, features = classify(real)
    assert metrics.confident_classes_covered(labels, confidence(features)) == 10  # real digits: all ten, surely
    labels, features = classify(torch.full((50, 1, 28, 28), 0.5))  # grey squares: one label at most, guessed
    assert metrics.confident_classes_covered(labels, confidence(features)) <= metrics.classes_covered(
        metrics.class_histogram(labels)) == 1


def test_a_generation_carries_the_variants_readings(synthetic_run):
    for record in synthetic_run.generations:
        assert 0.0 <= record.standard_precision <= 1.0 and 0.0 <= record.standard_recall <= 1.0
        assert 0 <= record.confident_digits <= record.classes_covered  # a confident share never exceeds the whole
        assert np.isfinite(record.test_nelbo_other) and record.test_nelbo_other > 0
    # The other test images are another subset: close to the first's -ELBO, never the same number.
    first, other = synthetic_run.metric("test_nelbo"), synthetic_run.metric("test_nelbo_other")
    assert np.all(first != other) and np.all(np.abs(first - other) < 0.2 * first)
