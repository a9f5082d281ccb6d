"""Screenshots of `reportgen serve` for the README, taken with Debian's headless chromium.

    python tools/web_screenshots.py [--out docs/img]

Starts the server on a free port of 127.0.0.1 with the sample data, goes through the page as
a clerk would (sample data, a unit's figures and charts, a broken file) and writes
``serve-validation.png``, ``serve-summary.png`` and ``serve-errors.png``.
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from reportgen.web.server import Settings, create_app

CHROMIUM = "/usr/bin/chromium"
BROKEN = ("year,index,unit,component,score,max_score\n"
          "2024,PAR_INDEX,Hòa Lâm,TOTAL,abc,100\n"
          "2024,PAR INDEX,Hòa Lâm,1,12.5,9\n"
          "2024,XYZ,Kim Sơn,TOTAL,50,100\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Settings()), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as work:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--lang=vi"])
            page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="vi-VN")
            page.set_default_timeout(180_000)
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_role("button", name="Dùng dữ liệu mẫu (hư cấu)").click()
            page.get_by_test_id("summary").wait_for()
            page.screenshot(path=str(args.out / "serve-validation.png"), full_page=False)

            page.get_by_role("button", name="Xem kết quả").click()
            page.locator("#preview-heading").wait_for()
            page.locator("#preview-heading").scroll_into_view_if_needed()
            top = page.locator("#unit-step").bounding_box()
            first_charts = page.locator("#preview .charts").first.bounding_box()
            assert top is not None and first_charts is not None
            height = first_charts["y"] + first_charts["height"] - top["y"]
            page.screenshot(path=str(args.out / "serve-summary.png"), full_page=True,
                            clip={"x": 0, "y": top["y"] - 10, "width": 1200, "height": height + 20})

            broken = Path(work) / "so-lieu-loi.csv"
            broken.write_text(BROKEN, encoding="utf-8")
            page.set_input_files("#data-file", str(broken))
            page.get_by_role("button", name="Kiểm tra tệp đã chọn").click()
            page.locator("#validation table.issues").wait_for()
            section = page.locator("#step-data").bounding_box()
            table = page.locator("#validation table.issues").bounding_box()
            assert section is not None and table is not None
            page.screenshot(path=str(args.out / "serve-errors.png"), full_page=True,
                            clip={"x": 0, "y": section["y"] - 10, "width": 1200,
                                  "height": table["y"] + table["height"] - section["y"] + 30})
            browser.close()
    finally:
        server.should_exit = True
        thread.join(30)
    for name in ("serve-validation.png", "serve-summary.png", "serve-errors.png"):
        print(args.out / name)


if __name__ == "__main__":
    main()
