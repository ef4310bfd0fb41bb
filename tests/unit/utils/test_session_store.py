"""The store of each browser tab's state: restore by token, a new token each session, expiry
only after the tab's session ended, release on memory pressure, and a bound."""

from __future__ import annotations

from utils.session_store import SessionStore


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_returning_token_gets_its_state_under_a_new_token():
    store = SessionStore()
    first, restored = store.open(None)
    assert restored == {}
    store.put(first, "data", "dataset-1")
    store.put(first, "outcome", "result-1")
    store.put(first, "outcome", "result-2")  # a later run replaces the earlier one

    second, restored = store.open(first)
    assert restored == {"data": "dataset-1", "outcome": "result-2"}
    assert second != first and len(second) >= 20
    # The copy is the new token's own: what it saves does not change the old one's state.
    store.put(second, "outcome", "result-3")
    assert store.open(first)[1]["outcome"] == "result-2"
    assert store.open(second)[1]["outcome"] == "result-3"
    assert store.stats()["restored"] == 3


def test_unknown_or_malformed_tokens_restore_nothing():
    store = SessionStore()
    token, _ = store.open(None)
    store.put(token, "data", "secret")
    for brought in ("", "not-a-token", token.upper(), 42, None, ["x"]):
        assert store.open(brought)[1] == {}
    store.put("never-issued", "data", "x")  # saving under a token the server never issued
    assert store.open("never-issued")[1] == {}


def test_an_ended_tab_is_kept_keep_s_then_forgotten_while_a_live_one_stays():
    clock = Clock()
    store = SessionStore(keep_s=600, timer=clock)
    live, _ = store.open(None)
    ended, _ = store.open(None)
    store.put(live, "data", "live data")
    store.put(ended, "data", "ended data")
    store.end(ended)

    clock.now = 599
    assert store.stats()["kept"] == 1
    clock.now = 600
    assert store.open(ended)[1] == {}
    clock.now = 10_000  # a live tab, however idle, keeps its state
    assert store.open(live)[1] == {"data": "live data"}
    assert store.stats()["expired"] == 1


def test_release_ended_drops_only_ended_tabs():
    store = SessionStore()
    live, _ = store.open(None)
    gone, _ = store.open(None)
    store.put(live, "data", 1)
    store.put(gone, "data", 2)
    store.end(gone)
    assert store.release_ended() == 1
    assert store.open(gone)[1] == {}
    assert store.open(live)[1] == {"data": 1}
    assert store.stats()["released"] == 1


def test_the_bound_drops_ended_tabs_oldest_first_and_never_a_live_one():
    """Issue 17 case 5: 520 idle websockets evicted a live user from a 500-entry store."""
    clock = Clock()
    store = SessionStore(max_entries=2, timer=clock)
    live, _ = store.open(None)
    store.put(live, "data", "mine")
    ended = []
    for k in range(3):
        token, _ = store.open(None)
        store.put(token, "data", k)
        clock.now += 1
        store.end(token)
        ended.append(token)
    for _ in range(600):  # many more live sessions than the bound: none of them is dropped
        store.open(None)
    assert store.open(live)[1] == {"data": "mine"}
    assert store.open(ended[0])[1] == {}  # the oldest ended went first
    assert store.open(ended[2])[1] == {"data": 2}


def test_ended_tabs_are_bounded_by_bytes():
    clock = Clock()
    store = SessionStore(max_kept_mb=1.0, timer=clock, measure=lambda state: 400 * 1024)
    tokens = []
    for k in range(4):
        token, _ = store.open(None)
        store.put(token, "data", k)
        clock.now += 1
        store.end(token)
        tokens.append(token)
    kept = [bool(store.open(t)[1]) for t in tokens]
    assert kept == [False, False, True, True]  # 2 x 400 KB fit in 1 MB, the oldest went
