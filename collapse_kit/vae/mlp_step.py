"""The MLP VAE's training step with its backward pass written out: the same gradients as autograd, bit for bit.

Autograd builds a graph and allocates every activation and gradient afresh in each step; for the small default
model that bookkeeping is a noticeable share of a step on a CPU. This step runs the same operations in the same
order into buffers made once, so training is faster and gives exactly the numbers of the autograd path (tested in
tests/test_training.py). ``train_vae`` uses it for :class:`~collapse_kit.vae.models.MLPVAE`; other models train
through autograd.
"""

from __future__ import annotations

import torch

from ..core.torch_parts import relu_backward_
from .models import (
    MLPVAE,
    bernoulli_nll_grad,
    bernoulli_nll_rows,
    kl_rows,
    reparameterisation_grads,
    standard_deviation,
)


class MLPTrainingStep:
    """Mean negative ELBO of a batch and its gradients, written into each parameter's ``.grad``.

    ``step(images, generator)`` takes ``batch_size`` rows of 784 pixels and returns the mean loss (a 0-d tensor, nats
    per image); the reparameterisation noise is drawn from ``generator`` exactly as ``model.negative_elbo`` draws it.
    """

    def __init__(self, model: MLPVAE, batch_size: int):
        if type(model) is not MLPVAE:
            raise TypeError(f"MLPTrainingStep needs an MLPVAE, got {type(model).__name__}")
        self.latent = model.latent_dim
        self.first, self.to_latent = model.encoder[0], model.to_latent
        self.hidden_layer, self.output = model.decoder[0], model.decoder[2]
        parameter = self.first.weight
        buffer = lambda *shape: torch.empty(*shape, device=parameter.device, dtype=parameter.dtype)  # noqa: E731
        hidden, latent, pixels = self.first.out_features, self.latent, self.output.out_features
        self.hidden_1, self.hidden_2 = buffer(batch_size, hidden), buffer(batch_size, hidden)
        self.stats, self.grad_stats = buffer(batch_size, 2 * latent), buffer(batch_size, 2 * latent)
        self.noise, self.std, self.z, self.grad_z = (buffer(batch_size, latent) for _ in range(4))
        self.logits, self.work, self.grad_logits = (buffer(batch_size, pixels) for _ in range(3))
        self.grad_hidden = buffer(batch_size, hidden)
        # d mean / d row: what autograd's MeanBackward hands each image's loss
        self.row_grad = torch.full((batch_size, 1), 1.0, device=parameter.device, dtype=parameter.dtype) / batch_size
        for layer in (self.first, self.to_latent, self.hidden_layer, self.output):
            layer.weight.grad = torch.zeros_like(layer.weight)
            layer.bias.grad = torch.zeros_like(layer.bias)

    @torch.no_grad()
    def __call__(self, images: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        first, to_latent, hidden_layer, output = self.first, self.to_latent, self.hidden_layer, self.output
        latent = self.latent
        # forward: the layers of MLPVAE.encode / decode_logits, then the loss of VAE.negative_elbo
        torch.addmm(first.bias, images, first.weight.t(), out=self.hidden_1).relu_()
        torch.addmm(to_latent.bias, self.hidden_1, to_latent.weight.t(), out=self.stats)
        mean, log_var = self.stats[:, :latent], self.stats[:, latent:]
        torch.randn(mean.shape, generator=generator, device=mean.device, dtype=mean.dtype, out=self.noise)
        standard_deviation(log_var, out=self.std)
        torch.addcmul(mean, self.noise, self.std, out=self.z)
        torch.addmm(hidden_layer.bias, self.z, hidden_layer.weight.t(), out=self.hidden_2).relu_()
        torch.addmm(output.bias, self.hidden_2, output.weight.t(), out=self.logits)
        loss = (bernoulli_nll_rows(self.logits, images, self.work) + kl_rows(mean, log_var, self.std)).mean()
        # backward, layer by layer from the loss down
        grad = bernoulli_nll_grad(self.logits, images, self.row_grad, out=self.grad_logits)
        grad = self._linear_backward(output, grad, self.hidden_2, self.grad_hidden)
        relu_backward_(grad, self.hidden_2)
        grad = self._linear_backward(hidden_layer, grad, self.z, self.grad_z)
        reparameterisation_grads(grad, self.row_grad, mean, self.noise, self.std,
                                 out_mean=self.grad_stats[:, :latent], out_log_var=self.grad_stats[:, latent:])
        grad = self._linear_backward(to_latent, self.grad_stats, self.hidden_1, self.grad_hidden)
        relu_backward_(grad, self.hidden_1)
        self._linear_backward(first, grad, images, None)
        return loss

    @staticmethod
    def _linear_backward(layer, grad_out, inputs, grad_in):
        """Weight and bias gradients of ``layer`` into their ``.grad``; the input gradient into ``grad_in`` unless
        it is None (nobody needs the images' gradient)."""
        torch.mm(grad_out.t(), inputs, out=layer.weight.grad)
        torch.sum(grad_out, dim=0, out=layer.bias.grad)
        return None if grad_in is None else torch.mm(grad_out, layer.weight, out=grad_in)
