"""Lesson 09's no-skill floor: a letter chain that stores no words, shipped with its provenance and reproduced here."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
import torch

from collapse_kit.evidence import experiments as ex
from collapse_kit.text.data import encode, load_split
from collapse_kit.text.generation import TEXT_COLUMNS
from collapse_kit.text.loop import TextConfig, letter_chain_measures, new_passages
from collapse_kit.text.metrics import letter_chain_floor
from collapse_kit.text.models import VOCABULARY, LetterChain


@pytest.fixture(scope="module")
def floor():
    return letter_chain_floor()


def test_the_shipped_floor_says_how_it_was_built_and_pairs_with_the_bundles_text_seeds(floor):
    assert floor.order == 2 and floor.seeds == tuple(range(10))
    assert floor.provenance["script"] == "scripts/build_text_baseline.py"
    assert floor.provenance["command"].startswith("python scripts/build_text_baseline.py")
    assert floor.provenance["config"] == dataclasses.asdict(TextConfig())
    assert TextConfig(**floor.provenance["config"]) == ex.CATALOGUE[ex.TEXT_REAL_0]  # the bands' generation 0
    columns = {column.name for column in TEXT_COLUMNS}
    assert {"rare_coverage", "long_rare_of_real", "rare_word_bits"} <= set(floor.values) <= columns
    for name, values in floor.values.items():
        assert values.shape == (10,) and np.isfinite(values).all(), name


def test_a_seeds_shipped_floor_is_reproduced_by_a_chain_of_our_own(floor, test_seed, replay_hint):
    seed = random.Random(test_seed).choice(floor.seeds)
    ours = letter_chain_measures(TextConfig(), seed, floor.order)
    assert set(ours) == set(floor.values)
    for name, value in ours.items():
        assert value == pytest.approx(floor.at(name, seed), rel=1e-9, abs=1e-12), (name, seed, replay_hint)


def test_the_chain_stores_no_word_and_sits_below_real_text(floor):
    # Real held-out text of the same size covers about 3 times the rare words the chain writes by chance, and 25
    # times the long rare ones; the chain predicts real text worse than the character model's generation 0 (2.87).
    assert floor.mean("rare_of_real") < 0.4 and floor.mean("long_rare_of_real") < 0.1
    assert 2.9 < floor.mean("test_bits_per_character") < 3.2
    assert floor.mean("rare_word_bits") > floor.mean("common_word_bits") + 1.0
    with pytest.raises(ValueError, match="seed must be one of"):
        floor.at("rare_coverage", 11)
    with pytest.raises(ValueError, match="name must be one of"):
        floor.mean("fid")


def test_a_letter_chain_counts_what_follows_each_pair_and_smooths_towards_shorter_chains():
    passages = encode("abab" * 8).reshape(2, 16)
    chain = LetterChain(passages, order=2, prior=1.0)
    assert chain.probabilities.shape == (VOCABULARY ** 2, VOCABULARY)
    np.testing.assert_allclose(chain.probabilities.sum(axis=1), 1.0)
    a, b = (int(code) for code in encode("ab"))
    after_ab = chain.probabilities[a * VOCABULARY + b]
    assert after_ab.argmax() == a and after_ab[a] > 0.9  # "ab" is always followed by "a" (7 times of 7 each)
    sampled = chain.sample(5, 40, np.random.default_rng(0))
    assert sampled.shape == (5, 40) and sampled.dtype == np.uint8
    nats = chain.character_nats(torch.from_numpy(passages))
    assert nats.shape == (2, 16) and torch.all(nats > 0)
    np.testing.assert_allclose(chain.nats_per_character(passages), nats.mean(dim=1))
    again = chain.sample(5, 40, np.random.default_rng(0))
    np.testing.assert_array_equal(sampled, again)


def test_the_chain_fits_the_passages_generation_0_trains_on():
    config = TextConfig.for_profile("fast")
    chain = LetterChain(new_passages(config, 0, 0, None))
    test = torch.from_numpy(encode(load_split("test")[:5000]))[None]
    assert 2.5 < float(chain.nats_per_character(test)[0]) / np.log(2) < 3.5  # a uniform guess: 6.02


@pytest.mark.parametrize("settings, message", [({"order": 0}, "order must be >= 1, got 0"),
                                               ({"order": 4}, "order must be <= 3, got 4"),
                                               ({"prior": 0.0}, r"prior must be in \(0, 1e\+06\], got 0")])
def test_bad_chain_settings_are_refused_by_name(settings, message):
    with pytest.raises(ValueError, match=message):
        LetterChain(encode("abab" * 8).reshape(2, 16), **settings)
