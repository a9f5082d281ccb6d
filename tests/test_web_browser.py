"""`reportgen serve` in a real browser: Debian's chromium driven by Playwright.

A clerk's path through the page: upload a file, read the validation, pick a unit and see its
figures, download the .docx (opened with python-docx) and the group's .zip; a broken file
shows its located errors in the table; the page works from the keyboard. Skipped where
chromium is not installed (``apt-get install -y chromium``), except in CI (``CI`` set),
where ``.ci/run`` installs it and a missing browser is a failure.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from reportgen.data.sample import generate as sample_rows
from reportgen.data.sample import sample_path, write_csv
from reportgen.web.server import Settings, create_app
from reportgen.web.uploads import FOLDER_PREFIX

CHROMIUM = Path("/usr/bin/chromium")
BROKEN = ("year,index,unit,component,score\n"
          "2024,PAR_INDEX,Hòa Lâm,TOTAL,abc\n"
          "2024,XYZ,Kim Sơn,TOTAL,50\n")
SLOW = 180_000  # ms: a report or a small batch on a busy 2-core machine


def _playwright() -> Any:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: .ci/run installs it")
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("playwright is not installed (pip install -e '.[test]')")
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-work")


@pytest.fixture(scope="module")
def base_url(workdir: Path) -> Iterator[str]:
    """A real server (uvicorn, process pool) on a free port of 127.0.0.1."""
    sync_playwright = _playwright()  # skip before starting anything
    del sync_playwright
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(create_app(Settings(workers=2, workdir=str(workdir))), host="127.0.0.1",
                            port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="reportgen-serve-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(30)


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[Any]:
    with _playwright()() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--lang=vi"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, locale="vi-VN",
                                  viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(SLOW)
    tab.goto(base_url)
    yield tab
    context.close()


def test_upload_the_sample_see_the_summary_and_download_the_docx(page: Any, tmp_path: Path,
                                                                 workdir: Path):
    data = tmp_path / "du-lieu-mau.csv"
    shutil.copyfile(sample_path(), data)
    page.set_input_files("#data-file", str(data))
    page.get_by_role("button", name="Kiểm tra tệp đã chọn").click()
    summary = page.get_by_test_id("summary")
    summary.wait_for()
    assert summary.inner_text().startswith("Dữ liệu hợp lệ: 4 chỉ số")
    assert "62 đơn vị trong 2 nhóm" in summary.inner_text()
    # the defaults of `reportgen generate`
    assert page.input_value("#unit") == "Hòa Lâm" and page.input_value("#year") == "2024"

    page.select_option("#group", "Khối sở")
    page.select_option("#unit", "Sở Tư pháp")
    assert page.input_value("#year") == "2024"
    page.get_by_role("button", name="Xem kết quả").click()
    heading = page.locator("#preview-heading")
    heading.wait_for()
    assert heading.inner_text() == "Sở Tư pháp — kết quả năm 2024"
    cards = page.locator("#preview .card")
    assert cards.count() >= 1
    assert "Xếp hạng" in cards.first.inner_text()
    images = page.locator("#preview figure img")
    assert images.count() >= 1
    assert all(images.nth(i).get_attribute("alt") for i in range(images.count()))
    assert images.first.evaluate("img => img.naturalWidth") > 100  # a drawn chart, not a blank

    with page.expect_download(timeout=SLOW) as info:
        page.get_by_role("button", name="Tải báo cáo .docx").click()
    download = info.value
    assert download.suggested_filename == "Báo cáo Chỉ số - Sở Tư pháp - năm 2024.docx"
    saved = tmp_path / "bao-cao.docx"
    download.save_as(saved)
    text = "\n".join(p.text for p in Document(str(saved)).paragraphs)
    assert "Sở Tư pháp" in text and "2024" in text
    assert "Đã tải xuống" in page.locator("#download-status").inner_text()
    assert not list(workdir.glob(FOLDER_PREFIX + "*"))


def test_a_broken_file_shows_the_located_error_in_the_table(page: Any, tmp_path: Path):
    data = tmp_path / "bad.csv"
    data.write_text(BROKEN, encoding="utf-8")
    page.set_input_files("#data-file", str(data))
    page.get_by_role("button", name="Kiểm tra tệp đã chọn").click()
    table = page.locator("#validation table.issues")
    table.wait_for()
    assert page.locator("#validation-heading").inner_text() == "Dữ liệu chưa dùng được"
    assert page.get_by_test_id("error-message").inner_text() == "Dữ liệu không hợp lệ: 3 lỗi"
    rows = [[cell.strip() for cell in row.locator("td").all_inner_texts()]
            for row in table.locator("tbody tr").all()]
    assert ["Lỗi", "bad.csv", "", "2", "score", "abc", "điểm không phải là số"] in rows
    assert any(r[1:5] == ["bad.csv", "", "3", "index"] and r[5] == "XYZ" for r in rows)
    assert page.locator("#unit-step").is_hidden()  # nothing to choose from broken data


def test_the_page_works_from_the_keyboard(page: Any):
    page.focus("#sample-button")
    page.keyboard.press("Enter")
    page.get_by_test_id("summary").wait_for()
    # the result's heading takes the focus, so a screen reader reads it next
    assert page.evaluate("document.activeElement.id") == "validation-heading"
    page.focus("#unit")
    page.keyboard.press("End")  # the last unit of the group
    chosen = page.input_value("#unit")
    page.focus("#preview-button")
    page.keyboard.press("Enter")
    page.locator("#preview-heading").wait_for()
    assert page.locator("#preview-heading").inner_text().startswith(chosen + " — ")
    assert page.evaluate("document.activeElement.id") == "preview-heading"


def test_the_group_zip_shows_progress_and_downloads(page: Any, tmp_path: Path):
    data = tmp_path / "bon-tinh.csv"
    write_csv(sample_rows(4, departments=False, seed=7), data)
    page.set_input_files("#data-file", str(data))
    page.get_by_role("button", name="Kiểm tra tệp đã chọn").click()
    page.get_by_test_id("summary").wait_for()
    with page.expect_download(timeout=SLOW) as info:
        page.get_by_role("button", name="Tải cả nhóm (.zip, kèm báo cáo tổng hợp)").click()
        page.locator("#batch-progress").wait_for(state="visible")
    download = info.value
    assert download.suggested_filename.endswith(" - năm 2024.zip")
    saved = tmp_path / "nhom.zip"
    download.save_as(saved)
    names = zipfile.ZipFile(io.BytesIO(saved.read_bytes())).namelist()
    assert len([n for n in names if n.endswith(".docx")]) == 5  # 4 units and the overview
    assert page.locator("#batch-progress").is_hidden()


def test_the_templates_panel_runs_the_check(page: Any):
    page.get_by_role("button", name="Kiểm tra bộ mẫu").click()
    heading = page.locator("#templates-heading")
    heading.wait_for(timeout=300_000)
    result = page.locator("#templates-result").inner_text()
    assert "Bộ mẫu hợp lệ: đã tạo thử 62/62 báo cáo trong bộ nhớ." in result


def test_several_files_make_one_dataset(page: Any, tmp_path: Path):
    rows = sample_rows(4, departments=False, seed=7)
    write_csv([r for r in rows if r["year"] != 2024], tmp_path / "truoc-2024.csv")
    write_csv([r for r in rows if r["year"] == 2024], tmp_path / "nam-2024.csv")
    page.set_input_files("#data-file", [str(tmp_path / "truoc-2024.csv"), str(tmp_path / "nam-2024.csv")])
    page.get_by_role("button", name="Kiểm tra tệp đã chọn").click()
    summary = page.get_by_test_id("summary")
    summary.wait_for()
    assert "năm 2022–2024, 4 đơn vị trong 1 nhóm" in summary.inner_text()
