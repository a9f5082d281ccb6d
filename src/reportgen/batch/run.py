"""Batch generation: every unit of a group for a year, in parallel, incremental, isolated.

Data is loaded, validated and analysed in the parent only; templates are compiled and checked
once before anything is written. The parent sends each unit's analysis (a :class:`UnitJob`)
to a worker (a local process, or a Dask worker), which builds its toolkit once and turns the
analysis into .docx bytes; a worker holds no dataset, so its memory does not grow with the
number of units. The parent writes every file atomically and keeps a manifest of the hash of
each document's inputs, so a re-run rewrites exactly the documents whose content would change.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen import __version__
from reportgen.errors import LookupFailed, OutputError, ReportgenError
from reportgen.output.write import output_path, slugify, write_atomic

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
    stamp: str = ""  # changes when an input file changes, so cached worker state is rebuilt

    def stamped(self) -> JobSpec:
        """This job with a stamp of its input files' sizes and modification times."""
        from dataclasses import replace

        from reportgen.app import data_path

        h = hashlib.sha256()
        roots = [data_path(self.data)] + [Path(p) for p in (self.templates, self.config) if p]
        roots.append(Path.cwd() / "templates")
        for root in roots:
            files = sorted(root.rglob("*")) if root.is_dir() else [root]
            for f in files:
                if f.is_file():
                    st = f.stat()
                    h.update(f"{f}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        return replace(self, stamp=h.hexdigest())


@dataclass(frozen=True)
class UnitJob:
    """One unit's report as a worker receives it: its analysis and the dataset facts its text
    cites (the "Nguồn:" lines, the sample-data notice). It is everything the document is
    made from besides the toolkit, so its hash is the document's, and a worker needs no
    dataset: its memory does not grow with the number of units."""

    unit: str
    analysis: dict
    sources: dict[str, str]
    sample: bool

    def digest(self, toolkit_hash: str) -> str:
        return content_hash({"analysis": self.analysis, "sources": self.sources,
                             "sample": self.sample}, toolkit_hash)


_STATE: dict[str, Any] = {}


def worker_state(spec: JobSpec) -> dict[str, Any]:
    """Per-process cache of the toolkit (matplotlib, compiled templates, configuration)."""
    key = repr(spec)
    if _STATE.get("key") != key:
        from reportgen.app import make_toolkit, open_project

        project = open_project(spec.templates)
        _STATE.clear()
        _STATE.update(key=key, kit=make_toolkit(project, spec.config, dpi=spec.dpi))
    return _STATE


def batch_state(spec: JobSpec) -> dict[str, Any]:
    """The parent's state: the toolkit, and the dataset loaded, validated and prepared once."""
    from reportgen.analysis.unit import prepare
    from reportgen.app import load_dataset

    state = worker_state(spec)
    if "dataset" not in state:
        dataset = load_dataset(state["kit"].project, spec.data)
        state.update(dataset=dataset, prepared=prepare(dataset))
    return state


def init_worker(spec: JobSpec) -> None:
    """Process-pool initializer: import and compile everything before the first report."""
    worker_state(spec)


def render_one(spec: JobSpec, job: UnitJob) -> Result:
    """Render one unit's analysis in this worker; failures come back as a message."""
    try:
        from reportgen.app import build_context

        kit = worker_state(spec)["kit"]
        return job.unit, kit.renderer.render(build_context(kit, job.analysis, job.sources,
                                                           job.sample)), None
    except ReportgenError as exc:
        return job.unit, None, str(exc)
    except Exception as exc:  # noqa: BLE001 - one unit's bug must not stop the batch
        return job.unit, None, f"{type(exc).__name__}: {exc}"


# --- executors ---------------------------------------------------------------------------

Result = tuple[str, bytes | None, str | None]  # (unit, document or None, error or None)
IN_FLIGHT = 4  # jobs in flight per worker: enough to keep workers busy, memory bounded

# Imported by the fork server once, so that each worker starts with them loaded.
WORKER_PRELOAD = ["reportgen.batch.run", "reportgen.app", "reportgen.docx.render", "reportgen.narrate.unit",
                  "reportgen.charts.mpl", "docxtpl"]


def _windowed(submit: Callable[[UnitJob], Any], jobs: Iterator[UnitJob], window: int,
              wait_any: Callable[[set], tuple[set, set]]) -> Iterator[Result]:
    """Submit ``jobs`` lazily, at most ``window`` in flight; yield results as they come."""
    pending: set = set()
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

    def __init__(self, spec: JobSpec, jobs: int) -> None:
        self.spec, self.jobs = spec, max(1, jobs)

    def run(self, jobs: Iterator[UnitJob]) -> Iterator[Result]:
        if self.jobs == 1:
            init_worker(self.spec)
            for job in jobs:
                yield render_one(self.spec, job)
            return
        import multiprocessing

        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(WORKER_PRELOAD)
        with ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=init_worker,
                                 initargs=(self.spec,)) as pool:
            yield from _windowed(lambda job: pool.submit(render_one, self.spec, job), jobs,
                                 self.jobs * IN_FLIGHT,
                                 lambda pending: wait(pending, return_when=FIRST_COMPLETED))


class DaskExecutor:
    """The same work on a Dask distributed cluster (``--scheduler tcp://host:port``)."""

    def __init__(self, spec: JobSpec, scheduler: str) -> None:
        self.spec, self.scheduler = spec, scheduler

    def run(self, jobs: Iterator[UnitJob]) -> Iterator[Result]:
        try:
            from dask.distributed import Client
            from dask.distributed import wait as dask_wait
        except ImportError as exc:
            raise OutputError("Chạy trên cụm Dask cần cài thêm: pip install 'reportgen[dask]'") from exc
        with Client(self.scheduler) as client:
            workers = max(1, sum(client.nthreads().values()))

            def wait_any(pending: set) -> tuple[set, set]:
                done, rest = dask_wait(pending, return_when="FIRST_COMPLETED")
                return set(done), set(rest)

            yield from _windowed(lambda job: client.submit(render_one, self.spec, job, pure=False),
                                 jobs, workers * IN_FLIGHT, wait_any)


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
    from reportgen.analysis.unit import find_unit

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



def toolkit_files(kit: Any) -> list[Path]:
    """Every editable file a document depends on, as found on the search path."""
    from reportgen.check.templates import YAML_FILES
    from reportgen.narrate.unit import PHRASE_FILES

    search = kit.project.search
    files = {kit.template_path, kit.config_path}
    files |= {search.find(name) for name in YAML_FILES if name != "report.yaml"}
    files |= {search.find(f"phrases/{name}") for name in (*PHRASE_FILES, "_chung.j2")}
    files |= set(search.find_all("frameworks"))
    return sorted(files)


def run_batch(spec: JobSpec, out_dir: Path, groups: Sequence[str] | None = None,
              units: Sequence[str] | None = None, jobs: int | None = None, force: bool = False,
              pdf: bool = False, fail_fast: bool = False, scheduler: str | None = None,
              overview: bool = True,
              progress: Callable[[int], tuple[Progress, Callable[[], None]]] | None = None) -> BatchResult:
    """Generate every selected unit's report; see the module docstring."""
    from reportgen.analysis.unit import analyze_unit
    from reportgen.app import index_sources, is_sample

    started = time.perf_counter()
    spec = spec.stamped()
    state = batch_state(spec)  # load, validate, analyse-prepare once; compile templates once
    kit, dataset = state["kit"], state["dataset"]
    pairs = select_units(dataset, spec.year, groups, units)
    paths = plan_outputs(out_dir, spec.year, pairs)
    toolkit_hash = fingerprint(toolkit_files(kit), extra=f"dpi={spec.dpi}")
    result = BatchResult()
    report, stop = progress(len(pairs)) if progress else ((lambda unit, status, detail: None), lambda: None)
    with folder_lock(out_dir), contextlib.ExitStack() as stack:
        stack.callback(stop)
        manifest = read_manifest(out_dir)
        outputs = manifest.setdefault("outputs", {})
        sources, sample = index_sources(dataset, spec.year), is_sample(dataset)

        def job_of(unit: str) -> UnitJob:
            return UnitJob(unit, analyze_unit(state["prepared"], unit, spec.year, kit.rules),
                           sources, sample)

        group_of = dict(pairs)
        hashes: dict[str, str] = {}
        todo = []
        for unit, _group in pairs:
            key = slug_of(paths[unit], out_dir)
            hashes[unit] = job_of(unit).digest(toolkit_hash)
            entry = outputs.get(key, {})
            fresh = entry.get("hash") == hashes[unit] and entry.get("status") == "ok"
            have_pdf = not pdf or paths[unit].with_suffix(".pdf").is_file()
            if fresh and paths[unit].is_file() and have_pdf and not force:
                result.skipped.append(unit)
                report(unit, "skipped", key)
            else:
                todo.append(unit)
        executor = (DaskExecutor(spec, scheduler) if scheduler
                    else LocalExecutor(spec, min(jobs or os.cpu_count() or 1, max(len(todo), 1))))
        # analyses are rebuilt as jobs are sent (a few ms each) rather than all kept in memory
        jobs_iter = (job_of(unit) for unit in todo)
        try:
            for unit, document, error in executor.run(jobs_iter):
                key = slug_of(paths[unit], out_dir)
                if document is None:
                    result.failed[unit] = error or "lỗi không rõ"
                    outputs[key] = {"unit": unit, "year": spec.year, "status": "failed", "error": error}
                    report(unit, "failed", error or "")
                    if fail_fast:
                        break
                    continue
                write_atomic(paths[unit], document)
                if pdf:
                    from reportgen.output.write import convert_pdf

                    try:
                        convert_pdf(paths[unit])
                    except ReportgenError as exc:
                        result.failed[unit] = str(exc)
                        report(unit, "failed", str(exc))
                        if fail_fast:
                            break
                        continue
                outputs[key] = {"unit": unit, "group": group_of[unit], "year": spec.year,
                                "status": "ok", "hash": hashes[unit], "version": __version__}
                result.generated.append(unit)
                report(unit, "generated", key)
        finally:
            manifest["version"] = 1
            manifest["inputs"] = {"data": spec.data or "(dữ liệu mẫu)", "sources": dataset.sources,
                                  "toolkit": toolkit_hash}
            write_manifest(out_dir, manifest)
        if overview and not (fail_fast and result.failed):
            result.overview = write_overviews(state, spec, out_dir, pairs, force, manifest, report)
            write_manifest(out_dir, manifest)
    result.seconds = time.perf_counter() - started
    return result


def write_overviews(state: dict, spec: JobSpec, out_dir: Path, pairs: Sequence[tuple[str, str]],
                    force: bool, manifest: dict, report: Progress) -> list[str]:
    """The group overview report(s), when the overview stage is available."""
    from reportgen.analysis.group import render_overview

    written = []
    for group in dict.fromkeys(g for _, g in pairs):
        path = out_dir / str(spec.year) / slugify(group) / "tong-hop.docx"
        key = slug_of(path, out_dir)
        try:
            digest, document_fn = render_overview(state, spec.year, group)
        except ReportgenError as exc:
            report(f"tổng hợp {group}", "failed", str(exc))
            continue
        entry = manifest["outputs"].get(key, {})
        if entry.get("hash") == digest and path.is_file() and not force:
            report(f"tổng hợp {group}", "skipped", key)
            continue
        write_atomic(path, document_fn())
        manifest["outputs"][key] = {"unit": f"tổng hợp: {group}", "year": spec.year, "status": "ok",
                                    "hash": digest, "version": __version__}
        written.append(key)
        report(f"tổng hợp {group}", "generated", key)
    return written


def console_progress(total: int, stream: Any = None) -> tuple[Progress, Callable[[], None]]:
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
