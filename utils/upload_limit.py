"""An ASGI middleware that bounds the size of an upload's body before any of it is stored.

Shiny writes an upload's body to disk as it arrives and puts no limit on it, so a hostile client
could fill the disk or tie up the worker before the Data tab's own size check runs on the
finished file. Browsers send Content-Length with a file, so a too-large upload is answered 413
at once with a sentence that Shiny's file input shows under the button; a body without a length
(chunked) is cut off as soon as it passes the limit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Shiny's upload URL: session/<session id>/upload/<job id>
UPLOAD_PATH = re.compile(r"/session/[^/]+/upload/")


def too_large_message(size_bytes: int | None, limit_bytes: int) -> str:
    """What the user reads under the file input."""
    limit = f"{limit_bytes / 2**20:g} MB"
    size = f"This file is {size_bytes / 2**20:.1f} MB; " if size_bytes else "This file is over "
    return (
        f"{size}the limit is {limit}. Remove unused columns or rows (or split the file) "
        "and upload it again."
    )


class UploadLimit:
    """Wrap an ASGI app: POST bodies to Shiny's upload URL may be at most max_bytes."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._is_upload(scope):
            await self.app(scope, receive, send)
            return
        declared = self._content_length(scope)
        if declared is not None and declared > self.max_bytes:
            log.info("upload refused before reading: %d bytes declared", declared)
            await self._refuse(send, too_large_message(declared, self.max_bytes))
            return
        await self.app(scope, self._counting(receive), send)

    @staticmethod
    def _is_upload(scope: Scope) -> bool:
        return (
            scope.get("type") == "http"
            and scope.get("method") == "POST"
            and bool(UPLOAD_PATH.search(scope.get("path", "")))
        )

    @staticmethod
    def _content_length(scope: Scope) -> int | None:
        for name, value in scope.get("headers", ()):
            if name.lower() == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return None
        return None

    def _counting(self, receive: Receive) -> Receive:
        seen = 0

        async def bounded() -> Message:
            nonlocal seen
            message = await receive()
            if message.get("type") == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # As if the client went away: Shiny stops writing and discards the request.
                    log.info("upload cut off after %d bytes (no or false Content-Length)", seen)
                    return {"type": "http.disconnect"}
            return message

        return bounded

    @staticmethod
    async def _refuse(send: Send, text: str) -> None:
        body = text.encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
