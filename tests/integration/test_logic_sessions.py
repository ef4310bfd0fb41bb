"""Closed tabs' saved state is what the memory manager gives up first: a warn-level cleanup
through logic's real manager forgets ended tabs and keeps live ones."""

from __future__ import annotations

import logic
from utils.memory import MB

BROWSER = "c" * 64  # the digest of the browser's cookie a token is bound to


def test_memory_warn_releases_closed_tabs_and_keeps_live_ones(monkeypatch):
    memory = logic.memory
    live, _ = logic.sessions.open(None, BROWSER)
    closed, _ = logic.sessions.open(None, BROWSER)
    logic.sessions.put(live, "data", "live tab's dataset")
    logic.sessions.put(closed, "data", "closed tab's dataset")
    logic.sessions.end(closed)
    before = logic.stats()["sessions"]

    monkeypatch.setattr(memory, "_rss", lambda: 0.85 * memory.limit_mb * MB)  # warn, not critical
    monkeypatch.setattr(memory, "_last_cleanup", None)
    assert memory.check() == 1

    after = logic.stats()["sessions"]
    assert after["released"] >= before["released"] + 1
    assert after["kept"] == 0
    assert logic.sessions.open(closed, BROWSER)[1] == {}
    assert logic.sessions.open(live, BROWSER)[1] == {"data": "live tab's dataset"}
