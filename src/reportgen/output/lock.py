"""One batch at a time per results folder: a lock file in the folder."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from reportgen.errors import OutputError

LOCK = ".reportgen.lock"


@contextlib.contextmanager
def folder_lock(out_dir: Path) -> Iterator[None]:
    """Refuse two batches writing into one folder at once; a lock left by a dead process is
    taken over."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
            break
        except FileExistsError:
            if _stale(path):
                path.unlink(missing_ok=True)
                continue
            raise OutputError(f"Thư mục '{out_dir}' đang được một lô khác ghi (khóa {path}); "
                              "chờ lô đó xong hoặc xóa tệp khóa nếu chắc chắn không còn chạy") from None
    else:
        raise OutputError(f"Không lấy được khóa {path}")
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        yield
    finally:
        path.unlink(missing_ok=True)


def _stale(path: Path) -> bool:
    try:
        pid = int(path.read_text().strip() or "0")
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError, FileNotFoundError):
        return True
    except PermissionError:
        return False
    return False
