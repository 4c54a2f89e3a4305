"""The two VAEs: shapes, the negative ELBO, sampling modes and temperatures, and seeded repeatability."""

from __future__ import annotations

import pytest
import torch

from collapse_kit.vae.metrics import pixel_diversity
from collapse_kit.vae.models import MLPVAE, MODEL_KINDS, ConvVAE, bernoulli_nll, make_model, reparameterise_with_kl


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


def test_bernoulli_nll_equals_torch_binary_cross_entropy_and_its_gradient():
    torch.manual_seed(0)
    # logits from the everyday range to far beyond it (exp(100) overflows float32), grey and binary targets
    logits = torch.cat([torch.randn(6, 784) * scale for scale in (0.5, 5.0, 40.0)])
    logits[0, :4] = torch.tensor([-100.0, 100.0, -1e4, 1e4])
    targets = torch.rand(18, 784)
    targets[1] = targets[1].round()
    ours_logits, torch_logits = logits.clone().requires_grad_(), logits.clone().requires_grad_()
    ours = bernoulli_nll(ours_logits, targets)
    reference = torch.nn.functional.binary_cross_entropy_with_logits(torch_logits, targets, reduction="none").sum(1)
    assert ours.shape == (18,)
    assert torch.allclose(ours, reference, rtol=1e-5, atol=1e-3), (ours - reference).abs().max()
    weights = torch.rand(18)  # a different gradient per image, as a weighted loss would give
    (ours * weights).sum().backward()
    (reference * weights).sum().backward()
    assert torch.allclose(ours_logits.grad, torch_logits.grad, atol=1e-7)


def test_bernoulli_nll_gradients_pass_a_numerical_check_for_both_inputs():
    logits = torch.randn(3, 7, dtype=torch.float64, requires_grad=True)
    targets = torch.rand(3, 7, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(bernoulli_nll, (logits, targets))


def test_reparameterise_with_kl_equals_the_written_out_formulas_and_their_gradients():
    mean = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    log_var = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    noise = torch.randn(5, 4, dtype=torch.float64)
    z, kl = reparameterise_with_kl(mean, log_var, noise)
    assert torch.allclose(z, mean + noise * torch.exp(0.5 * log_var))
    assert torch.allclose(kl, 0.5 * (mean**2 + log_var.exp() - 1.0 - log_var).sum(1))
    assert torch.autograd.gradcheck(lambda m, v: reparameterise_with_kl(m, v, noise), (mean, log_var))
    # a standard normal posterior is the prior itself: zero KL
    _, zero = reparameterise_with_kl(torch.zeros(2, 3), torch.zeros(2, 3), torch.randn(2, 3))
    assert torch.equal(zero, torch.zeros(2))


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
