"""Tiny Shakespeare, shipped inside the package: the text world's data, its fixed split, characters and words.

1,115,394 characters of Shakespeare's plays (speaker name, colon, lines; public domain, see
``collapse_kit/assets/NOTICE.md``), stored lzma-compressed in ``assets/tinyshakespeare.txt.xz`` and verified against
the sha256 of the uncompressed text on load. The text is cut once into three contiguous blocks, training (the first
90%), validation (the next 5%) and test (the last 5%), each cut moved forward to the start of the next speech, so no
speech is split and nothing leaks across the cuts. Characters are coded 0-64 in sorted order (the 65 symbols of the
whole text; the newline is 0). Words, for the measures only (the model reads characters), follow one rule: a word is a
run of letters a-z after folding case, an apostrophe between two letters keeping it whole ("o'er", "ne'er"), so
"KING" and "king" are one word and "'tis" is "tis". For lesson 09.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import lzma
import re
from pathlib import Path

import numpy as np

from ..core._validation import check_choice, check_int

ASSETS = Path(__file__).resolve().parents[1] / "assets"
TEXT_FILE = ASSETS / "tinyshakespeare.txt.xz"
# sha256 of the uncompressed text, as published with the data (../shared/data/tinyshakespeare/README.md). This
# constant is the asset's one checksum: the run cache's key covers it through this module's source.
TEXT_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
SPLITS = ("train", "validation", "test")
SPLIT_ENDS = (0.90, 0.95, 1.0)  # where each split ends, as a share of the text, before moving to a speech start
SPEECH_BREAK = "\n\n"  # speeches are separated by a blank line
WORD_RULE = re.compile(r"[a-z]+(?:'[a-z]+)*")
NEWLINE_CODE = 0  # the newline sorts first among the 65 characters; it also pads the context before a passage
RARE_AT_MOST = 5  # a rare word: seen at most 5 times in the training text (its tail)
COMMON_TOP = 1000  # a common word: among the training text's 1,000 most frequent
LONG_AT_LEAST = 6  # a long word: 6 letters or more (apostrophes not counted)


class CorruptTextError(RuntimeError):
    """The shipped text does not match its recorded sha256 (damaged or edited install)."""


@functools.lru_cache(maxsize=1)
def load_text() -> str:
    """The whole text (1,115,394 characters), decompressed and verified; read once per process. Every other
    function of this module reads it."""
    if not TEXT_FILE.exists():
        raise CorruptTextError(f"the shipped text {TEXT_FILE} is missing; reinstall collapse-kit "
                               "(developers: python scripts/build_text_asset.py)")
    try:
        raw = lzma.decompress(TEXT_FILE.read_bytes())
    except lzma.LZMAError as error:
        raise CorruptTextError(f"the shipped text {TEXT_FILE} cannot be decompressed ({error}); "
                               "reinstall collapse-kit") from None
    actual = hashlib.sha256(raw).hexdigest()
    if actual != TEXT_SHA256:
        raise CorruptTextError(f"the shipped text {TEXT_FILE} is corrupt: sha256 {actual[:16]}..., "
                               f"expected {TEXT_SHA256[:16]}...; reinstall collapse-kit")
    return raw.decode("ascii")


@functools.lru_cache(maxsize=1)
def split_bounds() -> dict[str, tuple[int, int]]:
    """``{split: (start, end)}``, character offsets of the three contiguous blocks; each cut is the first speech
    start at or after 90% (95%) of the text."""
    text = load_text()
    cuts = [0]
    for share in SPLIT_ENDS[:-1]:
        cuts.append(text.index(SPEECH_BREAK, round(share * len(text))) + len(SPEECH_BREAK))
    cuts.append(len(text))
    return {split: (cuts[index], cuts[index + 1]) for index, split in enumerate(SPLITS)}


def load_split(split: str = "train") -> str:
    """One block of the fixed split: "train" (about 90% of the characters), "validation" or "test" (about 5% each).

    For lesson 09.
    """
    start, end = split_bounds()[check_choice("split", split, SPLITS)]
    return load_text()[start:end]


@functools.lru_cache(maxsize=1)
def characters() -> str:
    """The character vocabulary: the 65 distinct characters of the whole text, sorted (a character's code is its
    position here; the newline is code 0). For lesson 09."""
    return "".join(sorted(set(load_text())))


@functools.lru_cache(maxsize=1)
def _code_table() -> np.ndarray:
    table = np.full(256, 255, dtype=np.uint8)  # 255: not a character of the text
    for code, character in enumerate(characters()):
        table[ord(character)] = code
    return table


def encode(text: str) -> np.ndarray:
    """Character codes of ``text``, uint8 (len(text),), each in 0-64. For lesson 09 through the text loop."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    raw = np.frombuffer(text.encode("latin-1", errors="replace"), dtype=np.uint8)
    codes = _code_table()[raw]
    if codes.size and codes.max() == 255:
        unknown = sorted({text[i] for i in np.flatnonzero(codes == 255)[:20]})
        raise ValueError(f"text holds characters outside the 65 of Tiny Shakespeare: {unknown!r}")
    return codes


def decode(codes) -> str:
    """The text of character codes (any integer array of values 0-64). For lesson 09 through
    ``TextGenerationResult.text``."""
    codes = np.asarray(codes)
    if codes.size and (codes.min() < 0 or codes.max() >= len(characters())):
        raise ValueError(f"codes must lie in 0-{len(characters()) - 1}, got values from {codes.min()} to "
                         f"{codes.max()}")
    return np.frombuffer(characters().encode("ascii"), dtype=np.uint8)[codes.astype(np.intp)].tobytes().decode("ascii")


def words(text: str) -> list[str]:
    """The words of ``text`` by the module's rule (case folded, letters a-z, inner apostrophes kept), in order.

    For lesson 09.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return WORD_RULE.findall(text.lower())


@functools.lru_cache(maxsize=len(SPLITS))
def speech_starts(split: str = "train") -> np.ndarray:
    """Offsets (int64) in ``load_split(split)`` where a speech begins: 0 and every position after a blank line."""
    text = load_split(split)
    found = [match.end() for match in re.finditer(SPEECH_BREAK, text)]
    return np.array([0] + [start for start in found if start < len(text)], dtype=np.int64)


def real_passages(count: int, length: int, rng: np.random.Generator, split: str = "train") -> np.ndarray:
    """``count`` passages of ``length`` characters of real text, codes uint8 (count, length), none overlapping.

    Each starts at the beginning of a speech (its speaker's name) and may run on into the next speeches. They are
    drawn without replacement from a fixed set of non-overlapping passages (``passage_starts``), so no real text
    is counted twice. Real passages and the model's samples thus begin the same way: after a blank line. Used by
    the text loop.
    """
    starts = passage_starts(check_choice("split", split, SPLITS), check_int("length", length, 1))
    if check_int("count", count, 0) > len(starts):
        raise ValueError(f"count must be <= {len(starts)}, the {split} split's non-overlapping passages of {length} "
                         f"characters, got {count}")
    chosen = np.sort(rng.choice(starts, size=count, replace=False)) if count else starts[:0]
    return _split_codes(split)[chosen[:, None] + np.arange(length)]


@functools.lru_cache(maxsize=16)
def passage_starts(split: str, length: int) -> np.ndarray:
    """The starts of a split's non-overlapping passages of ``length`` characters: from the split's start, every
    speech start at least ``length`` characters after the last one kept (and ``length`` before the split's end).
    About 3,100 passages of 256 characters in the training split, 170 in the test split."""
    kept, end = [], len(load_split(split)) - length
    for start in speech_starts(split).tolist():
        if start > end:
            break
        if not kept or start >= kept[-1] + length:
            kept.append(start)
    return np.array(kept, dtype=np.int64)


@functools.lru_cache(maxsize=len(SPLITS))
def _split_codes(split: str) -> np.ndarray:
    return encode(load_split(split))


def split_codes(split: str = "train") -> np.ndarray:
    """The character codes of one split, uint8 (a read-only view, shared: copy it before changing it)."""
    codes = _split_codes(check_choice("split", split, SPLITS))
    codes.flags.writeable = False
    return codes


@functools.lru_cache(maxsize=1)
def training_words() -> tuple[tuple[str, ...], np.ndarray]:
    """The training text's word types and their counts: ``(types, counts)``, most frequent first (ties in
    alphabetical order), counts int64. A type's position is its frequency rank (0: "the"). For lesson 09."""
    counted = collections.Counter(words(load_split("train")))  # a third of np.unique's time: no sort of 200k words
    types, counts = np.array(list(counted)), np.fromiter(counted.values(), dtype=np.int64, count=len(counted))
    order = np.lexsort((types, -counts))  # by count, descending; ties alphabetical
    return tuple(types[order].tolist()), counts[order]


@functools.lru_cache(maxsize=1)
def word_classes() -> dict[str, np.ndarray]:
    """Boolean masks over ``training_words()``'s types: "rare" (seen at most ``RARE_AT_MOST`` = 5 times in the
    training text), "common" (its ``COMMON_TOP`` = 1,000 most frequent) and "long_rare" (the rare ones of
    ``LONG_AT_LEAST`` = 6 letters or more: a model that spells only letter pairs writes few of them by chance).
    For lesson 09."""
    types, counts = training_words()
    rare = counts <= RARE_AT_MOST
    long = np.array([len(word) - word.count("'") >= LONG_AT_LEAST for word in types])
    classes = {"rare": rare, "common": np.arange(len(counts)) < COMMON_TOP, "long_rare": rare & long}
    for mask in classes.values():  # built once and shared: read-only
        mask.flags.writeable = False
    return classes
