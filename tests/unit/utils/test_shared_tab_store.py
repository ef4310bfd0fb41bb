"""The tab store in Redis, against a real redis-server: a tab saved by one worker is restored
by another (data, cleaning steps, settings, last run), a token restores once across workers
and only in its browser, values are signed and bounded, a data set over the bound comes back
as lost (the page then asks for it again), and a Redis outage leaves the in-process store."""

import threading

import pandas as pd
import pytest
import redis

from analyses.fit_records import OutcomeFit
from analyses.results import OutcomeResult
from analyses.specs import OutcomeSpec
from prep.value_labels import ValueLabels
from tests.unit.utils.test_dataset_codec import every_kind
from utils.resilience import Retrier
from utils.session_store import SessionStore
from utils.shared_tab_store import SharedTabStore, _frame_key, _state_key
from utils.tab_codec import DataLost, StoredDataset, StoredRun

pytestmark = pytest.mark.redis

SECRET = "test-secret-of-32-characters-xyz"
ALLOWED = [OutcomeResult, OutcomeFit, OutcomeSpec, ValueLabels]
BROWSER = "browser-binding-digest"


OPEN: list[SharedTabStore] = []


@pytest.fixture(autouse=True)
def close_stores():
    """Each test's stores stop their writer threads when it ends (its redis-server goes)."""
    yield
    while OPEN:
        OPEN.pop().close()


def shared(url, **kwargs):
    store = SharedTabStore(
        url, ALLOWED, secret=SECRET, retrier=Retrier(sleep=lambda s: None), debounce_s=0.01,
        **kwargs,
    )  # fmt: skip
    OPEN.append(store)
    return store


def tab_parts(outcome_result):
    ds = every_kind()
    spec = OutcomeSpec("death", ("age", "stage"))
    return {
        "owner": "owner-id",
        "data": (ds, False, 3),
        "cleaning_steps": (ValueLabels("code", (("1", "one"),)), ("sex", {"F": "Female"})),
        "outcome.settings": {"outcome": "death", "covariates": ["age", "stage"], "alpha": 0.05},
        "outcome": StoredRun(outcome_result, spec, ds.fingerprint, 1.25),
    }


def saved_by(store, token, parts, sid="sid-1"):
    assert store.issue(token, sid, BROWSER)
    for name, value in parts.items():
        store.put(sid, name, value)
    assert store.flush()
    return sid


def test_another_worker_restores_data_steps_settings_and_last_run(redis_server, outcome_result):
    a, b = shared(redis_server.url), shared(redis_server.url)
    parts = tab_parts(outcome_result)
    sid = saved_by(a, "token-1", parts)

    claim = b.claim("token-1", BROWSER)
    assert claim.status == "restored" and claim.sid == sid
    back = b.load(sid)
    assert set(back) == set(parts)
    assert isinstance(back["data"][0], StoredDataset)  # its frame is read apart, off the loop
    ds, ds_back = parts["data"][0], b.dataset(back["data"][0])
    pd.testing.assert_frame_equal(ds_back.df, ds.df)
    assert ds_back.columns == ds.columns and back["data"][1:] == (False, 3)
    assert back["cleaning_steps"] == parts["cleaning_steps"]
    assert back["outcome.settings"] == parts["outcome.settings"]
    run = back["outcome"]
    assert run.spec == parts["outcome"].spec and run.seconds == 1.25
    pd.testing.assert_frame_equal(run.result.univariable, outcome_result.univariable)


def test_a_token_restores_once_across_workers_and_only_in_its_browser(redis_server):
    stores = [shared(redis_server.url) for _ in range(4)]
    saved_by(stores[0], "token-2", {"owner": "x"})
    assert stores[1].claim("token-2", "another-browser").status == "refused"
    assert stores[1].claim("token-2", None).status == "refused"  # no cookie: nothing
    results = []
    start = threading.Barrier(len(stores))

    def claim(store):
        start.wait()
        results.append(store.claim("token-2", BROWSER).status)

    threads = [threading.Thread(target=claim, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["restored", "unknown", "unknown", "unknown"]


def test_only_changed_parts_are_written_and_a_frame_once_per_fingerprint(
    redis_server, outcome_result
):
    store = shared(redis_server.url)
    parts = tab_parts(outcome_result)
    saved_by(store, "t-a", parts, sid="a")
    saved_by(store, "t-b", {"data": parts["data"]}, sid="b")  # the same data in another tab
    stats = store.stats()
    assert stats["shared_frames_written"] == 1
    assert stats["shared_writes"] == len(parts) + 1
    store.put("a", "owner", parts["owner"])  # the same object again: nothing to write
    store.put("a", "outcome.settings", {"outcome": "death"})
    assert store.flush()
    assert store.stats()["shared_writes"] == len(parts) + 2


def test_tampered_copied_or_oversize_values_are_misses_never_shown(redis_server, outcome_result):
    client = redis.Redis.from_url(redis_server.url)
    store = shared(redis_server.url, max_part_bytes=64 * 1024)
    parts = tab_parts(outcome_result)
    saved_by(store, "t-1", parts, sid="s1")
    key = _state_key("s1")
    settings = client.hget(key, "outcome.settings")
    client.hset(key, "outcome.settings", settings.replace(b"death", b"alive"))
    client.hset(key, "owner", client.hget(key, "cleaning_steps"))  # signed, but for another part
    client.hset(key, "big", b"medstat/2 " + b"0" * 64 + b"\n" + b"x" * 70_000)
    back = store.load("s1")
    assert {"outcome.settings", "owner", "big"}.isdisjoint(back)
    assert set(back) == {"data", "cleaning_steps", "outcome"}
    stats = store.stats()
    assert stats["shared_rejected_signature"] == 2 and stats["shared_rejected_size"] == 1

    fingerprint = parts["data"][0].fingerprint
    client.setrange(_frame_key(fingerprint), 200, b"\xff\xff")  # a damaged frame
    lost = store.dataset(store.load("s1")["data"][0])
    assert isinstance(lost, DataLost) and lost.reason == "damaged"
    client.delete(_frame_key(fingerprint))
    assert store.dataset(store.load("s1")["data"][0]).reason == "expired"


def test_a_data_set_over_the_bound_is_left_out_and_comes_back_as_lost(redis_server, outcome_result):
    store = shared(redis_server.url, max_frame_bytes=1000)
    parts = tab_parts(outcome_result)
    saved_by(store, "t-1", parts, sid="s1")
    other = shared(redis_server.url)
    back = other.load("s1")
    lost = other.dataset(back["data"][0])
    assert isinstance(lost, DataLost) and lost.reason == "too large"
    assert (lost.fingerprint, lost.name) == (parts["data"][0].fingerprint, "trial.csv")
    assert back["cleaning_steps"] == parts["cleaning_steps"]  # what was made on it is kept
    assert store.stats()["shared_over_bound"] == 1


def test_keys_expire_keep_s_after_the_last_write(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    store = shared(redis_server.url, keep_s=120)
    saved_by(store, "t-1", {"data": (every_kind(), False, 0)}, sid="s1")
    for key in client.keys("medstat:tab:*"):
        assert 0 < client.ttl(key) <= 120


def two_workers(url, **kwargs):
    return [SessionStore(shared=shared(url), **kwargs) for _ in range(2)]


def test_session_stores_hand_a_tab_to_another_worker_without_its_end(redis_server):
    a, b = two_workers(redis_server.url)
    token, _ = a.open(None, BROWSER)
    a.put(token, "data", (every_kind(), False, 1))
    a.put(token, "outcome", "live view", stored=StoredRun(None, None, "fp", 0.5))
    assert a.shared.flush()  # then worker a dies: end() never runs

    new, restored = b.open(token, BROWSER)
    assert restored["outcome"] == StoredRun(None, None, "fp", 0.5)
    pd.testing.assert_frame_equal(b.restore_data(restored["data"][0]).df, every_kind().df)
    assert a.open(token, BROWSER)[1] == {}  # spent, on both workers
    assert b.shared.flush()
    third, again = a.open(new, BROWSER)  # and the new token carries the restored parts on
    assert again["outcome"] == StoredRun(None, None, "fp", 0.5)
    # the data set, never read on b, was carried on by its fingerprint
    pd.testing.assert_frame_equal(a.restore_data(again["data"][0]).df, every_kind().df)


def test_a_reload_on_the_same_worker_gets_its_live_objects_and_spends_the_token(redis_server):
    a, b = two_workers(redis_server.url)
    token, _ = a.open(None, BROWSER)
    view = object()
    a.put(token, "outcome", view, stored=StoredRun(None, None, "fp", 0.5))
    a.end(token)
    new, restored = a.open(token, BROWSER)
    assert restored["outcome"] is view
    assert b.open(token, BROWSER)[1] == {}


def test_a_redis_outage_falls_back_to_the_in_process_store_and_is_counted(redis_server):
    a, _ = two_workers(redis_server.url)
    token, _ = a.open(None, BROWSER)
    a.put(token, "owner", "me")
    a.end(token)
    redis_server.stop()
    assert a.open(token, BROWSER)[1] == {"owner": "me"}
    stats = a.stats()
    assert stats["shared_fallbacks"] == 1 and stats["shared_up"] == 0
    token2, _ = a.open(None, BROWSER)  # issued while Redis is down: this worker decides
    a.put(token2, "owner", "again")
    assert a.open(token2, BROWSER)[1] == {"owner": "again"}


def test_an_open_tab_whose_token_a_page_on_another_worker_spent_goes_on_under_a_new_one(
    redis_server,
):
    a, b = two_workers(redis_server.url)
    told = []
    token, _ = a.open(None, BROWSER, told.append)  # open on worker a
    a.put(token, "owner", "first tab")
    assert a.shared.flush()
    _, copy = b.open(token, BROWSER)  # a duplicated browser tab, served by worker b
    assert copy == {"owner": "first tab"}

    a.put(token, "owner", "first tab, changed")  # a's next write finds its token spent
    assert a.shared.flush()
    (fresh,) = told
    assert fresh != token
    assert a.shared.flush()
    assert b.open(fresh, BROWSER)[1] == {"owner": "first tab, changed"}
