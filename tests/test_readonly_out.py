"""`generate --out` into a folder the process cannot write (issue #14): a located message naming
the file it could not create and the OS's reason, exit 1 (nothing written), no traceback.

A real read-only folder is made with a read-only bind mount in a private mount namespace
(``unshare -m``, root only: as root, chmod does not stop a write); where that is impossible the
same refusal is simulated at the call that meets it (EROFS at the lock file, EACCES at the
report's temporary file)."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

import reportgen.output.lock as lock_mod
import reportgen.output.write as write_mod
from reportgen.cli import app
from reportgen.output.lock import LOCK

UNIT = "Sở Tư pháp"  # a unit of the bundled sample data
READ_ONLY = os.strerror(errno.EROFS)  # "Read-only file system"


def _in_read_only_mount(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``reportgen *args`` with ``folder`` bind-mounted read-only for that process only."""
    script = ('mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 97; shift; '
              'exec "$@"')
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", str(folder), sys.executable, "-c",
         "from reportgen.cli import main; main()", *args],
        capture_output=True, text=True, timeout=300, check=False)


def test_generate_into_a_read_only_mount(tmp_path: Path) -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("a read-only bind mount needs root and unshare")
    out = tmp_path / "out"
    out.mkdir()
    done = _in_read_only_mount(out, "generate", "--unit", UNIT, "--out", str(out))
    if done.returncode == 97 or "unshare:" in done.stderr:
        pytest.skip(f"no private mount namespace here: {done.stderr.strip()[:200]}")
    text = done.stdout + done.stderr
    assert done.returncode == 1, text
    assert f"{out / LOCK}: Không tạo được tệp khóa" in text
    assert READ_ONLY in text
    assert "Traceback" not in text
    assert list(out.iterdir()) == []


class _OsProxy:
    """``os`` for one module, with ``open`` refusing like a read-only file system."""

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)

    @staticmethod
    def open(path: str | Path, *args: object, **kwargs: object) -> int:
        raise OSError(errno.EROFS, READ_ONLY, str(path))


def test_generate_into_a_read_only_folder_simulated(tmp_path: Path, monkeypatch) -> None:
    """The refusal where a read-only folder first meets a write: the output folder's lock."""
    out = tmp_path / "out"
    monkeypatch.setattr(lock_mod, "os", _OsProxy())
    result = CliRunner().invoke(app, ["generate", "--unit", UNIT, "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert f"{out / LOCK}: Không tạo được tệp khóa: [Errno {errno.EROFS}] {READ_ONLY}" in (
        result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not list(out.rglob("*.docx"))


def test_generate_when_the_report_cannot_be_written(tmp_path: Path, monkeypatch) -> None:
    """The lock taken, the report's folder refuses its file (permission denied): the message
    names the report and the folder, exit 1, and no report or temporary file is left."""
    out = tmp_path / "out"

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(kwargs.get("dir")))

    monkeypatch.setattr(write_mod, "tempfile", SimpleNamespace(mkstemp=refuse))
    result = CliRunner().invoke(app, ["generate", "--unit", UNIT, "--out", str(out)])
    assert result.exit_code == 1, result.output
    report = out / "2024" / "khoi-so" / "so-tu-phap.docx"
    assert f"{report}: không tạo được thư mục hoặc tệp tạm: [Errno {errno.EACCES}]" in (
        result.output)
    assert str(report.parent) in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not [p for p in out.rglob("*") if p.is_file() and p.name != LOCK]
