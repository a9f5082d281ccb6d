"""One schema mechanism for every settings file: report.yaml, analysis.yaml, solutions.yaml,
responsible.yaml and frameworks/*.yaml.

Each file is described by pydantic models built on :class:`Settings` (unknown keys forbidden,
strict types, ranges). :func:`validate` checks a parsed document against its model and turns
every problem into an :class:`~reportgen.errors.Issue` located by file, line (the YAML is read
into :class:`~reportgen.config.yamlio.LineDict`), key path and what was expected, with a
"Có phải …?" hint for a misspelt key or choice. All problems of a file are raised together as
one :class:`SettingsError`. Rules between keys that types cannot say ("a quarter deadline needs
``quarter``") are a model's :meth:`Settings.problems`, checked once the types are right.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, NamedTuple, TypeVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    RootModel,
    TypeAdapter,
    ValidationError,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from reportgen.config.yamlio import line_of
from reportgen.errors import ConfigError, Issue, IssuesError, Location, did_you_mean

T = TypeVar("T")
Loc = tuple[str | int, ...]
CUSTOM = "settings"  # error type of the messages written here (already in Vietnamese)


class SettingsError(IssuesError, ConfigError):
    """Every problem found in one settings file; located at the first one."""

    title = "Tệp cấu hình có lỗi"

    def __init__(self, issues: Sequence[Issue], title: str | None = None) -> None:
        super().__init__(issues, title)
        if self.issues:
            self.location = self.issues[0].location


class Problem(NamedTuple):
    """A rule between keys that does not hold; ``loc`` is relative to the model reporting it."""

    loc: Loc
    message: str
    value: object = None


class Settings(BaseModel):
    """Base of every settings model: unknown keys are errors, types are not guessed."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    def problems(self) -> Iterator[Problem]:
        """Rules between this mapping's keys (override); checked once every type is right."""
        return iter(())


def invalid(message: str, *at: str | int) -> PydanticCustomError:
    """A validation error with a Vietnamese ``message``; ``at`` names the key at fault below
    the value being validated."""
    return PydanticCustomError(CUSTOM, "{message}", {"message": message, "at": at})


# --- value types shared by the files ---------------------------------------------------------

def _number_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def between(lo: float | None = None, hi: float | None = None) -> AfterValidator:
    """Annotated metadata: the number lies in [lo, hi] (a missing end is open)."""

    def check(value: Any) -> Any:
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            if lo is not None and hi is not None:
                wanted = f"nằm trong khoảng {_number_text(lo)}–{_number_text(hi)}"
            elif lo is not None:
                wanted = f"lớn hơn hoặc bằng {_number_text(lo)}"
            else:
                wanted = f"nhỏ hơn hoặc bằng {_number_text(hi or 0)}"
            raise invalid(f"phải {wanted}")
        return value

    return AfterValidator(check)


def _scalar_text(value: Any) -> Any:
    """Numbers and dates written without quotes are text too (``version: 2017``)."""
    if isinstance(value, int | float | dt.date) and not isinstance(value, bool):
        return str(value)
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise invalid("không được để trống")
    return value


def one_or_many(value: Any) -> Any:
    """A single item where a list is expected is a list of one."""
    return value if isinstance(value, list) else [value]


def _texts(value: Any) -> Any:
    """One text or a list of texts → a list (numbers written without quotes are text)."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        value = [value]
    if isinstance(value, list) and all(isinstance(_scalar_text(v), str) for v in value):
        return [_scalar_text(v) for v in value]
    raise invalid("phải là một đoạn văn bản hoặc danh sách các đoạn văn bản")


def _names(value: Any) -> Any:
    """A name or a non-empty list of names (of units, agencies) → a list."""
    value = [value] if isinstance(value, str) else value
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return value
    raise invalid("phải là tên một cơ quan hoặc danh sách tên cơ quan")


def _year(value: Any) -> Any:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


Text = Annotated[str, BeforeValidator(_scalar_text)]
"""Text; a number or a date written without quotes is taken as its text."""
Sentence = Annotated[Text, AfterValidator(_not_blank)]
"""Text that may not be empty."""
Texts = Annotated[list[str], BeforeValidator(_texts)]
"""One text or a list of texts."""
Code = Annotated[str, BeforeValidator(_scalar_text)]
"""An index or component code: ``"8.2"``, ``7`` (unquoted numbers are read as text)."""
Names = Annotated[list[str], BeforeValidator(_names)]
"""One name or a non-empty list of names (units, agencies)."""
Year = Annotated[int, BeforeValidator(_year), between(1900, 2200)]
Count = Annotated[int, between(0)]
"""A whole number ≥ 0."""
Percent = Annotated[float, between(0, 100)]
Share = Annotated[float, between(0, 1)]


# --- validating a document ------------------------------------------------------------------

@cache
def _adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(tp)


def validate(tp: type[T], doc: Any, file: str | None, prefix: Loc = ()) -> T:
    """``doc`` (a parsed YAML document, ``None`` for an empty file) checked against ``tp``.

    Raises :class:`SettingsError` listing every problem, each located in ``file`` (line of the
    key, key path — ``prefix`` is prepended to it when ``doc`` is a part of the file)."""
    doc = {} if doc is None else doc
    try:
        value = _adapter(typing.cast(Any, tp)).validate_python(doc)
    except ValidationError as exc:
        issues = [_error_issue(error, tp, doc, file, prefix) for error in exc.errors()]
        raise SettingsError(sorted(issues, key=_line)) from None
    found = [problem_issue(p, doc, file, prefix) for p in problems_of(value)]
    if found:
        raise SettingsError(sorted(found, key=_line))
    return typing.cast(T, value)


def _line(issue: Issue) -> int:
    return issue.location.line or 0


def problems_of(value: Any, loc: Loc = ()) -> Iterator[Problem]:
    """The :meth:`Settings.problems` of every model inside ``value``, located from its root."""
    if isinstance(value, Settings):
        for p in value.problems():
            yield Problem(loc + p.loc, p.message, p.value)
        for name, info in type(value).model_fields.items():
            yield from problems_of(getattr(value, name), (*loc, info.alias or name))
        for key, item in (value.model_extra or {}).items():
            yield from problems_of(item, (*loc, key))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from problems_of(item, (*loc, key))
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):
            yield from problems_of(item, (*loc, n))


def problem_issue(problem: Problem, doc: Any, file: str | None, prefix: Loc = ()) -> Issue:
    spot = locate(doc, problem.loc)
    return Issue(problem.message, _location(file, spot, prefix), problem.value, code="settings_rule")


# --- where in the file -------------------------------------------------------------------------

@dataclass(frozen=True)
class Spot:
    """Where a key path of the schema falls in the YAML document."""

    line: int | None
    path: tuple[str | int, ...]  # the keys found in the document (list positions from 0)
    node: Any  # the value there (the parent mapping of a missing key)


_MISSING = object()


def _find_key(mapping: Mapping[Any, Any], step: str | int) -> Any:
    if step in mapping:
        return step
    return next((k for k in mapping if str(k) == str(step)), _MISSING)


def _start(node: Any) -> int | None:
    return getattr(node, "start_line", None) or None


def locate(doc: Any, loc: Loc) -> Spot:
    """Follow ``loc`` through the document: the line of the last key found, the keys found.

    A key the document lacks ends the walk (a missing key: the line of its parent mapping);
    a list position where the document has a single entry (read as a list of one) is skipped.
    """
    node, line = doc, _start(doc)
    path: list[str | int] = []
    for step in loc:
        if step == "[key]":
            continue
        if isinstance(node, Mapping):
            key = _find_key(node, step)
            if key is _MISSING:
                if isinstance(step, str):
                    path.append(step)
                    break
                continue
            line = line_of(node, key) or line
            path.append(key)
            node = node[key]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            path.append(step)
            node = node[step]
            line = _start(node) or line
    return Spot(line, tuple(path), node)


def location_of(doc: Any, file: str | None, loc: Loc, where: str | None = None,
                start: bool = False) -> Location:
    """The location of ``loc`` in the document (``start``: the first line of the mapping found
    there rather than the line of its key), described by ``where``."""
    spot = locate(doc, loc)
    line = (_start(spot.node) or spot.line) if start else spot.line
    return Location(file=file, line=line, where=where)


def key_path(path: Sequence[str | int]) -> str:
    """``defaults.peer_excerpt.head``, ``components[3].parent`` (list positions from 1)."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step + 1}]"
        else:
            text += f".{step}" if text else str(step)
    return text


def _location(file: str | None, spot: Spot, prefix: Loc = ()) -> Location:
    path = key_path((*prefix, *spot.path))
    return Location(file=file, line=spot.line, where=f"khóa {path}" if path else None)


def _last_key(path: Sequence[str | int]) -> str | None:
    return next((str(s) for s in reversed(path) if isinstance(s, str)), None)


# --- what was expected ----------------------------------------------------------------------

_EXPECTED = {
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "float_type": "phải là một số (số thập phân viết bằng dấu chấm, ví dụ 0.05)",
    "float_parsing": "phải là một số (số thập phân viết bằng dấu chấm, ví dụ 0.05)",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "string_type": "phải là văn bản",
    "list_type": "phải là một danh sách",
    "tuple_type": "phải là một danh sách",
    "dict_type": "phải là một ánh xạ (các dòng khóa: giá trị)",
    "model_type": "phải là một ánh xạ (các dòng khóa: giá trị)",
    "model_attributes_type": "phải là một ánh xạ (các dòng khóa: giá trị)",
    "date_type": "phải là một ngày dạng 2025-05-05",
    "too_short": "không được để trống",
}
_NO_VALUE = ("missing", "extra_forbidden", "dict_type", "model_type", "model_attributes_type")


def _error_issue(error: ErrorDetails, tp: Any, doc: Any, file: str | None, prefix: Loc) -> Issue:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    loc: Loc = (*error["loc"], *(ctx.get("at") or ())) if kind == CUSTOM else tuple(error["loc"])
    spot = locate(doc, loc)
    key = _last_key((*prefix, *loc))
    if kind not in ("missing", "extra_forbidden"):
        # the key the file has: a short form read as a mapping (responsible.yaml's
        # ``code: [names]`` for ``{lead: [names]}``) names the code, not the key it was read as
        key = _last_key((*prefix, *spot.path)) or key
    given = error.get("input")
    if kind == "extra_forbidden":
        allowed = _keys_at(tp, loc[:-1])
        hint = did_you_mean(str(key), allowed) or (
            f" Các khóa dùng được ở đây: {', '.join(allowed)}." if allowed else "")
        message = f"khóa '{key}' không hợp lệ.{hint}"
    elif kind == "missing":
        message = f"thiếu khóa bắt buộc '{key}'"
    else:
        message = f"'{key}' {_expected(kind, error, _type_at(tp, loc), given)}" if key else (
            _expected(kind, error, _type_at(tp, loc), given))
    shown = given if kind not in _NO_VALUE and _is_scalar(given) else None
    return Issue(message, _location(file, spot, prefix), shown, code=f"settings_{kind}")


def _expected(kind: str, error: ErrorDetails, tp: Any, given: Any) -> str:
    ctx = error.get("ctx") or {}
    if kind == CUSTOM:
        return str(ctx["message"])
    if kind == "literal_error":
        choices = [str(c) for c in _literal_choices(tp)]
        hint = did_you_mean(given, choices) if isinstance(given, str) else ""
        return f"phải là một trong: {', '.join(choices) or ctx.get('expected', '')}.{hint}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {"greater_than": "lớn hơn", "greater_than_equal": "lớn hơn hoặc bằng",
                 "less_than": "nhỏ hơn", "less_than_equal": "nhỏ hơn hoặc bằng"}[kind]
        bound = next(iter(ctx.values()), "")
        return f"phải {words} {_number_text(bound) if isinstance(bound, int | float) else bound}"
    return _EXPECTED.get(kind, str(error["msg"]))


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | dt.date)


# --- the type at a key path (for the keys and choices allowed there) -------------------------

def _bare(tp: Any) -> Any:
    """``tp`` without Annotated metadata and without ``| None``."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _step(tp: Any, step: str | int) -> Any:
    tp = _bare(tp)
    if _is_model(tp) and issubclass(tp, RootModel):
        return _step(tp.model_fields["root"].annotation, step)
    if _is_model(tp):
        for name, info in tp.model_fields.items():
            if (info.alias or name) == step:
                return info.annotation
        extra = typing.get_type_hints(tp).get("__pydantic_extra__")
        return get_args(extra)[1] if extra is not None else None
    origin = get_origin(tp)
    if origin in (list, tuple):
        return get_args(tp)[0]
    if origin is dict:
        return get_args(tp)[1]
    return None


def _type_at(tp: Any, loc: Loc) -> Any:
    for step in loc:
        if step == "[key]":
            return None
        tp = _step(tp, step)
        if tp is None:
            return None
    return _bare(tp)


def _keys_at(tp: Any, loc: Loc) -> list[str]:
    """The keys a mapping of the schema accepts at ``loc``."""
    model = _type_at(tp, loc)
    if not _is_model(model):
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def _literal_choices(tp: Any) -> tuple[Any, ...]:
    return get_args(tp) if get_origin(tp) is Literal else ()

