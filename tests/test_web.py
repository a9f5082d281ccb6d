"""`reportgen serve`: the HTTP API and the page's fragments, through httpx (TestClient).

The main client runs the real process pool (two workers) in a temporary working folder, so
these tests also check that each request's folder is gone once its response is sent.
"""

from __future__ import annotations

import io
import shutil
import threading
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote

import pytest
from docx import Document
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reportgen import app as pipeline
from reportgen.cli import app as cli
from reportgen.data.load import dataset_files
from reportgen.data.sample import data_path, write_csv
from reportgen.data.sample import generate as sample_rows
from reportgen.docx.dump import dump
from reportgen.errors import OutputError
from reportgen.output import write
from reportgen.web import server
from reportgen.web.errors import UploadTooLarge, error_payload, status_of
from reportgen.web.jobs import choices, file_progress
from reportgen.web.server import Settings, create_app
from reportgen.web.uploads import (
    FOLDER_PREFIX,
    LOOPBACK,
    RequestFolder,
    Upload,
    content_disposition,
    display_name,
    stored_name,
    valid_token,
)

BROKEN = ("year,index,unit,component,score\n"
          "2024,PAR_INDEX,Hòa Lâm,TOTAL,abc\n"
          "2024,XYZ,Kim Sơn,TOTAL,50\n")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web-work")


@pytest.fixture(scope="module")
def client(workdir: Path) -> Iterator[TestClient]:
    settings = Settings(workers=2, workdir=str(workdir), max_upload_mb=1)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four fictional provinces, three years: a batch of it takes seconds."""
    path = tmp_path_factory.mktemp("web-data") / "bon-tinh.csv"
    write_csv(sample_rows(4, departments=False, seed=7), path)
    return path


def request_folders(workdir: Path) -> list[Path]:
    return sorted(workdir.glob(FOLDER_PREFIX + "*"))


def filename_star(response) -> str:
    header = response.headers["content-disposition"]
    return unquote(header.split("filename*=UTF-8''", 1)[1])


def cli_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """What `reportgen validate --data NAME` prints, run in the file's folder."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["validate", "--data", name])
    assert result.exit_code == 1, result.output
    return result.output.strip().splitlines()


# --- uploads: names, suffixes, tokens ------------------------------------------------------

def test_an_upload_name_is_shown_but_never_used_as_a_path():
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("C:\\Users\\chuyen vien\\Điểm PAR 2024.xlsx") == "Điểm PAR 2024.xlsx"
    assert display_name("a\x00b\nc.csv") == "abc.csv"
    assert display_name(None) == "upload"
    assert stored_name("../../x.CSV") == "x.csv"
    assert stored_name("Điểm PAR 2024.xlsx") == "diem-par-2024.xlsx"
    assert stored_name("groups.csv") == "groups.csv"  # a companion table keeps what names it
    assert stored_name("evil.sh") == "evil.bin"
    assert stored_name("../.bashrc") == "bashrc.bin"
    assert stored_name("..") == "upload.bin"
    assert stored_name("/") == "upload.bin"
    assert stored_name("a.csv", {"a.csv", "a-2.csv"}) == "a-3.csv"


def test_an_upload_is_shown_under_the_clients_name():
    upload = Upload("/tmp/reportgen-web-1/data", (("/tmp/reportgen-web-1/data/so-lieu.csv", "số liệu.csv"),
                                                  ("/tmp/reportgen-web-1/data", "data")))
    assert upload.rename("/tmp/reportgen-web-1/data/so-lieu.csv, dòng 3") == "số liệu.csv, dòng 3"
    assert upload.rename("/tmp/reportgen-web-1/data: trống") == "data: trống"
    assert Upload(None).rename("x") == "x"


def test_content_disposition_has_an_ascii_fallback_and_the_vietnamese_name():
    name = "Báo cáo Chỉ số - Sở Văn hóa, Thể thao & Du lịch - năm 2024.docx"
    header = content_disposition(name)
    fallback = "bao-cao-chi-so-so-van-hoa-the-thao-du-lich-nam-2024.docx"
    assert header.startswith(f'attachment; filename="{fallback}"; ')
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o" in header
    assert unquote(header.split("''", 1)[1]) == name
    assert header.isascii()


def test_progress_tokens_are_hex_only():
    assert valid_token("0123456789abcdef") == "0123456789abcdef"
    assert valid_token("../../etc") is None
    assert valid_token("short") is None
    assert valid_token(None) is None


def test_error_status_codes():
    assert status_of(UploadTooLarge("x")) == 413
    payload = error_payload(OutputError("không tìm thấy LibreOffice"))
    assert payload["status"] == 400 and payload["lines"] == ["không tìm thấy LibreOffice"]


def test_file_progress_is_written_after_each_unit(tmp_path: Path):
    path = tmp_path / "progress.json"
    report, stop = file_progress(path)(3)
    report("Hòa Lâm", "generated", "")
    assert '"done": 1' in path.read_text(encoding="utf-8")
    assert "Hòa Lâm" in path.read_text(encoding="utf-8")
    stop()
    assert '"finished": true' in path.read_text(encoding="utf-8")


def test_choices_list_units_by_group_and_years_by_unit():
    project = pipeline.open_project()
    dataset = pipeline.load_dataset(project)
    picked = choices(dataset, "Hòa Lâm", 2024)
    assert set(picked["groups"]) == {"Tỉnh, thành phố", "Khối sở"}
    assert "Sở Tư pháp" in picked["groups"]["Khối sở"]
    assert picked["years"]["Hòa Lâm"] == [2022, 2023, 2024]
    assert (picked["unit"], picked["year"], picked["group"]) == ("Hòa Lâm", 2024, "Tỉnh, thành phố")


# --- the API -------------------------------------------------------------------------------

def test_healthz(client: TestClient):
    body = client.get("/healthz").json()
    assert body["ok"] is True and isinstance(body["pdf"], bool)


def test_validate_without_an_upload_uses_the_sample(client: TestClient, workdir: Path):
    response = client.post("/api/validate")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["summary"]["units"] == 62 and body["summary"]["years"] == [2022, 2023, 2024]
    assert body["choices"]["unit"] == "Hòa Lâm" and body["choices"]["year"] == 2024
    assert request_folders(workdir) == []


def test_a_broken_upload_gives_the_located_messages_of_validate(client: TestClient, workdir: Path,
                                                                  tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "bad.csv").write_text(BROKEN, encoding="utf-8")
    response = client.post("/api/validate", files={"data": ("bad.csv", BROKEN.encode(), "text/csv")})
    assert response.status_code == 422
    body = response.json()
    assert body["ok"] is False
    printed = cli_lines(tmp_path, monkeypatch, "bad.csv")
    assert body["text"].splitlines() == printed
    assert body["message"] == printed[0]
    assert ["  - " + line for line in body["lines"]] == printed[1:]
    score = next(e for e in body["errors"] if e["column"] == "score")
    assert (score["file"], score["row"], score["value"]) == ("bad.csv", 2, "abc")
    assert "reportgen-web-" not in response.text and str(workdir) not in response.text
    assert "Traceback" not in response.text
    assert request_folders(workdir) == []


def test_a_broken_xlsx_names_its_sheet(client: TestClient, make_xlsx, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch):
    path = make_xlsx("Điểm 2024.xlsx", {"scores": [["year", "index", "unit", "component", "score"],
                                                   [2024, "PAR_INDEX", "Hòa Lâm", "TOTAL", "tám mươi"]]})
    response = client.post("/api/validate", files={"data": (path.name, path.read_bytes())})
    assert response.status_code == 422
    body = response.json()
    entry = next(e for e in body["errors"] if e["column"] == "score")
    assert (entry["file"], entry["sheet"], entry["row"]) == ("Điểm 2024.xlsx", "scores", 2)
    assert body["text"].splitlines() == cli_lines(tmp_path, monkeypatch, path.name)


def test_an_unsupported_file_is_a_located_message(client: TestClient):
    response = client.post("/api/validate", files={"data": ("ghi-chu.txt", b"hello")})
    assert response.status_code == 422
    entry = response.json()["errors"][0]
    assert entry["file"] == "ghi-chu.txt" and "định dạng tệp không được hỗ trợ" in entry["message"]


def test_several_files_are_one_dataset(client: TestClient, small_csv: Path):
    lines = small_csv.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    early = "".join([header, *(r for r in rows if not r.startswith("2024"))]).encode()
    late = "".join([header, *(r for r in rows if r.startswith("2024"))]).encode()
    files = [("data", ("Điểm 2022-2023.csv", early)), ("data", ("Điểm 2024.csv", late))]
    body = client.post("/api/validate", files=files).json()
    assert body["ok"] is True, body
    assert body["summary"]["years"] == [2022, 2023, 2024] and body["summary"]["units"] == 4
    broken = client.post("/api/validate", files=[*files, ("data", ("bad.csv", BROKEN.encode()))])
    assert broken.status_code == 422
    errors = broken.json()["errors"]
    assert {e["file"] for e in errors if e["severity"] == "error"} == {"bad.csv"}
    assert {e["file"] for e in errors} <= {"bad.csv", "Điểm 2022-2023.csv", "Điểm 2024.csv"}
    assert "reportgen-web-" not in broken.text


def test_a_path_in_the_file_name_writes_nothing_outside(client: TestClient, workdir: Path):
    response = client.post("/api/validate", files={"data": ("../../thoat-ra.csv", BROKEN.encode())})
    assert response.status_code == 422
    assert response.json()["errors"][0]["file"] == "thoat-ra.csv"
    assert not list(workdir.parent.rglob("thoat-ra.csv"))
    assert request_folders(workdir) == []


def test_an_upload_over_the_limit_is_413(client: TestClient, workdir: Path):
    big = b"year,index,unit,component,score\n" + b"2024,PAR_INDEX,A,TOTAL,50\n" * 60_000  # > 1 MB
    response = client.post("/api/validate", files={"data": ("lon.csv", big)})
    assert response.status_code == 413
    body = response.json()
    assert body["ok"] is False and "1 MB" in body["message"]
    assert request_folders(workdir) == []


def test_a_chunked_upload_over_the_limit_is_413_too(client: TestClient, workdir: Path):
    boundary = "rgboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"lon.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode()

    def body() -> Iterator[bytes]:  # no Content-Length: the limit is counted as bytes arrive
        yield head
        for _ in range(40):
            yield b"2024,PAR_INDEX,A,TOTAL,50\n" * 2000
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post("/api/report", content=body(),
                           headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413
    assert response.json()["ok"] is False
    assert request_folders(workdir) == []


def test_another_sites_page_cannot_drive_the_server(client: TestClient):
    refused = client.post("/api/validate", headers={"origin": "http://evil.example"})
    assert refused.status_code == 403 and refused.json()["ok"] is False
    same = client.post("/api/validate", headers={"origin": "http://testserver"})
    assert same.status_code == 200


def test_on_the_loopback_only_its_names_are_answered(tmp_path: Path):
    settings = Settings(workdir=str(tmp_path), allowed_hosts=LOOPBACK)
    with TestClient(create_app(settings, pool=ThreadPoolExecutor(1)), base_url="http://127.0.0.1:8000") as ok:
        assert ok.get("/healthz").status_code == 200
        assert ok.get("/healthz", headers={"host": "localhost:8000"}).status_code == 200
        assert ok.get("/healthz", headers={"host": "[::1]:8000"}).status_code == 200
        rebound = ok.get("/healthz", headers={"host": "attacker.example:8000"})  # DNS rebinding
        assert rebound.status_code == 403 and "attacker.example" in rebound.json()["message"]


def test_the_report_is_the_document_generate_writes(tmp_path: Path):
    # the files `reportgen generate` reads without --data: the sample's file, or its folder;
    # uploaded to a server with the default limit (`reportgen serve` without --max-upload-mb):
    # the sample with its criteria rows (#13) is over the 1 MB of the shared test client
    files = [("data", (f.name, f.read_bytes())) for f in dataset_files(data_path(None))]
    workdir = tmp_path / "web-work"
    workdir.mkdir()
    with TestClient(create_app(Settings(workers=1, workdir=str(workdir)))) as client:
        response = client.post("/api/report", files=files,
                               data={"unit": "Hòa Lâm", "year": "2024", "format": "docx"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == server.DOCX
    assert filename_star(response) == "Báo cáo Chỉ số - Hòa Lâm - năm 2024.docx"
    written = list(pipeline.generate(None, "Hòa Lâm", 2024, tmp_path / "out"))
    assert dump(response.content) == dump(written[0].read_bytes())
    assert request_folders(workdir) == []


def test_the_report_defaults_to_the_unit_and_year_of_generate(client: TestClient):
    response = client.post("/api/report")
    assert response.status_code == 200, response.text
    assert filename_star(response) == "Báo cáo Chỉ số - Hòa Lâm - năm 2024.docx"


def test_a_unit_is_found_as_generate_finds_it(client: TestClient, small_csv: Path):
    units = list(dict.fromkeys(r["unit"] for r in sample_rows(4, departments=False, seed=7)))
    loose = units[1].lower()  # case-insensitive, as on the command line
    response = client.post("/api/report", data={"unit": loose, "year": "2023"},
                           files={"data": (small_csv.name, small_csv.read_bytes())})
    assert response.status_code == 200, response.text
    assert filename_star(response) == f"Báo cáo Chỉ số - {units[1]} - năm 2023.docx"
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert units[1] in text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_report_as_pdf(client: TestClient, workdir: Path):
    response = client.post("/api/report", data={"unit": "Sở Tư pháp", "year": "2024", "format": "pdf"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert filename_star(response) == "Báo cáo Chỉ số - Sở Tư pháp - năm 2024.pdf"
    assert request_folders(workdir) == []


def test_request_errors_are_400_with_a_message(client: TestClient, workdir: Path):
    unknown = client.post("/api/report", data={"unit": "Hoa Lam Moi", "year": "2024"})
    assert unknown.status_code == 400
    assert "Không tìm thấy đơn vị 'Hoa Lam Moi'" in unknown.json()["message"]
    assert "Có phải" in unknown.json()["message"]
    no_year = client.post("/api/report", data={"unit": "Hòa Lâm", "year": "1999"})
    assert no_year.status_code == 400 and "không có dữ liệu năm 1999" in no_year.json()["message"]
    bad_year = client.post("/api/report", data={"year": "../2024"})
    assert bad_year.status_code == 400 and "'year'" in bad_year.json()["message"]
    bad_format = client.post("/api/report", data={"format": "exe"})
    assert bad_format.status_code == 400 and "'format'" in bad_format.json()["message"]
    missing = client.post("/api/batch")
    assert missing.status_code == 400 and "thiếu trường 'year'" in missing.json()["message"]
    for response in (unknown, no_year, bad_year, bad_format, missing):
        assert "Traceback" not in response.text
    assert request_folders(workdir) == []


def test_a_malformed_body_is_a_message(client: TestClient, workdir: Path):
    many = [("data", (f"{n}.csv", b"year\n")) for n in range(30)]
    too_many = client.post("/api/validate", files=many)
    assert too_many.status_code == 400 and "tối đa 20 tệp" in too_many.json()["message"]
    for content_type in ("multipart/form-data; boundary=x", "multipart/form-data"):
        broken = client.post("/api/validate", content=b"--x\r\nnot a part",
                             headers={"content-type": content_type})
        assert broken.status_code == 400
        assert broken.json()["message"].startswith("nội dung gửi lên không đọc được")
    assert request_folders(workdir) == []


def test_two_concurrent_reports_get_their_own_files(client: TestClient, workdir: Path, small_csv: Path):
    units = list(dict.fromkeys(r["unit"] for r in sample_rows(4, departments=False, seed=7)))
    asked = {"Sở Tư pháp": None, units[2]: small_csv}
    results: dict[str, object] = {}
    start = threading.Barrier(len(asked))

    def fetch(unit: str, data: Path | None) -> None:
        files = {"data": (data.name, data.read_bytes())} if data else None
        start.wait()
        results[unit] = client.post("/api/report", data={"unit": unit, "year": "2024"}, files=files)

    threads = [threading.Thread(target=fetch, args=item) for item in asked.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    dumps = []
    for unit in asked:
        response = results[unit]
        assert response.status_code == 200, response.text
        assert filename_star(response) == f"Báo cáo Chỉ số - {unit} - năm 2024.docx"
        dumps.append(dump(response.content))
        assert unit in dumps[-1]
    assert dumps[0] != dumps[1]
    assert request_folders(workdir) == []


class HeldPool(ThreadPoolExecutor):
    """A pool whose jobs wait for ``release``: a report being drawn for as long as the test
    needs, whatever the machine's speed (``started`` says a job has reached the pool)."""

    def __init__(self) -> None:
        super().__init__(1)
        self.started, self.release = threading.Event(), threading.Event()

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        def held(*a, **k):
            self.started.set()
            self.release.wait(60)
            return fn(*a, **k)

        return super().submit(held, *args, **kwargs)


def test_the_page_answers_while_reports_are_drawn(workdir: Path):
    pool = HeldPool()
    app_ = create_app(Settings(workdir=str(workdir)), pool=pool)
    with TestClient(app_) as held_client:
        holder: dict[str, object] = {}
        thread = threading.Thread(target=lambda: holder.setdefault(
            "report", held_client.post("/api/report")))
        thread.start()
        assert pool.started.wait(30)  # the report request is in the pool, held there
        page = held_client.get("/")  # served by the event loop while the report is drawn
        healthz = held_client.get("/healthz")
        unfinished = "report" not in holder
        pool.release.set()
        thread.join(120)
    assert page.status_code == 200 and healthz.status_code == 200
    assert unfinished
    assert getattr(holder["report"], "status_code", None) == 200


def test_batch_gives_a_zip_of_the_group_with_its_overview(client: TestClient, workdir: Path,
                                                          small_csv: Path):
    token = "ab" * 16
    seen: list[dict] = []
    finished = threading.Event()
    holder: dict[str, object] = {}

    def run() -> None:
        holder["response"] = client.post("/api/batch", data={"year": "2024", "progress": token},
                                         files={"data": (small_csv.name, small_csv.read_bytes())})
        finished.set()

    thread = threading.Thread(target=run)
    thread.start()
    while not finished.wait(0.2):
        state = client.get(f"/api/progress/{token}").json()
        if state.get("total"):
            seen.append(state)
    thread.join()
    response = holder["response"]
    assert response.status_code == 200, response.text
    assert filename_star(response) == "Báo cáo các nhóm - năm 2024.zip"
    assert response.headers["x-reportgen-failed"] == "0"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert len([n for n in names if n.endswith(".docx") and not n.endswith("tong-hop.docx")]) == 4
    manifest = archive.read("manifest.json").decode("utf-8")
    assert "reportgen-web-" not in manifest and '"bon-tinh.csv"' in manifest
    assert any(n.endswith("tong-hop.docx") for n in names) and "manifest.json" in names
    assert not any(n.endswith(".lock") for n in names)
    assert seen and seen[-1]["total"] == 4  # the page could show how far the batch was
    assert client.get(f"/api/progress/{token}").json() == {"running": False}
    assert request_folders(workdir) == []


def test_batch_of_an_unknown_group_is_a_message(client: TestClient, small_csv: Path):
    response = client.post("/api/batch", data={"year": "2024", "group": "Khối xã"},
                           files={"data": (small_csv.name, small_csv.read_bytes())})
    assert response.status_code in (400, 422)
    assert "Khối xã" in response.json()["message"]


# --- the page and its fragments ---------------------------------------------------------------

def test_the_page_is_vietnamese_and_labelled(client: TestClient):
    html = client.get("/").text
    assert '<html lang="vi">' in html
    assert '<label for="data-file">' in html and 'id="data-file"' in html
    assert "Tải báo cáo .docx" in html and "Kiểm tra bộ mẫu" in html


def test_without_libreoffice_the_pdf_button_says_why(client: TestClient, monkeypatch: pytest.MonkeyPatch):
    def missing() -> str:
        raise OutputError("Không tìm thấy LibreOffice (soffice) để chuyển sang PDF.")

    monkeypatch.setattr(server, "soffice_binary", missing)
    html = client.get("/").text
    assert 'data-format="pdf" disabled' in html
    assert "Không tìm thấy LibreOffice" in html


def test_the_validate_fragment_says_what_validate_prints(client: TestClient,
                                                          monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    html = client.post("/ui/validate").text
    monkeypatch.chdir(tmp_path)
    printed = CliRunner().invoke(cli, ["validate"]).output.strip().splitlines()[-1]
    assert f'<p class="summary" data-testid="summary">{printed}</p>' in html.replace("&amp;", "&")
    assert 'id="choices-data"' in html


def test_the_preview_fragment_has_cards_and_charts(client: TestClient):
    response = client.post("/ui/preview", data={"unit": "Hòa Lâm", "year": "2024"})
    assert response.status_code == 200
    html = response.text
    assert "Hòa Lâm — kết quả năm 2024" in html
    assert html.count('class="card"') == 3  # PAR INDEX, SIPAS, PAPI
    assert "40/45" in html  # PAR INDEX rank
    assert html.count("data:image/png;base64,") >= 3
    assert 'alt=""' not in html


def test_the_preview_of_totals_only_has_no_comparison(client: TestClient):
    rows = "year,index,unit,component,score,group\n" + "".join(
        f'2024,PAR_INDEX,{name},TOTAL,"{score}",Khối sở\n'
        for name, score in (("Hòa Lâm", "81,5"), ("Kim Sơn", "85"), ("An Hải", "79,25")))
    response = client.post("/ui/preview", data={"unit": "Kim Sơn"},
                           files={"data": ("tong.csv", rows.encode())})
    assert response.status_code == 200, response.text
    html = response.text
    assert "Kim Sơn — kết quả năm 2024" in html and html.count('class="card"') == 1
    assert "85,00%" in html and "So với năm" not in html


def test_the_preview_of_an_unknown_unit_is_a_message(client: TestClient):
    response = client.post("/ui/preview", data={"unit": "Không Có", "year": "2024"})
    assert response.status_code == 400
    assert "Không tìm thấy đơn vị" in response.text


# --- the templates panel and unexpected errors (a thread pool: the tests patch the pipeline) --

@pytest.fixture
def threaded(tmp_path: Path):
    def make(**settings: object) -> TestClient:
        pool = ThreadPoolExecutor(2)
        return TestClient(create_app(Settings(workdir=str(tmp_path / "work"), **settings), pool=pool),
                          raise_server_exceptions=False)

    return make


def test_the_templates_panel_lists_located_problems(threaded, tmp_path: Path):
    folder = tmp_path / "mau"
    assert CliRunner().invoke(cli, ["templates", "init", str(folder)]).exit_code == 0
    phrase = next((folder / "phrases").glob("*.j2"))
    phrase.write_text(phrase.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    with threaded(templates=str(folder)) as client:
        body = client.get("/api/templates").json()
        html = client.get("/ui/templates").text
    assert body["ok"] is False and body["error_count"] >= 1
    assert any(e["file"] and phrase.name in e["file"] for e in body["errors"])
    assert "Bộ mẫu có" in html and phrase.name in html


def test_a_pdf_without_libreoffice_is_a_message(threaded, monkeypatch: pytest.MonkeyPatch):
    def missing() -> str:
        raise OutputError("Không tìm thấy LibreOffice (soffice) để chuyển sang PDF.")

    monkeypatch.setattr(write, "soffice_binary", missing)
    with threaded() as client:
        response = client.post("/api/report", data={"format": "pdf"})
    assert response.status_code == 400
    assert response.json()["message"] == "Không tìm thấy LibreOffice (soffice) để chuyển sang PDF."


def test_broken_templates_do_not_stop_the_data_check(threaded, tmp_path: Path):
    folder = tmp_path / "mau"
    assert CliRunner().invoke(cli, ["templates", "init", str(folder)]).exit_code == 0
    phrase = next((folder / "phrases").glob("*.j2"))
    phrase.write_text(phrase.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    with threaded(templates=str(folder)) as client:
        body = client.post("/api/validate").json()
        report = client.post("/api/report")
    assert body["ok"] is True and body["choices"]["year"] == 2024
    assert report.status_code == 422 and phrase.name in report.text  # the report needs them


def test_a_file_response_removes_its_folder_even_when_the_client_is_gone(tmp_path: Path):
    import asyncio

    folder = RequestFolder(tmp_path)
    (folder.path / "r.docx").write_bytes(b"x" * 100_000)
    response = server.FolderFileResponse(str(folder.path / "r.docx"), folder)

    async def receive() -> dict:
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.body":
            raise OSError("connection reset")

    # ASGI 2.4 (uvicorn): a failing send ends the response there, before any background task
    scope = {"type": "http", "method": "GET", "headers": [], "path": "/", "asgi": {"spec_version": "2.4"}}
    with pytest.raises(OSError):
        asyncio.run(response(scope, receive, send))
    assert not folder.path.exists()


def test_an_unexpected_error_never_sends_a_traceback(threaded, monkeypatch: pytest.MonkeyPatch):
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret /etc/shadow")

    monkeypatch.setattr(pipeline, "load_dataset", boom)
    with threaded() as client:
        response = client.post("/api/validate")
    assert response.status_code == 500
    assert response.json()["ok"] is False
    assert "secret" not in response.text and "Traceback" not in response.text
    assert "nhật ký" in response.json()["message"]


def test_stopping_the_server_ends_its_workers_at_once():
    pool = server.make_pool(1)
    running = pool.submit(time.sleep, 60)  # a long report nobody will wait for
    deadline = time.monotonic() + 60
    while not running.running() and time.monotonic() < deadline:
        time.sleep(0.05)
    processes = list(pool._processes.values())
    assert processes and all(p.is_alive() for p in processes)
    started = time.monotonic()
    server.stop_pool(pool)
    assert not any(p.is_alive() for p in processes)
    assert time.monotonic() - started < 10


def test_the_serve_command_passes_its_options(monkeypatch: pytest.MonkeyPatch):
    called: dict[str, object] = {}
    monkeypatch.setattr(server, "serve", lambda settings, host, port: called.update(
        settings=settings, host=host, port=port))
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "8123",
                                      "--max-upload-mb", "5", "--data", "chi-so.xlsx", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert (called["host"], called["port"]) == ("0.0.0.0", 8123)
    assert called["settings"] == Settings(None, "chi-so.xlsx", 5, 1)
    assert "reverse proxy" in result.output  # open to the network: the README's warning


def test_served_on_the_loopback_it_answers_only_to_loopback_names(monkeypatch: pytest.MonkeyPatch):
    import uvicorn

    apps: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: apps.append(app))
    server.serve(Settings(), "127.0.0.1", 8000)
    server.serve(Settings(), "0.0.0.0", 8000)  # behind the office's proxy, which checks names
    loopback, network = apps
    with TestClient(loopback, base_url="http://localhost:8000") as local:
        assert local.get("/healthz").status_code == 200
        assert local.get("/healthz", headers={"host": "rebound.example"}).status_code == 403
    with TestClient(network, base_url="http://baocao.example") as proxied:
        assert proxied.get("/healthz").status_code == 200
