"""``reportgen serve``: the page (server-rendered Jinja) and the HTTP API it uses.

Routes::

    GET  /                    the page
    GET  /healthz             {ok, version, pdf}
    POST /api/validate        multipart ``data`` (one file, or several: one dataset) → {ok, summary,
                              warnings, choices} or the errors
    POST /api/report          ``data``, ``unit``, ``year``, ``format`` (docx|pdf) → the file
    POST /api/batch           ``data``, ``year``, ``group``, ``progress`` → a .zip of the group
    GET  /api/progress/TOKEN  how far the batch sent with ``progress=TOKEN`` is
    GET  /api/templates       ``templates check`` of the active template set
    POST /ui/validate, /ui/preview; GET /ui/templates   the same, as HTML fragments of the page

Without ``data`` a request uses the server's dataset (``--data``, else the sample). Every job
runs in a pool of worker processes (:mod:`reportgen.web.jobs`), so the page stays responsive
while reports are drawn; each request has its own temporary folder, removed once its
response is sent. Errors are JSON (or, for the page's fragments, HTML) with the located
messages of the command line; a traceback only ever reaches the server's log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import multiprocessing
import os
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from reportgen import __version__
from reportgen import formatting as fmt
from reportgen.batch.executors import PNG_PRELOAD, WORKER_PRELOAD, die_with
from reportgen.errors import OutputError, ReportgenError
from reportgen.output.write import soffice_binary
from reportgen.web import jobs
from reportgen.web.errors import Payload, Unexpected, WebError, error_payload
from reportgen.web.uploads import (
    CHUNK,
    DEFAULT_LIMIT_MB,
    LOOPBACK,
    MAX_FILES,
    RequestFolder,
    SameSite,
    Upload,
    UploadLimit,
    content_disposition,
    display_name,
    stored_name,
    valid_token,
)

log = logging.getLogger("reportgen.web")

HERE = Path(__file__).resolve().parent
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA = {"docx": DOCX, "pdf": "application/pdf", "zip": "application/zip"}
MAX_FIELDS = 20


@dataclass(frozen=True)
class Settings:
    """What ``reportgen serve`` is started with."""

    templates: str | None = None  # --templates: the active template set
    data: str | None = None  # --data: the dataset used when a request sends none
    max_upload_mb: float = DEFAULT_LIMIT_MB
    workers: int = 2  # processes drawing reports
    workdir: str | None = None  # where request folders are made (default: the system's)
    # host names the server answers to; None: any (behind a reverse proxy, which checks them)
    allowed_hosts: tuple[str, ...] | None = None

    @property
    def limit(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


@dataclass
class State:
    """The running server's state: its pool and the progress files of running batches."""

    settings: Settings
    pool: Executor | None = None
    progress: dict[str, Path] = field(default_factory=dict)


class FolderFileResponse(FileResponse):
    """A file of the request's folder, sent; the folder removed once the response is over,
    sent in full or not (the client went away)."""

    def __init__(self, path: str, folder: RequestFolder, **options: Any) -> None:
        super().__init__(path, **options)
        self.folder = folder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.folder.remove()


def make_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes started from a fork server with the heavy modules imported, each
    ending with the server however it ends (Ctrl-C, kill -9: :func:`die_with`)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(WORKER_PRELOAD + PNG_PRELOAD)  # previews are pictures
    return ProcessPoolExecutor(max(1, workers), mp_context=ctx, initializer=die_with,
                               initargs=(os.getpid(),))


def stop_pool(pool: Executor) -> None:
    """Stop now: queued jobs cancelled, running ones killed (nobody waits for them)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.kill()
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            process.join(5)


def pdf_missing() -> str | None:
    """Why PDF cannot be made here (LibreOffice not installed), else None."""
    try:
        soffice_binary()
    except OutputError as exc:
        return exc.message
    return None


def page_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["num"] = fmt.num
    templates.env.filters["signed"] = fmt.signed
    templates.env.filters["signed_places"] = fmt.signed_places
    return templates


def create_app(settings: Settings | None = None, pool: Executor | None = None) -> FastAPI:
    """The web application; ``pool`` (tests) replaces the process pool made at start-up."""
    settings = settings or Settings()
    state = State(settings)
    pages = page_templates()
    names = pages.env.get_template("names.j2").module

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        state.pool = pool or make_pool(settings.workers)
        try:
            yield
        finally:
            if pool is None:
                stop_pool(state.pool)

    web = FastAPI(title="reportgen", version=__version__, lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url=None)
    web.add_middleware(UploadLimit, limit=settings.limit)
    web.add_middleware(SameSite, allowed_hosts=settings.allowed_hosts)
    web.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @web.exception_handler(ReportgenError)
    async def reportgen_error(_: Request, exc: ReportgenError) -> JSONResponse:
        payload = error_payload(exc)
        return JSONResponse(payload, status_code=payload["status"])

    @web.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.error("reportgen serve: unexpected error", exc_info=exc)
        payload = error_payload(Unexpected("lỗi không mong đợi khi xử lý yêu cầu; chi tiết trong "
                                           "nhật ký của máy chủ"))
        return JSONResponse(payload, status_code=500)

    async def run(job: Callable[..., Payload], *args: Any) -> Payload:
        assert state.pool is not None
        return await asyncio.get_running_loop().run_in_executor(state.pool, partial(job, *args))

    async def read_form(request: Request, folder: RequestFolder) -> tuple[Upload, dict[str, str]]:
        """The fields, and the uploaded dataset stored in the request's folder under our
        names: one file, or a folder of the files sent as ``data``."""
        try:
            form = await request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS)
        except HTTPException as exc:  # a malformed body, too many files or fields
            raise WebError(f"nội dung gửi lên không đọc được (multipart/form-data, tối đa {MAX_FILES} "
                           f"tệp trong trường 'data'): {exc.detail}") from exc
        try:
            fields = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
            files = [f for f in form.getlist("data") if isinstance(f, UploadFile) and f.filename]
            if not files:
                return Upload(settings.data), fields
            root = folder.path / "data"
            root.mkdir()
            names: list[tuple[str, str]] = []
            for upload in files:
                path = root / stored_name(upload.filename, {p.name for p in root.iterdir()})
                with path.open("wb") as fh:
                    while chunk := await upload.read(CHUNK):
                        fh.write(chunk)
                names.append((str(path), display_name(upload.filename)))
            dataset = names[0][0] if len(names) == 1 else str(root)
            names.append((str(root), "data"))  # the folder itself: shown as the field's name
            # longest first: a stored path is never replaced inside a longer one
            return Upload(dataset, tuple(sorted(names, key=lambda n: -len(n[0])))), fields
        finally:
            await form.close()  # its spooled files

    def year_field(fields: dict[str, str], required: bool = False) -> int | None:
        value = fields.get("year") or None
        if value is None:
            if required:
                raise WebError("thiếu trường 'year' (năm kết quả, ví dụ 2024)")
            return None
        if not value.isdigit() or not 1900 <= int(value) <= 2200:
            raise WebError(f"trường 'year' phải là một năm, ví dụ 2024 (nhận được: '{value[:20]}')")
        return int(value)

    def error_response(payload: Payload) -> JSONResponse:
        return JSONResponse(payload, status_code=payload["status"])

    def file_response(path: str, name: str, kind: str, folder: RequestFolder,
                      headers: dict[str, str] | None = None) -> FileResponse:
        return FolderFileResponse(path, folder, media_type=MEDIA[kind], headers={
            "Content-Disposition": content_disposition(name), **(headers or {})})

    def text(macro: str, *args: Any) -> str:
        return str(getattr(names, macro)(*args)).strip()

    # --- the API ----------------------------------------------------------------------------

    @web.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {"ok": True, "version": __version__, "pdf": pdf_missing() is None}

    async def validate(request: Request) -> Payload:
        folder = RequestFolder(Path(settings.workdir) if settings.workdir else None)
        try:
            upload, _ = await read_form(request, folder)
            return await run(jobs.validate_job, upload, settings.templates)
        finally:
            folder.remove()

    @web.post("/api/validate")
    async def api_validate(request: Request) -> JSONResponse:
        payload = await validate(request)
        return JSONResponse(payload, status_code=200 if payload["ok"] else payload["status"])

    @web.post("/api/report", response_model=None)
    async def api_report(request: Request) -> Response:
        folder = RequestFolder(Path(settings.workdir) if settings.workdir else None)
        sent = False
        try:
            upload, fields = await read_form(request, folder)
            kind = fields.get("format") or "docx"
            if kind not in ("docx", "pdf"):
                raise WebError(f"trường 'format' chỉ nhận 'docx' hoặc 'pdf' (nhận được: '{kind[:20]}')")
            payload = await run(jobs.report_job, upload, fields.get("unit") or None, year_field(fields),
                                kind == "pdf", settings.templates, str(folder.path / "out"))
            if not payload["ok"]:
                return error_response(payload)
            response = file_response(payload["path"], text("report", payload["unit"], payload["year"], kind),
                                     kind, folder)
            sent = True
            return response
        finally:
            if not sent:
                folder.remove()

    @web.post("/api/batch", response_model=None)
    async def api_batch(request: Request) -> Response:
        folder = RequestFolder(Path(settings.workdir) if settings.workdir else None)
        sent = False
        token = None
        try:
            upload, fields = await read_form(request, folder)
            year = year_field(fields, required=True)
            group = fields.get("group") or None
            token = valid_token(fields.get("progress"))
            if token is not None:
                state.progress[token] = folder.path / jobs.PROGRESS_FILE
            payload = await run(jobs.batch_job, upload, year, group, settings.templates, str(folder.path))
            if not payload["ok"]:
                return error_response(payload)
            headers = {"X-Reportgen-Generated": str(payload["generated"]),
                       "X-Reportgen-Failed": str(len(payload["failed"]))}
            response = file_response(payload["path"], text("batch", group or "", year), "zip", folder,
                                     headers)
            sent = True
            return response
        finally:
            if token is not None:
                state.progress.pop(token, None)
            if not sent:
                folder.remove()

    @web.get("/api/progress/{token}")
    async def api_progress(token: str) -> dict[str, Any]:
        path = state.progress.get(valid_token(token) or "")
        if path is None:
            return {"running": False}
        try:
            return {"running": True, **json.loads(path.read_text(encoding="utf-8"))}
        except (OSError, ValueError):  # not started yet
            return {"running": True, "total": 0, "done": 0, "current": None}

    @web.get("/api/templates")
    async def api_templates() -> JSONResponse:
        payload = await run(jobs.templates_job, settings.templates, settings.data)
        return JSONResponse(payload, status_code=payload.get("status", 200))

    # --- the page and its fragments ------------------------------------------------------------

    @web.get("/", response_class=HTMLResponse)
    async def index(request: Request) -> HTMLResponse:
        return pages.TemplateResponse(request, "index.html", {
            "pdf_missing": pdf_missing(), "limit_mb": settings.max_upload_mb,
            "server_data": display_name(settings.data) if settings.data else None,
            "templates_dir": settings.templates, "version": __version__})

    @web.post("/ui/validate", response_class=HTMLResponse)
    async def ui_validate(request: Request) -> HTMLResponse:
        payload = await validate(request)
        return pages.TemplateResponse(request, "validate.html", {"result": payload},
                                      status_code=200 if payload["ok"] else payload["status"])

    @web.post("/ui/preview", response_class=HTMLResponse)
    async def ui_preview(request: Request) -> HTMLResponse:
        folder = RequestFolder(Path(settings.workdir) if settings.workdir else None)
        try:
            upload, fields = await read_form(request, folder)
            payload = await run(jobs.preview_job, upload, fields.get("unit") or None, year_field(fields),
                                settings.templates)
        finally:
            folder.remove()
        return pages.TemplateResponse(request, "preview.html", {"result": payload},
                                      status_code=200 if payload["ok"] else payload["status"])

    @web.get("/ui/templates", response_class=HTMLResponse)
    async def ui_templates(request: Request) -> HTMLResponse:
        payload = await run(jobs.templates_job, settings.templates, settings.data)
        return pages.TemplateResponse(request, "templates_check.html", {
            "result": payload, "templates_dir": settings.templates})

    return web


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the server until interrupted; bound to the loopback, it answers only to the
    loopback's names (another site's page cannot reach it by a name of its own)."""
    import uvicorn

    if host in LOOPBACK and settings.allowed_hosts is None:
        settings = replace(settings, allowed_hosts=LOOPBACK)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
