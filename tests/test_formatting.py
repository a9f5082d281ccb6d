"""Vietnamese number and date formatting: what a clerk expects to read in the report."""

from __future__ import annotations

import datetime as dt

import pytest

from reportgen.config.search import SearchPath, packaged_dir
from reportgen.formatting import DateParts, date_parts, num, pad2, rank, signed, signed_places
from reportgen.narrate.labels import deadline, vn_date
from reportgen.narrate.phrases import phrase_environment


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (80.98, 2, "80,98"),
    (1250.5, 2, "1.250,50"),
    (47.525, 2, "47,53"),  # an exact half on paper rounds up, as in Excel
    (2.675, 2, "2,68"),  # binary round() gives 2.67
    (0.125, 2, "0,13"),
    (-0.001, 2, "0,00"),  # never "-0,00"
    (63, 0, "63"),
    (None, 2, "–"),
])
def test_num(value, decimals, text) -> None:
    assert num(value, decimals) == text


@pytest.mark.parametrize(("value", "text"), [
    (1.25, "+1,25"), (-8.37, "-8,37"), (0.004, "0,00"), (-0.004, "0,00"), (0.005, "+0,01"),
    (-0.005, "-0,01"),
])
def test_signed(value, text) -> None:
    assert signed(value) == text


def test_ranks_and_places_are_zero_padded_under_ten() -> None:
    assert (pad2(5), pad2(12), rank(5, 63), rank(5, 63, padded=False)) == ("05", "12", "05/63", "5/63")
    assert (signed_places(2), signed_places(-10), signed_places(0)) == ("+02", "-10", "0")


def test_date_figures_pad_day_and_the_first_two_months() -> None:
    assert date_parts(dt.date(2024, 1, 5)) == DateParts("05", "01", 2024)
    assert date_parts(dt.date(2024, 12, 25)) == DateParts("25", "12", 2024)
    assert date_parts(dt.date(2024, 3, 9)) == DateParts("09", "3", 2024)


@pytest.fixture(scope="module")
def env():  # the packaged phrase files: their nhan.j2 words dates and deadlines
    return phrase_environment(SearchPath((packaged_dir(),)))


def test_dates_in_words_follow_nd30(env) -> None:
    assert vn_date(env, dt.date(2024, 1, 5)) == "ngày 05 tháng 01 năm 2024"
    assert vn_date(env, dt.date(2024, 3, 9)) == "ngày 09 tháng 3 năm 2024"
    assert env.from_string("{{ d|vn_date }}").render(d=dt.date(2023, 5, 23)) == "ngày 23 tháng 5 năm 2023"


@pytest.mark.parametrize(("rule", "text"), [
    ({"kind": "quarter", "quarter": 3, "year": 2025}, "quý III năm 2025"),
    ({"kind": "date", "day": 30, "month": 6, "year": 2025}, "trước ngày 30 tháng 6 năm 2025"),
    ({"kind": "text", "text": "trong tháng 9", "year": 2025}, "trong tháng 9"),
    ({"kind": "ongoing", "year": 2025}, "thường xuyên"),
    (None, "thường xuyên"),
])
def test_deadlines_in_words(env, rule, text) -> None:
    assert deadline(env, rule) == text
    assert env.from_string("{{ r|deadline }}").render(r=rule) == text


@pytest.mark.parametrize("decimals", [0, 1, 2, 3])
def test_num_writes_what_babel_writes_for_the_vietnamese_locale(decimals: int) -> None:
    """num() formats by hand for speed; the text is Babel's vi "#,##0.00…" pattern's."""
    from babel.numbers import format_decimal
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from reportgen.formatting import rounded

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")

    @settings(max_examples=400, deadline=None)
    @given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False) | st.integers(-10**7, 10**7))
    def same(value: float) -> None:
        assert num(value, decimals) == format_decimal(rounded(value, decimals), format=pattern, locale="vi")

    same()
    assert num(1250.5, decimals) == format_decimal(rounded(1250.5, decimals), format=pattern, locale="vi")
