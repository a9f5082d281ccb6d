"""Chart specifications → drawn charts (or the reason each was left out), for the render stage.

Two backends: ``native`` (the default) makes editable Word charts (:mod:`.native`: chart XML
and workbook, placed by the render stage), ``png`` draws pictures with matplotlib
(:mod:`.mpl`). Kinds without a Word chart type (the heatmap) are pictures in either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

from reportgen.charts.spec import GAP, ChartSpec, too_little_data

Backend = Literal["native", "png"]
BACKENDS: Final[tuple[Backend, ...]] = ("native", "png")
NATIVE: Final = "native"
PNG: Final = "png"

# A 1×1 white PNG: dry runs (templates check) place it instead of drawing each chart.
PLACEHOLDER_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8"
    "ffff3f0005fe02fea7d6a4e00000000049454e44ae426082")


def draw_charts(specs: Mapping[str, Sequence[ChartSpec]], dpi: int,
                backend: Backend = PNG) -> dict[str, list[dict[str, Any]]]:
    """Draw each chart specification, or record why it was left out (``omitted``: a
    :class:`~reportgen.charts.spec.Gap`, worded later by the narrative stage).

    ``backend`` "native": a chart dict holds ``native``, a
    :class:`~reportgen.charts.native.NativeChart` (built even in a dry run: it costs a few
    milliseconds); "png" or a kind without a native form: ``png`` bytes, and ``dpi`` 0 means
    a dry run that places a blank image of the right size instead of drawing."""
    if backend not in BACKENDS:
        raise ValueError(f"chart backend {backend!r} not in {BACKENDS}")
    return {section: [_chart(spec, dpi, backend) for spec in items] for section, items in specs.items()}


def _chart(spec: ChartSpec, dpi: int, backend: Backend = PNG) -> dict[str, Any]:
    gap = too_little_data(spec)
    if gap is not None:
        return {"kind": spec.kind, "omitted": gap}
    if backend == NATIVE:
        from reportgen.charts.native import build, is_native

        if is_native(spec):
            return _with_excerpt({"kind": spec.kind, "native": build(spec), "width_cm": spec.width_cm,
                                  "height_cm": spec.height_cm, "alt_text": spec.alt_text}, spec)
    if dpi > 0:
        from reportgen.charts.mpl import draw  # matplotlib only where charts are drawn

        drawn = draw(spec, dpi)
        png, width, height, alt = drawn.png, drawn.width_cm, drawn.height_cm, drawn.alt_text
    else:
        png, width, height, alt = PLACEHOLDER_PNG, spec.width_cm, spec.height_cm, spec.alt_text
    chart: dict[str, Any] = {"kind": spec.kind, "png": png, "width_cm": width, "height_cm": height,
                             "alt_text": alt}
    return _with_excerpt(chart, spec)


def _with_excerpt(chart: dict[str, Any], spec: ChartSpec) -> dict[str, Any]:
    """A long peer list's excerpt: how many peers are shown of how many."""
    if spec.excerpt_of is not None:
        shown = len(spec.categories) - spec.categories.count(GAP)
        chart["excerpt"] = {"shown": shown, "of": spec.excerpt_of}
    return chart
