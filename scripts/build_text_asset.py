"""Build the Tiny Shakespeare file shipped inside collapse_kit, once, from the shared plain-text copy.

Reads ``input.txt`` (1,115,394 characters of Shakespeare, the char-rnn repository's ``tinyshakespeare``), checks its
sha256 against the one published in ``../shared/data/tinyshakespeare/README.md`` (its one home in the code is
``collapse_kit.text.data.TEXT_SHA256``, read here from that file's source), and writes
``collapse_kit/assets/tinyshakespeare.txt.xz`` (lzma, about 0.36 MB), which ``collapse_kit.text.data.load_text``
decompresses and verifies against that same sha256 on load.

Usage (from the repository root):

    python scripts/build_text_asset.py --text ../shared/data/tinyshakespeare/input.txt
    python scripts/build_text_asset.py --check   # CI: the shipped file holds exactly this text
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import lzma
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSET = ROOT / "collapse_kit" / "assets" / "tinyshakespeare.txt.xz"


def published_sha256() -> str:
    """``TEXT_SHA256`` of collapse_kit/text/data.py, read from its source: CI runs this script before installing
    torch, so the package itself is not imported."""
    tree = ast.parse((ROOT / "collapse_kit" / "text" / "data.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "TEXT_SHA256" for t in node.targets):
            return ast.literal_eval(node.value)
    raise LookupError("collapse_kit/text/data.py defines no TEXT_SHA256")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=Path, default=Path("../shared/data/tinyshakespeare/input.txt"),
                        help="the plain text (default ../shared/data/tinyshakespeare/input.txt)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; verify the shipped asset holds exactly this text")
    args = parser.parse_args(argv)

    text, published = args.text.read_bytes(), published_sha256()
    got = hashlib.sha256(text).hexdigest()
    if got != published:
        print(f"[FAIL] {args.text}: sha256 {got}, published {published}", file=sys.stderr)
        return 1
    print(f"[ok] {args.text}: {len(text):,} bytes, sha256 matches the published {published[:16]}...")

    if args.check:
        if not ASSET.exists():
            print(f"[FAIL] {ASSET} is missing", file=sys.stderr)
            return 1
        if lzma.decompress(ASSET.read_bytes()) != text:
            print(f"[FAIL] the shipped {ASSET.name} differs from {args.text}", file=sys.stderr)
            return 1
        print(f"[ok] shipped {ASSET.name} ({ASSET.stat().st_size:,} bytes) decompresses to exactly this text")
        return 0

    payload = lzma.compress(text, preset=9 | lzma.PRESET_EXTREME)
    # Atomic write (the package's one, imported here: --check runs before the package is installed).
    from collapse_kit.core.cache import atomic_write

    atomic_write(ASSET, payload)
    print(f"wrote {ASSET.relative_to(ROOT)} ({len(payload) / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
