"""The fixed MNIST classifier that judges synthetic digits: which class, and a 128-number feature vector.

A small LeNet-style CNN trained once by ``scripts/train_classifier.py``; its weights ship in
``assets/classifier.pt`` (float16, loaded with ``torch.load(weights_only=True)``: no arbitrary unpickling).
Its features give the "MNIST FID" and k-NN precision/recall of Alemohammad et al.
"""

from __future__ import annotations

import functools
from pathlib import Path

import torch
from torch import nn

from .data import load_mnist

ASSETS = Path(__file__).resolve().parents[1] / "assets"
CLASSIFIER_FILE = ASSETS / "classifier.pt"
FEATURE_DIM = 128


class _MaxPool2(nn.MaxPool2d):
    """``nn.MaxPool2d(2)``, the same numbers. Without gradients it takes the larger of each pair of rows, then of each
    pair of columns (``torch.maximum`` of strided views): 8 to 15 times faster on a CPU than ``max_pool2d``, which
    also finds the indices a backward pass would need. Training (``scripts/train_classifier.py``) runs the original."""

    def __init__(self):
        super().__init__(2)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled():
            return super().forward(images)
        rows, columns = images.shape[-2] // 2 * 2, images.shape[-1] // 2 * 2  # an odd last row or column is dropped
        pairs = images[..., :rows, :columns]
        pairs = torch.maximum(pairs[..., 0::2, :], pairs[..., 1::2, :])
        return torch.maximum(pairs[..., 0::2], pairs[..., 1::2])


class DigitClassifier(nn.Module):
    """conv 1->32 (3x3) -> pool -> conv 32->64 (3x3) -> pool -> 128 features -> 10 logits."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), _MaxPool2(),    # 28 -> 26 -> 13
            nn.Conv2d(32, 64, 3), nn.ReLU(), _MaxPool2(),   # 13 -> 11 -> 5
            nn.Flatten(), nn.Linear(64 * 5 * 5, FEATURE_DIM), nn.ReLU(),
        )
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(FEATURE_DIM, 10)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Penultimate-layer features, shape (n, 128), of images (n, 1, 28, 28) with pixels in [0, 1]."""
        return self.body(images.reshape(-1, 1, 28, 28))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.features(images)))


@functools.lru_cache(maxsize=1)
def load_classifier() -> DigitClassifier:
    """The shipped, trained classifier in eval mode (float32 on CPU); loaded once per process."""
    if not CLASSIFIER_FILE.exists():
        raise FileNotFoundError(f"the classifier weights {CLASSIFIER_FILE} are missing; reinstall collapse-kit "
                                "(developers: python scripts/train_classifier.py)")
    state = torch.load(CLASSIFIER_FILE, map_location="cpu", weights_only=True)
    with torch.random.fork_rng(devices=[]):  # random init is overwritten below: leave the caller's RNG alone
        model = DigitClassifier()
    model.load_state_dict({name: tensor.float() for name, tensor in state.items()})
    return model.eval()


@torch.no_grad()
def classify(images: torch.Tensor, batch_size: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """Predicted digit (n,) and features (n, 128) of images (n, 1, 28, 28), pixels in [0, 1].

    Batches of 256 keep the convolutions' activations in cache: twice as fast on 2 CPU cores as one batch of 2000,
    and the same numbers bit for bit (each image's features do not depend on its batch)."""
    model = load_classifier()
    labels, features = [], []
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size].to(torch.float32).cpu()
        feats = model.features(batch)
        features.append(feats)
        labels.append(model.head(feats).argmax(dim=1))
    if not labels:
        return torch.empty(0, dtype=torch.int64), torch.empty(0, FEATURE_DIM)
    return torch.cat(labels), torch.cat(features)


@functools.lru_cache(maxsize=4)
def real_test_features(count: int) -> torch.Tensor:
    """Classifier features (count, 128) of the first ``count`` real test images: the reference every generation's
    samples are compared to. Cached per process: read it, never write into it."""
    return classify(load_mnist("test", limit=count).images)[1]


@torch.no_grad()
def confidence(features: torch.Tensor) -> torch.Tensor:
    """The classifier's probability of its chosen digit (n,), from features (n, 128) that ``classify`` returned."""
    return load_classifier().head(torch.as_tensor(features, dtype=torch.float32)).softmax(dim=1).max(dim=1).values
