"""Values in a shared store that only a holder of the secret could have written.

Anyone who can reach the store can write to it, and the keys of known data (the example file)
can be computed. So each value carries an HMAC-SHA256 of the key it is stored under and its
body: a planted value, or a genuine one copied under another key, fails the check and is never
parsed. The size bound is checked first, so an over-size value costs nothing to refuse.

    medstat/2 <64 hex digits of HMAC(secret, key NUL body)>\\n<body>
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = b"medstat/2 "
_TAG_HEX = 64
MIN_SECRET_CHARS = 16  # a shorter secret can be guessed offline from one stored value


class Refused(ValueError):
    """A stored value that must not be read; `reason` is size, format or signature."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def _tag(secret: bytes, key: str, body: bytes) -> bytes:
    mac = hmac.new(secret, key.encode("utf-8") + b"\x00", hashlib.sha256)
    mac.update(body)
    return mac.hexdigest().encode("ascii")


def seal(secret: bytes, key: str, body: bytes) -> bytes:
    """The stored form of body under key: prefix, signature, newline, body."""
    return PREFIX + _tag(secret, key, body) + b"\n" + body


def unseal(secret: bytes, key: str, raw: bytes, max_bytes: int) -> bytes:
    """The body of a value this secret sealed under this key; Refused otherwise.

    Checked in order of cost: size, then shape, then the signature (constant time)."""
    if len(raw) > max_bytes:
        raise Refused("size", f"{len(raw)} bytes or more, over the {max_bytes}-byte bound")
    head = len(PREFIX) + _TAG_HEX
    if not raw.startswith(PREFIX) or raw[head : head + 1] != b"\n":
        raise Refused("format", "not a signed MedStat value")
    body = raw[head + 1 :]
    if not hmac.compare_digest(raw[len(PREFIX) : head], _tag(secret, key, body)):
        raise Refused("signature", "its signature does not match")
    return body
