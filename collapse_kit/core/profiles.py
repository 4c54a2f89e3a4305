"""Run profiles: "full" is what students run, "fast" is for CI and quick checks (same effects, smaller runs).

Chosen by the environment variable ``COLLAPSE_KIT_PROFILE`` (never by code in a notebook) or the CLI's
``--profile``; the lessons' seed likewise by ``COLLAPSE_KIT_SEED`` (default 0). When nbgrader grades a lesson
(``NBGRADER_EXECUTION`` is set) and no profile is named, "fast".
Used in every lesson and by ``collapse-kit``.
"""

from __future__ import annotations

import os

from ._validation import check_choice, check_int

PROFILE_ENV = "COLLAPSE_KIT_PROFILE"
SEED_ENV = "COLLAPSE_KIT_SEED"
PROFILES = ("full", "fast")  # each world's config declares what a profile changes (``WorldConfig.profiles``)

# Sizes of the lessons' other experiments (the theory runs, the sweeps), per profile.
LESSON_SETTINGS = {
    "full": {"gaussian_generations": 1000, "gaussian_chains": 1000, "mixture_generations": 2000,
             "sweep_fractions": (0.0, 0.1, 0.25, 0.5, 1.0)},
    "fast": {"gaussian_generations": 500, "gaussian_chains": 500, "mixture_generations": 400,
             "sweep_fractions": (0.0, 0.25, 0.5, 1.0)},
}


def current_profile(profile: str | None = None) -> str:
    """``profile`` if given, else ``$COLLAPSE_KIT_PROFILE``, else "fast" under nbgrader, else "full"."""
    default = "fast" if os.environ.get("NBGRADER_EXECUTION") else "full"
    name = profile if profile is not None else os.environ.get(PROFILE_ENV, default)
    return check_choice(PROFILE_ENV if profile is None else "profile", name.strip().lower(), PROFILES)


def current_seed(seed: int | None = None) -> int:
    """``seed`` if given, else ``$COLLAPSE_KIT_SEED``, else 0: the seed of every lesson's runs (never set in code).

    A lesson's check cells must hold for any seed; CI runs the lessons under a seed other than 0.
    Used in every lesson.
    """
    if seed is not None:
        return check_int("seed", seed, 0)
    text = os.environ.get(SEED_ENV, "0").strip() or "0"
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{SEED_ENV} must be a whole number >= 0, got {text!r}") from None
    return check_int(SEED_ENV, value, 0)


def lesson_setting(name: str, profile: str | None = None):
    """A lesson size of the current profile, e.g. ``lesson_setting("sweep_fractions")``."""
    settings = LESSON_SETTINGS[current_profile(profile)]
    return settings[check_choice("name", name, tuple(settings))]
