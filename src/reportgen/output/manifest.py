"""The batch manifest: the hash of everything each written document was made from, so that a
re-run rewrites exactly the documents whose content would change."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reportgen import __version__
from reportgen.output.write import write_atomic

MANIFEST = "manifest.json"


def fingerprint(files: Iterable[tuple[str, Path | None]], extra: str = "") -> str:
    """Hash of the files and settings a document is made from: each file's name (relative
    to its search folder, e.g. ``phrases/ket-qua.j2``) and content — ``None``, or a file gone
    since, counts as missing — the settings that change the output (``extra``: dpi, …) and
    the reportgen version. Which folder a file came from does not count, its content does."""
    entries = set()
    for name, path in files:
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path else "missing"
        except OSError:
            digest = "missing"
        entries.add((name, digest))
    h = hashlib.sha256(f"reportgen {__version__}\n{extra}\n".encode())
    for name, digest in sorted(entries):
        h.update(f"{name}\0{digest}\n".encode())
    return h.hexdigest()


def content_hash(analysis: Any, toolkit_hash: str) -> str:
    """Everything that determines a document: its analysis (its peers' statistics and the
    ranking data included) and the toolkit."""
    body = json.dumps(analysis, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(f"{toolkit_hash}\n{body}".encode()).hexdigest()


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """The manifest of a results folder; an empty one when missing or unreadable."""
    path = out_dir / MANIFEST
    if not path.is_file():
        return {"version": 1, "outputs": {}}
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # unreadable, not UTF-8 or not JSON: start afresh
        return {"version": 1, "outputs": {}}
    return loaded if isinstance(loaded, dict) else {"version": 1, "outputs": {}}


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically (a reader never sees half of it)."""
    data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    write_atomic(out_dir / MANIFEST, data)
