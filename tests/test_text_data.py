"""The shipped Tiny Shakespeare: its checksum guard, the fixed split, the character codes and the word rule."""

from __future__ import annotations

import hashlib
import lzma
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from collapse_kit.text import data as text_data
from collapse_kit.text.data import (
    SPLITS,
    CorruptTextError,
    characters,
    decode,
    encode,
    load_split,
    load_text,
    real_passages,
    speech_starts,
    split_bounds,
    training_words,
    word_classes,
    words,
)

REPO = Path(__file__).resolve().parent.parent
SHARED_TEXT = REPO.parent / "shared" / "data" / "tinyshakespeare" / "input.txt"


def test_the_shipped_text_has_the_published_checksum_and_size():
    text = load_text()
    assert len(text) == 1_115_394
    assert hashlib.sha256(text.encode("ascii")).hexdigest() == text_data.TEXT_SHA256
    assert text_data.TEXT_SHA256 == "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"


def test_a_damaged_asset_is_refused_with_a_clear_error(tmp_path, monkeypatch):
    edited = tmp_path / "tinyshakespeare.txt.xz"
    edited.write_bytes(lzma.compress(load_text().replace("ROMEO", "ROMEX", 1).encode(), preset=0))
    monkeypatch.setattr(text_data, "TEXT_FILE", edited)
    load_text.cache_clear()
    try:
        with pytest.raises(CorruptTextError, match="corrupt: sha256 .* expected 86c4e6aa9db7c042"):
            load_text()
        edited.write_bytes(b"not lzma at all")
        with pytest.raises(CorruptTextError, match="cannot be decompressed"):
            load_text()
        monkeypatch.setattr(text_data, "TEXT_FILE", tmp_path / "missing.txt.xz")
        with pytest.raises(CorruptTextError, match="missing; reinstall"):
            load_text()
    finally:
        load_text.cache_clear()


def test_the_split_is_three_contiguous_blocks_cut_at_speech_starts():
    bounds, text = split_bounds(), load_text()
    assert [bounds[split] for split in SPLITS] == [(0, bounds["validation"][0]),
                                                  (bounds["train"][1], bounds["test"][0]),
                                                  (bounds["validation"][1], len(text))]
    assert "".join(load_split(split) for split in SPLITS) == text  # no gap, no overlap
    shares = [len(load_split(split)) / len(text) for split in SPLITS]
    np.testing.assert_allclose(shares, [0.90, 0.05, 0.05], atol=0.002)
    for split in ("validation", "test"):
        start = bounds[split][0]
        assert text[start - 2:start] == "\n\n" and text[start].isupper()  # a speaker's name begins the block


def test_the_split_is_fixed_and_its_blocks_hold_the_documented_words():
    # The numbers the lesson quotes: the training text's words, types and types seen once.
    types, counts = training_words()
    assert (int(counts.sum()), len(types), int((counts == 1).sum())) == (183_547, 11_676, 5_282)
    assert types[:3] == ("the", "and", "to")
    classes = word_classes()
    assert int(classes["common"].sum()) == 1000 and int(classes["rare"].sum()) == 9034
    assert not np.any(classes["common"] & classes["rare"])


def test_the_vocabulary_is_the_65_characters_newline_first():
    assert len(characters()) == 65 and characters()[0] == "\n" and characters() == "".join(sorted(set(load_text())))
    sample = load_split("test")[:500]
    codes = encode(sample)
    assert codes.dtype == np.uint8 and codes.max() < 65
    assert decode(codes) == sample


def test_unknown_characters_and_codes_are_refused_by_name():
    with pytest.raises(ValueError, match=r"outside the 65 .*'é'"):
        encode("café")
    with pytest.raises(ValueError, match=r"codes must lie in 0-64, got values from 0 to 70"):
        decode([0, 70])
    with pytest.raises(TypeError, match="text must be a str"):
        encode(b"bytes")


def test_words_fold_case_and_keep_inner_apostrophes():
    assert words("KING RICHARD:\nO'er the king's 'tis, ne'er-- Ay! 3 men") == [
        "king", "richard", "o'er", "the", "king's", "tis", "ne'er", "ay", "men"]


def test_real_passages_begin_at_speeches_and_follow_the_seed():
    passages = real_passages(20, 64, np.random.default_rng(3))
    again = real_passages(20, 64, np.random.default_rng(3))
    assert passages.shape == (20, 64) and passages.dtype == np.uint8
    np.testing.assert_array_equal(passages, again)
    train = load_split("train")
    starts = set(speech_starts("train").tolist())
    for row in passages:
        text = decode(row)
        position = train.find(text)
        assert position in starts and ":" in text.split("\n")[0]  # "NAME:" opens each passage
    assert len({decode(row) for row in passages}) == 20  # drawn without replacement
    starts = sorted(train.find(decode(row)) for row in passages)
    assert all(later >= earlier + 64 for earlier, later in zip(starts, starts[1:]))  # no two overlap


@pytest.mark.parametrize("count, length, message", [
    (10, 0, "length must be >= 1, got 0"),
    (10_000, 10, "count must be <= 6259, the train split's non-overlapping passages of 10 characters"),
    (-1, 10, "count must be >= 0, got -1")])
def test_bad_passage_requests_are_refused_by_name(count, length, message):
    with pytest.raises(ValueError, match=message):
        real_passages(count, length, np.random.default_rng(0))
    with pytest.raises(ValueError, match="split must be one of 'train', 'validation', 'test'"):
        load_split("dev")


@pytest.mark.skipif(not SHARED_TEXT.exists(), reason="the course's shared data folder is not beside the repository")
def test_the_build_script_finds_the_shipped_text_equal_to_the_shared_one():
    done = subprocess.run([sys.executable, "scripts/build_text_asset.py", "--check", "--text", str(SHARED_TEXT)],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "decompresses to exactly this text" in done.stdout
