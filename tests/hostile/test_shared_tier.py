"""Issue 17 case 7: the shared Redis tier no longer trusts what it reads. Worker 1 computes three
analyses of the example data into Redis; an attacker who can write to Redis replaces them (the
keys of known data are computable); worker 2 is then asked for the same analyses:

- a valid-looking result with a planted variable, signed with another secret: refused, counted;
- a result with fields of the wrong types, signed with the workers' own secret (as a worker of
  another version would write it): refused before it is built, counted;
- a 40 MB value, validly signed: refused unread (over MEDSTAT_REDIS_MAX_VALUE_MB), at once.

Each is a miss: worker 2 computes the result itself and shows it; no planted text reaches the
page, the log holds one line per refusal and no traceback, and other users are served."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import redis
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import open_admin_details, open_tab, run_outcome, run_tab
from tests.hostile.tier_helpers import (
    MARKER,
    plant,
    redis_server,
    stored_body,
    stored_key,
    tier_settings,
)
from tests.hostile.trust_helpers import app, assert_up_and_serving, log_lines, open_page

pytestmark = [pytest.mark.e2e, pytest.mark.redis]
OVERSIZE_MB = 40


def run_three(page: Page) -> dict[str, float]:
    """Outcome, Table 1 and Correlation of the example data with their defaults; seconds each."""
    seconds = {}
    started = time.monotonic()
    run_outcome(page)
    seconds["outcome"] = time.monotonic() - started
    open_tab(page, "Table 1")
    expect(page.locator("#table1-variables + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    started = time.monotonic()
    run_tab(page, "table1")
    seconds["table1"] = time.monotonic() - started
    open_tab(page, "Correlation")
    expect(page.locator("#correlation-pair_y")).to_be_attached(timeout=20_000)
    started = time.monotonic()
    run_tab(page, "correlation")
    seconds["correlation"] = time.monotonic() - started
    return seconds


def admin_count(page: Page, row: str) -> str:
    open_admin_details(page)
    cell = page.locator("#stats-admin-cache tr", has_text=row).locator("td").nth(1)
    expect(cell).to_have_text(re.compile(r"^\d+$"), timeout=15_000)
    return cell.inner_text()


def test_planted_values_are_misses_counted_and_never_shown(tmp_path: Path, browser: Browser):
    with redis_server(tmp_path) as store:
        client = redis.Redis.from_url(store.url)
        with app(tmp_path, "worker1", **tier_settings(store)) as first:
            page = open_page(browser, first.url)
            run_three(page)
            page.context.close()
        keys = {kind: stored_key(client, kind) for kind in ("outcome", "table1", "correlation")}
        bodies = {kind: stored_body(client, key) for kind, key in keys.items()}

        planted = bodies["outcome"].replace(b'"age"', f'"{MARKER}"'.encode())
        assert planted != bodies["outcome"]
        plant(client, keys["outcome"], planted, secret="an-attacker-s-own-secret")
        a_tuple = f'"n_rows":{{"$":"tuple","v":["{MARKER}"]}}'.encode()  # where an int belongs
        wrong_types = re.sub(rb'"n_rows":\d+', a_tuple, bodies["table1"])
        assert wrong_types != bodies["table1"]
        plant(client, keys["table1"], wrong_types)
        padding = b" " * (OVERSIZE_MB * 2**20)  # valid JSON whitespace
        oversize = bodies["correlation"][:-1] + padding + f',"x":"{MARKER}"}}'.encode()
        plant(client, keys["correlation"], oversize)

        with app(tmp_path, "worker2", **tier_settings(store)) as second:
            page = open_page(browser, second.url)
            seconds = run_three(page)
            for kind in ("outcome", "table1", "correlation"):
                assert len(log_lines(second, f"{kind} computed")) == 1, kind  # a miss each
                assert not log_lines(second, f"{kind} redis")
            assert MARKER not in page.content()
            refused = log_lines(second, "shared cache: refused the value")
            assert len(refused) == 3, refused
            assert keys["outcome"] in refused[0] and "(signature:" in refused[0]
            assert keys["table1"] in refused[1] and "(schema:" in refused[1]
            assert keys["correlation"] in refused[2] and "(size:" in refused[2]
            assert MARKER not in second.log()  # refused lines do not echo what was stored
            # Counted where an administrator looks: the stats panel.
            assert admin_count(page, "Refused: wrong signature") == "1"
            assert admin_count(page, "Refused: fields of the wrong type") == "1"
            assert admin_count(page, "Refused: over the size bound") == "1"
            # Refused unread: 8 MB at most crossed the wire; decoding 40 MB took seconds before.
            assert seconds["correlation"] < 5, seconds
            page.context.close()
            assert_up_and_serving(second, browser)
