"""Command line: parse options, call the pipeline, map errors to one message and an exit code.

Exit codes: 0 success; 1 bad input, templates or configuration (the message says where);
2 wrong command-line usage; 3 a batch in which some units failed (a full disk mid-batch too: the
files written are listed); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import gc
import json
import os
import signal
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reportgen import __version__
from reportgen import formatting as fmt
from reportgen.errors import ReportgenError, summarize

if TYPE_CHECKING:
    from reportgen.charts.images import Backend
    from reportgen.data.validate import DatasetSummary

app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
    help="reportgen: báo cáo phân tích Chỉ số PAR INDEX, SIPAS, PAPI… theo Nghị định 30/2020/NĐ-CP")
templates_app = typer.Typer(
    no_args_is_help=True, help="Tạo và kiểm tra bộ mẫu báo cáo do người dùng chỉnh sửa")
app.add_typer(templates_app, name="templates")

DataOpt = Annotated[Path | None, typer.Option(
    "--data", help="Tệp .csv/.xlsx hoặc thư mục dữ liệu (mặc định: dữ liệu mẫu)")]
TemplatesOpt = Annotated[Path | None, typer.Option(
    "--templates", help="Thư mục mẫu của người dùng (ưu tiên trước mẫu mặc định)")]


class ChartsChoice(StrEnum):
    """``--charts``: native Word charts (editable, "Edit Data") or PNG pictures."""

    native = "native"
    png = "png"


def _backend(choice: ChartsChoice | None) -> Backend | None:
    if choice is None:
        return None
    return "png" if choice is ChartsChoice.png else "native"


ChartsOpt = Annotated[ChartsChoice | None, typer.Option(
    "--charts", help="Biểu đồ: native (biểu đồ Word sửa được số liệu) hoặc png (ảnh); "
    "mặc định theo charts.backend của report.yaml, không có thì native")]


def fail(exc: ReportgenError) -> None:
    """Print one clear message for an error and exit 1."""
    typer.echo(str(exc), err=True)
    raise typer.Exit(1)


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"reportgen {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True,
                                          help="In phiên bản và thoát")] = False,
) -> None:
    """reportgen."""


def _summary_text(summary: DatasetSummary) -> str:
    years = summary["years"]
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]) if years else "—"
    groups = "; ".join(f"{g}: {n} đơn vị" for g, n in summary["groups"].items())
    return (f"Dữ liệu hợp lệ: {len(summary['indexes'])} chỉ số ({', '.join(summary['indexes'])}), "
            f"năm {span}, {summary['units']} đơn vị trong {len(summary['groups'])} nhóm ({groups}), "
            f"{fmt.num(summary['rows'], 0)} dòng điểm; {summary['warnings']} cảnh báo.")


@app.command("validate")
def validate_cmd(
    data: DataOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Coi cảnh báo là lỗi")] = False,
    year: Annotated[int | None, typer.Option(
        "--year", help="Năm cho bảng dạng ngang không có cột năm")] = None,
    index: Annotated[str | None, typer.Option("--index", help="Mã chỉ số cho bảng dạng ngang")] = None,
    templates: TemplatesOpt = None,
) -> None:
    """Kiểm tra dữ liệu: liệt kê mọi lỗi (tệp, sheet, dòng, cột, giá trị) hoặc in tóm tắt."""
    from reportgen.app import load_dataset, open_project
    from reportgen.data.load import LoadOptions

    try:
        dataset = load_dataset(open_project(templates), data, strict, LoadOptions(year, index))
    except ReportgenError as exc:
        fail(exc)
    for line in summarize(dataset.warnings):
        typer.echo(f"  - {line}")
    typer.echo(_summary_text(dataset.summary()))


@app.command("analyze")
def analyze_cmd(
    unit: Annotated[str, typer.Option("--unit", help="Tên đơn vị như trong dữ liệu")],
    year: Annotated[int, typer.Option("--year", help="Năm kết quả")],
    data: DataOpt = None,
    templates: TemplatesOpt = None,
) -> None:
    """In kết quả phân tích của một đơn vị, một năm dưới dạng JSON."""
    from reportgen.app import analyze

    try:
        result = analyze(data, unit, year, templates)
    except ReportgenError as exc:
        fail(exc)
    typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


def _list_suggestions(paragraphs: list[str]) -> None:
    """A draft's suggestions, on stderr: each must be confirmed or replaced by the clerk's
    own finding (the notes table) before the report is signed."""
    typer.echo(f"Bản dự thảo có {len(paragraphs)} đoạn gợi ý (tô vàng) cần xác nhận hoặc thay "
               "bằng nhận định của cơ quan (bảng notes) trước khi trình ký:", err=True)
    for p in paragraphs:
        typer.echo(f"  - {p}", err=True)


@app.command("generate")
def generate_cmd(
    data: DataOpt = None,
    unit: Annotated[str | None, typer.Option(
        "--unit", help="Tên đơn vị (mặc định: đơn vị mặc định của cấu hình)")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Năm kết quả (mặc định: năm mới nhất)")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Tệp cấu hình báo cáo (YAML)")] = None,
    templates: TemplatesOpt = None,
    out: Annotated[Path, typer.Option("--out", help="Thư mục kết quả")] = Path("output"),
    pdf: Annotated[bool, typer.Option("--pdf", help="Chuyển thêm sang PDF bằng LibreOffice")] = False,
    charts: ChartsOpt = None,
    final: Annotated[bool, typer.Option(
        "--final", help="Bản trình ký: từ chối cấu hình dự thảo (draft: true trong report.yaml)")] = False,
    index: Annotated[str | None, typer.Option(
        "--index", help="Mã chỉ số cho bảng dạng ngang không ghi chỉ số (bảng công bố)")] = None,
) -> None:
    """Tạo báo cáo .docx của một đơn vị, một năm và in đường dẫn tệp."""
    from reportgen.app import generate

    try:
        for path in generate(data, unit, year, out, config, templates, pdf, charts=_backend(charts),
                             final=final, index=index, suggested=_list_suggestions):
            typer.echo(str(path))
    except ReportgenError as exc:
        fail(exc)


@app.command("batch")
def batch_cmd(
    year: Annotated[int, typer.Option("--year", help="Năm kết quả")],
    data: DataOpt = None,
    group: Annotated[list[str] | None, typer.Option("--group", help="Nhóm đơn vị (lặp lại được)")] = None,
    units: Annotated[str | None, typer.Option(
        "--units", help="Chỉ các đơn vị này, cách nhau bởi dấu phẩy")] = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", min=1, help="Số tiến trình song song, từ 1 (mặc định: số lõi)")] = None,
    out: Annotated[Path, typer.Option("--out", help="Thư mục kết quả")] = Path("output"),
    force: Annotated[bool, typer.Option("--force", help="Tạo lại cả báo cáo không thay đổi")] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Chuyển thêm sang PDF")] = False,
    fail_fast: Annotated[bool, typer.Option("--fail-fast", help="Dừng ngay ở đơn vị lỗi đầu tiên")] = False,
    config: Annotated[Path | None, typer.Option("--config", help="Tệp cấu hình báo cáo (YAML)")] = None,
    templates: TemplatesOpt = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Cụm Dask: tcp://HOST:PORT")] = None,
    charts: ChartsOpt = None,
) -> None:
    """Tạo báo cáo cho mọi đơn vị của nhóm trong một năm (song song, chỉ tạo lại báo cáo thay đổi)."""
    from reportgen.app import CHART_DPI, run_batch
    from reportgen.batch.jobs import JobSpec
    from reportgen.batch.progress import console_progress

    spec = JobSpec(str(data) if data else None, str(templates) if templates else None,
                   str(config) if config else None, year, CHART_DPI,
                   charts=_backend(charts))
    wanted = [u.strip() for u in units.split(",") if u.strip()] if units else None
    try:
        result = run_batch(spec, out, group, wanted, jobs, force, pdf, fail_fast, scheduler,
                           progress=console_progress)
    except ReportgenError as exc:
        fail(exc)
    for unit, reason in result.failed.items():
        typer.echo(f"LỖI {unit}: {reason}", err=True)
    typer.echo(f"Đã tạo {len(result.generated)}, bỏ qua {len(result.skipped)} (không thay đổi), "
               f"lỗi {len(result.failed)}; báo cáo tổng hợp: {len(result.overview)}; "
               f"{fmt.num(result.seconds, 1)} giây.")
    if not result.ok:
        if result.written:  # what is on disk despite the failures (e.g. a disk that filled up)
            typer.echo(f"Các tệp đã ghi ({len(result.written)}):", err=True)
            for path in result.written:
                typer.echo(f"  {out / path}", err=True)
        raise typer.Exit(3)


@templates_app.command("init")
def templates_init_cmd(
    directory: Annotated[Path, typer.Argument(help="Thư mục nhận bộ mẫu")],
    force: Annotated[bool, typer.Option("--force", help="Ghi đè tệp đã có")] = False,
) -> None:
    """Sao chép bộ mẫu mặc định (Word, mẫu câu, giải pháp, cơ quan chủ trì, khung chỉ số) kèm hướng dẫn."""
    from reportgen.app import example_for_guide
    from reportgen.check.templates import init_templates, variable_reference

    try:
        written = init_templates(directory, force,
                                 lambda: variable_reference(*example_for_guide()))
    except ReportgenError as exc:
        fail(exc)
    typer.echo(f"Đã tạo {len(written)} tệp trong {directory}; đọc {directory / 'HUONG-DAN.md'} để bắt đầu.")


@templates_app.command("check")
def templates_check_cmd(
    directory: Annotated[Path | None, typer.Argument(help="Thư mục mẫu cần kiểm tra")] = None,
    data: DataOpt = None,
    config: Annotated[Path | None, typer.Option("--config", help="Tệp cấu hình báo cáo (YAML)")] = None,
) -> None:
    """Kiểm tra bộ mẫu: cú pháp, biến, YAML, mã thành phần, rồi thử tạo báo cáo mọi đơn vị."""
    from reportgen.app import check_templates

    try:
        report = check_templates(directory, data, config)
    except ReportgenError as exc:  # the check collects every problem; this is a safety net
        fail(exc)
    for line in summarize(report.issues):
        typer.echo(f"  - {line}", err=not report.ok)
    if not report.ok:
        errors = sum(1 for i in report.issues if i.severity == "error")
        if report.render_skipped:
            tried = (f"; đã tạo thử nội dung {report.built}/{report.units} báo cáo, chưa đặt vào "
                     "mẫu Word vì mẫu có lỗi")
        elif report.units:
            tried = f"; đã tạo thử {report.rendered}/{report.units} báo cáo"
        else:
            tried = "; chưa tạo thử báo cáo nào (sửa các lỗi trên trước)"
        typer.echo(f"Bộ mẫu có {errors} lỗi{tried}.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Bộ mẫu hợp lệ: đã tạo thử {report.rendered}/{report.units} báo cáo trong bộ nhớ.")


@app.command("serve")
def serve_cmd(
    host: Annotated[str, typer.Option("--host", help="Địa chỉ lắng nghe (0.0.0.0: mở cho mạng nội bộ)")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Cổng")] = 8000,
    templates: TemplatesOpt = None,
    data: Annotated[Path | None, typer.Option(
        "--data", help="Dữ liệu dùng khi người dùng không tải tệp lên (mặc định: dữ liệu mẫu)")] = None,
    max_upload_mb: Annotated[float, typer.Option(
        "--max-upload-mb", min=0.001, help="Giới hạn dung lượng tệp tải lên, MB")] = 50,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, help="Số tiến trình tạo báo cáo song song")] = 2,
) -> None:
    """Mở trang web cục bộ: tải dữ liệu lên, xem kết quả, tải báo cáo .docx/PDF/.zip (kèm API HTTP)."""
    from reportgen.web.server import Settings, serve

    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(f"Chú ý: máy chủ mở trên {host}, mọi máy trong mạng đều vào được và không có đăng "
                   "nhập; hãy đặt sau reverse proxy của cơ quan (xem README).", err=True)
    typer.echo(f"reportgen serve: mở http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port} "
               "trong trình duyệt (Ctrl-C để dừng).")
    serve(Settings(str(templates) if templates else None, str(data) if data else None,
                   max_upload_mb, workers), host, port)


class Interrupted(BaseException):
    """Ctrl-C, raised in place of ``KeyboardInterrupt`` (which Click turns into "Aborted!"
    and exit 1) so that it reaches :func:`main`; every ``finally`` still runs on the way."""


def _interrupt(signum: int, frame: object) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not break the cleanup
    raise Interrupted


def main() -> None:
    """Console-script entry point: Ctrl-C prints "Đã dừng." and exits 130, no traceback."""
    signal.signal(signal.SIGINT, _interrupt)
    try:
        app()
    except SystemExit:
        # Leaving: the interpreter's last cyclic garbage collection would walk every object
        # the command made (dataset, analyses, documents: a third of a second after one
        # report). Frozen, they are left to the exit as they are; atexit handlers still run.
        gc.freeze()
        raise
    except (Interrupted, KeyboardInterrupt):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        typer.echo("Đã dừng.", err=True)
        # Everything is already safe: files are written atomically, the manifest after each
        # unit, the workers are killed and the kernel frees the folder lock. The interpreter's
        # exit handlers would join the process pool's threads, which can wait forever on a
        # pipe to a killed worker: leave without them.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
