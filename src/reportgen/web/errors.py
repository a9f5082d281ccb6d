"""How an error reaches a web client: JSON with every located message and a status code.

The messages are those of the command line: an :class:`~reportgen.errors.IssuesError` gives
its title and one line per problem exactly as ``reportgen validate`` prints them
(:func:`~reportgen.errors.summarize`), plus each problem's parts for the page's table. The
only change is the uploaded file's name: it is stored under a name of ours (no path from the
request reaches the disk) and shown under the name the client gave.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from reportgen.errors import (
    ConfigError,
    Issue,
    IssuesError,
    Location,
    LookupFailed,
    OutputError,
    RenderError,
    ReportgenError,
    summarize,
)

Payload = dict[str, Any]
Rename = Callable[[str], str]


class WebError(ReportgenError):
    """A request the server cannot serve as asked (a missing or malformed field)."""

    status = 400


class UploadTooLarge(WebError):
    """The request body is larger than the upload limit."""

    status = 413


class CrossSite(WebError):
    """A request sent by a page of another site, or to a host name the server does not
    answer to (a web page in the clerk's browser must not drive the server)."""

    status = 403


class Unexpected(WebError):
    """A bug: shown as one plain message, the traceback only in the server's log."""

    status = 500


def status_of(exc: ReportgenError) -> int:
    """400 for what the request asked wrongly (a unit or year not in the data, a field),
    422 for content that cannot be used (data, templates, settings), 413, 500."""
    if isinstance(exc, WebError):
        return exc.status
    if isinstance(exc, LookupFailed | OutputError):
        return 400
    if isinstance(exc, IssuesError | ConfigError | RenderError):
        return 422
    return 422


def no_rename(text: str) -> str:
    return text


def _location(location: Location, rename: Rename) -> Location:
    return replace(location, file=rename(location.file)) if location.file else location


def issue_entry(issue: Issue, rename: Rename = no_rename) -> Payload:
    """One located problem: its parts (the page's table) and its line as the CLI prints it."""
    issue = replace(issue, location=_location(issue.location, rename), message=rename(issue.message))
    where = issue.location
    return {"location": str(where), "message": issue.message, "severity": issue.severity,
            "file": where.file, "sheet": where.sheet, "row": where.row if where.row is not None
            else where.line, "column": where.column, "where": where.where,
            "value": None if issue.value in (None, "") else str(issue.value),
            "code": issue.code, "text": str(issue)}


def renamed(exc: ReportgenError, rename: Rename) -> ReportgenError:
    """The same error with the uploaded file shown under the client's name."""
    if isinstance(exc, IssuesError):
        issues = [replace(i, location=_location(i.location, rename), message=rename(i.message))
                  for i in exc.issues]
        copy = IssuesError(issues)
        copy.message, copy.args = rename(exc.message), (rename(exc.message),)
        return copy
    return ReportgenError(rename(exc.message), _location(exc.location, rename))


def error_payload(exc: ReportgenError, rename: Rename = no_rename) -> Payload:
    """``{ok: false, status, message, text, lines, errors: [{location, message, …}]}``;
    ``text`` is what ``reportgen validate`` prints for the same error, ``lines`` its lines
    after the first."""
    shown = renamed(exc, rename)
    if isinstance(shown, IssuesError):
        errors = [issue_entry(i) for i in shown.issues]
        lines = summarize(shown.issues)
    else:
        where = shown.location
        errors = [{"location": str(where), "message": shown.message, "severity": "error",
                   "file": where.file, "sheet": where.sheet,
                   "row": where.row if where.row is not None else where.line,
                   "column": where.column, "where": where.where, "value": None, "code": "",
                   "text": str(shown)}]
        lines = [str(shown)]
    return {"ok": False, "status": status_of(exc), "message": shown.message, "text": str(shown),
            "lines": lines, "errors": errors}
