"""Where templates and editable data files are found: an ordered search path.

Order, first match wins per file: the user's ``--templates DIR``, then the ``templates/``
folder of the current project (the working directory), then the defaults packaged with
reportgen. ``default:NAME`` always reaches the packaged default, even when shadowed.
Only this module and ``load``/``write`` know about the file system layout.

Every lookup is recorded (:class:`Recorder`, one per search path): the batch manifest hashes
exactly the files a run resolved — templates, phrase files and what they include or import,
settings, frameworks — by their name on the path and their content (see ``app.toolkit_files``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from reportgen.errors import ConfigError

DEFAULT_PREFIX = "default:"


def packaged_dir() -> Path:
    """The defaults shipped with reportgen (the wheel's ``reportgen/templates``).

    In a source checkout (editable install) the repository's ``templates/`` folder is the
    same set of files, so it is used when the package holds none.
    """
    inside = Path(str(resources.files("reportgen"))) / "templates"
    if inside.is_dir():
        return inside
    checkout = Path(__file__).resolve().parents[3] / "templates"
    if checkout.is_dir():
        return checkout
    raise ConfigError("Không tìm thấy thư mục mẫu mặc định của reportgen (cài đặt bị thiếu tệp)")


class FileRead(NamedTuple):
    """One file a run looked up: its name relative to the search folder it was found in
    (``phrases/ket-qua.j2``, ``frameworks/pci.yaml``) and its path, ``None`` when it was looked
    for and found in no folder (``{% include "x.j2" ignore missing %}``: adding the file later
    changes the output)."""

    name: str
    path: Path | None

    @classmethod
    def outside(cls, path: Path) -> FileRead:
        """A file named explicitly rather than found on the path (``--config FILE``)."""
        return cls(path.name, path)


class Recorder:
    """The files looked up through one search path, in the order first looked up.

    :meth:`files` is everything so far; :meth:`scope` collects what one block of code looks
    up (scopes nest: a lookup is added to every open scope)."""

    def __init__(self) -> None:
        self._files: dict[FileRead, None] = {}
        self._scopes: list[dict[FileRead, None]] = []
        self._lock = threading.Lock()

    def record(self, name: str, path: Path | None) -> None:
        read = FileRead(name, path)
        with self._lock:
            self._files[read] = None
            for scope in self._scopes:
                scope[read] = None

    def files(self) -> frozenset[FileRead]:
        with self._lock:
            return frozenset(self._files)

    @contextmanager
    def scope(self) -> Iterator[dict[FileRead, None]]:
        """``with recorder.scope() as reads:`` — ``reads`` holds what the block looked up."""
        reads: dict[FileRead, None] = {}
        with self._lock:
            self._scopes.append(reads)
        try:
            yield reads
        finally:
            with self._lock:
                self._scopes.remove(reads)

    def __getstate__(self) -> dict[str, Any]:  # picklable: the lock is not sent
        return {"_files": self.files(), "_scopes": []}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._files = dict.fromkeys(state["_files"])
        self._scopes = []
        self._lock = threading.Lock()


@dataclass(frozen=True)
class SearchPath:
    """An ordered list of folders searched for each template or data file; every lookup is
    recorded in :attr:`recorder` (see :meth:`files_read`)."""

    dirs: tuple[Path, ...]
    recorder: Recorder = field(default_factory=Recorder, compare=False, repr=False)

    @classmethod
    def build(cls, user_dir: str | Path | None = None, cwd: Path | None = None) -> SearchPath:
        """User folder → ``./templates`` → packaged defaults, without duplicates."""
        candidates: list[Path] = []
        if user_dir is not None:
            user = Path(user_dir)
            if user.exists() and not user.is_dir():
                raise ConfigError(f"'{user}' là một tệp, không phải thư mục mẫu")
            if not user.is_dir():
                raise ConfigError(f"Thư mục mẫu '{user}' không tồn tại")
            candidates.append(user)
        project = (cwd or Path.cwd()) / "templates"
        if project.is_dir():
            candidates.append(project)
        candidates.append(packaged_dir())
        seen: set[Path] = set()
        unique = []
        for d in candidates:
            key = d.resolve()
            if key not in seen:
                seen.add(key)
                unique.append(d)
        return cls(tuple(unique))

    @property
    def default_dir(self) -> Path:
        return self.dirs[-1]

    def locate(self, name: str) -> Path | None:
        """The first file called ``name`` on the path, or None; ``default:name`` skips user
        overrides. The lookup is recorded, a miss too."""
        dirs = self.dirs
        if name.startswith(DEFAULT_PREFIX):
            name, dirs = name[len(DEFAULT_PREFIX):], (self.default_dir,)
        found = next((d / name for d in dirs if (d / name).is_file()), None)
        self.recorder.record(Path(name).as_posix(), found)
        return found

    def find(self, name: str) -> Path:
        """The first file called ``name`` on the path; ``default:name`` skips user overrides."""
        path = self.locate(name)
        if path is not None:
            return path
        searched = ", ".join(str(d) for d in self.dirs)
        raise ConfigError(f"Không tìm thấy tệp '{name}' trong các thư mục mẫu: {searched}")

    def find_all(self, folder: str, pattern: str = "*.yaml") -> list[Path]:
        """Every file matching ``pattern`` in ``folder`` across the path; a name found in an
        earlier folder shadows the same name later (so a user copy replaces the default)."""
        chosen: dict[str, Path] = {}
        for d in self.dirs:
            sub = d / folder
            if sub.is_dir():
                for p in sorted(sub.glob(pattern)):
                    chosen.setdefault(p.name, p)
        for name in sorted(chosen):
            self.recorder.record(f"{folder}/{name}", chosen[name])
        return [chosen[k] for k in sorted(chosen)]

    def files_read(self) -> frozenset[FileRead]:
        """Every file looked up on this path so far (name on the path, where found)."""
        return self.recorder.files()

    def reading(self) -> AbstractContextManager[dict[FileRead, None]]:
        """``with search.reading() as reads:`` — the files looked up inside the block."""
        return self.recorder.scope()
