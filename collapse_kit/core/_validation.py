"""Argument validation for every public function: one clear error naming the parameter, its value, what is allowed.

(Not to be confused with ``checks``, the lessons' [PASS]/[FAIL] check cells: this module validates inputs.)
"""

from __future__ import annotations

import math
import numbers
import os
from pathlib import Path


def check_int(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int in [minimum, maximum]; bools and floats are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_float(name: str, value, minimum: float | None = None, maximum: float | None = None,
                exclusive_minimum: bool = False) -> float:
    """``value`` as a finite float within the bounds given."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    low = "-inf" if minimum is None else f"{minimum:g}"
    high = "inf" if maximum is None else f"{maximum:g}"
    allowed = f"{'(' if exclusive_minimum else '['}{low}, {high}]"
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number in {allowed}, got {value}")
    too_low = minimum is not None and (value <= minimum if exclusive_minimum else value < minimum)
    if too_low or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be in {allowed}, got {value:g}")
    return value


def check_fraction(name: str, value) -> float:
    """A share in [0, 1], such as ``real_fraction``."""
    return check_float(name, value, 0.0, 1.0)


def check_choice(name: str, value, allowed) -> str:
    """``value`` if it is one of ``allowed`` (strings)."""
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def check_digits(name: str, value) -> tuple[int, ...]:
    """A non-empty set of MNIST digits (0-9), as a sorted tuple without repeats, e.g. ``(0, 1, 2, 3, 4)``."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be a list of digits 0-9 such as (0, 1, 2, 3, 4), got {value!r}")
    digits = tuple(sorted({check_int(f"{name}[...]", digit, 0, 9) for digit in value}))
    if not digits:
        raise ValueError(f"{name} must name at least one digit 0-9, got {value!r}")
    return digits


def check_writable_dir(name: str, path) -> Path:
    """``path`` as a folder that exists (created if needed) and that we may write into."""
    try:
        path = Path(path).expanduser()
    except TypeError:
        raise TypeError(f"{name} must be a path, got {path!r} ({type(path).__name__})") from None
    if path.exists() and not path.is_dir():
        raise ValueError(f"{name} must be a folder, but {str(path)!r} is a file")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"{name} {str(path)!r} cannot be created: {error.strerror}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ValueError(f"{name} {str(path)!r} is not writable; choose a folder you can write to")
    return path
