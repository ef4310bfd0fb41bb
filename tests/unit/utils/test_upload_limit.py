"""The upload body bound: refused at once when the declared length is over the limit, cut off
when an undeclared body passes it, untouched otherwise."""

from __future__ import annotations

from tests.event_loop import run_apart
from utils.upload_limit import UploadLimit, too_large_message

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
