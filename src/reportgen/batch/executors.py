"""Where the units of a batch are rendered: a local pool of worker processes, or a Dask cluster.

The executors know nothing of reports: they call ``work(spec, job)`` for each job in a worker
that ran ``init(spec)`` once (both module-level functions, so that they pickle).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Protocol, TypeVar

from reportgen.batch.jobs import JobSpec, Result, UnitJob
from reportgen.errors import OutputError

Work = Callable[[JobSpec, UnitJob], Result]
Init = Callable[[JobSpec], Any]

IN_FLIGHT = 4  # jobs in flight per worker: enough to keep workers busy, memory bounded

# Imported by the fork server once, so that each worker starts with them loaded.
WORKER_PRELOAD = ["reportgen.app", "reportgen.docx.render", "reportgen.narrate.unit",
                  "reportgen.charts.mpl", "docxtpl"]


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
        ctx.set_forkserver_preload(WORKER_PRELOAD)
        with ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=self.init,
                                 initargs=(self.spec,)) as pool:
            yield from _windowed(lambda job: pool.submit(self.work, self.spec, job), jobs,
                                 self.jobs * IN_FLIGHT,
                                 lambda pending: wait(pending, return_when=FIRST_COMPLETED))


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
