"""A disk cache of compiled Jinja templates (phrase files, Word template parts).

Parsing and compiling the phrase files and the Word template is a third of a single
``reportgen generate`` run, and a batch worker repeats it when it starts. The result depends
only on the source text, the template's name and file name, the environment's syntax
settings and the names of its filters and tests, Jinja's version and Python's bytecode
format, so it is kept under a key hashing all of these: an edited file, an upgrade or another
setting is a different key, never a stale entry. Errors are never cached (a template that
does not compile is compiled, and fails, every time).

The cache holds Python code objects (``marshal``), so it is read only from a folder that
belongs to the user and that nobody else may write to (as Jinja's own file cache does);
anything else — unwritable, foreign, corrupt — means compiling as if there were no cache.
``REPORTGEN_CACHE_DIR`` chooses the folder; set empty, it turns the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import CodeType
from typing import Any, TypeVar

import jinja2
from jinja2 import Environment, nodes

ENV_VAR = "REPORTGEN_CACHE_DIR"
T = TypeVar("T")
_SETTINGS = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
             "comment_start_string", "comment_end_string", "line_statement_prefix",
             "line_comment_prefix", "trim_blocks", "lstrip_blocks", "newline_sequence",
             "keep_trailing_newline", "optimized", "autoescape")


def cache_dir() -> Path | None:
    """The cache folder (``$REPORTGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/reportgen/jinja``,
    else ``~/.cache/reportgen/jinja``), created private; None when the cache is off or the
    folder is not safe to load code from."""
    chosen = os.environ.get(ENV_VAR)
    if chosen == "":
        return None
    if chosen:
        folder = Path(chosen)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        folder = Path(base) / "reportgen" / "jinja"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError:
        return None
    private = not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or not private:
        return None
    return folder


def cache_key(env: Environment, source: str, name: str | None, filename: str | None,
              salt: str = "") -> str:
    """Everything the compiled code depends on, hashed."""
    settings = repr([(s, getattr(env, s, None)) for s in _SETTINGS]
                    + [sorted(env.extensions), type(env).__qualname__, type(env).__module__,
                       sorted(env.filters), sorted(env.tests)])  # unknown ones fail at compile
    parts = (jinja2.__version__, importlib.util.MAGIC_NUMBER.hex(), settings, name or "",
             filename or "", salt, source)
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


def compile_cached(env: Environment, source: str, name: str | None, filename: str | None,
                   derive: Callable[[nodes.Template], T] | None = None,
                   salt: str = "") -> tuple[CodeType, T | None]:
    """The compiled code of ``source`` (as ``env.compile(source, name, filename)``) and, when
    ``derive`` is given, what it returns for the parsed template (marshallable data: e.g.
    the names the template includes), from the cache when present."""
    folder = cache_dir()
    path = folder / f"{cache_key(env, source, name, filename, salt)}.bin" if folder else None
    if path is not None:
        try:
            code, derived = marshal.loads(path.read_bytes())
            if isinstance(code, CodeType):
                return code, derived
        except (OSError, ValueError, EOFError, TypeError):
            pass  # missing or corrupt: compile
    tree = env.parse(source, name, filename)
    derived = derive(tree) if derive is not None else None
    code = env.compile(tree, name, filename)
    if path is not None:
        _store(path, marshal.dumps((code, derived)))  # type: ignore[arg-type]  # derive: plain data
    return code, derived


def _store(path: Path, blob: bytes) -> None:
    """Write atomically; a full disk or a read-only folder only means no cache."""
    with contextlib.suppress(OSError):
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(blob)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def from_code(env: Environment, code: CodeType, uptodate: Callable[[], bool] | None = None,
              globals: dict[str, Any] | None = None) -> jinja2.Template:
    """A template object of ``env`` from compiled code."""
    return env.template_class.from_code(env, code, env.make_globals(globals), uptodate)


__all__ = ["ENV_VAR", "cache_dir", "cache_key", "compile_cached", "from_code"]
