"""One run at a time per results folder: an OS lock (``flock``) on a file in the folder.

The kernel releases the lock when its holder dies, however it dies (kill -9, out of memory),
so a lock is never left behind and nothing depends on PIDs. The holder's PID is written into
the file for people to read, and the file is removed when the run ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from reportgen.errors import Location, OutputError

LOCK = ".reportgen.lock"


@contextlib.contextmanager
def folder_lock(out_dir: Path) -> Iterator[None]:
    """Hold the folder's lock for the block; another holder (another process, or another
    run in this one) makes it refuse at once with a message naming the folder."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Không tạo được thư mục kết quả: {exc}", Location(file=str(out_dir))) from exc
    path = out_dir / LOCK
    fd = _acquire(path, out_dir)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        path.unlink(missing_ok=True)  # while still held: a waiting run then makes a new file
        os.close(fd)  # releases the lock


def _acquire(path: Path, out_dir: Path) -> int:
    """An open descriptor of ``path`` holding its exclusive lock. A file removed and made
    anew by the previous holder between our open and our lock is opened again."""
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o666)
        except OSError as exc:
            raise OutputError(f"Không tạo được tệp khóa: {exc}", Location(file=str(path))) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputError(f"Thư mục '{out_dir}' đang được một lần chạy khác ghi (khóa {path}); "
                              "chờ lần chạy đó xong rồi chạy lại") from None
        if _same_file(fd, path):
            return fd
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False
