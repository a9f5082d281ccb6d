"""output/manifest: what decides that a document is rewritten (fingerprint of the toolkit,
hash of a document's content) and the manifest file of a results folder."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from reportgen.output import manifest as m
from reportgen.output.manifest import MANIFEST, content_hash, fingerprint, read_manifest, write_manifest

EMPTY = {"version": 1, "outputs": {}}


@pytest.fixture
def toolkit(tmp_path: Path) -> list[tuple[str, Path | None]]:
    """Files a run read, by their name on the search path and where they were found."""
    kit = tmp_path / "kit"
    (kit / "phrases").mkdir(parents=True)
    (kit / "report.yaml").write_text("defaults: {agency: SỞ NỘI VỤ}\n", encoding="utf-8")
    (kit / "phrases" / "ket-qua.j2").write_text("{% macro a() %}A{% endmacro %}", encoding="utf-8")
    return [("report.yaml", kit / "report.yaml"), ("phrases/ket-qua.j2", kit / "phrases" / "ket-qua.j2")]


# --- fingerprint -----------------------------------------------------------------------------

def test_fingerprint_is_stable_and_ignores_the_order_given(toolkit):
    assert fingerprint(toolkit) == fingerprint(list(reversed(toolkit)))
    assert fingerprint(toolkit) == fingerprint(toolkit + toolkit[:1])  # a file read twice
    assert len(fingerprint(toolkit)) == 64


def test_fingerprint_changes_with_a_file_content(toolkit):
    before = fingerprint(toolkit)
    toolkit[0][1].write_text("defaults: {agency: SỞ TƯ PHÁP}\n", encoding="utf-8")
    assert fingerprint(toolkit) != before


def test_fingerprint_changes_with_a_file_name(toolkit):
    before = fingerprint(toolkit)
    assert fingerprint([("report-2.yaml", toolkit[0][1]), toolkit[1]]) != before


def test_the_folder_a_file_came_from_does_not_count(toolkit, tmp_path: Path):
    copy = tmp_path / "user" / "report.yaml"
    copy.parent.mkdir()
    copy.write_bytes(toolkit[0][1].read_bytes())
    assert fingerprint([("report.yaml", copy), toolkit[1]]) == fingerprint(toolkit)


def test_a_file_not_found_counts_as_missing(toolkit, tmp_path: Path):
    name = "phrases/_them.j2"  # looked up ({% include ... ignore missing %}), found nowhere
    missing = fingerprint([*toolkit, (name, None)])
    assert fingerprint([*toolkit, (name, tmp_path / "gone.j2")]) == missing  # deleted since
    assert missing != fingerprint(toolkit)
    added = tmp_path / "_them.j2"
    added.write_text("thêm", encoding="utf-8")
    assert fingerprint([*toolkit, (name, added)]) != missing  # adding it later changes the output


def test_fingerprint_changes_with_the_settings_and_the_version(toolkit, monkeypatch: pytest.MonkeyPatch):
    before = fingerprint(toolkit, extra="dpi=200")
    assert fingerprint(toolkit, extra="dpi=150") != before
    monkeypatch.setattr(m, "__version__", "99.0")  # an upgrade rewrites every document
    assert fingerprint(toolkit, extra="dpi=200") != before


# --- content_hash ----------------------------------------------------------------------------

def test_content_hash_is_stable_under_key_order():
    a = {"unit": "Sở Một", "indices": [{"index": "PAR_SO", "score": 80.5, "rank": 2}], "year": 2024}
    b = {"year": 2024, "indices": [{"rank": 2, "score": 80.5, "index": "PAR_SO"}], "unit": "Sở Một"}
    assert content_hash(a, "kit") == content_hash(b, "kit")


def test_content_hash_changes_with_the_content_and_the_toolkit():
    a = {"unit": "Sở Một", "score": 80.5}
    assert content_hash(a, "kit") != content_hash({**a, "score": 80.51}, "kit")
    assert content_hash(a, "kit") != content_hash(a, "kit-2")
    assert content_hash(["a", "b"], "kit") != content_hash(["b", "a"], "kit")  # list order counts


def test_content_hash_accepts_values_json_does_not_know():
    a = {"date": dt.date(2025, 5, 5), "path": Path("x")}
    assert content_hash(a, "kit") == content_hash(dict(a), "kit")
    assert content_hash(a, "kit") != content_hash({**a, "date": dt.date(2025, 5, 6)}, "kit")


# --- read_manifest / write_manifest ----------------------------------------------------------

def test_a_folder_without_manifest_reads_as_empty(tmp_path: Path):
    assert read_manifest(tmp_path) == EMPTY
    assert read_manifest(tmp_path / "khong-co") == EMPTY


@pytest.mark.parametrize("text", ["", "{\"version\": 1, \"outputs\": {", "không phải JSON",
                                  "[1, 2]", "null", "\"chuỗi\""])
def test_a_corrupt_or_non_object_manifest_reads_as_empty(tmp_path: Path, text: str):
    (tmp_path / MANIFEST).write_text(text, encoding="utf-8")
    assert read_manifest(tmp_path) == EMPTY


def test_a_manifest_of_binary_garbage_reads_as_empty(tmp_path: Path):
    (tmp_path / MANIFEST).write_bytes(b"\xff\xfe\x00\x81garbage")
    assert read_manifest(tmp_path) == EMPTY


def test_a_manifest_that_is_a_folder_reads_as_empty(tmp_path: Path):
    (tmp_path / MANIFEST).mkdir()
    assert read_manifest(tmp_path) == EMPTY


def test_write_then_read_gives_the_manifest_back(tmp_path: Path):
    manifest = {"version": 1, "outputs": {"2024/khoi-so/so-mot.docx": {
        "unit": "Sở Một", "year": 2024, "hash": "ab" * 32, "status": "ok"}},
        "inputs": {"data": "dữ liệu.csv"}}
    write_manifest(tmp_path / "out", manifest)
    assert read_manifest(tmp_path / "out") == manifest
    text = (tmp_path / "out" / MANIFEST).read_text(encoding="utf-8")
    assert "Sở Một" in text  # readable Vietnamese, not \\u escapes
    assert [p.name for p in (tmp_path / "out").iterdir()] == [MANIFEST]  # no temporary file left


def test_writing_replaces_the_previous_manifest(tmp_path: Path):
    write_manifest(tmp_path, {"version": 1, "outputs": {"a.docx": {}}})
    write_manifest(tmp_path, {"version": 1, "outputs": {}})
    assert json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8")) == EMPTY
