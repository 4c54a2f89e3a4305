"""The results bundle's experiment catalogue: a literal table of named settings, like nanoGPT's config files.

Every experiment the bundle ships is one line of ``CATALOGUE``: a name and the full profile's config (what students
run). The names are constants that the lessons, ``claims`` and the tests import, never retype; the build script
(``scripts/build_results_bundle.py``) runs the table over seeds; ``bundle.band(name)`` reads a line's results back.
A new world's experiments (say, a language model's ``TextConfig``) are lines of the same table. Tests check that
every line is in the shipped bundle with this very config, and what each design holds fixed (equal steps, the real
images of C3).

Used in lessons 03 and 05-08 (through the names) and by ``claims``.
"""

from __future__ import annotations

from .loop import ExperimentConfig

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

_C = ExperimentConfig  # the full profile is ExperimentConfig's defaults: 6 generations of 10,000 images, 20 epochs

CATALOGUE: dict[str, ExperimentConfig] = {
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
}
