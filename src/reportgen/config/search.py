"""Where templates and editable data files are found: an ordered search path.

Order, first match wins per file: the user's ``--templates DIR``, then the ``templates/``
folder of the current project (the working directory), then the defaults packaged with
reportgen. ``default:NAME`` always reaches the packaged default, even when shadowed.
Only this module and ``load``/``write`` know about the file system layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

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


@dataclass(frozen=True)
class SearchPath:
    """An ordered list of folders searched for each template or data file."""

    dirs: tuple[Path, ...]

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

    def find(self, name: str) -> Path:
        """The first file called ``name`` on the path; ``default:name`` skips user overrides."""
        if name.startswith(DEFAULT_PREFIX):
            path = self.default_dir / name[len(DEFAULT_PREFIX):]
            if path.is_file():
                return path
        else:
            for d in self.dirs:
                path = d / name
                if path.is_file():
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
        return [chosen[k] for k in sorted(chosen)]
