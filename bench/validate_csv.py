"""Validate time and peak memory of a large generated CSV (issue #14: a 200 MB CSV must
validate in at most 60 s and 1 GB).

    python bench/validate_csv.py              # 200 MB (about 1.24 M rows), 3 runs
    python bench/validate_csv.py --mb 20 -n 1 # a quick look

The file is generated here (``bench/out/``, not committed; regenerated only when missing or
of another size): units of communes in groups of about 100, the example index PAR_SO (7
fields and TOTAL, maxima given), several years, a source line on every row, decimal commas
as the published tables write them. Each run is ``reportgen validate --data FILE`` in a
fresh process; its wall time and its peak resident memory (``ru_maxrss`` of the child) are
printed with the median of the runs, then the targets met or not.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
MAXIMA = {"1": 12, "2": 10, "3": 22, "4": 10, "5": 14, "6": 12, "7": 20}
YEARS = (2022, 2023, 2024)  # the example framework PAR_SO starts in 2022
HEADER = "year,index,unit,component,score,max_score,rank,group,source\n"
SOURCE = "DỮ LIỆU THỬ HIỆU NĂNG hư cấu (reportgen bench), không phải số liệu công bố"
TARGET_S, TARGET_MB = 60.0, 1024.0


def generate(path: Path, megabytes: float) -> int:
    """Write the CSV (about ``megabytes`` MB); returns its number of data rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    target = int(megabytes * 1_000_000)
    rows = written = 0
    unit = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        written += len(HEADER.encode())
        while written < target:
            name = f"Xã Thử Nghiệm {unit:05d}"
            group = f"Cụm xã {unit // 100:03d}"
            lines = []
            for year in YEARS:
                share = 0.55 + ((unit * 37 + year * 11) % 40) / 100
                scores = {c: round(m * share, 2) for c, m in MAXIMA.items()}
                scores["TOTAL"] = round(sum(scores.values()), 2)
                for code, score in scores.items():
                    maximum = MAXIMA.get(code, "")
                    value = f"{score:.2f}".replace(".", ",")
                    lines.append(f'{year},PAR_SO,{name},{code},"{value}",{maximum},,{group},'
                                 f"{SOURCE}\n")
            chunk = "".join(lines)
            fh.write(chunk)
            written += len(chunk.encode())
            rows += len(lines)
            unit += 1
    return rows


def run_once(path: Path) -> tuple[float, float, float, str]:
    """(seconds, CPU seconds, peak MB, last line printed) of one ``reportgen validate`` in a
    new process. CPU time is what to compare on a shared machine: wall time grows with the
    others' load, CPU time much less."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from reportgen.cli import main; main()",
                           "validate", "--data", str(path)], capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kb, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu_before
    lines = (done.stdout + done.stderr).strip().splitlines()
    if done.returncode != 0:
        raise SystemExit(f"validate failed ({done.returncode}): {lines[-5:]}")
    # ru_maxrss of children is the largest child so far: runs grow from the first, so a
    # smaller later run reports the earlier peak (the first run is the one measured exactly)
    return seconds, cpu, max(peak_kb, before) / 1024, lines[-1] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="size of the generated CSV")
    parser.add_argument("-n", type=int, default=3, help="runs (the median is reported)")
    args = parser.parse_args()
    path = OUT / f"validate-{args.mb:g}mb.csv"
    if not path.is_file():
        started = time.perf_counter()
        rows = generate(path, args.mb)
        print(f"generated {path.name}: {rows:,} rows, {path.stat().st_size / 1e6:.0f} MB "
              f"in {time.perf_counter() - started:.0f} s")
    print(f"{path.name}: {path.stat().st_size / 1e6:.0f} MB")
    times, cpus, peaks = [], [], []
    for n in range(args.n):
        seconds, cpu, peak, last = run_once(path)
        times.append(seconds)
        cpus.append(cpu)
        peaks.append(peak)
        print(f"  run {n + 1}: {seconds:.1f} s ({cpu:.1f} s CPU), peak {peak:.0f} MB — {last[:80]}")
    t, m = statistics.median(times), max(peaks)
    print(f"median {t:.1f} s (range {min(times):.1f}–{max(times):.1f}), CPU median "
          f"{statistics.median(cpus):.1f} s, peak {m:.0f} MB")
    scale = 200.0 / args.mb
    print(f"{'ĐẠT' if t * scale <= TARGET_S else 'CHƯA'}: thời gian ≤ {TARGET_S:.0f} s cho 200 MB"
          + ("" if scale == 1 else f" (ước tính {t * scale:.0f} s)"))
    print(f"{'ĐẠT' if m <= TARGET_MB else 'CHƯA'}: bộ nhớ đỉnh ≤ {TARGET_MB:.0f} MB"
          + ("" if scale == 1 else " (đo trên tệp nhỏ hơn)"))


if __name__ == "__main__":
    main()
