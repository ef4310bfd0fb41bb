"""Which client a request comes from: the peer's address, or behind proxies of the app's own
(a Hugging Face Space's), the address the nearest trusted proxy saw.

With MEDSTAT_PROXY_HOPS = n, the n-th address from the end of X-Forwarded-For is taken: each
proxy appends the address it saw, so the last n entries are written by our proxies and the ones
before them are the client's own word (forgeable) and ignored. With 0 (the default, a server
reached directly) the header is not read at all.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import Any


def forwarded_address(headers: Iterable[tuple[str, str]], peer: str, hops: int) -> str:
    """The client's address from (lower-case name, value) header pairs and the peer address."""
    if hops > 0:
        entries: list[str] = []
        for name, value in headers:
            if name == "x-forwarded-for":
                entries += [a.strip() for a in value.split(",") if a.strip()]
        if len(entries) >= hops:
            return entries[-hops]
    return peer or "unknown"


def scope_address(scope: MutableMapping[str, Any], hops: int) -> str:
    """The client's address of an ASGI request or websocket."""
    client = scope.get("client")
    peer = client[0] if client else ""
    headers = ((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"])
    return forwarded_address(headers, peer, hops)
