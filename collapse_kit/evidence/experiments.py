"""The results bundle's experiment catalogue: a literal table of named settings, like nanoGPT's config files.

Every experiment the bundle ships is one line of ``CATALOGUE``: a name and the full profile's config (what students
run). The names are constants that the lessons, ``claims`` and the tests import, never retype; the build script
(``scripts/build_results_bundle.py``) runs the table over seeds; ``bundle.band(name)`` reads a line's results back.
A new world's experiments (say, a language model's ``TextConfig``) are lines of the same table. Tests check that
every line is in the shipped bundle with this very config, and what each design holds fixed (equal steps, the real
images of C3).

Used in lessons 03 and 05-09 (through the names; lesson 09: the ``TEXT_`` lines) and by ``claims``.
"""

from __future__ import annotations

from ..text.loop import TextConfig
from ..vae.loop import ExperimentConfig

# The lessons' sweep over the real fraction: 12 generations, so a plateau is judged on generations 6-11.
REAL_0 = "replace, real 0"
REAL_10 = "replace, real 0.1"
REAL_25 = "replace, real 0.25"
REAL_50 = "replace, real 0.5"
REAL_100 = "replace, real 1"
SWEEP = {0.0: REAL_0, 0.1: REAL_10, 0.25: REAL_25, 0.5: REAL_50, 1.0: REAL_100}  # real fraction -> name
# C4's "diverse" (lesson 05): half the real data, drawn from half the digits.
NARROW_DIGITS = (0, 1, 2, 3, 4)
REAL_50_NARROW = "replace, real 0.5, digits 0-4"
# Accumulate at equal epochs, and at equal compute (every generation the gradient steps of generation 0; lesson 07).
ACCUMULATE = "accumulate, real 0"
ACCUMULATE_EQUAL_STEPS = "accumulate, real 0, equal steps"
# C5 in the VAE world (lesson 06): k fresh real images in each generation's 10,000.
FEW_REAL = {0: REAL_0, 1: "replace, 1 real image", 10: "replace, 10 real images", 100: "replace, 100 real images"}
# 0/1-pixel samples drawn at a temperature, no real data, 4 generations (lessons 03, 07).
BERNOULLI = {1.0: "replace, bernoulli, temperature 1", 0.6: "replace, bernoulli, temperature 0.6"}
# C3 (lesson 06): at n real images, n alone / the same n plus a synthetic share / n / (1 - share) all real, two
# generations each, every one at about the full profile's 380 gradient steps per generation (its epochs scaled to
# its size), so size is not confounded with training.
C3_SYNTHETIC_SHARE = 0.1
C3 = {real: (f"C3, {real} real", f"C3, {real} real + synthetic", f"C3, {round(real / (1 - C3_SYNTHETIC_SHARE))} real")
      for real in (2250, 4500, 9000, 18000)}  # n -> (alone, mixed, all real)

# The language model (lesson 09): TextConfig's defaults (the full profile: 6 generations of 1,024 passages of 256
# characters, one epoch, the 8-character MLP), seeds 0-9. Every line differs from TEXT_REAL_0 in the field(s) its
# name says and nothing else, and a seed gives every line the very same generation 0 (trained once per seed on the
# same real passages, from the same initial weights): what a verdict compares at generation 5 is what followed it.
# C1 and C2: the fully synthetic loop, generation 5 against its own generation 0.
# C4: the real fraction alone differs (0, 10%, 50% fresh real passages in each generation's 1,024).
TEXT_REAL_0 = "text, replace, real 0"
TEXT_REAL_10 = "text, replace, real 0.1"
TEXT_REAL_50 = "text, replace, real 0.5"
TEXT_REAL = {0.0: TEXT_REAL_0, 0.1: TEXT_REAL_10, 0.5: TEXT_REAL_50}  # real fraction -> name
# Sampling temperature alone differs (the training text of generations 1-5 and every generation's measured samples
# are drawn at it); 0.7 is a common decoding setting that favours likely characters.
TEXT_TEMPERATURE = {1.0: TEXT_REAL_0, 0.7: "text, replace, real 0, temperature 0.7"}  # temperature -> name
# Accumulate at equal compute: every generation trains generation 0's 512 gradient steps of 512 characters, as
# replace does (one epoch over 1,024 passages), on everything written so far; only the strategy (and with it the
# compute rule, which changes nothing under replace) differs from TEXT_REAL_0.
TEXT_ACCUMULATE_EQUAL_STEPS = "text, accumulate, real 0, equal steps"
# C5: 10 fresh real passages (1%, 2,560 characters) in each generation's 1,024, against none.
TEXT_FEW_REAL = {0: TEXT_REAL_0, 10: "text, replace, 10 real passages"}  # real passages per generation -> name
TEXT_PASSAGES = TextConfig().passages

_C = ExperimentConfig  # the full profile is ExperimentConfig's defaults: 6 generations of 10,000 images, 20 epochs
_T = TextConfig  # the language model's full profile is TextConfig's defaults

CATALOGUE: dict[str, ExperimentConfig | TextConfig] = {
    REAL_0: _C(generations=12, real_fraction=0.0),
    REAL_10: _C(generations=12, real_fraction=0.1),
    REAL_25: _C(generations=12, real_fraction=0.25),
    REAL_50: _C(generations=12, real_fraction=0.5),
    REAL_100: _C(generations=12, real_fraction=1.0),
    ACCUMULATE: _C(strategy="accumulate"),
    ACCUMULATE_EQUAL_STEPS: _C(strategy="accumulate", compute="steps"),
    FEW_REAL[1]: _C(real_fraction=0.0001),
    FEW_REAL[10]: _C(real_fraction=0.001),
    FEW_REAL[100]: _C(real_fraction=0.01),
    REAL_50_NARROW: _C(real_fraction=0.5, real_digits=NARROW_DIGITS),
    BERNOULLI[1.0]: _C(generations=4, sample_mode="bernoulli", temperature=1.0),
    BERNOULLI[0.6]: _C(generations=4, sample_mode="bernoulli", temperature=0.6),
    C3[2250][0]: _C(generations=2, samples_per_generation=2250, real_fraction=1.0, epochs=95),
    C3[2250][1]: _C(generations=2, samples_per_generation=2500, real_fraction=0.9, epochs=95),
    C3[2250][2]: _C(generations=2, samples_per_generation=2500, real_fraction=1.0, epochs=95),
    C3[4500][0]: _C(generations=2, samples_per_generation=4500, real_fraction=1.0, epochs=48),
    C3[4500][1]: _C(generations=2, samples_per_generation=5000, real_fraction=0.9, epochs=42),
    C3[4500][2]: _C(generations=2, samples_per_generation=5000, real_fraction=1.0, epochs=42),
    C3[9000][0]: _C(generations=2, samples_per_generation=9000, real_fraction=1.0, epochs=22),
    C3[9000][1]: _C(generations=2, samples_per_generation=10000, real_fraction=0.9, epochs=20),
    C3[9000][2]: _C(generations=2, samples_per_generation=10000, real_fraction=1.0, epochs=20),
    C3[18000][0]: _C(generations=2, samples_per_generation=18000, real_fraction=1.0, epochs=11),
    C3[18000][1]: _C(generations=2, samples_per_generation=20000, real_fraction=0.9, epochs=10),
    C3[18000][2]: _C(generations=2, samples_per_generation=20000, real_fraction=1.0, epochs=10),
    TEXT_REAL_0: _T(),
    TEXT_REAL_10: _T(real_fraction=0.1),
    TEXT_REAL_50: _T(real_fraction=0.5),
    TEXT_TEMPERATURE[0.7]: _T(temperature=0.7),
    TEXT_ACCUMULATE_EQUAL_STEPS: _T(strategy="accumulate", compute="steps"),
    TEXT_FEW_REAL[10]: _T(real_fraction=10 / TEXT_PASSAGES),
}


# ---------------------------------------------------------------------------------------------------------------
# PLANNED, not built (issue 19, points 4 and 5): what the bundle needs so that every headline verdict is re-judged
# under the analysis choices a referee would vary, and the missing controls. Not in CATALOGUE: nothing reads these
# yet, and the shipped bundle does not hold them. Build them with scripts/build_results_bundle.py once they move into
# CATALOGUE (10 seeds each, as the rest).
#
# Compute, from the shipped bundle's recorded builds (2 workers, AMD EPYC with AVX-512, 10 seeds): the Bernoulli
# build took 335.2 s for 2 experiments x 4 generations, the C3 build 822.0 s for 10 experiments x 2 generations; both
# are 4.1-4.2 s of wall time per generation per seed at about 380 gradient steps (the full profile's generation),
# i.e. about 8.3 worker-seconds. The sweep's build (4370.7 s for 5 x 12 generations and accumulate at equal epochs,
# 81 such units per seed) gives 5.4 s per unit: take 4-5.5 s per unit-seed at 2 workers. An accumulate generation g
# at equal epochs costs g + 1 units. The catalogue above is 143 units per seed: a full rebuild is about 1.6-2.2 hours
# there (the recorded builds sum to 7,718 s), 1.3-1.7 times longer on a 2-core AVX2 machine (issue 18's measurement).
#
# 1. Bernoulli samples instead of mean images, as many generations as the mean loop: every headline experiment again
#    with sample_mode="bernoulli" (the 12-generation fully synthetic loop replaces BERNOULLI[1.0]'s 4 generations:
#    generation g does not depend on later ones). The lines of PLANNED below: 87 units per seed, about 1.0-1.3 h
#    (with C3's twelve bands in Bernoulli mode too, 24 more).
# 2. A generation 0 much closer to convergence: needs a new ExperimentConfig field, e.g. ``first_epochs: int | None``
#    (generation 0's epochs; None: ``epochs``), here 80 (4 x 20); report its test -ELBO and FID beside the
#    real-against-real floor (``studies.real_data_scores``). Adds 3 units per experiment: about 218 units per seed
#    for the whole catalogue (2.4-3.3 h), or about 80 (0.9-1.2 h) for the headline settings alone (REAL_0, REAL_50,
#    ACCUMULATE_EQUAL_STEPS, FEW_REAL, BERNOULLI).
# 3. Metrics as published and other readings, no new setting: new columns declared once in ``generation.METRICS``
#    (precision and recall with k = 3 on raw features, digits covered among confident classifications only
#    (``studies.CONFIDENT``), test -ELBO on another subset of the test split); the cached runs hold no models, so
#    every experiment runs again: 143 units per seed, about 1.6-2.2 h (a rebuild of the catalogue with the columns).
# 4. Controls (point 5), each at equal compute (compute="steps"), 10 seeds, 6 generations unless said:
#    * replace but keep generation 0's real data, and accumulate the synthetic sets only (without generation 0's
#      real data): new ``strategy`` values (e.g. "keep real", "accumulate synthetic"), 6 units each;
#    * C5's fixed-image arm for the VAE: the same k real images in every generation (k = 1, 10, 100), against
#      FEW_REAL's fresh ones: a new field, e.g. ``real_pool: int | None`` (draw the real share from a fixed pool of
#      this many training images; k: the same k images every generation), 18 units;
#    * diversity without a class shift: 50% real drawn from a small pool reused every generation (e.g. 500 images of
#      all ten digits) against fresh real images at the same dose (REAL_50): ``real_pool=500``, 6 units.
#    About 36 units per seed, 0.4-0.6 h.
# In all, about 350-480 units per seed: 4-7 hours at 2 workers on the bundle's machine, minutes on a cluster
# (``--scheduler``). Keep the bundle under 5 MB by dropping the sample grids of the variants (SAMPLE_SEEDS).
PLANNED: dict[str, ExperimentConfig] = {
    "replace, real 0, bernoulli, 12 generations": _C(generations=12, sample_mode="bernoulli"),
    "replace, real 0.5, bernoulli": _C(generations=12, real_fraction=0.5, sample_mode="bernoulli"),
    "replace, real 0.25, bernoulli": _C(generations=12, real_fraction=0.25, sample_mode="bernoulli"),
    "replace, real 0.5, digits 0-4, bernoulli": _C(real_fraction=0.5, real_digits=NARROW_DIGITS,
                                                   sample_mode="bernoulli"),
    "accumulate, real 0, bernoulli": _C(strategy="accumulate", sample_mode="bernoulli"),
    "accumulate, real 0, equal steps, bernoulli": _C(strategy="accumulate", compute="steps",
                                                     sample_mode="bernoulli"),
    **{f"replace, {k} real image{'s' if k > 1 else ''}, bernoulli":
       _C(real_fraction=k / 10_000, sample_mode="bernoulli") for k in (1, 10, 100)},
    # Need fields ExperimentConfig does not have yet (tell the lead before adding them):
    # "replace, real 0, converged generation 0": _C(generations=12, first_epochs=80),
    # "replace, real 0.5, converged generation 0": _C(generations=12, real_fraction=0.5, first_epochs=80),
    # "accumulate, real 0, equal steps, converged generation 0": _C(strategy="accumulate", compute="steps",
    #                                                               first_epochs=80),
    # "replace, keep real 0, equal steps": _C(strategy="keep real", compute="steps"),
    # "accumulate synthetic only, equal steps": _C(strategy="accumulate synthetic", compute="steps"),
    # **{f"replace, {k} fixed real image(s)": _C(real_fraction=k / 10_000, real_pool=k) for k in (1, 10, 100)},
    # "replace, real 0.5, pool of 500": _C(real_fraction=0.5, real_pool=500),
}
