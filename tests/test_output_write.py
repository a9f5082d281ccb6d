"""output/write: files are written whole (never a partial file) with the permissions the user's
umask gives any new file, like a report saved by Word."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from reportgen.output.lock import LOCK, folder_lock
from reportgen.output.write import current_umask, write_atomic


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_written_files_follow_the_umask(tmp_path: Path, umask: None, mask: int, expected: int) -> None:
    os.umask(mask)
    path = write_atomic(tmp_path / "2024" / "khoi-so" / "so-noi-vu.docx", b"PK\x03\x04")
    assert path.read_bytes() == b"PK\x03\x04"
    assert mode(path) == expected
    assert current_umask() == mask  # reading the mask leaves it as it was
    assert [p.name for p in path.parent.iterdir()] == ["so-noi-vu.docx"]  # no temporary left


def test_the_lock_file_is_not_executable(tmp_path: Path, umask: None) -> None:
    with folder_lock(tmp_path):
        assert mode(tmp_path / LOCK) == 0o644

