"""Peak resident memory of this process's descendants (batch workers), read from /proc.

Workers start from a fork server, so they are not this process's children and
``RUSAGE_CHILDREN`` does not see them; their own high-water mark (``VmHWM``) does, and a
watcher thread samples it for every descendant while they live."""

from __future__ import annotations

import os
import threading
from pathlib import Path


def _parents() -> dict[int, int]:
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # the command name may hold spaces: the parent pid follows the closing ")"
        out[int(stat.parent.name)] = int(text.rsplit(")", 1)[1].split()[1])
    return out


def _hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class DescendantPeaks:
    """``with DescendantPeaks() as peaks:`` … ``peaks.by_pid``: peak MB of each descendant
    seen (the fork server included), sampled every ``interval`` seconds."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval, self.by_pid = interval, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _sample(self) -> None:
        parents, me = _parents(), os.getpid()
        for pid in parents:
            ancestor = parents.get(pid)
            while ancestor not in (None, 0, 1, me):
                ancestor = parents.get(ancestor)
            if ancestor == me:
                mb = _hwm_mb(pid)
                if mb is not None:
                    self.by_pid[pid] = max(mb, self.by_pid.get(pid, 0.0))

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> DescendantPeaks:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def worker_peak(self) -> float:
        """The largest peak of a worker (0 when there was none: a one-process batch)."""
        return max(self.by_pid.values(), default=0.0)
