"""output/lock: one run at a time per results folder, by an OS lock (``flock``) on
``.reportgen.lock``; the kernel frees it when the holder dies, whatever is left in the file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.errors import OutputError
from reportgen.output.lock import LOCK, folder_lock

HOLDER = """
import sys, time
from pathlib import Path
from reportgen.output.lock import folder_lock
with folder_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def holder(folder: Path) -> subprocess.Popen[str]:
    """Another process holding the folder's lock (until it is killed)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_the_lock_holds_our_pid_and_is_removed_afterwards(tmp_path: Path):
    with folder_lock(tmp_path):
        assert (tmp_path / LOCK).read_text() == str(os.getpid())
    assert not (tmp_path / LOCK).exists()


def test_a_second_run_is_refused_with_a_message_naming_the_folder(tmp_path: Path):
    out = tmp_path / "out"
    with folder_lock(out):
        with pytest.raises(OutputError) as err, folder_lock(out):
            pass
        assert (out / LOCK).read_text() == str(os.getpid())  # the holder's file is untouched
    assert f"Thư mục '{out}' đang được một lần chạy khác ghi" in str(err.value)


def test_a_lock_held_by_another_process_is_respected(tmp_path: Path):
    proc = holder(tmp_path)
    try:
        with pytest.raises(OutputError, match="đang được một lần chạy khác ghi"), folder_lock(tmp_path):
            pass
    finally:
        proc.kill()
        proc.wait()


def test_kill_9_of_the_holder_frees_the_lock(tmp_path: Path):
    proc = holder(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (tmp_path / LOCK).exists()  # the file stays behind …
    with folder_lock(tmp_path):  # … but the kernel released the lock
        assert (tmp_path / LOCK).read_text() == str(os.getpid())


@pytest.mark.parametrize("content", ["", "   ", "không phải số", "1", "999999999"])
def test_a_file_left_behind_never_blocks(tmp_path: Path, content: str):
    """An empty file, garbage or a PID (even of a live process: PID 1) is not a lock."""
    (tmp_path / LOCK).write_text(content)
    with folder_lock(tmp_path):
        assert (tmp_path / LOCK).read_text() == str(os.getpid())


def test_the_lock_is_released_when_the_run_fails(tmp_path: Path):
    with pytest.raises(RuntimeError), folder_lock(tmp_path):
        raise RuntimeError("lỗi giữa chừng")
    assert not (tmp_path / LOCK).exists()
    with folder_lock(tmp_path):  # the next run goes ahead
        pass


def test_an_out_folder_that_is_a_file_is_a_message(tmp_path: Path):
    target = tmp_path / "ket-qua"
    target.write_text("không phải thư mục")
    with pytest.raises(OutputError, match="Không tạo được thư mục kết quả"), folder_lock(target):
        pass


def test_generate_refuses_to_write_beside_a_running_batch(tmp_path: Path):
    """`reportgen generate` takes the same lock: it never writes beside a running batch."""
    from typer.testing import CliRunner

    from reportgen.cli import app

    proc = holder(tmp_path)
    try:
        result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path)])
    finally:
        proc.kill()
        proc.wait()
    assert result.exit_code == 1
    assert "đang được một lần chạy khác ghi" in result.output
    assert not list(tmp_path.rglob("*.docx"))
