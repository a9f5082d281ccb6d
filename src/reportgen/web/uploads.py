"""Uploads: the size limit, one temporary folder per request, the names shown and sent.

Nothing the client sends becomes a path: an upload is stored as ``upload`` plus one of the
suffixes the loader reads (anything else as ``upload.bin``, which the loader reports as an
unsupported format), in a folder made for the request and removed when its response is sent.
The client's file name is kept only to be shown in messages.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from reportgen.data.load import READERS
from reportgen.output.write import slugify
from reportgen.web.errors import UploadTooLarge

DEFAULT_LIMIT_MB = 50
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
            await self._refuse(send)
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

    async def _refuse(self, send: Send) -> None:
        from reportgen.web.errors import error_payload

        body = json.dumps(error_payload(too_large(self.limit)), ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def display_name(filename: str | None) -> str:
    """The client's file name as shown in messages: its last part, printable, NFC."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = "".join(c for c in unicodedata.normalize("NFC", name) if c.isprintable())
    return name[:200] or "upload"


def stored_name(filename: str | None) -> str:
    """Our name for an upload: ``upload`` and a suffix the loader reads, else ``.bin``."""
    suffix = PurePosixPath(filename or "").suffix.lower()
    return f"upload{suffix if suffix in READERS else '.bin'}"


@dataclass(frozen=True)
class Upload:
    """An uploaded dataset as a worker receives it (picklable): where we stored it and the
    name it is shown under. ``path`` None: the server's dataset (``--data``, else the sample)."""

    path: str | None
    name: str | None

    def rename(self, text: str) -> str:
        """``text`` with our stored path replaced by the client's file name."""
        if self.path is None or self.name is None:
            return text
        return text.replace(self.path, self.name)


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
