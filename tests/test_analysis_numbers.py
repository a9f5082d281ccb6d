"""analysis/numbers: numbers as the analysis hands them on (float noise rounded away, NaN and
None as None, JSON-safe) and a score as a percent of its maximum."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from reportgen.analysis.numbers import DIGITS, percent_of, rounded


@pytest.mark.parametrize("missing", [None, float("nan"), math.nan, np.float64("nan"), np.nan])
def test_missing_numbers_become_none(missing):
    assert rounded(missing) is None


def test_float_noise_is_rounded_away():
    assert rounded(0.1 + 0.2) == 0.3
    assert rounded(80.98 - 42.29) == 38.69  # 38.690000000000005 in binary
    assert rounded(80.3 - 80.30000000000001) == 0.0
    assert json.dumps([rounded(0.1 + 0.2), rounded(math.nan)]) == "[0.3, null]"


def test_meaningful_digits_are_kept():
    assert rounded(52.8625) == 52.8625
    assert rounded(1 / 3) == round(1 / 3, DIGITS) == 0.333333


def test_integers_and_numpy_numbers_become_plain_floats():
    for value in (5, np.int64(5), np.float64(5.0), np.float32(5.0)):
        result = rounded(value)
        assert result == 5.0 and type(result) is float


def test_percent_of_the_maximum():
    assert percent_of(42.29, 80) == 52.8625
    assert percent_of(8.82, 9.0) == 98.0
    assert percent_of(0.0, 13.5) == 0.0  # a zero score is a score
    assert percent_of(6.5, 6.5) == 100.0


@pytest.mark.parametrize("maximum", [None, 0, 0.0])
def test_percent_without_a_maximum_is_none(maximum):
    assert percent_of(42.29, maximum) is None


def test_percent_without_a_score_is_none():
    assert percent_of(None, 80) is None
