"""An ASGI middleware that bounds the size of an upload's body before any of it is stored.

Shiny writes an upload's body to disk as it arrives and puts no limit on it, so a hostile client
could fill the disk or tie up the worker before the Data tab's own size check runs on the
finished file. Browsers send Content-Length with a file, so a too-large upload is answered 413
at once with a sentence that Shiny's file input shows under the button; a body without a length
(chunked) is cut off as soon as it passes the limit.

With an UploadStore (utils/upload_store.py) it also bounds the disk: a body is stored only if
its browser tab and the whole server stay under their bounds and the disk keeps its reserve; a
body that stalls for MEDSTAT_UPLOAD_BODY_TIMEOUT_S or does not finish is removed at once; and a
write that fails (a full disk) is answered with a sentence, never a bare 500.

A body within the limit is always read to its end before it is answered, even when it is
refused or its session is unknown: answering first and closing the connection while the
client (or nginx, passing the body on) is still sending makes the connection reset, and nginx
then shows its own error page ("MedStat is starting or restarting") instead of the sentence.
Reading is bounded by the upload limit and the stall timeout; a body declared over the limit
is still refused unread (nginx's own 413 answers that one in the team shape).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from utils.upload_store import UploadStore

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Shiny's upload URL: session/<session id>/upload/<job id>
UPLOAD_PATH = re.compile(r"/session/([^/]+)/upload/([^/?]*)")
SWEEP_EVERY_S = 30.0


def too_large_message(size_bytes: int | None, limit_bytes: int) -> str:
    """What the user reads under the file input."""
    limit = f"{limit_bytes / 2**20:g} MB"
    if size_bytes:
        size = f"This file is {size_bytes / 2**20:.1f} MB; the limit is {limit}."
    else:  # no declared length: only that it went over
        size = f"This file is over the limit of {limit}."
    return f"{size} Remove unused columns or rows (or split the file) and upload it again."


class UploadLimit:
    """Wrap an ASGI app: POST bodies to Shiny's upload URL may be at most max_bytes, and with
    a store, only as much as the disk bounds allow."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        store: UploadStore | None = None,
        body_timeout_s: float = 30.0,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.store = store
        self.body_timeout_s = body_timeout_s
        self._swept = time.monotonic()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._maybe_sweep()
        if not self._is_upload(scope):
            await self.app(scope, receive, send)
            return
        declared = self._content_length(scope)
        if declared is not None and declared > self.max_bytes:
            log.info("upload refused before reading: %d bytes declared", declared)
            await self._refuse(send, too_large_message(declared, self.max_bytes))
            return
        if self.store is None:
            await self.app(scope, self._counting(receive, {"seen": 0}), send)
            return
        session_id, job_id = UPLOAD_PATH.search(scope["path"]).groups()
        incoming = declared if declared is not None else self.max_bytes
        refusal = self.store.check(session_id, incoming)
        if refusal is not None:
            await self._discard(receive)
            await self._refuse(send, refusal.text, refusal.status)
            return
        body: dict[str, Any] = {"seen": 0}
        try:
            arrived = functools.partial(self.store.arrived, session_id)
            counting = self._counting(receive, body, arrived)
            await self.app(scope, counting, self._guarded(send, body, counting))
        except Exception as exc:
            if not body.get("replaced"):
                raise
            log.info("upload not stored: %s", type(exc).__name__)  # answered with a sentence
        finally:
            self.store.done(session_id, max(incoming - body["seen"], 0))
            if not body.get("complete") or body.get("replaced"):
                self.store.forget_job(session_id, job_id)

    def _stalled_message(self) -> str:
        return (
            f"The upload stopped arriving for {self.body_timeout_s:g} s and was dropped. "
            "Check the connection and upload the file again."
        )

    def _maybe_sweep(self) -> None:
        """Now and then (any request will do: the health check comes every few seconds),
        remove upload files left unfinished, off the event loop."""
        if self.store is None or time.monotonic() - self._swept < SWEEP_EVERY_S:
            return
        self._swept = time.monotonic()
        asyncio.get_running_loop().run_in_executor(None, self.store.sweep)

    async def _discard(self, receive: Receive) -> bool:
        """Read a body and throw it away, so that the answer after it is not cut off by a
        reset. At most the upload limit, each part within the stall timeout; whether the body
        was read to its end."""
        seen = 0
        while True:
            try:
                message = await asyncio.wait_for(receive(), self.body_timeout_s)
            except TimeoutError:
                log.info("refused upload's body stalled after %d bytes", seen)
                return False
            if message.get("type") != "http.request":
                return False  # the client went away
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                return False
            if not message.get("more_body", False):
                return True

    def _guarded(self, send: Send, body: dict[str, Any], receive: Receive) -> Send:
        """A server error while storing the body (a full disk) becomes a sentence, and an
        answer given before the body was read (Shiny's 404 for a session it does not know,
        its 400 for an unknown job, that error) waits until the rest has been read."""

        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                while not body.get("complete") and not body.get("dropped"):
                    if (await receive()).get("type") != "http.request":
                        break  # the client went away, or the body stalled or went over
            if message["type"] == "http.response.start" and message["status"] >= 500:
                body["replaced"] = True
                if body.get("dropped"):  # Shiny's answer to the body we ended: say why
                    await self._refuse(send, self._stalled_message(), 408)
                else:
                    await self._refuse(send, self.store.disk_full().text, 507)
                return
            if not body.get("replaced"):
                await send(message)

        return guarded

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

    def _counting(
        self, receive: Receive, body: dict[str, Any], arrived: Callable[[int], None] | None = None
    ) -> Receive:
        seen = 0

        async def bounded() -> Message:
            nonlocal seen
            try:
                message = await asyncio.wait_for(receive(), self.body_timeout_s)
            except TimeoutError:
                body["dropped"] = True
                log.info(
                    "upload body stalled for %g s after %d bytes: dropped",
                    self.body_timeout_s,
                    seen,
                )
                return {"type": "http.disconnect"}
            if message.get("type") == "http.request":
                size = len(message.get("body", b""))
                seen += size
                body["seen"] = min(seen, self.max_bytes)
                if arrived is not None:
                    arrived(size)
                if seen > self.max_bytes:
                    body["dropped"] = True
                    # As if the client went away: Shiny stops writing and discards the request.
                    log.info("upload cut off after %d bytes (no or false Content-Length)", seen)
                    return {"type": "http.disconnect"}
                if not message.get("more_body", False):
                    body["complete"] = True
            return message

        return bounded

    @staticmethod
    async def _refuse(send: Send, text: str, status: int = 413) -> None:
        body = text.encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
