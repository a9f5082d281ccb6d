"""The work of ``reportgen serve``, run in its pool of worker processes.

Each job calls one function of :mod:`reportgen.app` (the only place the stages are
sequenced) and returns a plain, picklable payload: ``{"ok": True, …}``, or the error's JSON
(:func:`~reportgen.web.errors.error_payload`, the uploaded file shown under the client's
name). Errors never cross the process boundary as exceptions (an ``IssuesError`` does not
survive pickling), and an unexpected one is logged here, its traceback never sent.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportgen import app
from reportgen.batch.jobs import JobSpec
from reportgen.batch.plan import Progress
from reportgen.data.validate import Dataset
from reportgen.errors import ReportgenError, summarize
from reportgen.output.manifest import MANIFEST
from reportgen.web.errors import Payload, Unexpected, error_payload, issue_entry
from reportgen.web.uploads import Upload

log = logging.getLogger("reportgen.web")

LOCK_FILE = ".reportgen.lock"
PROGRESS_FILE = "progress.json"
ZIP_FILE = "reports.zip"


def guarded(work: Callable[[], Payload], upload: Upload | None = None) -> Payload:
    """``work()``, or the JSON of the error it raised."""
    rename = upload.rename if upload is not None else (lambda text: text)
    try:
        return work()
    except ReportgenError as exc:
        return error_payload(exc, rename)
    except Exception:  # noqa: BLE001 - a bug: logged here, one plain message for the client
        log.exception("reportgen serve: unexpected error")
        return error_payload(Unexpected("lỗi không mong đợi khi xử lý yêu cầu; chi tiết trong "
                                        "nhật ký của máy chủ"))


def choices(dataset: Dataset, unit: str, year: int) -> dict[str, Any]:
    """What the page's selectors offer: the units of each group, the years of each unit,
    and the unit and year ``reportgen generate`` would pick."""
    frame = dataset.frame
    pairs = frame[["group", "unit"]].drop_duplicates()
    groups: dict[str, list[str]] = {}
    for group, name in zip(pairs["group"], pairs["unit"], strict=True):
        groups.setdefault(str(group), []).append(str(name))
    years = {str(name): sorted(int(y) for y in values)
             for name, values in frame.groupby("unit", sort=False)["year"].unique().items()}
    return {"groups": groups, "years": years, "unit": unit, "year": year,
            "group": dataset.group_of(unit, year), "all_years": dataset.years}


def validate_job(upload: Upload, templates: str | None) -> Payload:
    """``reportgen validate``: the summary, warnings and choices, or every located error."""

    def work() -> Payload:
        project = app.open_project(templates)
        dataset = app.load_dataset(project, upload.path)
        try:
            unit, year = app.default_unit_and_year(dataset, app.make_toolkit(project), None, None)
        except ReportgenError:  # broken templates (the templates panel says where): data still checked
            unit = dataset.units[0]
            year = max(int(y) for y in dataset.frame.loc[dataset.frame["unit"] == unit, "year"])
        warnings = [issue_entry(w, upload.rename) for w in dataset.warnings]
        return {"ok": True, "summary": dataset.summary(), "warnings": warnings,
                "warning_lines": [upload.rename(line) for line in summarize(dataset.warnings)],
                "choices": choices(dataset, unit, year)}

    return guarded(work, upload)


def preview_job(upload: Upload, unit: str | None, year: int | None, templates: str | None) -> Payload:
    """One unit's figures (the analysis, as ``reportgen analyze`` prints it) and its report's
    charts (PNG, base64) with their captions and text alternatives."""

    def work() -> Payload:
        analysis, context = app.preview(upload.path, unit, year, templates)
        sections = []
        for part in (*context["results"], *context["components"]):
            charts = [{"caption": c["caption"], "alt": c["alt_text"],
                       "png": base64.b64encode(c["png"]).decode("ascii")} for c in part["charts"]]
            if charts:
                sections.append({"heading": part["heading"], "charts": charts})
        return {"ok": True, "analysis": analysis.to_dict(), "sections": sections}

    return guarded(work, upload)


def report_job(upload: Upload, unit: str | None, year: int | None, pdf: bool, templates: str | None,
               out: str) -> Payload:
    """``reportgen generate`` into ``out`` (the request's folder): the file to send."""

    def work() -> Payload:
        picked: dict[str, Any] = {}
        paths = list(app.generate(upload.path, unit, year, Path(out), templates=templates, pdf=pdf,
                                  chosen=lambda name, chosen_year: picked.update(unit=name,
                                                                                 year=chosen_year)))
        return {"ok": True, "path": str(paths[-1]), **picked}

    return guarded(work, upload)


def file_progress(path: Path) -> Callable[[int], tuple[Progress, Callable[[], None]]]:
    """A batch progress that the server reads: ``{total, done, current}`` in a JSON file,
    replaced atomically after each unit."""

    def start(total: int) -> tuple[Progress, Callable[[], None]]:
        state: dict[str, Any] = {"total": total, "done": 0, "current": None, "finished": False}

        def write() -> None:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)

        def report(unit: str, status: str, detail: str) -> None:
            state["done"] += 1
            state["current"] = unit
            write()

        def stop() -> None:
            state["finished"] = True
            write()

        write()
        return report, stop

    return start


def renamed_json(value: Any, upload: Upload) -> Any:
    """``value`` with every string's stored paths shown under the client's names."""
    if isinstance(value, str):
        return upload.rename(value)
    if isinstance(value, list):
        return [renamed_json(v, upload) for v in value]
    if isinstance(value, dict):
        return {k: renamed_json(v, upload) for k, v in value.items()}
    return value


def batch_job(upload: Upload, year: int, group: str | None, templates: str | None, folder: str) -> Payload:
    """``reportgen batch`` of one group (or all) into the request's folder, zipped with its
    manifest (which says why a unit failed)."""

    def work() -> Payload:
        root = Path(folder)
        out = root / "out"
        spec = JobSpec(upload.path, templates, None, year, app.CHART_DPI)
        result = app.run_batch(spec, out, [group] if group else None, jobs=1,
                               progress=file_progress(root / PROGRESS_FILE))
        archive = root / ZIP_FILE
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != LOCK_FILE):
                if path.name == MANIFEST:  # the uploaded files under the client's names
                    manifest = renamed_json(json.loads(path.read_text(encoding="utf-8")), upload)
                    zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
                else:
                    zf.write(path, path.relative_to(out).as_posix())
        failed = {unit: upload.rename(reason) for unit, reason in result.failed.items()}
        return {"ok": True, "path": str(archive), "generated": len(result.generated),
                "overview": len(result.overview), "failed": failed}

    return guarded(work, upload)


def templates_job(templates: str | None, data: str | None) -> Payload:
    """``reportgen templates check``: every located message, and how far the dry run went."""

    def work() -> Payload:
        report = app.check_templates(templates, data)
        return {"ok": report.ok, "errors": [issue_entry(i) for i in report.issues],
                "lines": summarize(report.issues), "units": report.units,
                "rendered": report.rendered, "built": report.built,
                "render_skipped": report.render_skipped,
                "error_count": sum(1 for i in report.issues if i.severity == "error")}

    return guarded(work)
