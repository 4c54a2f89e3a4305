"""Train the character MLP on in-memory passages: shuffled windows, a hand-written step, fused Adam with a linearly
decaying learning rate, no DataLoader.

Every (context, next character) pair of the training passages is one row of a uint8 tensor made once; an epoch is a
seeded shuffle of those rows cut into batches gathered into one reused buffer (``core.torch_parts.train_in_batches``).
The step (``CharMLPTrainingStep``) writes the forward and backward passes out, layer by layer, into buffers made once:
the gradients of autograd (tested in tests/test_text_training.py) without building a graph every step. For lesson 09
through the text loop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from ..core._validation import check_float, check_int
from ..core.torch_parts import Adam, relu_backward_, resolve_device, train_in_batches
from .models import CharMLP, contexts_and_targets


@dataclass(frozen=True)
class TextTrainingResult:
    """What one training run did: ``loss_per_epoch`` is the mean cross-entropy of each epoch, nats per character."""

    loss_per_epoch: list[float]
    seconds: float
    characters_seen: int


class CharMLPTrainingStep:
    """Mean cross-entropy of a batch of windows and its gradients, written into each parameter's ``.grad``.

    ``step(windows)`` takes ``batch_size`` rows of ``context + 1`` codes (int64: the context, then the target) and
    returns the mean loss, a 0-d tensor in nats per character. Asserts the layout it assumes: a ``CharMLP``.
    """

    def __init__(self, model: CharMLP, batch_size: int):
        if type(model) is not CharMLP:
            raise TypeError(f"CharMLPTrainingStep needs a CharMLP, got {type(model).__name__}")
        self.model, self.context = model, model.context
        weight = model.hidden.weight
        buffer = lambda *shape: torch.empty(*shape, device=weight.device, dtype=weight.dtype)  # noqa: E731
        width, hidden, outputs = model.embedding.embedding_dim, model.hidden.out_features, model.output.out_features
        self.vectors = buffer(batch_size * self.context, width)
        self.activations, self.grad_hidden = buffer(batch_size, hidden), buffer(batch_size, hidden)
        self.logits, self.grad_vectors = buffer(batch_size, outputs), buffer(batch_size, self.context * width)
        self.largest, self.total, self.target_logits = (buffer(batch_size, 1) for _ in range(3))
        # d mean / d row, what the one-hot target subtracts from each row's softmax
        self.minus_row_grad = torch.full((batch_size, 1), -1.0 / batch_size, device=weight.device, dtype=weight.dtype)
        self.batch_size = batch_size
        for parameter in model.parameters():
            parameter.grad = torch.zeros_like(parameter)

    @torch.no_grad()
    def __call__(self, windows: torch.Tensor) -> torch.Tensor:
        model, batch = self.model, self.batch_size
        codes, targets = windows[:, :self.context].reshape(-1), windows[:, self.context:]
        # forward: CharMLP.forward
        torch.index_select(model.embedding.weight, 0, codes, out=self.vectors)
        vectors = self.vectors.view(batch, -1)
        torch.addmm(model.hidden.bias, vectors, model.hidden.weight.t(), out=self.activations).relu_()
        torch.addmm(model.output.bias, self.activations, model.output.weight.t(), out=self.logits)
        # the cross-entropy, ln sum(exp) - target logit, with the row's largest logit taken out first
        torch.gather(self.logits, 1, targets, out=self.target_logits)
        torch.amax(self.logits, dim=1, keepdim=True, out=self.largest)
        exps = self.logits.sub_(self.largest).exp_()
        torch.sum(exps, dim=1, keepdim=True, out=self.total)
        loss = (self.total.log() + self.largest - self.target_logits).mean()
        # backward: d loss / d logits = (softmax - one-hot) / batch, in place of the exps
        grad = exps.div_(self.total * batch).scatter_add_(1, targets, self.minus_row_grad)
        torch.mm(grad.t(), self.activations, out=model.output.weight.grad)
        torch.sum(grad, dim=0, out=model.output.bias.grad)
        torch.mm(grad, model.output.weight, out=self.grad_hidden)
        relu_backward_(self.grad_hidden, self.activations)
        torch.mm(self.grad_hidden.t(), vectors, out=model.hidden.weight.grad)
        torch.sum(self.grad_hidden, dim=0, out=model.hidden.bias.grad)
        torch.mm(self.grad_hidden, model.hidden.weight, out=self.grad_vectors)
        model.embedding.weight.grad.zero_().index_add_(0, codes, self.grad_vectors.view(len(codes), -1))
        return loss


def autograd_step(model: CharMLP):
    """The same step through autograd (any model): ``step(windows)`` writes the gradients into ``.grad`` and returns
    the mean cross-entropy (nats per character). For tests and the benchmark."""
    def step(windows: torch.Tensor) -> torch.Tensor:
        loss = torch.nn.functional.cross_entropy(model(windows[:, :-1]), windows[:, -1])
        for parameter in model.parameters():
            parameter.grad = None
        loss.backward()
        return loss.detach()
    return step


def train_char_model(model: CharMLP, passages: torch.Tensor, epochs: int, batch_size: int = 512,
                     learning_rate: float = 1e-2, seed: int = 0, device: str | torch.device = "auto",
                     progress: bool = True, description: str = "training", steps: int | None = None,
                     hand_written: bool = True) -> TextTrainingResult:
    """Fit ``model`` in place to ``passages`` (P, L) of character codes by minimising the next character's
    cross-entropy at every position (each passage read from its start).

    Adam's learning rate starts at ``learning_rate`` and falls linearly to 0 over the run's steps: after one epoch
    over 1,024 real passages of 256 characters, the default model then scored 2.90 real test bits per character,
    against 3.00 at a constant 0.01 (seed 0, one run each).

    Args:
        epochs: passes over every (context, next character) pair; each is a fresh seeded shuffle cut into batches
            (the ragged last batch is dropped).
        steps: a budget of gradient steps instead of whole epochs (None: ``epochs`` passes); ``epochs`` is then
            ignored. The text loop uses it to train every generation with the same compute.
        hand_written: train with ``CharMLPTrainingStep`` (faster, the gradients of autograd); False: autograd.
    Returns:
        TextTrainingResult with each epoch's mean loss in nats per character.
    For lesson 09 through the text loop (every generation).
    """
    epochs = check_int("epochs", epochs, 1)
    if steps is not None:
        steps = check_int("steps", steps, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    learning_rate = check_float("learning_rate", learning_rate, 0.0, 1.0, exclusive_minimum=True)
    seed = check_int("seed", seed, 0)
    if not isinstance(passages, torch.Tensor) or passages.ndim != 2:
        raise ValueError(f"passages must be a (passages, characters) tensor of codes, got "
                         f"{getattr(passages, 'shape', type(passages))}")
    windows = contexts_and_targets(passages, model.context)
    if len(windows) < batch_size:
        raise ValueError(f"batch_size={batch_size} is larger than the training set ({len(windows)} characters)")
    device = resolve_device(device)
    model.to(device).train()
    windows = windows.to(device)
    optimizer = Adam(model.parameters(), learning_rate)
    hand_written = hand_written and type(model) is CharMLP
    step_fn = CharMLPTrainingStep(model, batch_size) if hand_written else autograd_step(model)
    start = time.perf_counter()
    # uint8 windows gathered into int64 batches: the codes the embedding and the loss index with
    losses, budget = train_in_batches(step_fn, optimizer, windows, batch_size, epochs, steps, seed, decay=True,
                                      batch_dtype=torch.long, progress=progress, description=description,
                                      loss_format="{:.3f} nats/char")
    model.eval()
    return TextTrainingResult(losses, time.perf_counter() - start, budget * batch_size)
