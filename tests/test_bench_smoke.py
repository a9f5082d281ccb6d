"""The benchmark runs (a smoke test, not a timed test: no figure is asserted)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "run.py"


def load_bench():
    sys.path.insert(0, str(BENCH.parent))
    spec = importlib.util.spec_from_file_location("bench_run", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_smoke(tmp_path: Path):
    bench = load_bench()
    report = bench.per_report(runs=1)
    assert report["charts"] > 0 and report["report_s"] > 0 and report["floor_s"] > 0
    figures = bench.batch((3,), "PAR_INDEX", tmp_path)
    assert figures["3_jobs1"]["generated"] == 3 and figures["3_jobs2"]["generated"] == 3
    assert figures["3_rerun_unchanged"]["skipped"] == 3
    assert figures["3_jobs2_png"]["generated"] == 3 and figures["communes_estimate_s_png"] > 0
    rows = bench.targets({"per_report": report, "batch": figures})
    assert len(rows) == 6 and all(isinstance(met, bool) for _, _, met in rows)
    both = bench.backends(runs=1)  # native Word charts against PNG pictures, same report
    assert both["native_s"] > 0 and both["png_s"] > 0 and both["native_kb"] > 0
    rows = bench.targets({"per_report": report, "batch": figures, "backends": both})
    assert len(rows) == 9  # the native report interleaved with PNG ones and alone
