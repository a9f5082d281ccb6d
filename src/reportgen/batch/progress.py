"""Progress of a batch: a rich bar on a terminal, one plain line per unit otherwise (cron mail)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from reportgen.batch.plan import Progress


def console_progress(total: int, stream: TextIO | None = None) -> tuple[Progress, Callable[[], None]]:
    """A rich progress bar on a terminal, plain one-line-per-unit logs otherwise (cron mail)."""
    stream = stream or sys.stderr
    words = {"generated": "đã tạo", "skipped": "không đổi, bỏ qua", "failed": "LỖI"}
    if stream.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), transient=True)
        task = bar.add_task("Đang tạo báo cáo", total=total)
        bar.start()

        def update(unit: str, status: str, detail: str) -> None:
            if status == "failed":
                bar.console.print(f"[red]{unit}: {words[status]}: {detail}[/red]")
            if not unit.startswith("tổng hợp"):
                bar.advance(task)

        return update, bar.stop
    done = [0]

    def log(unit: str, status: str, detail: str) -> None:
        if not unit.startswith("tổng hợp"):
            done[0] += 1
        print(f"[{done[0]}/{total}] {unit}: {words.get(status, status)}: {detail}", file=stream, flush=True)

    return log, lambda: None
