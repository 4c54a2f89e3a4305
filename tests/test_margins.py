"""The margins (``evidence.margins``): fixed numbers, each still matching the yardstick its reason names, measured
again from the shipped bundle; none is a share of an effect it judges."""

from __future__ import annotations

import numpy as np
import pytest

from collapse_kit.evidence import claims
from collapse_kit.evidence import experiments as ex
from collapse_kit.evidence.bundle import band
from collapse_kit.evidence.margins import MARGINS, Margin, margin, share_margin

TOLERANCE = 0.3  # a margin may sit within 30% of its yardstick (it is a round number fixed once)
GENERATION_0_OF = {"test_bits_per_character": ex.TEXT_REAL_0, "distinct_words": ex.TEXT_REAL_0,
                   "common_coverage": ex.TEXT_REAL_0, "rare_coverage": ex.TEXT_REAL_0,
                   "invented_share": ex.TEXT_REAL_0, "rare_word_bits": ex.TEXT_REAL_0,
                   "common_word_bits": ex.TEXT_REAL_0, "long_rare_coverage": ex.TEXT_REAL_0}
# every other generation-0 yardstick: the VAE's REAL_0


@pytest.mark.parametrize("name", [name for name, item in MARGINS.items() if item.yardstick == "generation 0"
                                  and item.measured > 0])
def test_a_generation_0_margin_is_one_standard_deviation_of_generation_0_over_the_seeds(name):
    spread = float(np.std(band(GENERATION_0_OF.get(name, ex.REAL_0)).at(name, 0), ddof=1))
    assert MARGINS[name].measured == pytest.approx(spread, rel=0.01), f"{name}: the stated yardstick moved"
    assert margin(name) == pytest.approx(spread, rel=TOLERANCE), f"{name}: the margin no longer matches its reason"


def test_the_digits_margin_stands_where_generation_0_covers_every_digit_in_every_seed():
    assert np.all(band(ex.REAL_0).at("classes_covered", 0) == 10) and margin("classes_covered") == 0.5


def test_the_test_elbo_margin_is_what_doubling_the_real_data_buys():
    doubling = claims.synthetic_share("test_nelbo").doubling()
    assert MARGINS["test_nelbo"].measured == pytest.approx(doubling.effect, rel=0.01)
    assert doubling.low < margin("test_nelbo") < doubling.high  # inside the yardstick's own 95% interval


def test_a_share_kept_takes_its_measures_margin_over_the_arms_generation_0():
    assert share_margin("latent_std", 0.8) == pytest.approx(margin("latent_std") / 0.8)
    with pytest.raises(ValueError, match="generation_0_mean must be > 0"):
        share_margin("latent_std", 0.0)


def test_a_margin_is_a_positive_number_with_a_known_yardstick():
    with pytest.raises(ValueError, match="value must be > 0"):
        Margin("x", 0.0, "truth", "none", 1.0)
    with pytest.raises(ValueError, match="yardstick must be one of"):
        Margin("x", 1.0, "the effect itself", "a tenth of the damage", 1.0)
    with pytest.raises(ValueError, match="measure must be one of"):
        margin("not_a_measure")


def test_a_reread_test_elbo_takes_test_elbos_margin():
    """Issue 27's reading on other test images is the same measure on another subset: the same yardstick."""
    assert margin("test_nelbo_other") == margin("test_nelbo")
    assert MARGINS["test_nelbo_other"].measured == MARGINS["test_nelbo"].measured
