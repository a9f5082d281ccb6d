"""Numbers as the analysis hands them on: float noise rounded away, NaN and None as None."""

from __future__ import annotations

import math

DIGITS = 6


def rounded(x: float | None) -> float | None:
    """Round away float noise; NaN and None become None (JSON has no NaN)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x), DIGITS)


def figure(x: float) -> float:
    """A computed figure with the float noise rounded away (its inputs are numbers, so it is
    one too)."""
    return round(float(x), DIGITS)


def percent_of(score: float | None, maximum: float | None) -> float | None:
    """Score as a percent of its maximum; None without a score or a maximum."""
    if score is None or not maximum:
        return None
    return rounded(score / maximum * 100)
