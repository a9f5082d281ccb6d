"""Where the units of a batch are rendered: a local pool of worker processes, or a Dask cluster.

The executors know nothing of reports: they call ``work(spec, job)`` for each job in a worker
that ran ``init(spec)`` once (both module-level functions, so that they pickle).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Protocol, TypeVar

from reportgen.batch.jobs import JobSpec, Result, UnitJob
from reportgen.errors import OutputError

Work = Callable[[JobSpec, UnitJob], Result]
Init = Callable[[JobSpec], Any]

IN_FLIGHT = 4  # jobs in flight per worker: enough to keep workers busy, memory bounded

# Imported by the fork server once, so that each worker starts with them loaded; matplotlib
# only when the batch draws pictures (worker_preload): native Word charts never import it.
WORKER_PRELOAD = ["reportgen.app", "reportgen.docx.render", "reportgen.narrate.unit",
                  "reportgen.charts.native", "docxtpl"]
PNG_PRELOAD = ["reportgen.charts.mpl"]


def worker_preload(spec: JobSpec) -> list[str]:
    """What the fork server imports for ``spec``'s workers: matplotlib with ``--charts png``
    only (a report.yaml choosing pictures loads it in each worker at its first chart)."""
    return WORKER_PRELOAD + (PNG_PRELOAD if spec.charts == "png" else [])


PR_SET_PDEATHSIG = 1  # prctl(2) option: a signal sent to this process when its parent dies
WATCH_INTERVAL_S = 1.0  # where pidfd_open is missing: how often a worker checks the batch


def _parent_death_signal() -> None:
    """Ask the kernel to kill this process when its parent (the fork server) dies."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user took the number: ours is gone
        return False
    return True


def _watch(batch_pid: int) -> None:
    """Wait until the batch process ends (killed with -9 too), then end this worker at once."""
    try:
        fd = os.pidfd_open(batch_pid)
    except (OSError, AttributeError):
        while _alive(batch_pid):
            threading.Event().wait(WATCH_INTERVAL_S)
    else:
        select.select([fd], [], [])  # readable when the process has exited
    os._exit(1)


def die_with(batch_pid: int) -> None:
    """Make this worker end with the batch process ``batch_pid`` however it ends (kill -9,
    OOM, systemd), never outlive it: the kernel's parent-death signal, and a watcher thread
    on the batch process itself (a worker's parent is the fork server, not the batch).
    Ctrl-C reaches every process of the terminal: it is the batch's to handle, not the
    worker's (no traceback from workers)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _parent_death_signal()
    if not _alive(batch_pid):  # gone before the watch began
        os._exit(1)
    threading.Thread(target=_watch, args=(batch_pid,), name="reportgen-watch", daemon=True).start()


def _init_worker(init: Init, spec: JobSpec, batch_pid: int) -> None:
    """The pool's initializer: tie the worker to the batch, then the caller's ``init``; what
    it built (toolkit, modules) lives as long as this worker of one batch, so it is frozen
    out of the cyclic garbage collector's walks for good (``gc.freeze``): each report's
    collections then walk only that report's objects."""
    import gc

    die_with(batch_pid)
    init(spec)
    gc.freeze()


def start_fork_server() -> None:
    """Start the fork server (and the resource tracker) ignoring Ctrl-C from birth: a Ctrl-C
    while it imports :data:`WORKER_PRELOAD` would print its traceback, and the parent handles
    Ctrl-C for the whole batch. A signal ignored at ``exec`` stays ignored in the new
    process; the parent ignores it only for the instant of the spawn."""
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool now: pending jobs cancelled, running workers killed (an interrupted or
    abandoned batch does not wait for reports nobody will write)."""
    processes = dict(getattr(pool, "_processes", None) or {})
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes.values():
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.kill()
    for process in processes.values():
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            process.join(5)


class _Future(Protocol):
    """A submitted job: a ``concurrent.futures`` or a Dask future."""

    def result(self) -> Result: ...


F = TypeVar("F", bound=_Future)


def _windowed(submit: Callable[[UnitJob], F], jobs: Iterator[UnitJob], window: int,
              wait_any: Callable[[set[F]], tuple[set[F], set[F]]]) -> Iterator[Result]:
    """Submit ``jobs`` lazily, at most ``window`` in flight; yield results as they come."""
    pending: set[F] = set()
    for job in jobs:
        pending.add(submit(job))
        if len(pending) >= window:
            done, pending = wait_any(pending)
            yield from (f.result() for f in done)
    while pending:
        done, pending = wait_any(pending)
        yield from (f.result() for f in done)


class LocalExecutor:
    """A pool of worker processes (default: one per core), started from a fork server that
    has the heavy modules imported: a worker starts fast and holds none of the parent's
    data; each builds its toolkit once."""

    def __init__(self, spec: JobSpec, jobs: int, work: Work, init: Init) -> None:
        self.spec, self.jobs, self.work, self.init = spec, max(1, jobs), work, init

    def run(self, jobs: Iterator[UnitJob]) -> Iterator[Result]:
        if self.jobs == 1:
            self.init(self.spec)
            for job in jobs:
                yield self.work(self.spec, job)
            return
        import multiprocessing

        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(worker_preload(self.spec))
        start_fork_server()
        pool = ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_init_worker,
                                   initargs=(self.init, self.spec, os.getpid()))
        try:
            yield from _windowed(lambda job: pool.submit(self.work, self.spec, job), jobs,
                                 self.jobs * IN_FLIGHT,
                                 lambda pending: wait(pending, return_when=FIRST_COMPLETED))
        except BaseException:  # interrupted, a failure, or the caller stopped early
            _kill_workers(pool)
            raise
        pool.shutdown(wait=True)


class DaskExecutor:
    """The same work on a Dask distributed cluster (``--scheduler tcp://host:port``)."""

    def __init__(self, spec: JobSpec, scheduler: str, work: Work) -> None:
        self.spec, self.scheduler, self.work = spec, scheduler, work

    def run(self, jobs: Iterator[UnitJob]) -> Iterator[Result]:
        try:
            from dask.distributed import Client, Future
            from dask.distributed import wait as dask_wait
        except ImportError as exc:
            raise OutputError("Chạy trên cụm Dask cần cài thêm: pip install 'reportgen[dask]'") from exc
        with Client(self.scheduler) as client:
            workers = max(1, sum(client.nthreads().values()))

            def wait_any(pending: set[Future[Result]]) -> tuple[set[Future[Result]],
                                                                 set[Future[Result]]]:
                done, rest = dask_wait(pending, return_when="FIRST_COMPLETED")
                return set(done), set(rest)

            yield from _windowed(lambda job: client.submit(self.work, self.spec, job, pure=False),
                                 jobs, workers * IN_FLIGHT, wait_any)
