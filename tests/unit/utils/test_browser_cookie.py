"""The browser cookie a reconnect token is bound to: set once on the HTML page, HttpOnly,
cross-site-iframe-ready on HTTPS, and read back as a digest."""

from __future__ import annotations

import asyncio

from utils.browser_cookie import COOKIE, BrowserCookie, binding


def serve(path: str, content_type: bytes, headers=(), scheme: str = "http") -> list[bytes]:
    """The Set-Cookie headers the middleware adds to one response."""

    async def app(scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", content_type)],
            }
        )
        await send({"type": "http.response.body", "body": b"ok"})

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": path, "scheme": scheme, "headers": list(headers)}
    asyncio.run(BrowserCookie(app)(scope, None, send))
    return [v for k, v in sent[0]["headers"] if k == b"set-cookie"]


def test_the_page_sets_an_httponly_random_cookie_once():
    (first,) = serve("/", b"text/html; charset=utf-8")
    (second,) = serve("/", b"text/html; charset=utf-8")
    assert first.startswith(f"{COOKIE}=".encode()) and first != second
    assert b"HttpOnly" in first and b"SameSite=Lax" in first and b"Secure" not in first
    value = first.split(b";")[0].split(b"=", 1)[1]
    cookie = [(b"cookie", b"other=1; " + COOKIE.encode() + b"=" + value)]
    assert serve("/", b"text/html", cookie) == []  # the browser has it: not replaced
    assert serve("/medstat.css", b"text/css") == []  # only the page sets it


def test_on_https_the_cookie_is_sent_from_a_cross_site_iframe():
    (header,) = serve("/", b"text/html", [(b"x-forwarded-proto", b"https")])
    assert b"SameSite=None; Secure; Partitioned" in header


def test_binding_is_a_digest_of_a_well_formed_cookie_only():
    value = "abcdefghijklmnopqrstuv"
    assert binding({COOKIE: value}) == binding({COOKIE: value}) != value
    assert len(binding({COOKIE: value})) == 64
    for bad in ({}, {COOKIE: ""}, {COOKIE: "short"}, {COOKIE: "x" * 65}, {COOKIE: "é" * 22}):
        assert binding(bad) is None
