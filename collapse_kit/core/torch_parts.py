"""The torch parts every world that trains a model shares: the device a run trains on, a lean Adam, and the loop
over shuffled batches that every trainer runs.

Kept out of any one world so that a world's cache key covers its own files and these, never another world's
(``cache.code_files``). Used by ``vae.training`` and ``text.training`` (lessons 02-09).
"""

from __future__ import annotations

from typing import Callable

import torch
from torch.optim.adam import adam
from tqdm.auto import tqdm

from ._validation import check_choice


class Adam:
    """Adam with torch's fused kernel: the update of ``torch.optim.Adam(params, lr, fused=True)``, bit for bit.

    Called through ``torch.optim.adam.adam`` without the ``Optimizer.step`` bookkeeping (hooks, profiling, state
    lookups), which costs a tenth of a millisecond of a 5 ms step on a CPU.
    """

    def __init__(self, params, lr: float):
        self.params = [param for param in params if param.requires_grad]
        self.lr = lr
        self.exp_avgs = [torch.zeros_like(param) for param in self.params]
        self.exp_avg_sqs = [torch.zeros_like(param) for param in self.params]
        self.steps = [torch.zeros((), dtype=torch.float32, device=param.device) for param in self.params]

    @torch.no_grad()
    def step(self) -> None:
        grads = [param.grad for param in self.params]
        adam(self.params, grads, self.exp_avgs, self.exp_avg_sqs, [], self.steps, fused=True,
             amsgrad=False, beta1=0.9, beta2=0.999, lr=self.lr, weight_decay=0.0, eps=1e-8,
             maximize=False)


def relu_backward_(grad: torch.Tensor, activations: torch.Tensor) -> torch.Tensor:
    """Zero ``grad`` in place where the ReLU's output ``activations`` is 0 (the unit was off) and return it: the
    backward pass of a ReLU in the hand-written training steps. Autograd's own kernel for it, so the same bits; a
    bool mask and ``masked_fill_`` took 14 to 25 times longer on a CPU (0.52 ms against 0.02 ms for 512 x 256 on one
    thread)."""
    return torch.ops.aten.threshold_backward.grad_input(grad, activations, 0.0, grad_input=grad)


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"`` -> CUDA when present, else CPU; otherwise ``device`` as a torch.device."""
    if isinstance(device, torch.device):
        return device
    if not isinstance(device, str):
        raise TypeError(f"device must be 'auto', 'cpu', 'cuda' or a torch.device, got {device!r}")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    kind = check_choice("device", device.split(":")[0], ("cpu", "cuda", "mps"))
    # Fail here with the parameter's name, not deep inside training with a driver error.
    if (kind == "cuda" and not torch.cuda.is_available()) or (kind == "mps" and not torch.backends.mps.is_available()):
        raise ValueError(f"device={device!r} is not available on this machine; use 'auto' or 'cpu'")
    return torch.device(device)


def train_in_batches(step: Callable, optimizer: Adam, rows: torch.Tensor, batch_size: int, epochs: int,
                     steps: int | None, seed: int, *, decay: bool = False, batch_dtype: torch.dtype | None = None,
                     progress: bool = True, description: str = "training",
                     loss_format: str = "{:.3f}") -> tuple[list[float], int]:
    """The training loop of every world: seeded shuffles of ``rows`` cut into batches, one gradient step a batch.

    Each epoch is a fresh shuffle (seeded by ``seed``) cut into ``len(rows) // batch_size`` batches: the ragged last
    batch is dropped, so equal batches keep the loss scale and the speed steady. Every batch is gathered into one
    buffer (fresh memory of this size costs hundreds of page faults a step), ``step(batch)`` writes the gradients into
    the parameters' ``.grad`` and returns the batch's mean loss (0-d tensor), then ``optimizer`` steps.

    Args:
        rows: the training set, one example a row, on the device the model trains on.
        epochs: passes over ``rows``; ignored when ``steps`` is given.
        steps: a budget of gradient steps instead of whole epochs (None: ``epochs`` passes), in as many shuffles as
            needed, the last one cut short: the loops use it to train every generation with the same compute.
        decay: let the learning rate fall linearly from ``optimizer.lr`` to 0 over the budget (False: constant).
        batch_dtype: the dtype the step takes (None: the rows' own), e.g. int64 codes gathered from uint8 rows.
        progress: show a ``tqdm`` bar, one tick an epoch, with the epoch's mean loss in ``loss_format``.
    Returns:
        (each epoch's mean loss, the gradient steps taken).
    """
    per_epoch = len(rows) // batch_size
    budget = epochs * per_epoch if steps is None else steps
    epochs = -(-budget // per_epoch)  # whole passes, the last one cut short when a step budget ends inside it
    shuffle_generator = torch.Generator().manual_seed(seed)
    gathered = rows.new_empty(batch_size, *rows.shape[1:])
    batch = gathered if batch_dtype in (None, rows.dtype) else torch.empty_like(gathered, dtype=batch_dtype)
    learning_rate = optimizer.lr
    losses = []
    bar = tqdm(range(epochs), desc=description, unit="epoch", disable=not progress, leave=False)
    for epoch in bar:
        order = torch.randperm(len(rows), generator=shuffle_generator).to(rows.device)
        total = torch.zeros((), device=rows.device)
        this_epoch = min(per_epoch, budget - epoch * per_epoch)
        for index in range(this_epoch):
            torch.index_select(rows, 0, order[index * batch_size:(index + 1) * batch_size], out=gathered)
            if batch is not gathered:
                batch.copy_(gathered)
            total += step(batch)
            if decay:
                optimizer.lr = learning_rate * (1.0 - (epoch * per_epoch + index) / budget)
            optimizer.step()
        losses.append(float(total) / this_epoch)
        bar.set_postfix(loss=loss_format.format(losses[-1]))
    return losses, budget
