"""The two VAEs: shapes, the negative ELBO, sampling modes and temperatures, and seeded repeatability."""

from __future__ import annotations

import pytest
import torch

from collapse_kit.metrics import pixel_diversity
from collapse_kit.models import MODEL_KINDS, ConvVAE, MLPVAE, make_model


def fresh(kind: str, seed: int = 0):
    torch.manual_seed(seed)
    return make_model(kind).eval()


@pytest.mark.parametrize("kind", MODEL_KINDS)
def test_both_kinds_round_trip_images_and_samples_in_image_shape(kind, real_test_images):
    model = fresh(kind)
    images = real_test_images.images[:8]
    mean, log_var = model.encode(images)
    assert mean.shape == log_var.shape == (8, model.latent_dim)
    reconstruction = model.reconstruct(images)
    assert reconstruction.shape == (8, 1, 28, 28)
    assert 0.0 <= float(reconstruction.min()) and float(reconstruction.max()) <= 1.0
    samples = model.sample(5)
    assert samples.shape == (5, 1, 28, 28)
    assert 0.0 <= float(samples.min()) and float(samples.max()) <= 1.0


def test_make_model_builds_the_documented_architectures():
    assert isinstance(make_model("mlp"), MLPVAE) and make_model("mlp").latent_dim == 16
    assert isinstance(make_model("conv"), ConvVAE) and make_model("conv").latent_dim == 20
    assert make_model("mlp", latent_dim=3).latent_dim == 3


@pytest.mark.parametrize("kind", MODEL_KINDS)
def test_negative_elbo_is_positive_for_every_image(kind, real_test_images):
    # BCE summed over pixels and a KL divergence are both >= 0, so the negative ELBO of each image is > 0.
    values = fresh(kind).negative_elbo(real_test_images.images[:16])
    assert values.shape == (16,)
    assert bool((values > 0).all())


def test_negative_elbo_repeats_with_a_seeded_generator(real_test_images):
    model, images = fresh("mlp"), real_test_images.images[:16]
    first = model.negative_elbo(images, generator=torch.Generator().manual_seed(3))
    again = model.negative_elbo(images, generator=torch.Generator().manual_seed(3))
    other = model.negative_elbo(images, generator=torch.Generator().manual_seed(4))
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


def test_bernoulli_samples_have_only_black_and_white_pixels():
    samples = fresh("mlp").sample(20, mode="bernoulli", generator=torch.Generator().manual_seed(0))
    assert set(samples.unique().tolist()) <= {0.0, 1.0}


def test_mean_samples_are_grey_levels_not_binary():
    samples = fresh("mlp").sample(20, mode="mean", generator=torch.Generator().manual_seed(0))
    assert not set(samples.unique().tolist()) <= {0.0, 1.0}


def test_same_generator_seed_gives_same_samples():
    model = fresh("mlp")
    first = model.sample(10, generator=torch.Generator().manual_seed(7))
    again = model.sample(10, generator=torch.Generator().manual_seed(7))
    other = model.sample(10, generator=torch.Generator().manual_seed(8))
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


def test_sampling_in_small_batches_gives_the_same_images():
    model = fresh("mlp")
    whole = model.sample(10, generator=torch.Generator().manual_seed(1))
    chunked = model.sample(10, generator=torch.Generator().manual_seed(1), batch_size=3)
    assert torch.allclose(whole, chunked)


def test_lower_temperature_gives_less_varied_samples():
    model = fresh("mlp")
    cold = model.sample(200, temperature=0.1, generator=torch.Generator().manual_seed(0))
    warm = model.sample(200, temperature=1.0, generator=torch.Generator().manual_seed(0))
    assert pixel_diversity(cold) < pixel_diversity(warm)


def test_zero_samples_is_an_empty_batch_of_images():
    assert fresh("mlp").sample(0).shape == (0, 1, 28, 28)


@pytest.mark.parametrize("temperature", [0.0, -1.0, float("nan"), float("inf")])
def test_temperature_must_be_positive_and_finite(temperature):
    with pytest.raises(ValueError, match="temperature"):
        fresh("mlp").sample(4, temperature=temperature)


def test_unknown_sample_mode_is_rejected_by_name():
    with pytest.raises(ValueError, match=r"mode must be one of 'mean', 'bernoulli', got 'median'"):
        fresh("mlp").sample(4, mode="median")


def test_negative_sample_count_is_rejected_by_name():
    with pytest.raises(ValueError, match="count must be >= 0, got -1"):
        fresh("mlp").sample(-1)


def test_unknown_model_kind_is_rejected_by_name():
    with pytest.raises(ValueError, match=r"model must be one of 'mlp', 'conv', got 'gan'"):
        make_model("gan")


def test_latent_dim_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="latent_dim must be >= 1, got 0"):
        make_model("mlp", latent_dim=0)
    with pytest.raises(TypeError, match="latent_dim must be an integer"):
        make_model("conv", latent_dim=2.0)
