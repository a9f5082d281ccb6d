"""Progress of a batch: a rich bar on a terminal, one plain line per unit otherwise (cron mail)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from reportgen.batch.plan import Progress

# The words of a batch's progress lines and of its manifest (messages to the user, not report
# text): the overview of a group is named "tổng hợp <group>" in progress lines.
OVERVIEW = "tổng hợp"
UNKNOWN_ERROR = "lỗi không rõ"  # a unit failed without a message
SAMPLE_DATA = "(dữ liệu mẫu)"  # the manifest's data input when no --data was given


def overview_name(group: str) -> str:
    """The overview of ``group`` in progress lines: "tổng hợp Khối sở"."""
    return f"{OVERVIEW} {group}"


def overview_entry(group: str) -> str:
    """The overview of ``group`` in the manifest: "tổng hợp: Khối sở"."""
    return f"{OVERVIEW}: {group}"


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
            if not unit.startswith(OVERVIEW):
                bar.advance(task)

        return update, bar.stop
    done = [0]

    def log(unit: str, status: str, detail: str) -> None:
        if not unit.startswith(OVERVIEW):
            done[0] += 1
        print(f"[{done[0]}/{total}] {unit}: {words.get(status, status)}: {detail}", file=stream, flush=True)

    return log, lambda: None
