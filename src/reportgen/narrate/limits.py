"""Limits on the user-edited templates (phrase files and Word templates), so that no template
can hang a run, exhaust its memory, change the data it is given or end in a Python traceback.

- :class:`LimitedSandbox`: Jinja's immutable sandbox (no ``dict.update``/``list.append`` on
  the values handed in: a template cannot change a figure), a ``range`` that is bounded
  (Jinja's ``MAX_RANGE``) and checks the clock while it is iterated, every call checking the
  clock, and ``*``/``**`` refusing results beyond :data:`MAX_RESULT_ITEMS`.
- :func:`budget`: a time budget for everything rendered inside it; nested budgets keep the
  earliest deadline. On the main thread an interval timer also interrupts a loop that calls
  nothing (a safety net), elsewhere the checks above do.
- :func:`safe_filter`: a filter that raises a template error naming itself and the value it
  was given, instead of a Python ``ValueError``/``TypeError``.
- :func:`template_line`: the template file and line where a Python error arose in compiled
  template code (what a located message names).
"""

from __future__ import annotations

import contextlib
import functools
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType, TracebackType
from typing import Any

from jinja2 import Template
from jinja2.exceptions import TemplateRuntimeError
from jinja2.runtime import Context, Macro
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment

TIME_BUDGET_S = 60.0  # one report's narration and charts, or one part of a Word template
MACRO_BUDGET_S = 5.0  # one phrase macro (a normal one takes milliseconds)
MAX_RESULT_ITEMS = 1_000_000  # characters or items that "*" may produce ("x" * n, list * n)
MAX_POWER_DIGITS = 1000  # digits of a "**" result
CHECK_EVERY = 1000  # range items between two looks at the clock

# Python errors that a template (or the values it is handed) can cause while rendering: turned
# into located template errors by the callers, never shown as a traceback.
TEMPLATE_FAULTS: tuple[type[BaseException], ...] = (
    ArithmeticError, ValueError, TypeError, LookupError, AttributeError, RecursionError,
    MemoryError)


class TemplateTimeout(TemplateRuntimeError):
    """A template ran past its time budget; ``where`` names the macro running then."""

    def __init__(self, seconds: float, where: str = "") -> None:
        self.seconds = seconds
        self.where = where
        super().__init__(f"quá thời gian cho phép ({seconds:g} giây)")


class TemplateLimit(TemplateRuntimeError):
    """A template asked for more than the limits allow (a huge string, list or number)."""


class FilterFailed(TemplateRuntimeError):
    """A filter was given a value it cannot format (``'abc'|num``, ``5|vn_date``)."""


class _Deadline(threading.local):
    at: float | None = None
    seconds: float = 0.0
    macro: str = ""  # the macro most recently called, for the message


_DEADLINE = _Deadline()


def check_time() -> None:
    """Raise :class:`TemplateTimeout` when the current budget is spent."""
    at = _DEADLINE.at
    if at is not None and time.monotonic() > at:
        raise TemplateTimeout(_DEADLINE.seconds, _DEADLINE.macro)


def _alarm(signum: int, frame: FrameType | None) -> None:
    check_time()


@contextlib.contextmanager
def budget(seconds: float | None = None) -> Iterator[None]:
    """Everything rendered inside runs under a deadline ``seconds`` from now (default
    :data:`TIME_BUDGET_S`); inside another budget, the earlier deadline wins."""
    seconds = TIME_BUDGET_S if seconds is None else seconds
    outer_at, outer_seconds, outer_macro = _DEADLINE.at, _DEADLINE.seconds, _DEADLINE.macro
    at = time.monotonic() + seconds
    if outer_at is None or at < outer_at:
        _DEADLINE.at, _DEADLINE.seconds = at, seconds
    timer = (threading.current_thread() is threading.main_thread() and outer_at is None
             and hasattr(signal, "setitimer"))
    previous: Any = None
    if timer:
        previous = signal.signal(signal.SIGALRM, _alarm)
        # wakes up a loop that calls nothing; a few times over the budget so that the
        # cooperative checks, which name the macro, normally come first
        signal.setitimer(signal.ITIMER_REAL, seconds + 0.05, 0.25)
    try:
        yield
    finally:
        if timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        _DEADLINE.at, _DEADLINE.seconds, _DEADLINE.macro = outer_at, outer_seconds, outer_macro


class _Range:
    """``range`` for templates: at most ``MAX_RANGE`` items, the clock checked while iterated."""

    def __init__(self, *args: int) -> None:
        self._range = range(*args)
        if len(self._range) > MAX_RANGE:
            raise TemplateLimit(f"range quá lớn ({len(self._range)} phần tử; tối đa {MAX_RANGE})")

    def __iter__(self) -> Iterator[int]:
        for n, value in enumerate(self._range):
            if n % CHECK_EVERY == 0:
                check_time()
            yield value

    def __len__(self) -> int:
        return len(self._range)

    def __getitem__(self, item: Any) -> Any:
        return self._range[item]

    def __contains__(self, item: object) -> bool:
        return item in self._range

    def __reversed__(self) -> Iterator[int]:
        return iter(_Range(self._range.start + (len(self._range) - 1) * self._range.step,
                           self._range.start - self._range.step, -self._range.step)
                    if len(self._range) else ())


def _size(value: object) -> int | None:
    return len(value) if isinstance(value, str | bytes | list | tuple) else None


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox of every user template (see the module's description)."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = _Range
        self._safe_attributes: dict[tuple[type, str], bool] = {}
        self._settings: dict[str, Template] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Jinja's verdict, remembered per type and attribute name: it depends on nothing
        else (a leading underscore, the internal attributes of functions, methods, types,
        frames and generators, the mutating methods of known containers), and a report asks
        it some twenty thousand times."""
        key = (type(obj), attr)
        known = self._safe_attributes.get(key)
        if known is None:
            known = self._safe_attributes[key] = super().is_safe_attribute(obj, attr, value)
        return known

    def setting(self, source: str) -> Template:
        """A report.yaml value compiled once per process (each report fills the same few
        dozen values: compiling them was a sixth of a warm report)."""
        found = self._settings.get(source)
        if found is None:
            found = self._settings[source] = self.from_string(source)
        return found

    def call(__self, __context: Context, __obj: Any, *args: Any,  # noqa: N805 - Jinja's signature
             **kwargs: Any) -> Any:
        check_time()
        if isinstance(__obj, Macro):
            _DEADLINE.macro = f"{__context.name or ''}: {__obj.name}".strip(": ")
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        check_time()
        if operator == "**":
            if (isinstance(left, int | float) and isinstance(right, int | float)
                    and abs(left) > 1 and right > 0
                    and right * math.log10(abs(left)) > MAX_POWER_DIGITS):
                raise TemplateLimit(f"lũy thừa quá lớn ({left!r} ** {right!r})")
            return left ** right
        counts = [(s, other) for s, other in ((_size(left), right), (_size(right), left))
                  if s is not None and isinstance(other, int)]
        for size, times in counts:
            if size * times > MAX_RESULT_ITEMS:
                raise TemplateLimit(f"chuỗi hoặc danh sách quá dài ({size} × {times}; tối đa "
                                    f"{MAX_RESULT_ITEMS} phần tử)")
        return left * right


def safe_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` as a filter whose failure on a value is a template error naming the filter and
    the value ("bộ lọc 'num' không dùng được với giá trị 'abc'"), never a Python error."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TEMPLATE_FAULTS as exc:
            shown = repr(args[0])[:80] if args else ""
            raise FilterFailed(f"bộ lọc '{name}' không dùng được với giá trị {shown} "
                               f"({type(exc).__name__}: {exc})") from exc

    return wrapper


def template_line(exc: BaseException) -> tuple[str, int] | None:
    """(template name, line) of the innermost compiled-template frame of the traceback: the
    name as the templates know it (``ket-qua.j2``, ``_chung.j2``)."""
    found = None
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None:
            line = template.get_corresponding_lineno(tb.tb_lineno)
            found = (template.name or template.filename or "", line)
        tb = tb.tb_next
    return found
