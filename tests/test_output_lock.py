"""output/lock: one batch at a time per results folder (``.reportgen.lock`` holding the PID)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.errors import OutputError
from reportgen.output.lock import LOCK, folder_lock


def dead_pid() -> int:
    """The PID of a process that has exited (and been waited for)."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_the_lock_holds_our_pid_and_is_removed_afterwards(tmp_path: Path):
    out = tmp_path / "ket-qua" / "2024"  # created when missing
    with folder_lock(out):
        assert (out / LOCK).read_text() == str(os.getpid())
    assert out.is_dir() and not (out / LOCK).exists()


def test_a_second_batch_is_refused_with_a_message_naming_the_folder(tmp_path: Path):
    out = tmp_path / "kết quả"
    with folder_lock(out):
        with pytest.raises(OutputError) as err, folder_lock(out):
            pytest.fail("the second holder must not enter")
        assert (out / LOCK).exists()  # the refusal leaves the holder's lock alone
    message = str(err.value)
    assert f"Thư mục '{out}' đang được một lô khác ghi" in message
    assert str(out / LOCK) in message  # where the lock is, to delete it by hand if need be
    assert "chờ lô đó xong hoặc xóa tệp khóa" in message


def test_a_lock_of_a_living_process_is_respected(tmp_path: Path):
    (tmp_path / LOCK).write_text("1")  # init: always running
    with pytest.raises(OutputError, match="đang được một lô khác ghi"), folder_lock(tmp_path):
        pass
    assert (tmp_path / LOCK).read_text() == "1"


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path: Path):
    (tmp_path / LOCK).write_text(str(dead_pid()))
    with folder_lock(tmp_path):
        assert (tmp_path / LOCK).read_text() == str(os.getpid())
    assert not (tmp_path / LOCK).exists()


def test_a_lock_not_holding_a_pid_is_taken_over(tmp_path: Path):
    (tmp_path / LOCK).write_text("không phải số")
    with folder_lock(tmp_path):
        assert (tmp_path / LOCK).read_text() == str(os.getpid())


@pytest.mark.parametrize("content", ["", "  \n"])
def test_an_empty_lock_is_respected(tmp_path: Path, content: str):
    # what a batch's lock looks like between its creation and the PID being written: taking
    # it over would let two batches write at once; the message says to delete it by hand
    (tmp_path / LOCK).write_text(content)
    with pytest.raises(OutputError, match="xóa tệp khóa"), folder_lock(tmp_path):
        pass


def test_the_lock_is_released_when_the_batch_fails(tmp_path: Path):
    with pytest.raises(RuntimeError), folder_lock(tmp_path):
        raise RuntimeError("lỗi giữa chừng")
    assert not (tmp_path / LOCK).exists()
    with folder_lock(tmp_path):  # the next batch runs
        pass
