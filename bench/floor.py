"""The floor of one report: the same charts drawn by bare matplotlib (same size, dpi and data,
no styling beyond defaults) plus saving a python-docx document holding those images."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
from docx import Document  # noqa: E402
from docx.shared import Cm  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

CM = 1 / 2.54


def _values(series) -> list[float]:
    return [0.0 if v is None else float(v) for v in series.values]


def bare_png(spec, dpi: int) -> bytes:
    """One chart of the spec's kind, drawn the plain way."""
    fig = Figure(figsize=(spec.width_cm * CM, spec.height_cm * CM), dpi=dpi)
    n = len(spec.categories)
    if spec.kind == "radar":
        import numpy as np

        ax = fig.add_subplot(projection="polar")
        angles = np.linspace(0, 2 * np.pi, n, endpoint=False).tolist()
        for s in spec.series:
            vals = _values(s)
            ax.plot(angles + angles[:1], vals + vals[:1])
        ax.set_xticks(angles, spec.categories)
    else:
        ax = fig.add_subplot()
        if spec.kind == "peer_bars":
            ax.barh(range(n), _values(spec.series[0]))
            ax.set_yticks(range(n), spec.categories)
            if spec.reference is not None:
                ax.axvline(spec.reference)
        elif spec.kind == "change_bars":
            ax.barh(range(n), _values(spec.series[0]))
            ax.set_yticks(range(n), spec.categories)
        else:
            width = 0.8 / len(spec.series)
            for k, s in enumerate(spec.series):
                bars = ax.bar([i + k * width for i in range(n)], _values(s), width)
                ax.bar_label(bars)
            ax.set_xticks(range(n), spec.categories)
            if spec.secondary is not None:
                ax.twinx().plot(range(n), _values(spec.secondary))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def floor_document(specs, dpi: int) -> bytes:
    """Bare charts + a python-docx document with them, saved to memory."""
    doc = Document()
    for spec in specs:
        doc.add_picture(io.BytesIO(bare_png(spec, dpi)), width=Cm(spec.width_cm))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
