"""Train a VAE on an in-memory image tensor: shuffled index slices, Adam, no DataLoader.

Keeping the whole training set as one tensor and slicing it is what makes a generation take seconds on a laptop:
no per-image Python, no PIL, no worker processes. The loop over shuffled batches is every world's
(``core.torch_parts.train_in_batches``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from ..core._validation import check_float, check_int
from ..core.torch_parts import Adam, resolve_device, train_in_batches
from .mlp_step import MLPTrainingStep
from .models import MLPVAE, PIXELS, VAE

DEFAULT_BATCH_SIZE = 512
DEFAULT_LEARNING_RATE = 1e-3


@dataclass(frozen=True)
class TrainingResult:
    """What one training run did: ``loss_per_epoch`` is the mean negative ELBO, nats per image, of each epoch."""

    loss_per_epoch: list[float]
    seconds: float
    samples_seen: int

    @property
    def samples_per_second(self) -> float:
        return self.samples_seen / self.seconds if self.seconds > 0 else float("inf")


def autograd_step(model: VAE):
    """A training step through autograd, for any VAE: ``step(images, generator)`` writes the gradients of the batch's
    mean negative ELBO into the parameters' ``.grad`` and returns that mean (0-d tensor, nats per image)."""
    def step(images: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        loss = model.negative_elbo(images, generator=generator).mean()
        for param in model.parameters():
            param.grad = None
        loss.backward()
        return loss.detach()
    return step


def train_vae(model: VAE, images: torch.Tensor, epochs: int, batch_size: int = DEFAULT_BATCH_SIZE,
              learning_rate: float = DEFAULT_LEARNING_RATE, seed: int = 0, device: str | torch.device = "auto",
              progress: bool = True, description: str = "training", hand_written: bool = True,
              steps: int | None = None) -> TrainingResult:
    """Fit ``model`` in place to ``images`` (n, 1, 28, 28) or (n, 784), pixels in [0, 1], by minimising the negative
    ELBO.

    Args:
        epochs: passes over the whole set; each is a fresh seeded shuffle cut into ``batch_size`` slices.
        seed: seeds the shuffles and the reparameterisation noise, so the same call gives the same weights.
        progress: show a ``tqdm`` bar (one tick per epoch).
        hand_written: train the default MLP VAE with its hand-written backward pass (``mlp_step``), which is faster
            and gives the same bits as autograd; False forces autograd. Other models always use autograd.
        steps: a budget of gradient steps instead of whole epochs (None: ``epochs`` passes). Training then runs
            exactly ``steps`` batches, in as many seeded shuffles as needed, the last one cut short; ``epochs`` is
            ignored. The loop uses it to train every generation with the same compute (lesson 07).
    Returns:
        TrainingResult with the loss of every epoch in nats per image.
    """
    epochs = check_int("epochs", epochs, 1)
    if steps is not None:
        steps = check_int("steps", steps, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    learning_rate = check_float("learning_rate", learning_rate, 0.0, None, exclusive_minimum=True)
    seed = check_int("seed", seed, 0)
    if not isinstance(images, torch.Tensor) or images.ndim < 2 or images.shape[1:].numel() != PIXELS:
        raise ValueError(f"images must be a tensor of 28x28 images, (n, 1, 28, 28) or rows of {PIXELS} pixels, "
                         f"got {getattr(images, 'shape', type(images))}")
    if len(images) < batch_size:
        raise ValueError(f"batch_size={batch_size} is larger than the training set ({len(images)} images); "
                         f"use at least {batch_size} images or a smaller batch_size")
    device = resolve_device(device)
    model.to(device).train()
    # Rows of pixels: gathering rows of a 2-D tensor is 3x faster than of a 4-D one; the models take either shape.
    images = images.to(device).reshape(len(images), -1)
    generator = torch.Generator(device=device).manual_seed(seed)  # the reparameterisation noise
    # fused Adam is one kernel per step instead of a loop over parameters: ~5% faster on CPU, more on GPU.
    optimizer = Adam(model.parameters(), learning_rate)
    step_fn = (MLPTrainingStep(model, batch_size) if hand_written and type(model) is MLPVAE
               else autograd_step(model))
    start = time.perf_counter()
    losses, budget = train_in_batches(lambda batch: step_fn(batch, generator), optimizer, images, batch_size, epochs,
                                      steps, seed, progress=progress, description=description,
                                      loss_format="{:.1f} nats")
    model.eval()
    return TrainingResult(losses, time.perf_counter() - start, budget * batch_size)
