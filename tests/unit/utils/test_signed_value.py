"""Signed shared values: only the secret's holder can write one that reads back, under the key
it was written for; size is refused before anything else is looked at."""

from __future__ import annotations

import time

import pytest

from utils.signed_value import PREFIX, Refused, seal, unseal

SECRET = b"a-secret-of-at-least-16-chars"
BODY = b'{"format":"medstat-result/2","compute_s":1.5,"result":null}'


def test_a_sealed_value_reads_back_under_its_key():
    raw = seal(SECRET, "k1", BODY)
    assert raw.startswith(PREFIX)
    assert unseal(SECRET, "k1", raw, 1000) == BODY


@pytest.mark.parametrize(
    ("raw", "key", "reason"),
    [
        (seal(b"another-secret-of-16-chars", "k1", BODY), "k1", "signature"),  # planted
        (seal(SECRET, "k2", BODY), "k1", "signature"),  # a genuine value moved to another key
        (seal(SECRET, "k1", BODY)[:-1] + b"]", "k1", "signature"),  # one byte changed
        (BODY, "k1", "format"),  # unsigned JSON, as the tier wrote before signing
        (PREFIX + b"0" * 10 + b"\n" + BODY, "k1", "format"),  # a short tag
        (b"", "k1", "format"),
    ],
)
def test_anything_else_is_refused_with_its_reason(raw, key, reason):
    with pytest.raises(Refused) as caught:
        unseal(SECRET, key, raw, 1000)
    assert caught.value.reason == reason


def test_an_over_size_value_is_refused_before_its_signature_is_computed():
    big = seal(SECRET, "k1", b"x" * 50_000_000)
    started = time.perf_counter()
    with pytest.raises(Refused) as caught:
        unseal(SECRET, "k1", big, 8 * 2**20)
    assert caught.value.reason == "size"
    # HMAC of 50 MB takes ~100 ms here; the refusal reads one length.
    assert time.perf_counter() - started < 0.01
