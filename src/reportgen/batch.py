"""Batch generation: every unit of a group for a year, in parallel, incremental, isolated.

Data is loaded, validated and analysed once in the parent; templates are compiled and checked
once before anything is written. Workers (local processes, or Dask workers) build their
toolkit once and turn a unit's analysis into .docx bytes; the parent writes every file
atomically and keeps a manifest of what was generated from which inputs, so a re-run rewrites
exactly the documents whose content would change.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .errors import LookupFailed, OutputError, ReportgenError
from .write import output_path, slugify, write_atomic

MANIFEST = "manifest.json"
LOCK = ".reportgen.lock"


# --- the job: what every worker needs to rebuild its toolkit ---------------------------

@dataclass(frozen=True)
class JobSpec:
    """Picklable description of a batch; a worker rebuilds its state from it once."""

    data: str | None
    templates: str | None
    config: str | None
    year: int
    dpi: int


_STATE: dict[str, Any] = {}


def worker_state(spec: JobSpec) -> dict[str, Any]:
    """Per-process cache: project, toolkit (matplotlib, compiled templates) and dataset."""
    key = repr(spec)
    if _STATE.get("key") != key:
        from .analyze import prepare
        from .build import load_dataset, make_toolkit, open_project

        project = open_project(spec.templates)
        dataset = load_dataset(project, spec.data)
        _STATE.clear()
        _STATE.update(key=key, kit=make_toolkit(project, spec.config, dpi=spec.dpi), dataset=dataset,
                      prepared=prepare(dataset))
    return _STATE


def init_worker(spec: JobSpec) -> None:
    """Process-pool initializer: import and compile everything before the first report."""
    worker_state(spec)


def render_one(spec: JobSpec, unit: str, analysis: dict) -> tuple[str, bytes | None, str | None]:
    """Render one unit's document; failures come back as a message, never as a crash."""
    try:
        state = worker_state(spec)
        from .build import context_from_analysis

        context = context_from_analysis(state["kit"], state["dataset"], analysis)
        return unit, state["kit"].renderer.render(context), None
    except ReportgenError as exc:
        return unit, None, str(exc)
    except Exception as exc:  # noqa: BLE001 - one unit's bug must not stop the batch
        return unit, None, f"{type(exc).__name__}: {exc}"


# --- executors ---------------------------------------------------------------------------

Task = tuple[str, dict]
Result = tuple[str, bytes | None, str | None]


class LocalExecutor:
    """A pool of worker processes, each initialised once (default: one per core)."""

    def __init__(self, spec: JobSpec, jobs: int) -> None:
        self.spec, self.jobs = spec, max(1, jobs)

    def run(self, tasks: Sequence[Task]) -> Iterator[Result]:
        if self.jobs == 1:
            init_worker(self.spec)
            for unit, analysis in tasks:
                yield render_one(self.spec, unit, analysis)
            return
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=init_worker,
                                 initargs=(self.spec,)) as pool:
            pending: set[Future] = set()
            queue = list(tasks)
            window = self.jobs * 4  # bounded in-flight work keeps memory flat
            while queue or pending:
                while queue and len(pending) < window:
                    unit, analysis = queue.pop(0)
                    pending.add(pool.submit(render_one, self.spec, unit, analysis))
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield fut.result()


class DaskExecutor:
    """The same work on a Dask distributed cluster (``--scheduler tcp://host:port``)."""

    def __init__(self, spec: JobSpec, scheduler: str) -> None:
        self.spec, self.scheduler = spec, scheduler

    def run(self, tasks: Sequence[Task]) -> Iterator[Result]:
        try:
            from dask.distributed import Client, as_completed
        except ImportError as exc:
            raise OutputError("Chạy trên cụm Dask cần cài thêm: pip install 'reportgen[dask]'") from exc
        with Client(self.scheduler) as client:
            futures = [client.submit(render_one, self.spec, unit, analysis, pure=False)
                       for unit, analysis in tasks]
            for fut in as_completed(futures):
                yield fut.result()


# --- manifest and lock -------------------------------------------------------------------

def fingerprint(paths: Sequence[Path], extra: str = "") -> str:
    """Hash of the files and settings every document depends on (templates, configuration,
    frameworks, the reportgen version)."""
    h = hashlib.sha256(f"reportgen {__version__}\n{extra}\n".encode())
    for p in sorted(paths):
        h.update(str(p.name).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def content_hash(analysis: dict, toolkit_hash: str) -> str:
    """Everything that determines a document: its analysis (its peers' statistics and the
    ranking data included) and the toolkit."""
    body = json.dumps(analysis, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(f"{toolkit_hash}\n{body}".encode()).hexdigest()


def read_manifest(out_dir: Path) -> dict[str, Any]:
    path = out_dir / MANIFEST
    if not path.is_file():
        return {"version": 1, "outputs": {}}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {"version": 1, "outputs": {}}


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    write_atomic(out_dir / MANIFEST, data)


@contextlib.contextmanager
def folder_lock(out_dir: Path) -> Iterator[None]:
    """Refuse two batches writing into one folder at once; a lock left by a dead process is
    taken over."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            if _stale(path):
                path.unlink(missing_ok=True)
                continue
            raise OutputError(f"Thư mục '{out_dir}' đang được một lô khác ghi (khóa {path}); "
                              "chờ lô đó xong hoặc xóa tệp khóa nếu chắc chắn không còn chạy") from None
    else:
        raise OutputError(f"Không lấy được khóa {path}")
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        yield
    finally:
        path.unlink(missing_ok=True)


def _stale(path: Path) -> bool:
    try:
        pid = int(path.read_text().strip() or "0")
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError, FileNotFoundError):
        return True
    except PermissionError:
        return False
    return False


# --- the batch -----------------------------------------------------------------------------

@dataclass
class BatchResult:
    generated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    overview: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


Progress = Callable[[str, str, str], None]  # (unit, status, detail)


def plan_outputs(out_dir: Path, year: int, units: Sequence[tuple[str, str]]) -> dict[str, Path]:
    """Output path per unit; two units mapping to one file are refused before writing."""
    paths: dict[str, Path] = {}
    seen: dict[Path, str] = {}
    clashes = []
    for unit, group in units:
        path = output_path(out_dir, year, group, unit)
        if path in seen:
            clashes.append(f"'{seen[path]}' và '{unit}' cùng tên tệp {path.name}")
        seen[path] = unit
        paths[unit] = path
    if clashes:
        raise OutputError("Hai đơn vị trùng tên tệp kết quả: " + "; ".join(clashes)
                          + ". Hãy đổi tên một đơn vị trong dữ liệu.")
    return paths


def select_units(dataset: Any, year: int, groups: Sequence[str] | None,
                 units: Sequence[str] | None) -> list[tuple[str, str]]:
    """(unit, group) pairs with data that year, filtered by group and unit names."""
    from .analyze import find_unit

    frame = dataset.frame[dataset.frame["year"] == year]
    if frame.empty:
        raise LookupFailed(f"Không có dữ liệu năm {year}. Các năm có dữ liệu: "
                           + ", ".join(str(y) for y in dataset.years))
    pairs = list(dict.fromkeys(zip(frame["unit"], frame["group"], strict=True)))
    if groups:
        known = list(dict.fromkeys(frame["group"]))
        for g in groups:
            if g not in known:
                raise LookupFailed(f"Không có nhóm '{g}' trong năm {year}. Các nhóm: {', '.join(known)}")
        pairs = [p for p in pairs if p[1] in groups]
    if units:
        wanted = {find_unit(dataset, u) for u in units}
        pairs = [p for p in pairs if p[0] in wanted]
    first_group: dict[str, str] = {}
    for unit, group in pairs:
        first_group.setdefault(unit, group)
    return list(first_group.items())


def slug_of(path: Path, out_dir: Path) -> str:
    return str(path.relative_to(out_dir))


__all__ = ["BatchResult", "DaskExecutor", "JobSpec", "LocalExecutor", "content_hash", "fingerprint",
           "folder_lock", "plan_outputs", "read_manifest", "render_one", "select_units", "slugify",
           "time", "write_manifest"]
