"""The in-memory trainer: it learns, it repeats with a seed, and it refuses bad settings by name."""

from __future__ import annotations

import pytest
import torch

from collapse_kit.core.torch_parts import Adam, resolve_device
from collapse_kit.vae.data import load_mnist
from collapse_kit.vae.mlp_step import MLPTrainingStep
from collapse_kit.vae.models import make_model
from collapse_kit.vae.training import train_vae


@pytest.fixture(scope="module")
def real_images():
    return load_mnist("train", limit=2000).images


def train(images, seed=0, epochs=3, **options):
    torch.manual_seed(seed)  # the initial weights
    model = make_model("mlp")
    return model, train_vae(model, images, epochs=epochs, batch_size=128, seed=seed, device="cpu",
                            progress=False, **options)


def test_loss_falls_over_a_few_epochs_on_real_digits(real_images):
    _, result = train(real_images, epochs=4)
    losses = result.loss_per_epoch
    assert len(losses) == 4
    assert losses[-1] < losses[0]
    assert all(later < earlier for earlier, later in zip(losses, losses[1:]))


def test_trained_model_finds_real_digits_more_likely_than_an_untrained_one(real_images):
    torch.manual_seed(0)
    untrained = make_model("mlp").eval()
    trained, _ = train(real_images, epochs=3)
    test = load_mnist("test", limit=200).images
    generator = lambda: torch.Generator().manual_seed(0)  # noqa: E731
    with torch.no_grad():
        assert trained.negative_elbo(test, generator()).mean() < untrained.negative_elbo(test, generator()).mean()


def test_same_seed_gives_identical_losses_and_weights(real_images):
    first_model, first = train(real_images, seed=5, epochs=2)
    again_model, again = train(real_images, seed=5, epochs=2)
    assert first.loss_per_epoch == again.loss_per_epoch
    for (name, a), (_, b) in zip(first_model.state_dict().items(), again_model.state_dict().items()):
        assert torch.equal(a, b), name


def test_different_seed_gives_different_losses(real_images):
    _, first = train(real_images, seed=1, epochs=1)
    _, second = train(real_images, seed=2, epochs=1)
    assert first.loss_per_epoch != second.loss_per_epoch


@pytest.mark.slow
def test_adam_gives_the_weights_of_torch_fused_adam_bit_for_bit(real_images):
    torch.manual_seed(0)
    ours, reference = make_model("mlp"), make_model("mlp")
    reference.load_state_dict(ours.state_dict())
    ours_optimizer = Adam(ours.parameters(), 1e-3)
    reference_optimizer = torch.optim.Adam(reference.parameters(), lr=1e-3, fused=True)
    for step in range(4):
        batch = real_images[step * 64:(step + 1) * 64]
        for model, optimizer in ((ours, ours_optimizer), (reference, reference_optimizer)):
            loss = model.negative_elbo(batch, generator=torch.Generator().manual_seed(step)).mean()
            model.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    for (name, a), (_, b) in zip(ours.state_dict().items(), reference.state_dict().items()):
        assert torch.equal(a, b), name


@pytest.mark.parametrize("batch_size", [128, 100])
def test_hand_written_mlp_step_gives_the_bits_of_autograd(real_images, batch_size):
    # 100 is not a power of two: 1/100 is rounded, and must be rounded as autograd's mean rounds it
    results = {}
    for hand_written in (True, False):
        torch.manual_seed(0)
        model = make_model("mlp")
        result = train_vae(model, real_images[:600], epochs=2, batch_size=batch_size, seed=3, device="cpu",
                           progress=False, hand_written=hand_written)
        results[hand_written] = (result.loss_per_epoch, model.state_dict())
    assert results[True][0] == results[False][0]
    for (name, a), (_, b) in zip(results[True][1].items(), results[False][1].items()):
        assert torch.equal(a, b), name


def test_hand_written_step_is_only_for_the_mlp_vae():
    with pytest.raises(TypeError, match="MLPVAE"):
        MLPTrainingStep(make_model("conv"), 8)


def test_images_as_rows_of_pixels_train_exactly_as_image_shaped_ones(real_images):
    _, shaped = train(real_images[:512], epochs=2)
    _, rows = train(real_images[:512].reshape(512, 784), epochs=2)
    assert shaped.loss_per_epoch == rows.loss_per_epoch


@pytest.mark.slow
def test_the_conv_model_trains_with_the_same_trainer(real_images):
    torch.manual_seed(0)
    result = train_vae(make_model("conv"), real_images[:512], epochs=2, batch_size=128, device="cpu", progress=False)
    assert result.loss_per_epoch[1] < result.loss_per_epoch[0]


def test_ragged_last_batch_is_dropped_from_the_count(real_images):
    images = real_images[:1000]  # 1000 = 7 * 128 + 104: the last 104 images of each shuffle are not used
    _, result = train(images, epochs=2)
    assert result.samples_seen == 2 * (1000 // 128) * 128
    assert result.seconds > 0 and result.samples_per_second > 0


def test_model_is_left_in_eval_mode(real_images):
    model, _ = train(real_images[:256], epochs=1)
    assert not model.training


@pytest.mark.parametrize("epochs, error", [(0, ValueError), (-1, ValueError), (1.5, TypeError), ("3", TypeError)])
def test_bad_epochs_are_rejected_by_name(real_images, epochs, error):
    with pytest.raises(error, match="epochs"):
        train_vae(make_model("mlp"), real_images, epochs=epochs, progress=False, device="cpu")


@pytest.mark.parametrize("batch_size", [0, -8])
def test_batch_size_below_one_is_rejected_by_name(real_images, batch_size):
    with pytest.raises(ValueError, match=f"batch_size must be >= 1, got {batch_size}"):
        train_vae(make_model("mlp"), real_images, epochs=1, batch_size=batch_size, progress=False, device="cpu")


def test_batch_larger_than_the_training_set_is_rejected_with_both_sizes(real_images):
    with pytest.raises(ValueError, match=r"batch_size=512 is larger than the training set \(100 images\)"):
        train_vae(make_model("mlp"), real_images[:100], epochs=1, batch_size=512, progress=False, device="cpu")


def test_learning_rate_must_be_positive(real_images):
    with pytest.raises(ValueError, match="learning_rate"):
        train_vae(make_model("mlp"), real_images, epochs=1, learning_rate=0.0, progress=False, device="cpu")


def test_images_that_are_not_28_by_28_are_rejected():
    with pytest.raises(ValueError, match="28x28"):
        train_vae(make_model("mlp"), torch.zeros(600, 1, 32, 32), epochs=1, progress=False, device="cpu")
    with pytest.raises(ValueError, match="rows of 784 pixels"):
        train_vae(make_model("mlp"), torch.zeros(600, 28), epochs=1, progress=False, device="cpu")


def test_device_auto_and_cpu_resolve_to_torch_devices():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device(torch.device("cpu")) == torch.device("cpu")


def test_unknown_device_is_rejected_by_name():
    with pytest.raises(ValueError, match=r"device must be one of 'cpu', 'cuda', 'mps', got 'tpu'"):
        resolve_device("tpu")
    with pytest.raises(TypeError, match="device"):
        resolve_device(0)


def test_cuda_on_a_machine_without_cuda_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # pretend, so this runs on GPU machines too
    with pytest.raises(ValueError, match=r"device='cuda' is not available on this machine"):
        resolve_device("cuda")


def test_a_step_budget_trains_exactly_that_many_batches(real_images):
    """2000 images in batches of 128: 15 steps a pass; a budget of 20 is one pass and 5 steps of a second."""
    _, budget = train(real_images, steps=20)
    assert len(budget.loss_per_epoch) == 2 and budget.samples_seen == 20 * 128
    whole, by_epochs = train(real_images, epochs=2)
    same, by_steps = train(real_images, epochs=7, steps=30)  # a budget ignores epochs
    assert by_epochs.loss_per_epoch == by_steps.loss_per_epoch
    assert all(torch.equal(a, b) for a, b in zip(whole.state_dict().values(), same.state_dict().values()))
    with pytest.raises(ValueError, match="steps must be >= 1, got 0"):
        train(real_images, steps=0)
