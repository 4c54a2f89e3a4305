"""The classic PyTorch VAE example (pytorch/examples, vae/main.py), as the baseline of the benchmark.

784-400-20 MLP, ``torchvision.datasets.MNIST`` with ``transforms.ToTensor()`` behind a ``DataLoader`` (batch 128,
shuffle, no workers: the example's CPU setting), Adam 1e-3, BCE summed + KL. Kept as close to the original as can be.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torchvision import datasets, transforms

from collapse_kit.vae.data import _load_uint8


class ClassicVAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return mu + torch.randn_like(std) * std

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


# FLOPs of one forward pass per image (multiply-adds x2) of the 784-400-20 model, for the FLOP/s comparison.
FORWARD_FLOPS = 2 * (784 * 400 + 2 * 400 * 20 + 20 * 400 + 400 * 784)


def write_torchvision_folder(root: Path) -> None:
    """Write the shipped MNIST as the raw IDX files torchvision's MNIST reads (root/MNIST/raw), so nothing downloads."""
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    arrays = _load_uint8()
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        header = (2051).to_bytes(4, "big") + len(images).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
        (raw / f"{prefix}-images-idx3-ubyte").write_bytes(header + images.astype(np.uint8).tobytes())
        header = (2049).to_bytes(4, "big") + len(labels).to_bytes(4, "big")
        (raw / f"{prefix}-labels-idx1-ubyte").write_bytes(header + labels.astype(np.uint8).tobytes())


def classic_samples_per_second(root: Path, images: int = 20000, seed: int = 0) -> float:
    """Training samples per second of the classic recipe over its first ``images`` images (after one warm-up batch)."""
    torch.manual_seed(seed)
    dataset = datasets.MNIST(str(root), train=True, download=False, transform=transforms.ToTensor())
    loader = torch.utils.data.DataLoader(dataset, batch_size=128, shuffle=True)
    model = ClassicVAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    seen, start = 0, None
    for data, _ in loader:
        optimizer.zero_grad()
        recon, mu, logvar = model(data)
        loss = loss_function(recon, data, mu, logvar)
        loss.backward()
        optimizer.step()
        if start is None:  # the first batch pays one-off costs; time from the second
            start = time.perf_counter()
            continue
        seen += len(data)
        if seen >= images:
            break
    return seen / (time.perf_counter() - start)
