"""Screening of the loaded table before the row checks: what would break a document or
silently split one unit in two is found here, located, so that ``validate`` is the gate.

- Names printed in the documents (unit, group, source) holding control characters (which no
  Word document may contain) are errors; invisible format characters (zero-width space,
  soft hyphen, direction marks, BOM) are removed, with a warning.
- A unit in two groups of one index and year is an error (its ranks would be computed in
  one group and looked up in the other).
- A maximum score that is zero or negative is an error (every percentage divides by it).
- Names that differ only by case, spacing or invisible characters (e.g. across years) get a
  warning suggesting the merge: otherwise the report of the later year calls it a new unit.

The checks work on distinct values, not rows, so a table of millions of rows costs little.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import replace
from typing import Any, cast

import pandas as pd

from reportgen.data.load import Loaded
from reportgen.errors import Issue, Location

NAME_COLUMNS = ("unit", "group", "source")  # printed in the documents
MERGE_COLUMNS = ("unit", "group")  # one spelling per name expected
WORDS = {"unit": "tên đơn vị", "group": "tên nhóm", "source": "nguồn số liệu"}
_SPACES = re.compile(r"\s+")
# characters XML 1.0 (a Word document) cannot hold besides the C0/C1 controls
_NON_XML = {0xFFFE, 0xFFFF}


def _bad_char(c: str) -> bool:
    """A character no document may contain: a control character, a lone surrogate or a
    non-character."""
    return unicodedata.category(c) in ("Cc", "Cs") or ord(c) in _NON_XML


def _invisible(c: str) -> bool:
    """A character with no glyph that changes nothing but comparisons (zero-width space,
    joiners, soft hyphen, direction marks, BOM)."""
    return unicodedata.category(c) == "Cf"


def _codes(text: str, bad: bool = True) -> str:
    found = dict.fromkeys(c for c in text if (_bad_char(c) if bad else _invisible(c)))
    return ", ".join(f"U+{ord(c):04X}" for c in found)


def merge_key(name: str) -> str:
    """What two spellings of one name share: case, spacing and invisible characters aside."""
    text = unicodedata.normalize("NFC", "".join(c for c in name if not _invisible(c)))
    return _SPACES.sub("", text.casefold())


def _where(frame: pd.DataFrame, index: Hashable, column: str) -> Location:
    row: Any = frame.loc[cast(Any, index)]  # a label of the frame's index
    number: Any = row.get("_row")  # a row number, or NaN/blank when unknown
    file, sheet = row.get("_file"), row.get("_sheet")
    return Location(file=file if isinstance(file, str) and file else None,
                    sheet=sheet if isinstance(sheet, str) and sheet else None,
                    row=int(number) if number not in (None, "") and not pd.isna(number) else None,
                    column=column)


def _first(frame: pd.DataFrame, column: str, values: Iterable[str]) -> dict[str, Hashable]:
    """Index label of the first row holding each of ``values`` in ``column``."""
    wanted = set(values)
    hits = frame.loc[frame[column].isin(wanted), column]
    return {value: label for label, value in hits.drop_duplicates().items()}


def _names(frame: pd.DataFrame, issues: list[Issue]) -> pd.DataFrame:
    """Control characters → errors; invisible characters → removed, with a warning."""
    for column in NAME_COLUMNS:
        if column not in frame:
            continue
        values = [v for v in frame[column].unique() if isinstance(v, str) and v]
        bad = [v for v in values if any(_bad_char(c) for c in v)]
        hidden = {v: _SPACES.sub(" ", "".join(c for c in v if not _invisible(c))).strip()
                  for v in values if v not in bad and any(_invisible(c) for c in v)}
        counts = frame[column].value_counts() if bad or hidden else None
        firsts = _first(frame, column, [*bad, *hidden])
        for value in bad:
            n = int(counts[value]) if counts is not None else 1
            issues.append(Issue(
                f"{WORDS[column]} chứa ký tự điều khiển ({_codes(value)}) mà văn bản Word không "
                f"chứa được; hãy xóa ký tự đó trong tệp dữ liệu ({n} dòng)",
                _where(frame, firsts[value], column), value, "error", "control_character"))
        for value, cleaned in hidden.items():
            n = int(counts[value]) if counts is not None else 1
            issues.append(Issue(
                f"{WORDS[column]} chứa ký tự ẩn ({_codes(value, bad=False)}); đã bỏ ký tự đó, "
                f"đọc là {cleaned!r} ({n} dòng)", _where(frame, firsts[value], column), value,
                "warning", "invisible_character"))
        if hidden:
            frame = frame.copy()  # the caller's table is left as it was read
            frame[column] = frame[column].replace(hidden)
    return frame


def _not_positive(text: str) -> bool:
    """"0", "0,00", "-5", "-1,5%": a number written as zero or below (separators aside)."""
    digits = re.sub(r"[^0-9]", "", text)
    return bool(digits) and (text.strip().startswith("-") or set(digits) == {"0"})


def _maxima(frame: pd.DataFrame, issues: list[Issue]) -> None:
    """A maximum score of zero or below is an error."""
    if "max_score" not in frame:
        return
    values = [v for v in frame["max_score"].unique() if isinstance(v, str) and v]
    wrong = [v for v in values if _not_positive(v)]
    firsts = _first(frame, "max_score", wrong)
    for value in wrong:
        issues.append(Issue("điểm tối đa phải lớn hơn 0 (mọi tỷ lệ phần trăm đều chia cho nó)",
                            _where(frame, firsts[value], "max_score"), value, "error",
                            "max_not_positive"))


def _one_group(frame: pd.DataFrame, issues: list[Issue]) -> None:
    """A unit belongs to one group per index and year."""
    needed = ("year", "index", "unit", "group")
    if frame.empty or any(c not in frame for c in needed):
        return
    keys = frame[list(needed)]
    counts = keys.groupby(["year", "index", "unit"], sort=False, dropna=False)["group"].nunique(
        dropna=False)
    split = counts[counts > 1]
    for year, index, unit in split.index:
        rows = keys[(keys["year"] == year) & (keys["index"] == index) & (keys["unit"] == unit)]
        sizes = rows["group"].value_counts(dropna=False)
        named = "; ".join(f"'{g or '(trống)'}' ({n} dòng, đầu tiên dòng "
                          f"{_where(frame, rows.index[rows['group'] == g][0], 'group').row})"
                          for g, n in sizes.items())
        minority = sizes.index[-1]
        first = rows.index[rows["group"] == minority][0]
        issues.append(Issue(
            f"đơn vị '{unit}' thuộc {len(sizes)} nhóm trong {index} năm {year}: {named}. Một "
            "đơn vị chỉ thuộc một nhóm trong một chỉ số, một năm: hãy sửa cột group",
            _where(frame, first, "group"), minority, "error", "unit_in_two_groups"))


def _spellings(frame: pd.DataFrame, issues: list[Issue]) -> None:
    """Names that differ only by case, spacing or invisible characters: a warning naming the
    spellings, their years and the merge."""
    for column in MERGE_COLUMNS:
        if column not in frame:
            continue
        values = [v for v in frame[column].unique() if isinstance(v, str) and v]
        by_key: dict[str, list[str]] = {}
        for value in values:
            by_key.setdefault(merge_key(value), []).append(value)
        variants = [names for names in by_key.values() if len(names) > 1]
        if not variants:
            continue
        counts = frame[column].value_counts()
        firsts = _first(frame, column, [v for names in variants for v in names])
        for names in variants:
            years = {v: sorted({str(y) for y in frame.loc[frame[column] == v, "year"]})
                     for v in names}
            # the spelling of the latest year (what this year's reports print), then the commonest
            ordered = sorted(names, key=lambda v: (max(years[v], default=""), int(counts[v])),
                             reverse=True)
            main, others = ordered[0], ordered[1:]
            main_years = years[main]
            for other in others:
                issues.append(Issue(
                    f"{WORDS[column]} {other!r} (năm {', '.join(years[other])}) và {main!r} (năm "
                    f"{', '.join(main_years)}) chỉ khác nhau ở chữ hoa/thường, khoảng trắng hoặc "
                    f"ký tự ẩn: nếu là một, hãy sửa thành {main!r} cho thống nhất (nếu không, "
                    "báo cáo coi là hai đơn vị khác nhau)",
                    _where(frame, firsts[other], column), other, "warning", "name_variant"))


def screen(loaded: Loaded, issues: list[Issue]) -> Loaded:
    """Check the loaded table (see the module's description); returns it with invisible
    characters removed from names, and adds what it found to ``issues``."""
    frame = loaded.frame
    if frame.empty:
        return loaded
    cleaned = _names(frame, issues)
    _maxima(cleaned, issues)
    _one_group(cleaned, issues)
    _spellings(cleaned, issues)
    return loaded if cleaned is frame else replace(loaded, frame=cleaned)
