"""The store of each browser tab's state: restore by token, once and only in the browser it was
issued to, a new token each session, expiry only after the tab's session ended, release on
memory pressure, and a bound."""

from __future__ import annotations

from utils.session_store import SessionStore

BROWSER = "a" * 64  # the digest of one browser's cookie
OTHER = "b" * 64


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_returning_token_gets_its_state_under_a_new_token_once():
    store = SessionStore()
    first, restored = store.open(None, BROWSER)
    assert restored == {}
    store.put(first, "data", "dataset-1")
    store.put(first, "outcome", "result-1")
    store.put(first, "outcome", "result-2")  # a later run replaces the earlier one
    store.end(first)

    second, restored = store.open(first, BROWSER)
    assert restored == {"data": "dataset-1", "outcome": "result-2"}
    assert second != first and len(second) >= 20
    assert store.open(first, BROWSER)[1] == {}  # spent: a replay restores nothing
    store.put(second, "outcome", "result-3")
    store.end(second)
    third, restored = store.open(second, BROWSER)  # the next reconnect: rotated again
    assert restored["outcome"] == "result-3" and third not in (first, second)
    assert store.stats()["restored"] == 2


def test_a_token_from_another_browser_or_without_the_cookie_restores_nothing():
    store = SessionStore()
    token, _ = store.open(None, BROWSER)
    store.put(token, "data", "secret")
    store.end(token)
    assert store.open(token, OTHER)[1] == {}
    assert store.open(token, None)[1] == {}
    assert store.stats()["refused"] == 2
    # The attempts did not spend it: its own browser still gets its tab back.
    assert store.open(token, BROWSER)[1] == {"data": "secret"}
    # A tab opened without the cookie is bound to nothing: its token never restores.
    bare, _ = store.open(None, None)
    store.put(bare, "data", "x")
    assert store.open(bare, None)[1] == {}


def test_a_token_brought_while_its_tab_is_open_copies_and_rekeys_the_open_tab():
    """A duplicated browser tab (or a drop the server has not seen yet): both go on, each with
    its own state and token; the brought token is spent."""
    store = SessionStore()
    told = []
    first, _ = store.open(None, BROWSER, told.append)
    store.put(first, "data", "mine")
    second, restored = store.open(first, BROWSER)
    assert restored == {"data": "mine"}
    (rekeyed,) = told
    assert rekeyed not in (first, second)
    store.put(rekeyed, "data", "changed by the first tab")
    store.put(first, "data", "lost: the old token is spent")
    assert store.open(second, BROWSER)[1] == {"data": "mine"}
    assert store.open(rekeyed, BROWSER)[1] == {"data": "changed by the first tab"}
    assert store.open(first, BROWSER)[1] == {}


def test_unknown_or_malformed_tokens_restore_nothing():
    store = SessionStore()
    token, _ = store.open(None, BROWSER)
    store.put(token, "data", "secret")
    for brought in ("", "not-a-token", token.upper(), 42, None, ["x"], {"t": token}):
        assert store.open(brought, BROWSER)[1] == {}
    store.put("never-issued", "data", "x")  # saving under a token the server never issued
    assert store.open("never-issued", BROWSER)[1] == {}


def test_an_ended_tab_is_kept_keep_s_then_forgotten_while_a_live_one_stays():
    clock = Clock()
    store = SessionStore(keep_s=600, timer=clock)
    live, _ = store.open(None, BROWSER)
    ended, _ = store.open(None, BROWSER)
    store.put(live, "data", "live data")
    store.put(ended, "data", "ended data")
    store.end(ended)

    clock.now = 599
    assert store.stats()["kept"] == 1
    clock.now = 600
    assert store.open(ended, BROWSER)[1] == {}
    clock.now = 10_000  # a live tab, however idle, keeps its state
    assert store.open(live, BROWSER)[1] == {"data": "live data"}
    assert store.stats()["expired"] == 1


def test_release_ended_drops_only_ended_tabs():
    store = SessionStore()
    live, _ = store.open(None, BROWSER)
    gone, _ = store.open(None, BROWSER)
    store.put(live, "data", 1)
    store.put(gone, "data", 2)
    store.end(gone)
    assert store.release_ended() == 1
    assert store.open(gone, BROWSER)[1] == {}
    assert store.open(live, BROWSER)[1] == {"data": 1}
    assert store.stats()["released"] == 1


def test_the_bound_drops_ended_tabs_oldest_first_and_never_a_live_one():
    """Issue 17 case 5: 520 idle websockets evicted a live user from a 500-entry store."""
    clock = Clock()
    store = SessionStore(max_entries=2, timer=clock)
    live, _ = store.open(None, BROWSER)
    store.put(live, "data", "mine")
    ended = []
    for k in range(3):
        token, _ = store.open(None, BROWSER)
        store.put(token, "data", k)
        clock.now += 1
        store.end(token)
        ended.append(token)
    for _ in range(600):  # many more live sessions than the bound: none of them is dropped
        store.open(None, BROWSER)
    assert store.open(live, BROWSER)[1] == {"data": "mine"}
    assert store.open(ended[0], BROWSER)[1] == {}  # the oldest ended went first
    assert store.open(ended[2], BROWSER)[1] == {"data": 2}


def test_ended_tabs_are_bounded_by_bytes():
    clock = Clock()
    store = SessionStore(max_kept_mb=1.0, timer=clock, measure=lambda state: 400 * 1024)
    tokens = []
    for k in range(4):
        token, _ = store.open(None, BROWSER)
        store.put(token, "data", k)
        clock.now += 1
        store.end(token)
        tokens.append(token)
    kept = [bool(store.open(t, BROWSER)[1]) for t in tokens]
    assert kept == [False, False, True, True]  # 2 x 400 KB fit in 1 MB, the oldest went


def _slow_measure(size: int):
    """A measure that holds until released, recording its thread."""
    import threading

    started, release, threads = threading.Event(), threading.Event(), []

    def measure(state) -> int:
        threads.append(threading.current_thread().name)
        started.set()
        release.wait(5)
        return size

    return measure, started, release, threads


def test_an_ended_tab_is_measured_off_the_caller_s_thread():
    """end(background=True) marks the tab ended at once and measures it in the store's thread
    (a wide dataset takes most of a second, which the event loop must not spend)."""
    measure, started, release, threads = _slow_measure(400 * 1024)
    clock = Clock()
    clock.now = 5.0
    store = SessionStore(max_kept_mb=1.0, timer=clock, measure=measure)
    token, _ = store.open(None, BROWSER)
    store.put(token, "data", 1)
    store.end(token, background=True)  # returns while the measure still runs
    assert started.wait(5) and threads[0].startswith("medstat-tab-ended")
    stats = store.stats()
    assert stats["live"] == 0 and stats["kept"] == 1  # ended at once
    release.set()
    store._measurer.shutdown(wait=True)
    assert store.stats()["kept_mb"] == 400 / 1024


def test_a_tab_restored_while_it_is_measured_is_left_alone():
    """A reconnect before the measure ends takes the state; the late figure changes nothing."""
    measure, started, release, _ = _slow_measure(10 * 2**20)  # over the 1 MB bound
    store = SessionStore(max_kept_mb=1.0, measure=measure)
    token, _ = store.open(None, BROWSER)
    store.put(token, "data", 1)
    store.end(token, background=True)
    assert started.wait(5)
    new, restored = store.open(token, BROWSER)
    release.set()
    store._measurer.shutdown(wait=True)
    assert restored == {"data": 1}
    stats = store.stats()
    assert stats["live"] == 1 and stats["kept"] == 0 and stats["expired"] == 0
