"""batch/executors: the local pool runs ``init(spec)`` once per worker and ``work(spec, job)``
per job; every result comes back. The work functions are module-level so that they pickle
(the pool starts its workers from a fork server, as the batch does)."""

from __future__ import annotations

import os
from collections.abc import Iterator

from reportgen.batch.executors import IN_FLIGHT, LocalExecutor
from reportgen.batch.jobs import JobSpec, Result, UnitJob

SPEC = JobSpec(data=None, templates=None, config=None, year=2024, dpi=0)
CALLS: list[tuple[str, ...]] = []  # what the in-process executor (1 job) did, in order
STATE: dict[str, str] = {}  # a worker's state, built by init


def init(spec: JobSpec) -> None:
    CALLS.append(("init", str(spec.year)))
    STATE["inits"] = str(int(STATE.get("inits", "0")) + 1)
    STATE["built"] = f"{spec.year}:{os.getpid()}:{STATE['inits']}"


def work(spec: JobSpec, job: UnitJob) -> Result:
    CALLS.append(("work", job.unit))
    if "built" not in STATE:  # work before init: the worker has no toolkit
        return job.unit, None, "chưa khởi tạo"
    return job.unit, f"{job.unit}|{STATE['built']}".encode(), None


def jobs(units: list[str], taken: list[str] | None = None) -> Iterator[UnitJob]:
    for unit in units:
        if taken is not None:
            taken.append(unit)
        yield UnitJob(unit, {"unit": unit, "year": 2024}, {}, False)


def test_one_job_runs_init_once_then_each_job_in_order_in_this_process():
    CALLS.clear()
    STATE.clear()
    units = ["Sở Một", "Sở Hai", "Sở Ba"]
    results = list(LocalExecutor(SPEC, 1, work, init).run(jobs(units)))
    assert CALLS == [("init", "2024"), ("work", "Sở Một"), ("work", "Sở Hai"), ("work", "Sở Ba")]
    pid = str(os.getpid())
    assert results == [(u, f"{u}|2024:{pid}:1".encode(), None) for u in units]


def test_one_job_takes_the_jobs_one_at_a_time():
    CALLS.clear()
    STATE.clear()
    taken: list[str] = []
    run = LocalExecutor(SPEC, 0, work, init).run(jobs(["A", "B", "C"], taken))  # 0: at least one
    assert next(run)[0] == "A" and taken == ["A"]  # a unit's analysis is made when its turn comes
    assert [r[0] for r in run] == ["B", "C"] and taken == ["A", "B", "C"]


def test_two_workers_return_every_result_each_worker_initialised():
    units = [f"xã {n:02d}" for n in range(2 * 2 * IN_FLIGHT + 3)]  # more than the jobs in flight
    taken: list[str] = []
    results = list(LocalExecutor(SPEC, 2, work, init).run(jobs(units, taken)))
    assert sorted(r[0] for r in results) == sorted(units)
    assert taken == units
    assert all(error is None for _, _, error in results)
    assert all(doc is not None and doc.decode().startswith(f"{u}|") for u, doc, _ in results)
    built = [doc.decode().split("|")[1].split(":") for _, doc, _ in results if doc]
    assert {year for year, _, _ in built} == {"2024"}  # the spec reached init
    assert {inits for _, _, inits in built} == {"1"}  # init ran once in each worker
    pids = {pid for _, pid, _ in built}
    assert str(os.getpid()) not in pids and 1 <= len(pids) <= 2  # in worker processes
