"""The upload body bound: refused at once when the declared length is over the limit, cut off
when an undeclared body passes it, untouched otherwise; a body within it is read to its end
before any answer (a refusal, Shiny's 404), so a proxy passing it on gets the answer, not a
reset."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.event_loop import run_apart
from utils.upload_limit import UploadLimit, too_large_message
from utils.upload_store import MB, UploadStore

LIMIT = 1000
UPLOAD = "/session/abc123/upload/job42"


class RecordingApp:
    """A real ASGI app that reads the whole body, as Shiny's upload handler does."""

    def __init__(self) -> None:
        self.called = False
        self.body = b""
        self.disconnected = False

    async def __call__(self, scope, receive, send) -> None:
        self.called = True
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.disconnected = True
                return
            self.body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"OK"})


def call(path: str, chunks: list[bytes], length: int | None, method: str = "POST"):
    app = RecordingApp()
    headers = [] if length is None else [(b"content-length", str(length).encode())]
    scope = {"type": "http", "method": method, "path": path, "headers": headers}
    pending = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    sent: list[dict] = []

    async def receive():
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    run_apart(UploadLimit(app, LIMIT)(scope, receive, send))
    return app, sent


def test_a_declared_length_over_the_limit_is_refused_before_any_byte_is_read():
    app, sent = call(UPLOAD, [b"x" * 2000], length=2000)
    assert not app.called
    assert sent[0]["status"] == 413
    text = sent[1]["body"].decode()
    assert text == too_large_message(2000, LIMIT)
    assert "the limit is" in text and "upload it again" in text


def test_an_undeclared_body_is_cut_off_once_it_passes_the_limit():
    app, sent = call(UPLOAD, [b"x" * 600, b"x" * 600, b"x" * 600], length=None)
    assert app.called and app.disconnected
    assert len(app.body) == 600  # the chunk that crossed the limit never reached the app
    assert sent == []


def test_uploads_within_the_limit_and_other_requests_pass_untouched():
    app, sent = call(UPLOAD, [b"a" * 500, b"b" * 500], length=1000)
    assert app.body == b"a" * 500 + b"b" * 500 and sent[0]["status"] == 200
    big = [b"x" * 5000]
    for path, method in (("/", "POST"), ("/session/abc/download/x", "POST"), (UPLOAD, "GET")):
        app, sent = call(path, big, length=5000, method=method)
        assert app.body == big[0] and sent[0]["status"] == 200


def test_the_message_says_the_size_and_the_limit():
    assert too_large_message(80 * 2**20, 50 * 2**20).startswith(
        "This file is 80.0 MB; the limit is 50 MB."
    )


class Client:
    """The other end of an upload: its body in parts, and the order in which the server read
    them and answered (a proxy still sending when the answer comes sees the connection reset)."""

    def __init__(self, parts: list[bytes], stall_after: int | None = None) -> None:
        self.parts = list(parts)
        self.stall_after = stall_after
        self.events: list[str] = []

    async def receive(self):
        if self.stall_after is not None and len(self.events) >= self.stall_after:
            await asyncio.sleep(3600)  # a client that stopped sending
        if not self.parts:
            return {"type": "http.disconnect"}
        body = self.parts.pop(0)
        self.events.append(f"read {len(body)}")
        return {"type": "http.request", "body": body, "more_body": bool(self.parts)}

    async def send(self, message):
        if message["type"] == "http.response.start":
            self.events.append(f"answer {message['status']}")
        else:
            self.events.append(message.get("body", b"").decode())


def _full_store(tmp_path: Path) -> UploadStore:
    """A store whose one session, s1, already holds all it may (so any body is refused)."""
    folder = tmp_path / "s1" / "job"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "0.csv").write_bytes(b"x" * 900)
    store = UploadStore(session_mb=900 / MB, total_mb=1, min_free_mb=0, stale_s=60)
    store.register("s1", folder.parent)
    return store


def _upload(app, client: Client, store: UploadStore, length: int | None, timeout_s=5.0) -> None:
    headers = [] if length is None else [(b"content-length", str(length).encode())]
    scope = {"type": "http", "method": "POST", "path": "/session/s1/upload/j", "headers": headers}
    limit = UploadLimit(app, LIMIT, store=store, body_timeout_s=timeout_s)
    run_apart(limit(scope, client.receive, client.send))


def test_a_refused_body_within_the_limit_is_read_to_its_end_before_the_answer(tmp_path):
    app, client = RecordingApp(), Client([b"a" * 300, b"b" * 300, b"c" * 300])
    _upload(app, client, _full_store(tmp_path), length=900)
    assert not app.called
    assert client.events[:4] == ["read 300", "read 300", "read 300", "answer 413"]
    assert "MEDSTAT_UPLOAD_SESSION_MB" in client.events[4]


def test_reading_a_refused_body_is_bounded_by_the_limit_and_the_stall_timeout(tmp_path):
    # No declared length and more than the limit: reading stops once it goes over.
    client = Client([b"a" * 600, b"b" * 600, b"c" * 600])
    _upload(RecordingApp(), client, _full_store(tmp_path), length=None)
    assert client.events[:3] == ["read 600", "read 600", "answer 413"]
    assert len(client.parts) == 1  # the rest was never read
    # A body that stops arriving: the answer comes after the stall timeout, not never.
    client = Client([b"a" * 100, b"b" * 100], stall_after=1)
    _upload(RecordingApp(), client, _full_store(tmp_path), length=200, timeout_s=0.2)
    assert client.events[:2] == ["read 100", "answer 413"]


def test_a_body_declared_over_the_limit_is_refused_unread(tmp_path):
    """nginx answers that one itself in the team shape (client_max_body_size)."""
    client = Client([b"a" * 600, b"b" * 600])
    _upload(RecordingApp(), client, _full_store(tmp_path), length=1200)
    assert client.events[0] == "answer 413" and len(client.parts) == 2


class UnknownSession:
    """Shiny for a session id it does not know: 404 at once, the body unread."""

    async def __call__(self, scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b'{"detail":"Not Found"}'})


def test_an_answer_before_the_body_was_read_waits_for_the_rest_of_it(tmp_path):
    store = UploadStore(session_mb=1, total_mb=1, min_free_mb=0, stale_s=60)
    store.register("s1", tmp_path)
    client = Client([b"a" * 400, b"b" * 400])
    _upload(UnknownSession(), client, store, length=800)
    assert client.events == ["read 400", "read 400", "answer 404", '{"detail":"Not Found"}']
