"""On-disk cache of finished generations: re-running a config is instant and an interrupted run resumes.

One folder per (config, seed, code version); one file per finished generation, written to a temporary file and
renamed, so a file is either complete or absent. A file that fails to load or lacks a field is reported and
recomputed, never trusted. Files are read with ``torch.load(weights_only=True)``: no arbitrary unpickling.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from pathlib import Path

import torch

from ._checks import check_writable_dir

PACKAGE = Path(__file__).resolve().parent
# The files whose code decides an experiment's numbers: editing any of them invalidates old cache entries.
CODE_FILES = ("data.py", "models.py", "training.py", "loop.py", "metrics.py", "classifier.py",
              "assets/mnist.sha256", "assets/classifier.pt")
CACHE_ENV = "COLLAPSE_KIT_CACHE"


def code_version() -> str:
    """Digest (16 hex digits) of the code and assets that produce an experiment's numbers."""
    digest = hashlib.sha256()
    for name in CODE_FILES:
        path = PACKAGE / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"missing")
    return digest.hexdigest()[:16]


def default_cache_dir() -> Path:
    """``$COLLAPSE_KIT_CACHE``, else ``$XDG_CACHE_HOME/collapse-kit``, else ``~/.cache/collapse-kit``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "collapse-kit"


def run_key(config: dict, seed: int) -> str:
    """Folder name of one run: a digest of its config, its seed and the code version."""
    text = json.dumps({"config": config, "seed": seed, "code": code_version()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


class RunCache:
    """The cache folder of one run: ``generation_000.pt``, ``generation_001.pt``, ... and a readable ``config.json``."""

    def __init__(self, root, config: dict, seed: int):
        self.root = check_writable_dir("cache_dir", default_cache_dir() if root is None else root)
        self.key = run_key(config, seed)
        self.folder = self.root / self.key
        self.config = config
        self.seed = seed

    def path(self, generation: int) -> Path:
        return self.folder / f"generation_{generation:03d}.pt"

    def load(self, generation: int, required: tuple[str, ...]) -> dict | None:
        """The stored entry of ``generation``, or None if absent or corrupt (then it is deleted and recomputed)."""
        path = self.path(generation)
        if not path.exists():
            return None
        try:
            entry = torch.load(path, map_location="cpu", weights_only=True)
            missing = [name for name in required if name not in entry]
            if missing:
                raise KeyError(f"missing fields {missing}")
        except Exception as error:  # any unreadable entry is recomputed; the reason is shown, not hidden
            warnings.warn(f"cache entry {path} is corrupt ({type(error).__name__}: {error}); recomputing it",
                          RuntimeWarning, stacklevel=2)
            path.unlink(missing_ok=True)
            return None
        return entry

    def save(self, generation: int, entry: dict) -> None:
        """Store ``entry`` atomically: temporary file in the same folder, then rename."""
        self.folder.mkdir(parents=True, exist_ok=True)
        config_file = self.folder / "config.json"
        if not config_file.exists():
            atomic_write(config_file, json.dumps(
                {"config": self.config, "seed": self.seed, "code": code_version()}, indent=2).encode())
        atomic_write(self.path(generation), lambda handle: torch.save(entry, handle))


def atomic_write(target: Path, content) -> None:
    """Write ``content`` (bytes, or a function that writes to a file handle) to ``target``: temp file, then rename.

    A reader sees the old file or the new one, never half of one; an interrupted write leaves no temp file behind.
    """
    target = Path(target)
    handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            content(handle) if callable(content) else handle.write(content)
        os.chmod(handle.name, 0o644)
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
