"""The torch parts every world that trains a model shares: the device a run trains on, and a lean Adam.

Kept out of any one world so that a world's cache key covers its own files and these, never another world's
(``cache.code_files``). Used by ``vae.training`` and ``text.training`` (lessons 02-09).
"""

from __future__ import annotations

import torch
from torch.optim.adam import adam

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
