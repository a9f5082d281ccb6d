"""Text of data cells as published tables write it: folding for matching, cleaning, lenient
numbers, the marks of a missing value and the spellings of an index total. Shared by the
readers (:mod:`reportgen.data.load`), the groups table and validation."""

from __future__ import annotations

import math
import re
import unicodedata

TOTAL_ALIASES = {"total", "tong", "tongdiem", "tongcong", "chiso", "diemtong", "diemtonghop",
                 "chisotonghop", "tongdiemchiso", "diemchiso"}
# Cells published for a unit that has no value ("N/A", "-"): a missing value, not an error.
MISSING_MARKS = frozenset({"-", "–", "—", "n/a", "na", "#n/a", "..", "...", "k.x.h", "kxh"})


def fold(text: str) -> str:
    """Lower-case, accent-free, alphanumeric-only key for matching headers and labels."""
    decomposed = unicodedata.normalize("NFD", text.casefold()).replace("đ", "d")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]", "", plain)


def clean_text(value: object) -> str:
    """NFC, trimmed, inner whitespace collapsed; None/NaN become an empty string."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def parse_number(value: object) -> float | None:
    """Read "80,98", "80.98", "86,47%", "1.250,5", "1,250.5", "1 250" as numbers.

    With both separators the last one is the decimal mark; a single comma or a single dot is
    a decimal mark; several identical separators are thousands separators. Returns None for
    text that is not a number.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    text = clean_text(value).replace(" ", "").rstrip("%").strip()
    if not text:
        return None
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        text = text.replace(thousands, "").replace(decimal, ".")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif text.count(",") > 1:
        text = text.replace(",", "")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    return float(text) if _NUMBER.match(text) else None


def is_missing_mark(text: str) -> bool:
    """Whether a cell says "no value" the way published tables do ("N/A", "-")."""
    return text.strip().casefold() in MISSING_MARKS


def fold_total(component: str) -> bool:
    """Whether a component cell means the index total ("TOTAL", "Tổng điểm", "Chỉ số")."""
    return component == "TOTAL" or fold(component) in TOTAL_ALIASES
