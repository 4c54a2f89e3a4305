"""Tiny variational autoencoders for MNIST: a fast MLP VAE (the default) and the conv VAE of Shumailov et al.

Both model a 28x28 image with a Bernoulli likelihood per pixel and a standard normal prior on the latent code,
so the loss is the negative ELBO in nats per image: binary cross-entropy summed over the 784 pixels + KL.
"""

from __future__ import annotations

import torch
from torch import nn

from ..core._validation import check_choice, check_float, check_int

MODEL_KINDS = ("mlp", "conv")
SAMPLE_MODES = ("mean", "bernoulli")
IMAGE_SHAPE = (1, 28, 28)
PIXELS = 28 * 28


def bernoulli_nll_rows(logits: torch.Tensor, targets: torch.Tensor, work: torch.Tensor) -> torch.Tensor:
    """Each row's sum over pixels of softplus(logit) - target * logit, in nats; ``work`` (same shape as ``logits``)
    is scratch space and is overwritten. The forward formula of :func:`bernoulli_nll` and of the MLP's hand-written
    training step, so both give the same bits."""
    # softplus(l) = max(l, 0) + log(1 + exp(-|l|)) = (l + |l|) / 2 - log(sigmoid(|l|)), summed per image. Written
    # as row sums so the (n, 784) tensors are read few times: memory traffic, not arithmetic, is the cost here.
    torch.abs(logits, out=work)
    half_relu = logits.sum(dim=1).add_(work.sum(dim=1)).mul_(0.5)
    log_term = work.sigmoid_().log_().sum(dim=1)  # log(sigmoid(|l|)) lies in [log 1/2, 0]: exact enough
    cross = torch.mul(targets, logits, out=work).sum(dim=1)
    return half_relu.sub_(log_term).sub_(cross)


def bernoulli_nll_grad(logits: torch.Tensor, targets: torch.Tensor, grad: torch.Tensor,
                       out: torch.Tensor | None = None) -> torch.Tensor:
    """d loss / d logits = (sigmoid(logit) - target) * grad, with ``grad`` the gradient of each row, shape (n, 1)."""
    return torch.sigmoid(logits, out=out).sub_(targets).mul_(grad)


def standard_deviation(log_var: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
    """exp(log_var / 2), optionally into ``out``."""
    return torch.mul(log_var, 0.5, out=out).exp_()


def kl_rows(mean: torch.Tensor, log_var: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """Each row's KL(N(mean, std^2) || N(0, I)) in nats: (mean^2 + std^2 - 1 - log_var) / 2, summed over the code."""
    return (std * std).addcmul_(mean, mean).sub_(log_var).sub_(1.0).sum(dim=1).mul_(0.5)


def reparameterisation_grads(grad_z: torch.Tensor, grad_kl: torch.Tensor, mean: torch.Tensor, noise: torch.Tensor,
                             std: torch.Tensor, out_mean: torch.Tensor | None = None,
                             out_log_var: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Gradients of mean and log_var from those of z = mean + noise * std and of each row's KL (``grad_kl`` (n, 1))."""
    grad_mean = torch.addcmul(grad_z, grad_kl, mean, out=out_mean)
    # d z / d log_var = noise * std / 2;  d kl / d log_var = (std^2 - 1) / 2
    grad_log_var = torch.mul(grad_z, noise, out=out_log_var).mul_(std)
    grad_log_var.add_((std * std).sub_(1.0).mul_(grad_kl)).mul_(0.5)
    return grad_mean, grad_log_var


class _BernoulliNLL(torch.autograd.Function):
    """Per-image negative log-likelihood of ``targets`` under Bernoulli pixels with ``logits``: the sum over pixels
    of softplus(logit) - target * logit, in nats.

    The same value as ``F.binary_cross_entropy_with_logits(..., reduction="none").sum(1)`` (to float32 rounding) and
    the same gradient, (sigmoid(logit) - target) * grad, in fewer passes over the (n, 784) logits and without ATen's
    slow CPU log1p: forward and backward of a 512-image batch take 0.80 ms instead of 1.08 ms on 2 cores, and the
    autograd training step (every model but the default MLP, which has its own step in ``mlp_step``) is 7% faster.
    """

    @staticmethod
    def forward(ctx, logits, targets):
        ctx.save_for_backward(logits, targets)
        return bernoulli_nll_rows(logits, targets, torch.empty_like(logits))

    @staticmethod
    def backward(ctx, grad):
        logits, targets = ctx.saved_tensors
        grad = grad.unsqueeze(1)
        grad_logits = bernoulli_nll_grad(logits, targets, grad) if ctx.needs_input_grad[0] else None
        grad_targets = -logits * grad if ctx.needs_input_grad[1] else None
        return grad_logits, grad_targets


class _ReparameterisedKL(torch.autograd.Function):
    """z = mean + noise * exp(log_var / 2) and each row's KL(N(mean, exp(log_var)) || N(0, I)) in nats, in one node.

    The same values and gradients as writing the two formulas out, in fewer small kernels: on (n, latent) tensors
    each launch costs more than its arithmetic, and this node makes the autograd training step 4% faster on 2 cores.
    """

    @staticmethod
    def forward(ctx, mean, log_var, noise):
        std = standard_deviation(log_var)
        ctx.save_for_backward(mean, noise, std)
        return torch.addcmul(mean, noise, std), kl_rows(mean, log_var, std)

    @staticmethod
    def backward(ctx, grad_z, grad_kl):
        mean, noise, std = ctx.saved_tensors
        grad_mean, grad_log_var = reparameterisation_grads(grad_z, grad_kl.unsqueeze(1), mean, noise, std)
        return grad_mean, grad_log_var, None


def reparameterise_with_kl(mean: torch.Tensor, log_var: torch.Tensor,
                           noise: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The reparameterised code z = mean + noise * exp(log_var / 2), shape (n, latent), and each row's KL divergence
    from the prior N(0, I) in nats, shape (n,). ``noise`` is standard normal, the same shape as ``mean``."""
    return _ReparameterisedKL.apply(mean, log_var, noise)


def bernoulli_nll(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Negative log-likelihood in nats of each row of ``targets`` (n, pixels), values in [0, 1], under independent
    Bernoulli pixels with ``logits`` (n, pixels); shape (n,). The reconstruction term of every VAE here."""
    return _BernoulliNLL.apply(logits, targets)


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
        z, kl = reparameterise_with_kl(mean, log_var, noise)
        return bernoulli_nll(self.decode_logits(z), images.reshape(len(images), PIXELS)) + kl

    @torch.no_grad()
    def latent_means(self, images: torch.Tensor) -> torch.Tensor:
        """The encoder's mean code of each image, shape (n, latent_dim)."""
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
            mode: "mean" returns the decoder's mean image for z ~ N(0, temperature^2 I) (the loop's default);
                "bernoulli" also draws each pixel as 0/1 from that mean.
            temperature: scale of the prior's std; below 1 is the sampling bias of Alemohammad et al.
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
        # In-place ReLUs: a Linear's backward never needs its output, so overwriting it saves a pass and a buffer.
        self.encoder = nn.Sequential(nn.Linear(PIXELS, hidden), nn.ReLU(inplace=True))
        # One layer yields mean and log-variance together: one matmul instead of two.
        self.to_latent = nn.Linear(hidden, 2 * latent_dim)
        self.decoder = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, PIXELS))

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
