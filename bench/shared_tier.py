"""Benchmark: what an over-size value in Redis costs a worker that reads it, before and now.

Before issue 17, the shared tier read a whole value (GET), parsed it (json.loads) and rebuilt it
(codec.decode) before it could tell anything was wrong: a 143 MB value cost 1 GB and 36 s. Now it
reads at most MEDSTAT_REDIS_MAX_VALUE_MB + 1 byte (GETRANGE) and refuses a longer value unread.
Here a genuine result (a real outcome analysis whose tables are tiled to the size) is stored
signed, then read the old way and the new way; time and the reader's peak RSS growth each.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import secrets
import threading
import time
from typing import Any

import pandas as pd
import psutil

from bench import harness
from bench.cross_worker import start_redis

NAME = "shared_tier"
COMMAND = ".venv/bin/python -m bench.shared_tier"
SIZES_MB = (16, 64)
BOUND_MB = 8.0  # MEDSTAT_REDIS_MAX_VALUE_MB's default


class PeakRss:
    """The process's RSS sampled every 5 ms in a thread: the growth over the start, in MB."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._stop = threading.Event()
        self.start_mb = self.peak_mb = self._process.memory_info().rss / 2**20
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.wait(0.005):
            self.peak_mb = max(self.peak_mb, self._process.memory_info().rss / 2**20)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self) -> float:
        return self.peak_mb - self.start_mb


def big_result(target_mb: float) -> Any:
    """A real outcome result whose univariable table is tiled until its JSON has target_mb."""
    import logic
    from utils import codec

    frame = pd.read_csv(harness.ROOT / "data" / "example_clinical.csv")
    result = logic.analyze_outcome(frame, "complication", ["age", "sex", "bmi", "smoking"])
    base = len(codec.to_json(dataclasses.replace(result, univariable=result.univariable[:0])))
    per_copy = len(codec.to_json(result)) - base  # the JSON of one univariable table
    copies = max(1, int((target_mb * 2**20 - base) / per_copy))
    table = pd.concat([result.univariable] * copies, ignore_index=True)
    return dataclasses.replace(result, univariable=table)


def measure(size_mb: float, client: Any, url: str, secret: str) -> dict[str, float]:
    import logic
    from utils import codec
    from utils.redis_tier import FORMAT, RedisTier
    from utils.signed_value import seal

    result = big_result(size_mb)
    key = f"medstat:bench:{size_mb}"
    body = json.dumps(
        {"format": FORMAT, "compute_s": 1.0, "result": codec.encode(result)},
        allow_nan=False,
        separators=(",", ":"),
    ).encode()
    client.set(key, seal(secret.encode(), key, body))
    stored_mb = len(body) / 2**20
    del result, body
    gc.collect()

    tier = RedisTier(url, logic.RESULT_TYPES, secret=secret, max_bytes=int(BOUND_MB * 2**20))
    with PeakRss() as now_rss:
        started = time.perf_counter()
        assert tier.get(key) is None
        now_s = time.perf_counter() - started
    assert tier.stats()["redis_rejected_size"] == 1
    gc.collect()

    allowed = {codec.type_name(c): c for c in logic.RESULT_TYPES}
    with PeakRss() as before_rss:
        started = time.perf_counter()
        raw = client.get(key)  # the old read: all of it, parsed, rebuilt
        envelope = json.loads(raw.split(b"\n", 1)[1])
        codec.decode(envelope["result"], allowed)
        before_s = time.perf_counter() - started
    client.delete(key)
    return {
        "stored_mb": round(stored_mb, 1),
        "before_s": round(before_s, 3),
        "before_rss_growth_mb": round(before_rss.growth_mb, 1),
        "refused_s": round(now_s, 4),
        "refused_rss_growth_mb": round(now_rss.growth_mb, 1),
        "speedup": round(before_s / now_s, 0) if now_s else float("inf"),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run both reads for each size, print the table and write the JSON."""
    parser = argparse.ArgumentParser(prog="bench.shared_tier", description=__doc__)
    parser.add_argument("--sizes", type=float, nargs="*", default=list(SIZES_MB))
    args = parser.parse_args(argv)
    import redis

    port = harness.free_port()
    proc = start_redis(port)
    url = f"redis://127.0.0.1:{port}/0"
    secret = secrets.token_urlsafe(24)
    try:
        client = redis.Redis.from_url(url)
        runs = [{"target_mb": s, **measure(s, client, url, secret)} for s in args.sizes]
    finally:
        proc.kill()
    harness.table(
        f"An over-size value read from Redis (bound {BOUND_MB:g} MB): before vs now",
        ["stored MB", "before s", "before +RSS MB", "now s", "now +RSS MB", "x faster"],
        [
            [
                r["stored_mb"],
                r["before_s"],
                r["before_rss_growth_mb"],
                r["refused_s"],
                r["refused_rss_growth_mb"],
                r["speedup"],
            ]
            for r in runs
        ],
    )
    payload = {
        "notes": (
            "a genuine signed outcome result tiled to the size, on a loopback redis-server; "
            "before = GET + json.loads + codec.decode (the tier's read before issue 17), now = "
            "RedisTier.get (GETRANGE of bound + 1 bytes, refused on size unread)"
        ),
        "bound_mb": BOUND_MB,
        "runs": runs,
    }
    harness.write_result(NAME, COMMAND, payload)
    return payload


if __name__ == "__main__":
    main()
