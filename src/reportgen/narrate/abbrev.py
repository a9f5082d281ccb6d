"""Abbreviations spelled out on first use: "cải cách hành chính (CCHC)" the first time the body
text uses "CCHC", the short form after that (ND30 practice; #12, point 9).

The glossary is user data (``abbreviations`` in report.yaml). Only running text is changed —
the opening paragraph, paragraphs, bullets, lead-ins, solutions — in document order; the
subject, legal bases, headings, captions and table cells keep their short forms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

# context keys whose strings are not running text: the formal parts, headings, captions,
# tables, charts, appendices (document order is the context's key order)
NOT_TEXT = frozenset({"report", "sections", "summary", "rows", "charts", "appendices", "caption",
                      "heading", "source", "unit_note", "label", "note", "lines", "request",
                      "unit", "png", "native", "kind", "alt_text", "highlight"})


def spell_out(context: Any, glossary: Mapping[str, str], keep: Collection[str] = ()) -> Any:
    """``context`` with the first use of each glossary abbreviation in its running text
    written as "full form (ABBR)" (not inside brackets, where titles and sources are quoted);
    an abbreviation already introduced as "(ABBR)" is left;
    the texts of ``keep`` (a draft's highlighted suggestions, found again by their text)
    are not changed."""
    if not glossary:
        return context
    patterns = {abbr: re.compile(rf"(?<![\w(]){re.escape(abbr)}(?![\w)])")
                for abbr in glossary if abbr}
    introduced: set[str] = set()

    def expand(text: str) -> str:
        if text in keep:
            return text
        for abbr, pattern in patterns.items():
            if abbr in introduced or abbr not in text:
                continue
            if f"({abbr})" in text:
                introduced.add(abbr)
                continue
            found = next((m for m in pattern.finditer(text) if not _in_brackets(text, m.start())),
                         None)
            if found is None:  # only inside brackets: a title or a source quoted as written
                continue
            introduced.add(abbr)
            full = glossary[abbr]
            if _starts_sentence(text, found.start()):
                full = full[:1].upper() + full[1:]
            text = f"{text[:found.start()]}{full} ({abbr}){text[found.end():]}"
        return text

    report = context.get("report") if isinstance(context, dict) else None
    if isinstance(report, dict) and isinstance(report.get("intro"), str):
        report["intro"] = expand(report["intro"])  # the opening paragraph is the first text
    return _walk(context, expand)


def _in_brackets(text: str, at: int) -> bool:
    """Whether position ``at`` is inside "( … )" (a quoted title, a source)."""
    before = text[:at]
    return before.count("(") > before.count(")")


def _starts_sentence(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in ".:;!?-–"


def _walk(value: Any, expand: Callable[[str], str]) -> Any:
    """Apply ``expand`` to every running-text string, in order, in place where mutable."""
    if isinstance(value, str):
        return expand(value)
    if isinstance(value, list):
        for n, item in enumerate(value):
            value[n] = _walk(item, expand)
        return value
    if isinstance(value, dict):
        for key in list(value):
            if key not in NOT_TEXT:
                value[key] = _walk(value[key], expand)
        return value
    return value
