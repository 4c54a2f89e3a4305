"""On-disk cache of finished generations: re-running a config is instant and an interrupted run resumes.

One folder per (config, seed, code version, platform); one file per finished generation, written to a temporary
file and renamed, so a file is either complete or absent. A file that fails to load or lacks a field is reported and
recomputed, never trusted. Files are read with ``torch.load(weights_only=True)``: no arbitrary unpickling.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch

from ._validation import check_writable_dir

PACKAGE = Path(__file__).resolve().parents[1]
# Data the code reads (the MNIST file is named by its checksum; the classifier's weights are read whole).
ASSET_FILES = ("assets/mnist.sha256", "assets/classifier.pt")
CACHE_ENV = "COLLAPSE_KIT_CACHE"
NUMPY_FIELDS = "_numpy_fields"  # an entry's own note of which of its fields were numpy arrays


def _module_file(parts: list[str]) -> str | None:
    """The package file of a dotted module path relative to the package (``["vae", "loop"]`` -> ``vae/loop.py``;
    a folder's own ``__init__.py``), or None if there is none."""
    for candidate in ("/".join(parts) + ".py", "/".join(parts + ["__init__.py"])):
        if parts and (PACKAGE / candidate).is_file():
            return candidate
    return None


@functools.lru_cache(maxsize=256)
def _package_imports(name: str, source: str) -> frozenset[str]:
    """Module files of this package that ``source`` (the file ``name``, e.g. ``vae/loop.py``) imports, relative
    (``from .x import``, ``from ..core import cache``) or absolute (``from collapse_kit.x import``); remembered by
    name and source text (an edit is a new text), so keying many runs parses each file once."""
    folder = name.split("/")[:-1]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = folder[:len(folder) - (node.level - 1)] if node.level > 1 else list(folder)
        elif node.module and node.module.split(".")[0] == PACKAGE.name:
            base = []
        else:
            continue
        module = (node.module or "").split(".")
        if not node.level:
            module = module[1:]
        parts = base + [part for part in module if part]
        for alias in node.names:  # ``from .core import cache`` imports a module; ``from .cache import x`` a name
            found.add(_module_file(parts + [alias.name]) or _module_file(parts))
    return frozenset(found - {None})


def code_files(module: str) -> tuple[str, ...]:
    """Every file whose content decides a world's numbers, derived, never listed by hand.

    ``module`` (the file that runs the world's experiments, its config's ``module``, e.g. ``vae/loop.py``) and,
    transitively, every package module it imports (a function imported inside another counts too), then the data
    assets. An edit to any of them changes ``code_version`` and so every cache key of that world; an edit to
    another world's files does not.
    """
    found, pending = set(), [module]
    while pending:
        name = pending.pop()
        if name in found or not (PACKAGE / name).exists():
            continue
        found.add(name)
        pending.extend(_package_imports(name, (PACKAGE / name).read_text()) - found)
    return tuple(sorted(found)) + ASSET_FILES


def code_version(module: str) -> str:
    """Digest (16 hex digits) of the code and assets that produce an experiment's numbers (``code_files(module)``)."""
    digest = hashlib.sha256()
    for name in code_files(module):
        path = PACKAGE / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"missing")
    return digest.hexdigest()[:16]


def platform_tag(device: str = "cpu") -> str:
    """What besides the code decides the bits, of the machine: torch's version, the CPU's vector unit, and the GPU's
    name if any (and torch's thread count, which ``run_key`` adds).

    e.g. ``"torch 2.14.1+cu130, cpu AVX512"`` or ``"torch 2.5.1, cpu AVX2, cuda NVIDIA H100 80GB HBM3"``. Metrics
    always run on the CPU, so its vector unit (AVX2, AVX512...) counts even for a GPU run.
    """
    tag = f"torch {torch.__version__}, cpu {torch.backends.cpu.get_cpu_capability()}"
    if str(device).startswith("cuda"):
        tag += f", cuda {torch.cuda.get_device_name(torch.device(device))}"
    return tag


def default_cache_dir() -> Path:
    """``$COLLAPSE_KIT_CACHE``, else ``$XDG_CACHE_HOME/collapse-kit``, else ``~/.cache/collapse-kit``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "collapse-kit"


def run_key(config: dict, seed: int, module: str, platform: str | None = None, threads: int | None = None) -> str:
    """Folder name of one run: a digest of its config, its seed, its world's ``module`` and that module's code
    version, the platform (default CPU) and torch's thread count (default: the current one). Each world's runs get
    their own keys.

    The thread count decides bits too: torch splits some sums across its threads, so a run of "C3, 2250 real +
    synthetic" (seed 3) ends with another test -ELBO at 2 threads than at 1. The results bundle is built by workers
    of one thread each (``runner``), whatever the machine's cores; a run in a notebook uses every core, and is kept
    apart from theirs."""
    record = {"config": config, "seed": seed, "module": module, "code": code_version(module),
              "platform": platform_tag() if platform is None else platform,
              "threads": torch.get_num_threads() if threads is None else threads}
    text = json.dumps(record, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


class RunCache:
    """The cache folder of one run: ``generation_000.pt``, ``generation_001.pt``, ... and a readable ``config.json``."""

    def __init__(self, root, config: dict, seed: int, module: str, device: str = "cpu"):
        """``module``: the file that runs this world's experiments (its config's ``module``, e.g. ``vae/loop.py``);
        it and what it imports decide the key."""
        self.root = check_writable_dir("cache_dir", default_cache_dir() if root is None else root)
        self.platform = platform_tag(device)
        self.module = module
        self.key = run_key(config, seed, module, self.platform)
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
            for name in entry.pop(NUMPY_FIELDS, ()):
                entry[name] = entry[name].numpy()
        except Exception as error:  # any unreadable entry is recomputed; the reason is shown, not hidden
            warnings.warn(f"cache entry {path} is corrupt ({type(error).__name__}: {error}); recomputing it",
                          RuntimeWarning, stacklevel=2)
            path.unlink(missing_ok=True)
            return None
        return entry

    def save(self, generation: int, entry: dict) -> None:
        """Store ``entry`` atomically: temporary file in the same folder, then rename.

        numpy arrays are stored as tensors (what ``weights_only`` loading accepts) and come back as numpy arrays.
        """
        arrays = [name for name, value in entry.items() if isinstance(value, np.ndarray)]
        entry = {**entry, **{name: torch.from_numpy(entry[name]) for name in arrays}, NUMPY_FIELDS: arrays}
        self.folder.mkdir(parents=True, exist_ok=True)
        config_file = self.folder / "config.json"
        if not config_file.exists():
            atomic_write(config_file, json.dumps(
                {"config": self.config, "seed": self.seed, "code": code_version(self.module),
                 "platform": self.platform}, indent=2).encode())
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
