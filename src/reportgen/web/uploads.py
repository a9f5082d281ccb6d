"""Requests: the upload size limit, the same-site check, one temporary folder per request,
the names shown and sent.

Nothing the client sends becomes a path: an upload is stored under a name made of ASCII
letters, digits and hyphens (the slug of its name, which keeps what the loader reads in a
name, such as ``groups`` for the groups table) and one of the suffixes the loader reads
(anything else as ``.bin``, which the loader reports as an unsupported format), in a folder
made for the request and removed when its response is sent. Several files sent as ``data``
are one dataset, as a folder of files is on the command line. The client's file names are
kept only to be shown in messages.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from reportgen.data.load import READERS
from reportgen.output.write import slugify
from reportgen.web.errors import CrossSite, UploadTooLarge, WebError

DEFAULT_LIMIT_MB = 50
MAX_FILES = 20  # files of one uploaded dataset
CHUNK = 1 << 16
FOLDER_PREFIX = "reportgen-web-"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def too_large(limit: int) -> UploadTooLarge:
    return UploadTooLarge(f"tệp tải lên vượt quá giới hạn {limit / 1024 / 1024:g} MB "
                          "(đặt lại bằng --max-upload-mb)")


class UploadLimit:
    """ASGI middleware: a body longer than ``limit`` bytes is refused with 413, from its
    Content-Length before anything is read, else as soon as the bytes read pass the limit."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await refuse(send, too_large(self.limit))
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise too_large(self.limit)
            return message

        await self.app(scope, counted, send)


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _host_name(value: str) -> str:
    """``example.org`` of ``example.org:8000``, ``::1`` of ``[::1]:8000``."""
    if value.startswith("["):
        return value[1:].partition("]")[0]
    return value.rpartition(":")[0] if value.count(":") == 1 else value


class SameSite:
    """ASGI middleware: 403 for a request whose ``Host`` is not an allowed name (DNS
    rebinding), or whose ``Origin`` (sent by browsers with every POST) is another site than
    the one it was sent to: another site's page in the clerk's browser cannot drive the
    server. curl sends no ``Origin``; the page's own requests carry the server's."""

    def __init__(self, app: ASGIApp, allowed_hosts: tuple[str, ...] | None) -> None:
        self.app, self.allowed = app, allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers") or []}
            host = headers.get("host", "")
            origin = headers.get("origin")
            if self.allowed is not None and _host_name(host) not in self.allowed:
                await refuse(send, CrossSite(f"máy chủ không nhận tên '{host[:100]}'; mở trang bằng "
                                             "http://127.0.0.1:CỔNG"))
                return
            if origin is not None and origin.partition("://")[2] != host:
                await refuse(send, CrossSite("yêu cầu gửi từ trang của nơi khác bị từ chối"))
                return
        await self.app(scope, receive, send)


async def refuse(send: Send, error: WebError) -> None:
    """Answer with the error's JSON, without reading the request."""
    from reportgen.web.errors import error_payload

    body = json.dumps(error_payload(error), ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": error.status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def display_name(filename: str | None) -> str:
    """The client's file name as shown in messages: its last part, printable, NFC."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = "".join(c for c in unicodedata.normalize("NFC", name) if c.isprintable())
    return name[:200] or "upload"


def stored_name(filename: str | None, taken: Collection[str] = ()) -> str:
    """Our name for an upload: the slug of its name (``upload`` when none) and a suffix the
    loader reads, else ``.bin``; ``-2``, ``-3``… when the name is ``taken``."""
    path = PurePosixPath((filename or "").replace("\\", "/"))
    suffix = path.suffix.lower() if path.suffix.lower() in READERS else ".bin"
    stem = slugify(path.stem) if path.stem.strip(". ") else "upload"
    name, n = f"{stem}{suffix}", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}{suffix}"
    return name


@dataclass(frozen=True)
class Upload:
    """An uploaded dataset as a worker receives it (picklable): where we stored it (a file,
    or the folder of several files) and the names its files are shown under. ``path`` None:
    the server's dataset (``--data``, else the sample)."""

    path: str | None
    names: tuple[tuple[str, str], ...] = ()  # (stored path, the client's file name)

    def rename(self, text: str) -> str:
        """``text`` with our stored paths replaced by the client's file names."""
        for stored, shown in self.names:
            text = text.replace(stored, shown)
        return text


class RequestFolder:
    """A temporary folder for one request, removed by :meth:`remove` (idempotent)."""

    def __init__(self, root: Path | None = None) -> None:
        if root is not None:
            root.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=root))

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


TOKEN = re.compile(r"[0-9a-f]{16,64}")


def valid_token(token: str | None) -> str | None:
    """A progress token as the page makes it (hex), else None: it is only a dict key."""
    return token if token is not None and TOKEN.fullmatch(token) else None


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the Vietnamese name (RFC 6266/5987)."""
    name = unicodedata.normalize("NFC", name)
    path = PurePosixPath(name)
    fallback = f"{slugify(path.stem)}{path.suffix if path.suffix.isascii() else ''}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
