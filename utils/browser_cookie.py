"""A random HttpOnly cookie per browser, so that a tab's reconnect token works only in the
browser it was issued to (utils/session_store.py).

The token itself sits in the page's sessionStorage, where anything that reads the page (a
copied value, an extension, devtools) can take it. The cookie cannot be read by the page's
scripts and stays in the browser, so a copied token presented from anywhere else restores
nothing. The cookie carries no data: 128 random bits, set on the HTML page's response when the
request brought none.

On HTTPS (a Hugging Face Space is shown inside an iframe of another site) the cookie is
`SameSite=None; Secure; Partitioned`: without it a cross-site iframe sends no cookie at all.
On plain HTTP (a developer's loopback) it is `SameSite=Lax`. A browser that blocks the cookie
gets no restore after a reconnect or a reload: its tab starts afresh.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

COOKIE = "medstat_browser"
_MAX_AGE_S = 7 * 24 * 3600  # a week: longer than any tab waits to reconnect

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]


def binding(cookies: Mapping[str, str]) -> str | None:
    """What a token is bound to: a digest of the browser's cookie, None without a valid one."""
    value = cookies.get(COOKIE)
    if not isinstance(value, str) or not 20 <= len(value) <= 64 or not value.isascii():
        return None
    return hashlib.sha256(value.encode("ascii")).hexdigest()


def _cookies(scope: Scope) -> dict[str, str]:
    raw = b"; ".join(v for k, v in scope.get("headers", ()) if k == b"cookie")
    jar = SimpleCookie()
    try:
        jar.load(raw.decode("latin-1"))
    except Exception:  # a malformed Cookie header: as if there were none  # noqa: BLE001
        return {}
    return {k: m.value for k, m in jar.items()}


def _is_https(scope: Scope) -> bool:
    headers = dict(scope.get("headers", ()))
    forwarded = headers.get(b"x-forwarded-proto", b"").split(b",")[0].strip()
    return scope.get("scheme") == "https" or forwarded == b"https"


def set_cookie_header(https: bool) -> bytes:
    """A Set-Cookie header value with a new random browser id."""
    attributes = "SameSite=None; Secure; Partitioned" if https else "SameSite=Lax"
    value = secrets.token_urlsafe(16)
    return f"{COOKIE}={value}; Path=/; Max-Age={_MAX_AGE_S}; HttpOnly; {attributes}".encode()


class BrowserCookie:
    """Wrap an ASGI app: an HTML page served to a browser without the cookie sets it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive, send) -> None:
        if scope.get("type") != "http" or binding(_cookies(scope)) is not None:
            await self.app(scope, receive, send)
            return
        https = _is_https(scope)

        async def send_with_cookie(message: Message) -> None:
            if message.get("type") == "http.response.start":
                headers = list(message.get("headers", ()))
                types = [v for k, v in headers if k.lower() == b"content-type"]
                if types and types[0].startswith(b"text/html"):
                    headers.append((b"set-cookie", set_cookie_header(https)))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)
