"""Tiny variational autoencoders for MNIST: a fast MLP VAE (the default) and the conv VAE of Shumailov et al.

Both model a 28x28 image with a Bernoulli likelihood per pixel and a standard normal prior on the latent code,
so the loss is the negative ELBO in nats per image: binary cross-entropy summed over the 784 pixels + KL.
Used in lessons 02-08.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ._checks import check_choice, check_float, check_int

MODEL_KINDS = ("mlp", "conv")
SAMPLE_MODES = ("mean", "bernoulli")
IMAGE_SHAPE = (1, 28, 28)
PIXELS = 28 * 28


class VAE(nn.Module):
    """Shared VAE logic; subclasses define ``encode`` (images -> mean, log-variance) and ``decode_logits``."""

    latent_dim: int

    def encode(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        """Pixel logits, shape (n, 784)."""
        raise NotImplementedError

    def negative_elbo(self, images: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Negative ELBO of each image, in nats (shape (n,)): reconstruction BCE over 784 pixels + KL to N(0, I).

        One reparameterised sample of z per image; pass a seeded ``generator`` for repeatable numbers.
        """
        mean, log_var = self.encode(images)
        noise = torch.randn(mean.shape, generator=generator, device=mean.device, dtype=mean.dtype)
        z = mean + noise * torch.exp(0.5 * log_var)
        logits = self.decode_logits(z)
        targets = images.reshape(len(images), PIXELS)
        reconstruction = F.binary_cross_entropy_with_logits(logits, targets, reduction="none").sum(dim=1)
        kl = 0.5 * (mean.pow(2) + log_var.exp() - 1.0 - log_var).sum(dim=1)
        return reconstruction + kl

    @torch.no_grad()
    def latent_means(self, images: torch.Tensor) -> torch.Tensor:
        """The encoder's mean code of each image, shape (n, latent_dim). Used in lesson 02 (the latent space)."""
        return self.encode(images)[0]

    @torch.no_grad()
    def reconstruct(self, images: torch.Tensor) -> torch.Tensor:
        """Decoder mean image of each input's latent mean, pixels in [0, 1], shape (n, 1, 28, 28)."""
        mean, _ = self.encode(images)
        return torch.sigmoid(self.decode_logits(mean)).reshape(-1, *IMAGE_SHAPE)

    @torch.no_grad()
    def sample(self, count: int, mode: str = "mean", temperature: float = 1.0,
               generator: torch.Generator | None = None, batch_size: int = 4096) -> torch.Tensor:
        """Draw ``count`` synthetic images, pixels in [0, 1], shape (count, 1, 28, 28).

        Args:
            mode: "mean" returns the decoder's mean image for z ~ N(0, temperature^2 I), as in Shumailov et al.;
                "bernoulli" also draws each pixel as 0/1 from that mean.
            temperature: scale of the prior's std; below 1 is the sampling bias of Alemohammad et al.
        Used in lessons 02, 03, 07.
        """
        count = check_int("count", count, 0)
        check_choice("mode", mode, SAMPLE_MODES)
        temperature = check_float("temperature", temperature, 0.0, None, exclusive_minimum=True)
        device = next(self.parameters()).device
        chunks = []
        for start in range(0, count, batch_size):
            size = min(batch_size, count - start)
            z = torch.randn(size, self.latent_dim, generator=generator, device=device) * temperature
            means = torch.sigmoid(self.decode_logits(z))
            if mode == "bernoulli":
                means = torch.bernoulli(means, generator=generator)
            chunks.append(means.reshape(size, *IMAGE_SHAPE))
        if not chunks:
            return torch.empty(0, *IMAGE_SHAPE, device=device)
        return torch.cat(chunks)


class MLPVAE(VAE):
    """784 -> hidden -> latent -> hidden -> 784, ReLU; the fast default (a generation trains in about a second)."""

    def __init__(self, latent_dim: int = 16, hidden: int = 256):
        super().__init__()
        self.latent_dim = check_int("latent_dim", latent_dim, 1)
        hidden = check_int("hidden", hidden, 1)
        self.encoder = nn.Sequential(nn.Linear(PIXELS, hidden), nn.ReLU())
        # One layer yields mean and log-variance together: one matmul instead of two.
        self.to_latent = nn.Linear(hidden, 2 * latent_dim)
        self.decoder = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, PIXELS))

    def encode(self, images):
        mean, log_var = self.to_latent(self.encoder(images.reshape(len(images), PIXELS))).chunk(2, dim=1)
        return mean, log_var

    def decode_logits(self, z):
        return self.decoder(z)


class ConvVAE(VAE):
    """Shumailov et al.'s MNIST VAE: conv encoder 1->64->128 channels (kernel 4, stride 2), latent 20, mirrored."""

    def __init__(self, latent_dim: int = 20):
        super().__init__()
        self.latent_dim = check_int("latent_dim", latent_dim, 1)
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 64, 4, stride=2, padding=1), nn.ReLU(),     # 28 -> 14
            nn.Conv2d(64, 128, 4, stride=2, padding=1), nn.ReLU(),   # 14 -> 7
            nn.Flatten(),
        )
        self.to_latent = nn.Linear(128 * 7 * 7, 2 * latent_dim)
        self.from_latent = nn.Sequential(nn.Linear(latent_dim, 128 * 7 * 7), nn.ReLU())
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1), nn.ReLU(),  # 7 -> 14
            nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1),               # 14 -> 28
        )

    def encode(self, images):
        mean, log_var = self.to_latent(self.encoder(images.reshape(-1, *IMAGE_SHAPE))).chunk(2, dim=1)
        return mean, log_var

    def decode_logits(self, z):
        hidden = self.from_latent(z).reshape(-1, 128, 7, 7)
        return self.decoder(hidden).reshape(len(z), PIXELS)


def make_model(kind: str = "mlp", latent_dim: int | None = None) -> VAE:
    """A fresh, untrained VAE of the given ``kind`` ("mlp" or "conv"); seed torch first for repeatable weights."""
    check_choice("model", kind, MODEL_KINDS)
    if kind == "mlp":
        return MLPVAE() if latent_dim is None else MLPVAE(latent_dim=latent_dim)
    return ConvVAE() if latent_dim is None else ConvVAE(latent_dim=latent_dim)
