"""The pipeline, sequenced: the only place where the stages are called in order.

    load → validate → analyze → chart specs → draw / narrate → render → write

Every command is a function here — :func:`generate`, :func:`analyze`, :func:`run_batch`,
:func:`check_templates` — and the CLI only parses options and prints. The stages themselves
live in their folders (``data/``, ``analysis/``, ``charts/``, ``narrate/``, ``docx/``,
``output/``) and know nothing of each other's order; only ``data/`` (load) and ``output/``
(write) touch the disk, apart from the search path reading the user's templates.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen import __version__
from reportgen.analysis.model import UnitAnalysis
from reportgen.analysis.unit import Prepared, analyze_unit, check_year, find_unit, prepare
from reportgen.batch.jobs import JobSpec, Result, UnitJob
from reportgen.batch.plan import BatchResult, Progress, plan_outputs, select_units, slug_of
from reportgen.batch.progress import SAMPLE_DATA, UNKNOWN_ERROR, overview_entry, overview_name
from reportgen.charts.images import BACKENDS, NATIVE, Backend, draw_charts
from reportgen.check.templates import (
    CHECK_DPI,
    OTHER_WORD_TEMPLATES,
    CheckReport,
    add_unit_issue,
    check_phrase_files,
    check_rules_files,
    check_word_variables,
    check_yaml,
    collect,
    first_on_path,
    line_location,
    record,
)
from reportgen.config.frameworks import Frameworks, load_frameworks
from reportgen.config.rules import Rules, load_rules
from reportgen.config.search import FileRead, SearchPath
from reportgen.config.yamlio import read_yaml
from reportgen.data.facts import index_sources, is_sample
from reportgen.data.load import LoadOptions, load
from reportgen.data.sample import data_path
from reportgen.data.validate import Dataset, validate
from reportgen.errors import ConfigError, Location, OutputError, ReportgenError
from reportgen.output.lock import folder_lock
from reportgen.output.manifest import (
    MANIFEST,
    content_hash,
    fingerprint,
    read_manifest,
    write_manifest,
)
from reportgen.output.write import output_path, slugify, write_atomic

if TYPE_CHECKING:  # the render stage imports docxtpl: loaded only where a report is rendered
    from reportgen.docx.render import Renderer
    from reportgen.narrate.context import ReportContext
    from reportgen.narrate.unit import Narrator

REPORT_TEMPLATE = "bao-cao.docx"
OVERVIEW_TEMPLATE = "tong-hop.docx"
REPORT_CONFIG = "report.yaml"
TIMEOUT_CODES = ("phrase_timeout", "template_timeout")  # a template ran past its time budget
CHART_DPI = 200


# --- load → validate ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Project:
    """Everything a run reads besides the dataset: search path and the editable files."""

    search: SearchPath
    frameworks: Frameworks


def open_project(templates: str | Path | None = None, framework_files: tuple[Path, ...] = ()) -> Project:
    """Resolve the search path and read the frameworks found on it."""
    search = SearchPath.build(templates)
    return Project(search, load_frameworks(search, framework_files))


def load_dataset(project: Project, data: str | Path | None = None, strict: bool = False,
                 options: LoadOptions | None = None) -> Dataset:
    """Load and validate a dataset (all problems reported at once)."""
    return validate(load(data_path(data), options), project.frameworks, strict=strict)


# --- the toolkit: what is compiled once per process ------------------------------------------

@dataclass
class Toolkit:
    """What is prepared once per process and reused for every report: rules, phrases,
    report configuration and the compiled Word template."""

    project: Project
    rules: Rules
    narrator: Narrator
    renderer: Renderer
    template_path: Path
    config_path: Path
    dpi: int = CHART_DPI
    charts: Backend = NATIVE  # native Word charts, or "png" pictures


def make_toolkit(project: Project, config: str | Path | None = None,
                 template: str = REPORT_TEMPLATE, dpi: int = CHART_DPI,
                 charts: Backend | None = None) -> Toolkit:
    """Read and compile everything a report needs besides its data; ``charts``: the chart
    backend, else report.yaml's ``charts.backend``, else native."""
    from reportgen.docx.render import Renderer
    from reportgen.narrate.phrases import Phrases
    from reportgen.narrate.unit import Narrator

    config_path = Path(config) if config else project.search.find(REPORT_CONFIG)
    template_path = project.search.find(template)
    narrator = Narrator(Phrases.load(project.search), read_yaml(config_path) or {}, str(config_path))
    narrator.check_settings()
    return Toolkit(project, load_rules(project.search), narrator, Renderer(template_path),
                   template_path, config_path, dpi, charts or chart_backend(narrator.config))


@contextlib.contextmanager
def settled() -> Iterator[None]:
    """While rendering, what the process has built so far (modules, toolkit, dataset) is
    out of the cyclic garbage collector's sight (``gc.freeze``): the collections a report
    triggers walk only what that report makes, not a hundred thousand long-lived objects
    (about a fifth of a warm report's time). On leaving, everything is handed back to the
    collector (``gc.unfreeze``), so a long-lived process (the web server's workers) frees
    what it no longer uses as before. A batch worker freezes once for good
    (:mod:`reportgen.batch.executors`): its toolkit lives as long as it does."""
    import gc

    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def chart_backend(config: Mapping[str, Any]) -> Backend:
    """report.yaml's ``charts.backend`` (checked by its schema), else native."""
    backend: Backend = (config.get("charts") or {}).get("backend") or NATIVE
    return backend


# --- one report: analyze → charts → narrate → render ------------------------------------------

def build_context(kit: Toolkit, analysis: UnitAnalysis, sources: dict[str, str],
                  sample: bool) -> ReportContext:
    """chart specs → draw → narrate: the render context of an analysed unit, from the
    analysis and the dataset facts its text cites (what a batch worker receives)."""
    from reportgen.charts.unit import chart_kinds, index_charts, trend_min_years
    from reportgen.narrate.labels import unit_chart_labels

    unit = analysis.unit
    rule = kit.narrator.excerpt_rule(analysis.group or "")
    env = kit.narrator.phrases.env
    kinds, years = chart_kinds(kit.narrator.config), trend_min_years(kit.narrator.config)
    charts = {i.index: draw_charts(index_charts(i, unit, rule, labels=unit_chart_labels(env, i, unit),
                                                kinds=kinds, trend_years=years),
                                   kit.dpi, kit.charts)
              for i in analysis.indices}
    return kit.narrator.context(analysis, charts, sources, sample)


def context_from_analysis(kit: Toolkit, dataset: Dataset, analysis: UnitAnalysis) -> ReportContext:
    """The render context of one analysed unit, its dataset facts looked up; narrated within
    one report's time budget (no phrase file can hang ``generate`` or ``templates check``)."""
    from reportgen.narrate.limits import budget

    with budget():
        return build_context(kit, analysis, index_sources(dataset, analysis.year),
                             is_sample(dataset))


def report_context(kit: Toolkit, prepared: Dataset | Prepared, dataset: Dataset, unit: str,
                   year: int) -> ReportContext:
    """analyze → chart specs → draw → narrate: the complete render context of one report."""
    return context_from_analysis(kit, dataset, analyze_unit(prepared, unit, year, kit.rules))


def render_report(kit: Toolkit, prepared: Dataset | Prepared, dataset: Dataset, unit: str,
                  year: int) -> bytes:
    """The .docx bytes of one report (nothing written yet)."""
    return kit.renderer.render(report_context(kit, prepared, dataset, unit, year))


def default_unit_and_year(dataset: Dataset, kit: Toolkit, unit: str | None,
                          year: int | None) -> tuple[str, int]:
    """The unit asked for, else the configuration's ``default_unit`` when it is in the data,
    else the first unit; the year asked for, else the unit's latest year with data."""
    if unit is None:
        configured = (kit.narrator.config.get("defaults") or {}).get("default_unit")
        unit = configured if configured in dataset.units else dataset.units[0]
    if year is None:
        years = dataset.frame.loc[dataset.frame["unit"] == unit, "year"]
        year = int(years.max()) if len(years) else dataset.years[-1]
    return unit, year


def analyze(data: str | Path | None, unit: str, year: int,
            templates: str | Path | None = None) -> UnitAnalysis:
    """``reportgen analyze``: load → validate → analyze one unit and year."""
    project = open_project(templates)
    dataset = load_dataset(project, data)
    name = find_unit(dataset, unit)
    check_year(dataset, name, year)
    return analyze_unit(prepare(dataset), name, year, load_rules(project.search))


def refuse_draft(kit: Toolkit) -> None:
    """``generate --final``: a draft configuration (library suggestions printed as marked
    text for the clerk) cannot make the document that is signed."""
    if kit.narrator.config.get("draft"):
        raise ConfigError("cấu hình đang ở chế độ dự thảo (draft: true): báo cáo sẽ in các gợi ý "
                          "nguyên nhân chưa được xác nhận. Ghi nguyên nhân vào bảng notes, đặt "
                          "draft: false rồi tạo lại bản trình ký",
                          Location(file=kit.narrator.config_file or REPORT_CONFIG, where="draft"))


def generate(data: str | Path | None, unit: str | None, year: int | None, out: Path,
             config: str | Path | None = None, templates: str | Path | None = None,
             pdf: bool = False, chosen: Callable[[str, int], None] | None = None,
             charts: Backend | None = None, final: bool = False,
             index: str | None = None,
             suggested: Callable[[list[str]], None] | None = None) -> Iterator[Path]:
    """``reportgen generate``: one unit's report written to ``out``, then its PDF; each path
    is yielded as soon as its file is written (a failing PDF keeps the .docx). ``chosen``
    is told the unit's name as in the data and the year, once both are settled; ``charts``:
    the chart backend (else report.yaml's, else native); ``suggested`` is told the draft's
    highlighted suggestions (none in a final report)."""
    from reportgen.output.write import convert_pdf

    project = open_project(templates)
    # a published wide table names neither its index nor its year: --index (and --year)
    dataset = load_dataset(project, data, options=LoadOptions(year, index) if index else None)
    kit = make_toolkit(project, config, charts=charts)
    if final:
        refuse_draft(kit)
    name, chosen_year = default_unit_and_year(dataset, kit, unit, year)
    name = find_unit(dataset, name)
    check_year(dataset, name, chosen_year)
    if chosen is not None:
        chosen(name, chosen_year)
    prepared = prepare(dataset)
    with settled():
        context = report_context(kit, prepared, dataset, name, chosen_year)
        document = kit.renderer.render(context)
    if suggested is not None and context.get("highlight"):
        suggested(list(context.get("highlight") or ()))
    group = dataset.group_of(name, chosen_year)
    # another unit of the group whose file name would be the same: refused, as batch does
    same_file = [p for p in select_units(dataset, chosen_year, [group], None)
                 if slugify(p[0]) == slugify(name)]
    plan_outputs(out, chosen_year, same_file)
    with folder_lock(out):  # never beside a batch writing the same folder
        path = write_atomic(output_path(out, chosen_year, group, name), document)
        yield path
        if pdf:
            yield convert_pdf(path)


def preview(data: str | Path | None, unit: str | None, year: int | None,
            templates: str | Path | None = None,
            dpi: int = CHART_DPI // 2) -> tuple[UnitAnalysis, ReportContext]:
    """``reportgen serve``'s summary of one unit and year (chosen as :func:`generate` does):
    its analysis and its report's render context, charts drawn at ``dpi``; nothing written."""
    project = open_project(templates)
    dataset = load_dataset(project, data)
    kit = make_toolkit(project, dpi=dpi, charts="png")  # a web page shows pictures
    name, chosen_year = default_unit_and_year(dataset, kit, unit, year)
    name = find_unit(dataset, name)
    check_year(dataset, name, chosen_year)
    analysis = analyze_unit(prepare(dataset), name, chosen_year, kit.rules)
    return analysis, context_from_analysis(kit, dataset, analysis)


# --- the group overview -------------------------------------------------------------------------

def overview_files(state: dict[str, Any]) -> list[FileRead]:
    """Every file the overview is made from: what the toolkit read (its narrator, rules,
    settings and frameworks) but the unit reports' Word template, and its own template."""
    kit = state["kit"]
    with kit.project.search.reading() as own:
        kit.project.search.find(OVERVIEW_TEMPLATE)
    files = {f for f in toolkit_files(state) if f.path != kit.template_path}
    return sorted(files | set(own), key=str)


def _overview_tools(state: dict[str, Any]) -> dict[str, Any]:
    """Per-process cache (in the batch state): the overview files' fingerprint now, the
    compiled Word template when first needed."""
    tools = state.get("overview")
    if tools is None:
        kit = state["kit"]
        tools = {"hash": fingerprint(overview_files(state), extra=f"overview dpi={kit.dpi}"),
                 "renderer": None}
        state["overview"] = tools
    return tools


def _overview_renderer(state: dict[str, Any]) -> Renderer:
    """The compiled ``tong-hop.docx`` (compiled once per process)."""
    from reportgen.docx.render import Renderer

    tools = _overview_tools(state)
    if tools["renderer"] is None:
        tools["renderer"] = Renderer(state["kit"].project.search.find(OVERVIEW_TEMPLATE))
    renderer: Renderer = tools["renderer"]
    return renderer


def render_overview(state: dict[str, Any], year: int, group: str) -> tuple[str, Callable[[], bytes]]:
    """(hash of everything the overview depends on, function producing its .docx bytes).

    ``state`` is :func:`batch_state`'s dict (``kit``, ``dataset``, ``prepared``). The hash is
    computed before any chart is drawn, so an unchanged overview costs one analysis of the
    group and nothing else.
    """
    from reportgen.analysis.group import group_overview

    kit, dataset = state["kit"], state["dataset"]
    overview = group_overview(state["prepared"], year, group, kit.rules)
    sources = index_sources(dataset, year, group)
    sample = is_sample(dataset, year, group)
    digest = content_hash({"overview": overview.to_dict(), "sources": sources, "sample": sample},
                          _overview_tools(state)["hash"])

    def produce() -> bytes:
        from reportgen.charts.group import overview_charts
        from reportgen.docx.fixups import fit_table_grids
        from reportgen.narrate.group import overview_context
        from reportgen.narrate.labels import overview_chart_labels

        labels = overview_chart_labels(kit.narrator.phrases.env, overview)
        charts = draw_charts(overview_charts(overview, labels), kit.dpi, kit.charts)
        context = overview_context(kit.narrator, overview, charts, sources, sample)
        return fit_table_grids(_overview_renderer(state).render(context))

    return digest, produce


# --- batch: many units, in parallel, incremental -------------------------------------------------

_STATE: dict[str, Any] = {}


def worker_state(spec: JobSpec) -> dict[str, Any]:
    """Per-process cache of the toolkit (matplotlib, compiled templates, configuration), and
    ``read``: every file the search path resolved to build it (see :func:`toolkit_files`)."""
    from reportgen.narrate.phrases import resolve_references, template_strings

    key = repr(spec)
    if _STATE.get("key") != key:
        project = open_project(spec.templates)
        _STATE.clear()
        kit = make_toolkit(project, spec.config, dpi=spec.dpi, charts=spec.charts)
        # report.yaml's texts are rendered as phrase templates: what they include, now
        resolve_references(kit.narrator.phrases.env, sources=template_strings(kit.narrator.config))
        _STATE.update(key=key, kit=kit, read=project.search.files_read())
    return _STATE


def batch_state(spec: JobSpec) -> dict[str, Any]:
    """The parent's state: the toolkit, and the dataset loaded, validated and prepared once."""
    state = worker_state(spec)
    if "dataset" not in state:
        dataset = load_dataset(state["kit"].project, spec.data)
        state.update(dataset=dataset, prepared=prepare(dataset))
    return state


def init_worker(spec: JobSpec) -> None:
    """Process-pool initializer: import and compile everything before the first report."""
    worker_state(spec)


def render_one(spec: JobSpec, job: UnitJob) -> Result:
    """Narrate, draw and render one unit's analysis in a worker; failures come back as a
    message, so that one unit's problem never stops the batch."""
    try:
        from reportgen.narrate.limits import budget

        kit = worker_state(spec)["kit"]
        with budget():  # one report's time budget: no template can hang the batch
            context = build_context(kit, job.analysis, job.sources, job.sample)
        return job.unit, kit.renderer.render(context), None
    except ReportgenError as exc:
        return job.unit, None, str(exc)
    except Exception as exc:  # noqa: BLE001 - one unit's bug must not stop the batch
        return job.unit, None, f"{type(exc).__name__}: {exc}"


def toolkit_files(state: dict[str, Any]) -> list[FileRead]:
    """Every file a unit report is made from: what the search path resolved while the
    toolkit was built (:func:`worker_state`) — Word template, phrase files with everything
    they include or import, report.yaml, the rules files, the frameworks — and the report
    configuration when given outside the path (``--config``). A state made by hand (no
    ``read``): everything its search path has looked up so far."""
    kit = state["kit"]
    files = set(state.get("read") or kit.project.search.files_read())
    if all(f.path != kit.config_path for f in files):
        files.add(FileRead.outside(kit.config_path))
    return sorted(files, key=str)


def _executor(spec: JobSpec, scheduler: str | None, jobs: int | None, todo: int) -> Any:
    from reportgen.batch.executors import DaskExecutor, LocalExecutor

    if scheduler:
        return DaskExecutor(spec, scheduler, render_one)
    return LocalExecutor(spec, min(jobs or os.cpu_count() or 1, max(todo, 1)), render_one, init_worker)


def run_batch(spec: JobSpec, out_dir: Path, groups: Sequence[str] | None = None,
              units: Sequence[str] | None = None, jobs: int | None = None, force: bool = False,
              pdf: bool = False, fail_fast: bool = False, scheduler: str | None = None,
              overview: bool = True,
              progress: Callable[[int], tuple[Progress, Callable[[], None]]] | None = None) -> BatchResult:
    """``reportgen batch``: every selected unit's report, then each group's overview.

    Data is loaded, validated and analysed in the parent only; templates are compiled and
    checked once before anything is written. The parent sends each unit's analysis to a
    worker, writes every file atomically and keeps a manifest of the hash of each document's
    inputs, so a re-run rewrites exactly the documents whose content would change.
    """
    started = time.perf_counter()
    spec = spec.stamped()
    state = batch_state(spec)  # load, validate, analyse-prepare once; compile templates once
    kit, dataset = state["kit"], state["dataset"]
    pairs = select_units(dataset, spec.year, groups, units)
    paths = plan_outputs(out_dir, spec.year, pairs)
    toolkit_hash = fingerprint(toolkit_files(state), extra=f"dpi={spec.dpi} charts={kit.charts}")
    result = BatchResult()
    report, stop = progress(len(pairs)) if progress else ((lambda unit, status, detail: None), lambda: None)
    with folder_lock(out_dir), contextlib.ExitStack() as stack:
        stack.callback(stop)
        manifest = read_manifest(out_dir)
        outputs = manifest.setdefault("outputs", {})
        manifest["version"] = 1
        manifest["inputs"] = {"data": spec.data or SAMPLE_DATA, "sources": dataset.sources,
                              "toolkit": toolkit_hash}
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
        executor = _executor(spec, scheduler, jobs, len(todo))
        # analyses are rebuilt as jobs are sent (a few ms each) rather than all kept in memory
        jobs_iter = (job_of(unit) for unit in todo)
        try:
            for unit, document, error in executor.run(jobs_iter):
                key = slug_of(paths[unit], out_dir)
                try:
                    failure = (error if document is None
                               else _write_unit(paths[unit], document, pdf, result, out_dir))
                except OutputError as exc:  # a full or read-only disk: this unit's failure
                    failure = str(exc)
                if failure is not None:
                    result.failed[unit] = failure or UNKNOWN_ERROR
                    outputs[key] = {"unit": unit, "year": spec.year, "status": "failed",
                                    "error": failure}
                    report(unit, "failed", failure or "")
                    _save_manifest(out_dir, manifest, result)
                    if fail_fast:
                        break
                    continue
                outputs[key] = {"unit": unit, "group": group_of[unit], "year": spec.year,
                                "status": "ok", "hash": hashes[unit], "version": __version__}
                result.generated.append(unit)
                report(unit, "generated", key)
                # after each unit: a run killed later (kill -9, OOM) keeps what was done
                _save_manifest(out_dir, manifest, result)
        finally:
            _save_manifest(out_dir, manifest, result)
        if overview and not (fail_fast and result.failed):
            result.overview = write_overviews(state, spec, out_dir, pairs, force, manifest, report,
                                              result)
            _save_manifest(out_dir, manifest, result)
    result.seconds = time.perf_counter() - started
    return result


def _write_unit(path: Path, document: bytes, pdf: bool, result: BatchResult,
                out_dir: Path) -> str | None:
    """Write one report (and its PDF), each file listed in ``result.written`` once it is on
    disk; the reason when the PDF failed, else None. Raises :class:`OutputError` when the
    .docx cannot be written (full or read-only disk)."""
    write_atomic(path, document)
    result.written.append(slug_of(path, out_dir))
    if pdf:
        from reportgen.output.write import convert_pdf

        try:
            result.written.append(slug_of(convert_pdf(path), out_dir))
        except ReportgenError as exc:
            return str(exc)
    return None


def _save_manifest(out_dir: Path, manifest: dict[str, Any], result: BatchResult) -> None:
    """Write the manifest now; when the disk refuses, the batch goes on and the failure is
    reported once (a re-run then regenerates what the manifest could not record)."""
    try:
        write_manifest(out_dir, manifest)
    except OutputError as exc:
        result.failed.setdefault(MANIFEST, str(exc))


def write_overviews(state: dict[str, Any], spec: JobSpec, out_dir: Path,
                    pairs: Sequence[tuple[str, str]], force: bool, manifest: dict[str, Any],
                    report: Progress, result: BatchResult | None = None) -> list[str]:
    """The group overview report of every group of the batch (unchanged ones skipped). A
    group whose overview fails is that group's failure (in ``result.failed``, under its
    progress name); the other groups' overviews are still written."""
    written = []
    for group in dict.fromkeys(g for _, g in pairs):
        path = out_dir / str(spec.year) / slugify(group) / "tong-hop.docx"
        key = slug_of(path, out_dir)
        try:
            digest, document_fn = render_overview(state, spec.year, group)
            entry = manifest["outputs"].get(key, {})
            if entry.get("hash") == digest and path.is_file() and not force:
                report(overview_name(group), "skipped", key)
                continue
            write_atomic(path, document_fn())
        except Exception as exc:  # noqa: BLE001 - one group's overview never stops the others
            reason = str(exc) if isinstance(exc, ReportgenError) else f"{type(exc).__name__}: {exc}"
            if result is not None:
                result.failed[overview_name(group)] = reason
            report(overview_name(group), "failed", reason)
            continue
        manifest["outputs"][key] = {"unit": overview_entry(group), "year": spec.year, "status": "ok",
                                    "hash": digest, "version": __version__}
        written.append(key)
        if result is not None:
            result.written.append(key)
        report(overview_name(group), "generated", key)
    return written


# --- templates check: every static check, then a dry run of every report -----------------------

def check_templates(templates: str | Path | None = None, data: str | Path | None = None,
                    config: str | Path | None = None, units: int | None = None) -> CheckReport:
    """Every check, all problems listed; the dry run only when everything it needs is sound."""
    from reportgen.docx.render import Renderer
    from reportgen.errors import IssuesError
    from reportgen.narrate.phrases import Phrases
    from reportgen.narrate.unit import Narrator

    report = CheckReport()
    search = collect(report, lambda: SearchPath.build(templates))
    if search is None:
        return report
    broken = check_yaml(search, report, config)
    project = None
    if not any(p in broken for p in map(str, search.find_all("frameworks"))):
        project = collect(report, lambda: Project(search, load_frameworks(search)))
    rules = check_rules_files(search, project.frameworks if project else None, broken, report)

    phrases = None
    try:
        phrases = Phrases.load(search)
    except IssuesError as exc:
        for issue in exc.issues:
            if issue.location.line:
                issue = replace(issue, location=line_location(issue.location.file or "",
                                                               issue.location.line))
            report.add(issue)
    except ReportgenError as exc:
        record(report, exc)
    if not check_phrase_files(search, report):
        phrases = None  # every report would stop at the same problem: no dry run

    template_path = first_on_path(search, REPORT_TEMPLATE)
    renderer = collect(report, lambda: Renderer(search.find(REPORT_TEMPLATE)))
    word_errors = check_word_variables(renderer) if renderer is not None else []
    for issue in word_errors:
        report.add(issue)
    for name in OTHER_WORD_TEMPLATES:  # syntax and safety only: another context contract
        path = first_on_path(search, name)
        other = collect(report, partial(Renderer, path)) if path is not None else None
        for issue in check_word_variables(other, names=False) if other is not None else []:
            report.add(issue)

    config_path = Path(config) if config else first_on_path(search, "report.yaml")
    if (project is None or rules is None or phrases is None or renderer is None
            or template_path is None or config_path is None or str(config_path) in broken):
        return report
    config_doc = collect(report, lambda: read_yaml(config_path) or {})  # empty file: defaults
    dataset = collect(report, lambda: load_dataset(project, data))
    narrator = Narrator(phrases, config_doc or {}, str(config_path))

    def settle() -> bool:
        narrator.check_settings()
        return True

    settings_ok = collect(report, settle)
    if config_doc is None or dataset is None or not settings_ok:
        return report
    kit = Toolkit(project, rules, narrator, renderer, template_path, config_path, CHECK_DPI)
    dry_run(kit, dataset, report, units, render=not word_errors)
    return report


def dry_run(kit: Any, dataset: Any, report: CheckReport, units: int | None = None,
            render: bool = True) -> None:
    """Build (and, unless the Word template is already known to be broken, render) the
    report of every unit of the data's latest year in memory, with each chart backend
    (native charts, and PNG placeholders); new problems are added once, naming the first
    unit they occurred for."""
    from reportgen.errors import Issue, IssuesError

    prepared = prepare(dataset)
    year = dataset.years[-1]
    frame = dataset.frame
    names = [u for u in dataset.units if (frame["unit"].eq(u) & frame["year"].eq(year)).any()]
    names = names[:units] if units else names
    report.units = len(names)
    report.render_skipped = not render
    seen = {(i.location.file, i.location.where, i.message) for i in report.issues}
    kits = [replace(kit, charts=backend) for backend in BACKENDS]  # every chart backend
    for unit in names:
        try:
            analysis = analyze_unit(prepared, unit, year, kit.rules)
            contexts = [context_from_analysis(k, dataset, analysis) for k in kits]
            report.built += 1
            if render:
                for context in contexts:
                    kit.renderer.render(context)
                report.rendered += 1
        except IssuesError as exc:
            for issue in exc.issues:
                add_unit_issue(report, issue, unit, seen)
            if any(i.code in TIMEOUT_CODES for i in exc.issues):
                break  # the same loop would spend the budget again for every unit
        except ReportgenError as exc:
            add_unit_issue(report, Issue(exc.message, exc.location, code="render"), unit, seen)


def example_for_guide(dpi: int = 0) -> tuple[ReportContext, UnitAnalysis]:
    """(render context, analysis) of the sample's default unit, charts not drawn."""
    from reportgen.config.search import packaged_dir

    search = SearchPath((packaged_dir(),))
    project = Project(search, load_frameworks(search))
    dataset = load_dataset(project)
    kit = make_toolkit(project, dpi=dpi)
    unit, year = default_unit_and_year(dataset, kit, None, None)
    analysis = analyze_unit(prepare(dataset), unit, year, kit.rules)
    return context_from_analysis(kit, dataset, analysis), analysis
