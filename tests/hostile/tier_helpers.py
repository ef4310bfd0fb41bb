"""The shared tier under attack: a real redis-server on loopback, the values the app stored in
it, and values planted as an attacker (or a worker of another version) would write them."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from pathlib import Path

import redis

from tests.redis_server import RedisServer
from utils.signed_value import PREFIX, seal

SECRET = secrets.token_urlsafe(24)  # the workers' MEDSTAT_REDIS_SECRET
MARKER = "PLANTED_Q7"  # in every planted value; must never reach a page


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[RedisServer]:
    server = RedisServer(workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def tier_settings(server: RedisServer) -> dict[str, str]:
    """The MEDSTAT_* settings of a worker on this Redis."""
    return {"redis_url": server.url, "redis_secret": SECRET}


def stored_key(client: redis.Redis, kind: str) -> str:
    """The one key the app stored for an analysis kind."""
    keys = [k.decode() for k in client.keys(f"medstat:{kind}:*")]
    assert len(keys) == 1, (kind, keys)
    return keys[0]


def stored_body(client: redis.Redis, key: str) -> bytes:
    """The JSON body of a value the app signed (its signature line dropped)."""
    raw = client.get(key)
    assert raw is not None and raw.startswith(PREFIX), raw[:40] if raw else raw
    return raw.split(b"\n", 1)[1]


def plant(client: redis.Redis, key: str, body: bytes, secret: str = SECRET) -> None:
    """Store body under key, signed with `secret` (the workers' own by default)."""
    client.set(key, seal(secret.encode(), key, body), ex=3600)
