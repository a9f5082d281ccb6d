"""Charts: a backend-neutral specification (:mod:`.spec`) and its drawers (:mod:`.mpl`: PNG).

Importing this package does not import matplotlib: the drawing names (``draw``, ``render_png``,
``ChartImage``) are loaded on first use, so spec-only code (figures, native charts) stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from reportgen.charts.spec import KINDS, ChartSpec, Gap, Series, too_little_data

__all__ = ["KINDS", "ChartImage", "ChartSpec", "Gap", "Series", "draw", "render_png", "too_little_data"]

_LAZY = {"ChartImage", "draw", "render_png"}


def __getattr__(name: str) -> Any:
    """Load the matplotlib backend only when a drawing name is asked for."""
    if name in _LAZY:
        return getattr(import_module(".mpl", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
