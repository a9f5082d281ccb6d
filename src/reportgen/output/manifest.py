"""The batch manifest: the hash of everything each written document was made from, so that a
re-run rewrites exactly the documents whose content would change."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportgen import __version__
from reportgen.output.write import write_atomic

MANIFEST = "manifest.json"


def fingerprint(paths: Sequence[Path], extra: str = "") -> str:
    """Hash of the files and settings every document depends on (templates, configuration,
    frameworks, the reportgen version)."""
    h = hashlib.sha256(f"reportgen {__version__}\n{extra}\n".encode())
    for p in sorted(paths):
        h.update(str(p.name).encode())
        h.update(p.read_bytes())
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
    except (OSError, json.JSONDecodeError):
        return {"version": 1, "outputs": {}}
    return loaded if isinstance(loaded, dict) else {"version": 1, "outputs": {}}


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically (a reader never sees half of it)."""
    data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    write_atomic(out_dir / MANIFEST, data)
