"""Vietnamese number and date formatting, exposed to phrase templates as filters.

Conventions of the report: decimal comma and dot thousands ("1.250,5"; "80,98"); ranks and
counts under 10 zero-padded where the template asks ("xếp thứ 05/63", "tăng 02 bậc"); dates
"ngày 05 tháng 01 năm 2024" (day < 10 and months 1–2 zero-padded, ND30 Phụ lục I II.4.b).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypedDict

LOCALE = "vi"
ROMAN = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
DASH = "–"
LETTERS = "abcdđeghiklmnopqrstuvxy"  # Vietnamese item letters: đ after d, no f/j/w/z


def rounded(value: float | int | Decimal, decimals: int = 2) -> Decimal:
    """The value as written on paper: its shortest decimal form rounded half up, as Excel
    and the published tables do (47.525 → 47.53, where binary ``round`` gives 47.52)."""
    exact = Decimal(repr(float(value)))
    result = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return result if result else abs(result)  # never "-0,00"


_VI_SEPARATORS = str.maketrans(",.", ".,")


def num(value: float | int | Decimal | None, decimals: int = 2) -> str:
    """80.98 → "80,98"; 1250.5 → "1.250,50"; None → "–". The same text as Babel's
    ``format_decimal(…, "#,##0.00", locale="vi")``, five times faster (a report formats
    thousands of numbers): the rounded Decimal written with grouping, separators swapped."""
    if value is None:
        return DASH
    return f"{rounded(value, decimals):,.{decimals}f}".translate(_VI_SEPARATORS)


def signed(value: float | int | None, decimals: int = 2) -> str:
    """Change with its sign: "+0,22", "-0,82", "0,00"."""
    if value is None:
        return DASH
    q = rounded(value, decimals)
    text = num(abs(q), decimals)
    return ("+" + text) if q > 0 else ("-" + text) if q < 0 else text


def pad2(value: int | float | None) -> str:
    """Counts and ranks under 10 with a leading zero: 5 → "05", 12 → "12"."""
    if value is None:
        return DASH
    n = int(value)
    return f"{n:02d}" if 0 <= n < 10 else str(n)


def signed_places(value: int | None) -> str:
    """Change in places for tables: "+05", "-06", "0"."""
    if value is None:
        return DASH
    if value == 0:
        return "0"
    return ("+" if value > 0 else "-") + pad2(abs(value))


def rank(value: int | None, of: int | None = None, padded: bool = True) -> str:
    """"05/63" (or "5/63" unpadded); "–" when there is no rank."""
    if value is None:
        return DASH
    shown = pad2(value) if padded else str(value)
    return f"{shown}/{of}" if of else shown


@dataclass(frozen=True)
class DateParts:
    """The figures of an ND30 date as printed: day always two digits, months 1–2 two digits
    ("05", "01", 2024); the words around them are in ``phrases/nhan.j2`` (macro ``ngay``)."""

    day: str
    month: str
    year: int


def date_parts(value: dt.date) -> DateParts:
    """The printed figures of an ND30 date (Phụ lục I II.4.b of Nghị định 30/2020)."""
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return DateParts(f"{value.day:02d}", month, value.year)


def roman(n: int) -> str:
    return ROMAN[n] if 0 < n < len(ROMAN) else str(n)


def letter(n: int) -> str:
    """Vietnamese item letters for "a)", "b)", … (đ after d, no f/j/w/z)."""
    return LETTERS[n] if 0 <= n < len(LETTERS) else str(n + 1)


class DeadlineRule(TypedDict, total=False):
    """A resolved deadline rule (``config.rules.Deadline.resolve``): ``kind`` is ``quarter``
    (with ``quarter``), ``date`` (with ``day`` and ``month``), ``text`` (with ``text``) or
    ``ongoing``; ``year`` is the action year."""

    kind: str
    quarter: int
    day: int
    month: int
    text: str | None
    year: int


FILTERS: dict[str, Callable[..., str]] = {
    "num": num,
    "signed": signed,
    "pad2": pad2,
    "signed_places": signed_places,
    "rank": rank,
    "roman": roman,
    "letter": letter,
}
