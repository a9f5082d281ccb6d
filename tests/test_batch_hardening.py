"""A batch survives being killed or interrupted and reports a full disk (issue #14): workers
die with the batch process, the manifest records each unit as it is written so a re-run
after ``kill -9`` regenerates only what was unfinished, Ctrl-C prints "Đã dừng." and exits
130, one group's failing overview is that group's failure (exit 3) and never stops the
others, and a disk that fills up mid-batch is exit 3 with the written files listed."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reportgen.app import CHART_DPI, run_batch
from reportgen.batch.executors import die_with
from reportgen.batch.jobs import JobSpec
from reportgen.cli import app
from reportgen.config.search import packaged_dir
from reportgen.errors import OutputError
from reportgen.output.manifest import MANIFEST

# PAR_SO (province-defined example index): 7 fields with these maxima; two groups of four.
MAXIMA = {"1": 12, "2": 10, "3": 22, "4": 10, "5": 14, "6": 12, "7": 20}
GROUPS = {"Khối sở": ["Sở Một", "Sở Hai", "Sở Ba", "Sở Bốn"],
          "Khối xã": ["xã Đông", "xã Tây", "xã Nam", "xã Bắc"]}
CLI = [sys.executable, "-c", "from reportgen.cli import main; main()"]
UNITS = [u for units in GROUPS.values() for u in units]


def rows() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for g, (group, units) in enumerate(GROUPS.items()):
        for u, unit in enumerate(units):
            for year in (2023, 2024):
                scores = {c: round(m * (0.70 + 0.04 * u + 0.02 * g + 0.01 * (year - 2023)
                                        + 0.005 * k), 2) for k, (c, m) in enumerate(MAXIMA.items())}
                scores["TOTAL"] = round(sum(scores.values()), 2)
                out += [{"year": year, "index": "PAR_SO", "unit": unit, "component": c,
                         "score": str(s).replace(".", ","), "group": group}
                        for c, s in scores.items()]
    return out


def write(path: Path, data: list[dict[str, object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["year", "index", "unit", "component", "score",
                                                "group"])
        writer.writeheader()
        writer.writerows(data)
    return path


def spec_for(data: Path, templates: Path | None = None) -> JobSpec:
    return JobSpec(str(data), str(templates) if templates else None, None, 2024, 0)


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` now (children, their children, …), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        kids = {p for p, pp in parents.items() if pp == parent and p not in found}
        found |= kids
        todo += kids
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def ok_entries(out: Path) -> dict[str, str]:
    """Unit → file of the units the manifest records as written."""
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    return {e["unit"]: key for key, e in manifest["outputs"].items() if e.get("status") == "ok"}


STARTED: list[subprocess.Popen[bytes]] = []


@pytest.fixture(autouse=True)
def _end_what_was_started() -> Iterator[None]:
    """A failing test leaves no batch behind: its whole process group is killed."""
    yield
    while STARTED:
        proc = STARTED.pop()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def start(data: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    """``reportgen batch`` in its own session (a terminal's process group), charts at 200 dpi
    so that each unit takes long enough to be interrupted."""
    proc = subprocess.Popen([*CLI, "batch", "--data", str(data), "--year", "2024", "--jobs", "2",
                             "--out", str(out), *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    STARTED.append(proc)
    return proc


def wait_for_first_unit(proc: subprocess.Popen[bytes], out: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if (out / MANIFEST).is_file() and ok_entries(out):
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    pytest.fail("the batch wrote no unit in 120 s")


def test_kill_9_leaves_no_process_and_the_rerun_makes_only_the_unfinished(tmp_path: Path):
    data = write(tmp_path / "data.csv", rows())
    out = tmp_path / "out"
    proc = start(data, out)
    wait_for_first_unit(proc, out)
    children = descendants(proc.pid)
    assert children  # the pool is running: fork server and workers
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(5)
    assert [p for p in children if alive(p)] == []
    done = ok_entries(out)  # what the killed run recorded, unit by unit
    assert 0 < len(done) < len(UNITS), "the kill came after the last unit: test proves nothing"
    assert all((out / key).is_file() for key in done.values())
    # the same inputs as the killed command line (its chart resolution included)
    rerun = run_batch(JobSpec(str(data), None, None, 2024, CHART_DPI), out, jobs=1, overview=False)
    assert sorted(rerun.skipped) == sorted(done)
    assert sorted(rerun.generated) == sorted(set(UNITS) - set(done))
    assert not rerun.failed


def test_ctrl_c_prints_stopped_exits_130_without_traceback_and_leaves_no_process(tmp_path: Path):
    data = write(tmp_path / "data.csv", rows())
    out = tmp_path / "out"
    proc = start(data, out)
    wait_for_first_unit(proc, out)
    children = descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: to every process of the group
    _, err = proc.communicate(timeout=60)
    text = err.decode()
    assert proc.returncode == 130
    assert "Đã dừng." in text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    time.sleep(1)
    assert [p for p in children if alive(p)] == []
    assert ok_entries(out)  # what was done before Ctrl-C is recorded


def test_a_worker_whose_batch_is_gone_ends_at_once(tmp_path: Path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    child = subprocess.run([sys.executable, "-c",
                            "import sys, time; from reportgen.batch.executors import die_with; "
                            f"die_with({gone.pid}); time.sleep(30); sys.exit(0)"], timeout=20)
    assert child.returncode == 1  # ended by the watcher, not after its 30 s


def test_a_worker_ends_within_seconds_of_its_batch(tmp_path: Path):
    batch = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    worker = subprocess.Popen([sys.executable, "-c",
                               "import time; from reportgen.batch.executors import die_with; "
                               f"die_with({batch.pid}); time.sleep(60)"])
    time.sleep(1)
    assert worker.poll() is None  # alive while the batch is
    batch.kill()
    batch.wait()
    assert worker.wait(timeout=5) == 1


def test_die_with_a_living_batch_returns_and_ignores_ctrl_c():
    previous = signal.getsignal(signal.SIGINT)
    try:
        die_with(os.getpid())
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def broken_overview(tmp_path: Path) -> Path:
    """Templates whose overview fails for the group 'Khối xã' only (division by zero)."""
    templates = tmp_path / "tpl"
    (templates / "phrases").mkdir(parents=True)
    source = (packaged_dir() / "phrases" / "tong-hop.j2").read_text(encoding="utf-8")
    marker = "{% macro mo_dau(v) -%}"
    assert marker in source
    (templates / "phrases" / "tong-hop.j2").write_text(source.replace(
        marker, marker + "{% if v.group == 'Khối xã' %}{{ 1 // 0 }}{% endif %}"), encoding="utf-8")
    return templates


def test_a_failing_overview_is_its_groups_failure_and_the_others_are_written(tmp_path: Path):
    data = write(tmp_path / "data.csv", rows())
    out = tmp_path / "out"
    result = run_batch(spec_for(data, broken_overview(tmp_path)), out, jobs=1)
    assert sorted(result.generated) == sorted(UNITS)
    assert list(result.failed) == ["tổng hợp Khối xã"]
    assert "Khối sở" not in " ".join(result.failed)
    assert (out / "2024/khoi-so/tong-hop.docx").is_file()
    assert not (out / "2024/khoi-xa/tong-hop.docx").exists()
    assert not result.ok


def test_cli_failing_overview_is_exit_3_with_the_files_written(tmp_path: Path):
    data = write(tmp_path / "data.csv", rows())
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", "--data", str(data), "--year", "2024", "--jobs", "1",
                                      "--out", str(out), "--templates",
                                      str(broken_overview(tmp_path))])
    assert result.exit_code == 3
    assert "LỖI tổng hợp Khối xã" in result.output
    assert f"Các tệp đã ghi ({len(UNITS) + 1})" in result.output


ROOM = 3


def test_a_disk_that_fills_up_is_exit_3_with_the_written_files_listed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import reportgen.app
    import reportgen.output.manifest
    from reportgen.output.write import write_atomic

    data = write(tmp_path / "data.csv", rows())
    out = tmp_path / "out"
    room = {"reports": ROOM}  # room for ROOM reports; the manifest fits until the disk is full

    def report_write(path: Path, content: bytes) -> Path:
        if room["reports"] == 0:
            raise OutputError(f"không ghi được tệp: [Errno 28] No space left on device: '{path}'")
        room["reports"] -= 1
        return write_atomic(path, content)

    def manifest_write(path: Path, content: bytes) -> Path:
        if room["reports"] == 0:
            raise OutputError(f"không ghi được tệp: [Errno 28] No space left on device: '{path}'")
        return write_atomic(path, content)

    monkeypatch.setattr(reportgen.app, "write_atomic", report_write)
    monkeypatch.setattr(reportgen.output.manifest, "write_atomic", manifest_write)
    result = CliRunner().invoke(app, ["batch", "--data", str(data), "--year", "2024", "--jobs", "1",
                                      "--out", str(out)])
    assert result.exit_code == 3, result.output
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*.docx"))
    assert len(written) == ROOM
    assert f"Các tệp đã ghi ({ROOM}):" in result.output
    assert all(str(out / w) in result.output for w in written)
    assert "No space left on device" in result.output
    assert "Traceback" not in result.output
    # what the manifest could record before the disk filled up is kept
    assert len(ok_entries(out)) == ROOM - 1  # the last report's entry found the disk full
