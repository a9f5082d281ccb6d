"""Batch generation: every unit written once, incremental re-runs, isolation, locks, Dask."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reportgen.app import run_batch
from reportgen.batch.jobs import JobSpec
from reportgen.batch.progress import console_progress
from reportgen.cli import app
from reportgen.config.search import packaged_dir
from reportgen.docx.dump import dump
from reportgen.errors import OutputError
from reportgen.output.lock import LOCK, folder_lock
from reportgen.output.manifest import MANIFEST

# PAR_SO (province-defined example index): 7 fields with these maxima.
MAXIMA = {"1": 12, "2": 10, "3": 22, "4": 10, "5": 14, "6": 12, "7": 20}
GROUPS = {"Khối sở": ["Sở Một", "Sở Hai", "Sở Ba", "Sở Bốn"],
          "Khối xã": ["xã Đông", "xã Tây", "xã Nam", "xã Bắc"]}


def rows(bump: dict[tuple[str, int], float] | None = None) -> list[dict]:
    """Two groups of four units, 2023 and 2024; ``bump`` adds points to a unit's field 1."""
    bump = bump or {}
    out = []
    for g, (group, units) in enumerate(GROUPS.items()):
        for u, unit in enumerate(units):
            for year in (2023, 2024):
                scores = {c: round(m * (0.70 + 0.04 * u + 0.02 * g + 0.01 * (year - 2023) + 0.005 * k), 2)
                          for k, (c, m) in enumerate(MAXIMA.items())}
                scores["1"] = round(scores["1"] + bump.get((unit, year), 0.0), 2)
                scores["TOTAL"] = round(sum(scores.values()), 2)
                out += [{"year": year, "index": "PAR_SO", "unit": unit, "component": c,
                         "score": str(s).replace(".", ","), "group": group} for c, s in scores.items()]
    return out


def write(path: Path, data: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["year", "index", "unit", "component", "score", "group"])
        writer.writeheader()
        writer.writerows(data)
    return path


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return write(tmp_path / "data.csv", rows())


def spec_for(data: Path, templates: Path | None = None, dpi: int = 0) -> JobSpec:
    # dpi 0 places blank images: these tests are about the batch, not the charts
    return JobSpec(str(data), str(templates) if templates else None, None, 2024, dpi)


def docs(out: Path) -> dict[str, float]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.rglob("*.docx")
            if p.name != "tong-hop.docx"}


def test_batch_writes_every_unit_then_skips_them_all(dataset: Path, tmp_path: Path):
    out = tmp_path / "out"
    first = run_batch(spec_for(dataset), out, jobs=1, overview=False)
    assert sorted(first.generated) == sorted(u for units in GROUPS.values() for u in units)
    assert first.ok and not first.skipped
    written = docs(out)
    assert set(written) == {"2024/khoi-so/so-mot.docx", "2024/khoi-so/so-hai.docx",
                            "2024/khoi-so/so-ba.docx", "2024/khoi-so/so-bon.docx",
                            "2024/khoi-xa/xa-dong.docx", "2024/khoi-xa/xa-tay.docx",
                            "2024/khoi-xa/xa-nam.docx", "2024/khoi-xa/xa-bac.docx"}
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert {v["status"] for v in manifest["outputs"].values()} == {"ok"}
    second = run_batch(spec_for(dataset), out, jobs=1, overview=False)
    assert second.generated == [] and len(second.skipped) == 8
    assert docs(out) == written  # not one file touched
    assert not list(out.rglob("*.tmp")) and not (out / LOCK).exists()


def test_a_change_in_one_group_rewrites_that_group_only(dataset: Path, tmp_path: Path):
    out = tmp_path / "out"
    run_batch(spec_for(dataset), out, jobs=1, overview=False)
    before = docs(out)
    # one department's score moves: every report of its group compares against it
    write(dataset, rows(bump={("Sở Hai", 2024): 0.5}))
    again = run_batch(spec_for(dataset), out, jobs=1, overview=False)
    assert sorted(again.generated) == sorted(GROUPS["Khối sở"])
    assert sorted(again.skipped) == sorted(GROUPS["Khối xã"])
    after = docs(out)
    for key, mtime in before.items():
        assert (after[key] != mtime) == key.startswith("2024/khoi-so/")


def test_a_new_source_line_rewrites_the_documents_that_cite_it(dataset: Path, tmp_path: Path):
    out = tmp_path / "out"
    run_batch(spec_for(dataset), out, jobs=1, overview=False)
    cited = "Quyết định công bố Chỉ số CCHC năm 2024 của UBND tỉnh"
    with_source = [dict(r, source=cited) for r in rows()]
    with dataset.open("w", encoding="utf-8", newline="") as fh:  # same scores, a source column
        writer = csv.DictWriter(fh, fieldnames=[*with_source[0]])
        writer.writeheader()
        writer.writerows(with_source)
    again = run_batch(spec_for(dataset), out, jobs=1, overview=False)
    assert len(again.generated) == 8 and not again.skipped
    assert f"Nguồn: {cited}" in dump((out / "2024" / "khoi-so" / "so-mot.docx").read_bytes())


def test_force_rewrites_everything(dataset: Path, tmp_path: Path):
    out = tmp_path / "out"
    run_batch(spec_for(dataset), out, jobs=1, overview=False)
    forced = run_batch(spec_for(dataset), out, jobs=1, force=True, overview=False)
    assert len(forced.generated) == 8


def test_a_failing_unit_is_isolated_and_reported(dataset: Path, tmp_path: Path):
    templates = tmp_path / "tpl"
    (templates / "phrases").mkdir(parents=True)
    source = (packaged_dir() / "phrases" / "ket-qua.j2").read_text(encoding="utf-8")
    broken = source.replace("{% macro ket_qua(i, u) -%}",
                            "{% macro ket_qua(i, u) -%}{% if u.name == 'Sở Ba' %}{{ u.khong_co }}{% endif %}")
    (templates / "phrases" / "ket-qua.j2").write_text(broken, encoding="utf-8")
    out = tmp_path / "out"
    result = run_batch(spec_for(dataset, templates), out, jobs=2, overview=False)
    assert list(result.failed) == ["Sở Ba"]
    assert "khong_co" in result.failed["Sở Ba"]
    assert len(result.generated) == 7
    assert not (out / "2024/khoi-so/so-ba.docx").exists()
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["outputs"]["2024/khoi-so/so-ba.docx"]["status"] == "failed"
    # the failed unit is retried on the next run, the others are not rewritten
    rerun = run_batch(spec_for(dataset, templates), out, jobs=1, overview=False)
    assert list(rerun.failed) == ["Sở Ba"] and len(rerun.skipped) == 7


def test_cli_exit_code_and_summary_when_a_unit_fails(dataset: Path, tmp_path: Path):
    templates = tmp_path / "tpl"
    (templates / "phrases").mkdir(parents=True)
    source = (packaged_dir() / "phrases" / "ket-qua.j2").read_text(encoding="utf-8")
    (templates / "phrases" / "ket-qua.j2").write_text(source.replace(
        "{% macro ket_qua(i, u) -%}",
        "{% macro ket_qua(i, u) -%}{% if u.name == 'xã Tây' %}{{ 1 / 0 }}{% endif %}"),
        encoding="utf-8")
    result = CliRunner().invoke(app, ["batch", "--data", str(dataset), "--year", "2024", "--jobs", "1",
                                      "--out", str(tmp_path / "out"), "--templates", str(templates)])
    assert result.exit_code == 3
    assert "LỖI xã Tây" in result.output
    assert "Đã tạo 7" in result.output and "lỗi 1" in result.output


def test_fail_fast_stops_at_the_first_failure(dataset: Path, tmp_path: Path):
    templates = tmp_path / "tpl"
    (templates / "phrases").mkdir(parents=True)
    source = (packaged_dir() / "phrases" / "ket-qua.j2").read_text(encoding="utf-8")
    (templates / "phrases" / "ket-qua.j2").write_text(source.replace(
        "{% macro ket_qua(i, u) -%}", "{% macro ket_qua(i, u) -%}{{ u.khong_co }}"), encoding="utf-8")
    result = run_batch(spec_for(dataset, templates), tmp_path / "out", jobs=1, fail_fast=True,
                       overview=False)
    assert len(result.failed) == 1 and not result.generated


def test_two_units_with_one_file_name_are_refused_before_writing(tmp_path: Path):
    data = [r for r in rows() if r["unit"] in ("Sở Một", "Sở Hai")]
    for r in data:
        r["unit"] = {"Sở Một": "Sở A & B", "Sở Hai": "Sở A - B"}[r["unit"]]
    path = write(tmp_path / "clash.csv", data)
    out = tmp_path / "out"
    with pytest.raises(OutputError) as err:
        run_batch(spec_for(path), out, jobs=1, overview=False)
    assert "Sở A & B" in str(err.value) and "Sở A - B" in str(err.value) and "so-a-b.docx" in str(err.value)
    assert not list(out.rglob("*.docx"))


def test_lock_refuses_a_second_batch_and_takes_over_a_stale_one(tmp_path: Path):
    out = tmp_path / "out"
    with folder_lock(out), pytest.raises(OutputError, match="đang được một lần chạy khác ghi"), \
            folder_lock(out):
        pass
    (out / LOCK).write_text("999999999")  # no such process
    with folder_lock(out):
        assert (out / LOCK).read_text() == str(os.getpid())
    assert not (out / LOCK).exists()


def test_plain_log_lines_when_not_a_terminal():
    stream = io.StringIO()
    log, stop = console_progress(2, stream)
    log("Sở Một", "generated", "2024/khoi-so/so-mot.docx")
    log("Sở Hai", "failed", "lỗi mẫu")
    stop()
    assert stream.getvalue().splitlines() == [
        "[1/2] Sở Một: đã tạo: 2024/khoi-so/so-mot.docx", "[2/2] Sở Hai: LỖI: lỗi mẫu"]


def test_group_and_unit_filters(dataset: Path, tmp_path: Path):
    result = run_batch(spec_for(dataset), tmp_path / "out", groups=["Khối xã"], units=["xa dong"],
                       jobs=1, overview=False)
    assert result.generated == ["xã Đông"]


def test_dask_cluster_produces_the_same_documents(dataset: Path, tmp_path: Path):
    distributed = pytest.importorskip("dask.distributed")
    local_out, dask_out = tmp_path / "local", tmp_path / "dask"
    run_batch(spec_for(dataset), local_out, jobs=1, overview=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        result = run_batch(spec_for(dataset), dask_out, scheduler=cluster.scheduler_address,
                           overview=False)
    assert result.ok and len(result.generated) == 8
    assert docs(local_out).keys() == docs(dask_out).keys()
    for key in docs(local_out):
        assert dump((local_out / key).read_bytes()) == dump((dask_out / key).read_bytes()), key
    local_manifest = json.loads((local_out / MANIFEST).read_text(encoding="utf-8"))["outputs"]
    dask_manifest = json.loads((dask_out / MANIFEST).read_text(encoding="utf-8"))["outputs"]
    hashes = [{k: v["hash"] for k, v in m.items()} for m in (local_manifest, dask_manifest)]
    assert hashes[0] == hashes[1]


def test_output_folder_can_be_moved_and_stays_incremental(dataset: Path, tmp_path: Path):
    out = tmp_path / "out"
    run_batch(spec_for(dataset), out, jobs=1, overview=False)
    moved = tmp_path / "moved"
    shutil.move(out, moved)
    again = run_batch(spec_for(dataset), moved, jobs=1, overview=False)
    assert again.generated == [] and len(again.skipped) == 8


@pytest.mark.parametrize("jobs", ["0", "-3"])
def test_batch_refuses_fewer_than_one_job(tmp_path: Path, jobs: str) -> None:
    result = CliRunner().invoke(app, ["batch", "--year", "2024", "--jobs", jobs, "--out", str(tmp_path)])
    assert result.exit_code == 2  # a command-line usage error, as the README says
    assert "--jobs" in result.output and not any(tmp_path.iterdir())
