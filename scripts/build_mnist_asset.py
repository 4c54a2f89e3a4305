"""Build the MNIST file shipped inside collapse_kit, once, from the four original IDX files.

Reads ``train-images-idx3-ubyte(.gz)`` and friends, checks each *uncompressed* file against the md5 published with
the original distribution, and writes ``collapse_kit/assets/mnist.npz`` (uint8 images, deflate-compressed) plus its
sha256 into ``collapse_kit/assets/mnist.sha256``, which ``collapse_kit.vae.data.load_mnist`` verifies on every load.

Usage (from the repository root):

    python scripts/build_mnist_asset.py --raw ../shared/data/MNIST/raw
    python scripts/build_mnist_asset.py --check   # CI: the shipped file holds exactly these images and labels
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import sys
from pathlib import Path

import numpy as np

# md5 of the uncompressed original files, as published with the MNIST database.
PUBLISHED_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}
IDX_MAGIC = {"images": 2051, "labels": 2049}
ASSETS = Path(__file__).resolve().parent.parent / "collapse_kit" / "assets"


def read_raw(raw_dir: Path, name: str) -> bytes:
    """Uncompressed bytes of one IDX file, from ``name`` or ``name.gz`` in ``raw_dir``."""
    plain, gz = raw_dir / name, raw_dir / f"{name}.gz"
    if plain.exists():
        return plain.read_bytes()
    if gz.exists():
        return gzip.decompress(gz.read_bytes())
    raise FileNotFoundError(f"neither {plain} nor {gz} exists")


def parse_idx(data: bytes, kind: str) -> np.ndarray:
    """Array of an IDX file's payload; ``kind`` is "images" (N, 28, 28) or "labels" (N,)."""
    magic, count = int.from_bytes(data[0:4], "big"), int.from_bytes(data[4:8], "big")
    if magic != IDX_MAGIC[kind]:
        raise ValueError(f"bad IDX magic {magic} for {kind}, expected {IDX_MAGIC[kind]}")
    if kind == "labels":
        return np.frombuffer(data, dtype=np.uint8, offset=8).copy()
    rows, cols = int.from_bytes(data[8:12], "big"), int.from_bytes(data[12:16], "big")
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows, cols).copy()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=Path("../shared/data/MNIST/raw"), help="folder of the IDX files")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; verify the shipped asset holds exactly the IDX files' arrays")
    args = parser.parse_args(argv)

    arrays = {}
    for name, md5 in PUBLISHED_MD5.items():
        data = read_raw(args.raw, name)
        got = hashlib.md5(data).hexdigest()
        if got != md5:
            print(f"[FAIL] {name}: md5 {got}, published {md5}", file=sys.stderr)
            return 1
        print(f"[ok] {name}: md5 matches the published {md5}")
        split = "train" if name.startswith("train") else "test"
        kind = "images" if "images" in name else "labels"
        arrays[f"{split}_{kind}"] = parse_idx(data, kind)

    if args.check:
        with np.load(ASSETS / "mnist.npz") as shipped:
            for key, array in arrays.items():
                if shipped[key].dtype != np.uint8 or not np.array_equal(shipped[key], array):
                    print(f"[FAIL] shipped {key} differs from the IDX files", file=sys.stderr)
                    return 1
                print(f"[ok] shipped {key} {shipped[key].shape} equals the IDX file")
        return 0

    ASSETS.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    payload = buffer.getvalue()
    # Atomic write (the package's one, imported here: --check runs before the package is installed).
    from collapse_kit.core.cache import atomic_write

    for target, content in ((ASSETS / "mnist.npz", payload),
                            (ASSETS / "mnist.sha256", (hashlib.sha256(payload).hexdigest() + "\n").encode())):
        atomic_write(target, content)
    print(f"wrote {ASSETS / 'mnist.npz'} ({len(payload) / 1e6:.1f} MB), sha256 {hashlib.sha256(payload).hexdigest()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
