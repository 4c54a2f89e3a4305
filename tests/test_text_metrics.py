"""The text world's measures, on text whose answer is known."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from collapse_kit.text.data import encode, load_split, training_words, word_classes
from collapse_kit.text.metrics import (
    bits_per_character,
    passage_perplexities,
    real_text_measures,
    shares_of_real,
    word_class_bits,
    word_measures,
)
from collapse_kit.text.models import CharMLP
from collapse_kit.text.words import RANKS


def test_a_model_that_knows_nothing_scores_log2_65_bits_and_perplexity_65():
    model = CharMLP(context=2, embedding=2, hidden=2)
    with torch.no_grad():
        model.output.weight.zero_()  # equal logits: every character has probability 1/65
    assert bits_per_character(model, "validation") == pytest.approx(math.log2(65), rel=1e-6)
    passages = encode(load_split("test")[:300]).reshape(3, 100)
    np.testing.assert_allclose(passage_perplexities(model, passages), [65.0] * 3, rtol=1e-5)


def test_word_measures_count_real_rare_common_invented_and_repeated_words():
    types, counts = training_words()
    rare = [word for word, count in zip(types, counts) if count == 1][:2]
    text = f"the the king zqxv {rare[0]}\nthe king is here the king is here {rare[1]}"
    measures = word_measures([text])
    assert measures["words"] == 14 and measures["distinct_words"] == 7
    assert measures["invented_share"] == pytest.approx(1 / 14)  # "zqxv"
    assert measures["common_coverage"] == pytest.approx(4 / 1000)  # the, king, is, here
    assert measures["rare_coverage"] == pytest.approx(2 / 9034)
    # 4-grams: 11, of which "the king is here" appears twice: one repeat
    assert measures["repeated_ngrams"] == pytest.approx(1 / 11)
    assert measures["rank_frequency"].shape == (len(RANKS),)
    assert measures["rank_frequency"][0] == pytest.approx(4 / 14) and measures["rank_frequency"][-1] == 0


def test_long_rare_words_are_the_rare_ones_of_six_letters_or_more():
    types, classes = training_words()[0], word_classes()
    long_rare = [word for word, kept in zip(types, classes["long_rare"]) if kept][:3]
    short_rare = [word for word, rare, long in zip(types, classes["rare"], classes["long_rare"]) if rare and not long]
    short_rare = short_rare[:2]
    assert all(len(word.replace("'", "")) >= 6 for word in long_rare)
    assert all(len(word.replace("'", "")) < 6 for word in short_rare)
    measures = word_measures([" ".join(long_rare + short_rare)])
    assert measures["long_rare_coverage"] == pytest.approx(3 / classes["long_rare"].sum())
    assert measures["rare_coverage"] == pytest.approx(5 / classes["rare"].sum())
    assert not classes["rare"].flags.writeable  # shared by every caller


def test_coverage_is_read_against_real_text_of_the_same_size():
    real = real_text_measures(16, 256, seed=2)
    assert shares_of_real(real, 16, 256, 2) == {"rare_of_real": 1.0, "common_of_real": 1.0, "long_rare_of_real": 1.0}
    halved = {name: real[name] / 2 for name in ("rare_coverage", "common_coverage", "long_rare_coverage")}
    assert shares_of_real(halved, 16, 256, 2) == pytest.approx({"rare_of_real": 0.5, "common_of_real": 0.5,
                                                                "long_rare_of_real": 0.5})


def test_a_model_that_knows_nothing_scores_log2_65_bits_on_rare_and_common_words_alike():
    model = CharMLP(context=2, embedding=2, hidden=2)
    with torch.no_grad():
        model.output.weight.zero_()
    bits = word_class_bits(model, "validation")
    assert bits == pytest.approx({"rare_word_bits": math.log2(65), "common_word_bits": math.log2(65)}, rel=1e-6)


def test_4_grams_do_not_run_across_passages():
    assert word_measures(["a b c d", "a b c d"])["repeated_ngrams"] == pytest.approx(0.5)
    assert word_measures(["a b c", "d a b c"])["repeated_ngrams"] == 0.0


def test_codes_and_strings_give_the_same_measures():
    text = load_split("validation")[:2000]
    as_codes = encode(text[:1000] + text[1000:2000]).reshape(2, 1000)
    from_codes, from_text = word_measures(as_codes), word_measures([text[:1000], text[1000:2000]])
    assert from_codes.keys() == from_text.keys()
    for name in from_codes:
        np.testing.assert_array_equal(from_codes[name], from_text[name])


def test_real_held_out_text_covers_the_vocabulary_and_invents_little():
    # The yardstick of lesson 09: real test text of a generation's sample size.
    # (Its invented words are mostly names of the test text's play that the training text never mentions.)
    measures = real_text_measures(128, 256, seed=0)
    assert measures["invented_share"] < 0.1 and measures["repeated_ngrams"] < 0.02
    assert 0.4 < measures["common_coverage"] < 0.8 and measures["words"] > 5000


def test_bad_inputs_are_refused_by_name():
    with pytest.raises(ValueError, match="split must be one of"):
        bits_per_character(CharMLP(), "dev")
    with pytest.raises(ValueError, match="passages must be"):
        word_measures(np.zeros(5, dtype=np.uint8))
    with pytest.raises(ValueError, match="seed must be >= 0"):
        real_text_measures(4, 64, seed=-1)
