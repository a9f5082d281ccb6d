"""Write stage: the only place (with load) that touches the disk for outputs.

Files are written atomically — to a temporary file in the target folder, flushed, then
renamed — so a crash or an error never leaves a partial .docx or .pdf behind. Every path is
checked to stay inside the output folder, whatever a unit or group name contains.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

from reportgen.errors import Location, OutputError

PDF_TIMEOUT_S = 180


def slugify(text: str) -> str:
    """File-name-safe ASCII form of a Vietnamese name: "Sở Văn hóa, Thể thao & Du lịch" →
    "so-van-hoa-the-thao-du-lich"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    return slug or "don-vi"


def output_path(out_dir: Path, year: int, group: str, unit: str, suffix: str = ".docx") -> Path:
    """``<out>/<year>/<group-slug>/<unit-slug>.docx``, guaranteed inside ``out_dir``."""
    path = out_dir / str(year) / slugify(group) / f"{slugify(unit)}{suffix}"
    ensure_inside(out_dir, path)
    return path


def ensure_inside(root: Path, path: Path) -> None:
    if not path.resolve().is_relative_to(root.resolve()):
        raise OutputError(f"đường dẫn '{path}' nằm ngoài thư mục kết quả '{root}'")


def current_umask() -> int:
    """The process's file-creation mask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes) -> Path:
    """Write bytes to ``path`` via a temporary file and a rename (no partial file, ever)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"không tạo được thư mục hoặc tệp tạm: {exc}", Location(file=str(path))) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; a report is shared like any file
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"không ghi được tệp: {exc}", Location(file=str(path))) from exc
        raise
    return path


def soffice_binary() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise OutputError("Không tìm thấy LibreOffice (soffice) để chuyển sang PDF. Cài đặt: "
                      "apt-get install -y libreoffice-writer-nogui fonts-liberation2")


def convert_pdf(docx: Path, pdf: Path | None = None) -> Path:
    """Convert a written .docx to PDF with LibreOffice headless, atomically."""
    binary = soffice_binary()
    target = pdf or docx.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="reportgen-pdf-") as work:
        profile = Path(work) / "profile"
        cmd = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", work, str(docx)]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=PDF_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise OutputError(f"LibreOffice quá {PDF_TIMEOUT_S} giây khi chuyển PDF",
                              Location(file=str(docx))) from exc
        produced = Path(work) / f"{docx.stem}.pdf"
        if done.returncode != 0 or not produced.is_file():
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[-300:]
            raise OutputError(f"LibreOffice không chuyển được sang PDF: {detail}", Location(file=str(docx)))
        write_atomic(target, produced.read_bytes())
    return target
