"""The server's side of the embedding worker: start it on first need, feed it, stop it when idle.

The model lives in matching/embedding_worker.py, a child process: torch and sentence-transformers
cost ~500 MB that a small host cannot share with the app, and a process that exits gives its
memory back. Vectors come back as float32 and are cached per text here (384 x 4 bytes each).
Starting goes through the retry layer; memory is asked first; the memory manager counts the
worker's RSS and may stop it. When it cannot run, callers get EmbeddingsUnavailable and carry
on without embeddings.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from utils.config import settings
from utils.memory import MemoryRefused
from utils.resilience import Retrier, TransientError

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
# Measured peak of the worker (bench/results/embedding_worker.json): 392-403 MB after 256 labels
# of 40 words, 316-317 MB on the similarity benchmark's labels; ready at 301 MB.
WORKER_MB = 400.0
START_TIMEOUT_S = 120.0  # first load reads ~90 MB of weights and imports torch
REPLY_TIMEOUT_S = 60.0
BATCH = 256
CACHE_TEXTS = 5000  # ~7.5 MB of float32 vectors
COOL_OFF_S = 300.0  # after a failed start, rapidfuzz alone for this long before trying again


class EmbeddingsUnavailable(RuntimeError):
    """No embeddings now; the message says why (turned off, no memory, model missing...)."""


def worker_command() -> list[str]:
    """The worker's command line: this interpreter, the worker module."""
    return [sys.executable, "-m", "matching.embedding_worker"]


class EmbeddingClient:
    """One embedding worker per server process, shared by all sessions (calls are serialised).

    `memory` is a MemoryManager (or None: no admission, as in a benchmark); `command`, `timer`
    and `idle_s` are injectable so tests can run a fake worker and a fake clock.
    """

    def __init__(
        self,
        *,
        memory: Any = None,
        retrier: Retrier | None = None,
        enabled: bool | None = None,
        idle_s: float | None = None,
        need_mb: float = WORKER_MB,
        command: Sequence[str] | None = None,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.memory = memory
        self.retrier = retrier or Retrier()
        self.enabled = settings.embeddings if enabled is None else enabled
        self.idle_s = float(
            getattr(settings, "embedding_idle_s", 180.0) if idle_s is None else idle_s
        )
        self.need_mb = need_mb
        self.command = list(command or worker_command())
        self._timer = timer
        self._lock = threading.RLock()
        self._proc: subprocess.Popen | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._last_used = 0.0
        self._down_until = 0.0
        self._reason = "" if self.enabled else "turned off (MEDSTAT_EMBEDDINGS=0)"
        self._counts = dict(
            starts=0, stops=0, idle_stops=0, failures=0, refused=0, embedded=0, hits=0
        )
        self._worker_rss_mb = 0.0
        self._watcher: threading.Thread | None = None
        self._stop_watching = threading.Event()

    # --- public -------------------------------------------------------------------------
    def embed(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Unit float32 vectors by text; raises EmbeddingsUnavailable when the model cannot run."""
        wanted = list(dict.fromkeys(texts))
        with self._lock:
            found = {t: self._cache[t] for t in wanted if t in self._cache}
            for t in found:
                self._cache.move_to_end(t)
            self._counts["hits"] += len(found)
            missing = [t for t in wanted if t not in found]
            if not missing:
                return found
            self._ensure_started()
            try:
                for start in range(0, len(missing), BATCH):
                    chunk = missing[start : start + BATCH]
                    found.update(zip(chunk, self._request(chunk)))
            except EmbeddingsUnavailable:
                self._kill("failed")
                raise
            self._last_used = self._timer()
            for text in missing:
                self._cache[text] = found[text]
            while len(self._cache) > CACHE_TEXTS:
                self._cache.popitem(last=False)
            self._counts["embedded"] += len(missing)
            return found

    def cached(self, text: str) -> bool:
        """True if text's vector is in the cache (no worker needed)."""
        with self._lock:
            return text in self._cache

    def unavailable_reason(self) -> str:
        """Why embeddings are off right now ('' when they may run)."""
        with self._lock:
            if not self.enabled:
                return self._reason
            if self._timer() < self._down_until:
                return self._reason
            return ""

    def stop(self, why: str = "asked") -> None:
        """Stop the worker (its memory goes back to the system); the cache stays."""
        with self._lock:
            self._kill(why)

    def check_idle(self) -> bool:
        """Stop the worker if unused for idle_s; True if it was stopped."""
        with self._lock:
            if self._proc is None or self._timer() - self._last_used < self.idle_s:
                return False
            self._counts["idle_stops"] += 1
            self._kill(f"idle for {self.idle_s:g} s")
            return True

    def running(self) -> bool:
        with self._lock:
            return self._proc is not None and self._proc.poll() is None

    def pid(self) -> int | None:
        with self._lock:
            return self._proc.pid if self.running() else None

    def stats(self) -> dict[str, float]:
        """Flat numbers for the stats panel: running, worker RSS, starts, cache size..."""
        with self._lock:
            rss = self._measure_rss() if self.running() else 0.0
            return {
                "enabled": float(self.enabled),
                "running": float(self.running()),
                "worker_rss_mb": rss,
                "worker_peak_rss_mb": self._worker_rss_mb,
                "cached_labels": float(len(self._cache)),
                **{k: float(v) for k, v in self._counts.items()},
            }

    # --- the process --------------------------------------------------------------------
    def _ensure_started(self) -> None:
        if self.running():
            return
        reason = self.unavailable_reason()
        if reason:
            raise EmbeddingsUnavailable(reason)
        # The worker's expected size is set aside while it starts (analyses admitted meanwhile
        # see it); once it runs, the memory manager counts its measured RSS instead.
        admission = self._admit()
        try:
            with admission:
                # One retry: a start that fails twice (each up to START_TIMEOUT_S) will not pass.
                self.retrier.tuned(retries=1).call(self._start)
        except (TransientError, EmbeddingsUnavailable, OSError) as exc:
            self._counts["failures"] += 1
            self._down_until = self._timer() + COOL_OFF_S
            self._reason = f"the embedding model could not start ({exc})"
            log.warning("embedding worker not started: %s; rapidfuzz only", exc)
            raise EmbeddingsUnavailable(self._reason) from exc

    def _admit(self) -> AbstractContextManager:
        """The memory manager's admission for the worker; refuse rather than crowd the app."""
        if self.memory is None:
            return nullcontext()
        try:
            return self.memory.admit_mb(self.need_mb, "embedding model", optional=True)
        except MemoryRefused as refused:
            self._counts["refused"] += 1
            reason = (
                f"not enough memory for the embedding model (needs ~{self.need_mb:.0f} MB, "
                f"{max(refused.free_mb, 0):.0f} MB free)"
            )
            log.info("embedding worker refused: %s", reason)
            raise EmbeddingsUnavailable(reason) from refused

    def _start(self) -> None:
        """Spawn the worker and wait for its ready line; transient failures are retried."""
        began = self._timer()
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        self._proc, self._lines = proc, queue.Queue()
        threading.Thread(
            target=_pump, args=(proc, self._lines), name="medstat-embed-reader", daemon=True
        ).start()
        if self.memory is not None:
            self.memory.register_child(proc.pid)
        reply = self._reply(START_TIMEOUT_S)
        if not reply.get("ready"):
            self._kill("did not start")
            message = str(reply.get("error", "no ready message"))
            if reply.get("permanent"):
                raise EmbeddingsUnavailable(f"model missing: {message}")
            raise TransientError(message)
        self._counts["starts"] += 1
        self._last_used = self._timer()
        self._worker_rss_mb = max(self._worker_rss_mb, float(reply.get("rss_mb", 0.0)))
        log.info(
            "embedding worker %d ready in %.1f s, RSS %.0f MB",
            proc.pid,
            self._timer() - began,
            float(reply.get("rss_mb", 0.0)),
        )
        self._watch_idle()

    def _request(self, texts: list[str]) -> list[np.ndarray]:
        try:
            assert self._proc is not None and self._proc.stdin is not None
            self._proc.stdin.write(json.dumps({"texts": texts}) + "\n")
            self._proc.stdin.flush()
        except (OSError, AssertionError, ValueError) as exc:
            raise EmbeddingsUnavailable(f"the embedding worker stopped ({exc})") from exc
        reply = self._reply(REPLY_TIMEOUT_S)
        if "error" in reply:
            raise EmbeddingsUnavailable(f"the embedding worker failed: {reply['error']}")
        vectors = np.frombuffer(base64.b64decode(reply["vectors"]), dtype=np.float32)
        vectors = vectors.reshape(int(reply["n"]), int(reply["dim"]))
        self._worker_rss_mb = max(self._worker_rss_mb, float(reply.get("rss_mb", 0.0)))
        return [v.copy() for v in vectors]

    def _reply(self, timeout: float) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            self._kill("timed out")
            raise TransientError(f"no answer from the embedding worker in {timeout:g} s") from None
        if line is None:
            self._kill("exited")
            raise TransientError("the embedding worker exited")
        try:
            return json.loads(line)
        except ValueError:
            return {"error": f"unreadable reply {line[:80]!r}"}

    def _measure_rss(self) -> float:
        try:
            rss = psutil.Process(self._proc.pid).memory_info().rss / 1048576  # type: ignore[union-attr]
        except (psutil.Error, AttributeError):
            return 0.0
        self._worker_rss_mb = max(self._worker_rss_mb, rss)
        return rss

    def _kill(self, why: str) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()  # the worker exits at end of input
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait(timeout=5)
        self._counts["stops"] += 1
        log.info("embedding worker %d stopped: %s", proc.pid, why)

    def _watch_idle(self) -> None:
        """A daemon thread that stops the worker after idle_s without use."""
        if self._watcher is not None and self._watcher.is_alive():
            return
        self._stop_watching.clear()
        period = max(0.05, min(self.idle_s / 4, 15.0))

        def watch() -> None:
            while not self._stop_watching.wait(period):
                if self.check_idle() or not self.running():
                    return

        self._watcher = threading.Thread(target=watch, name="medstat-embed-idle", daemon=True)
        self._watcher.start()


def _pump(proc: subprocess.Popen, lines: queue.Queue) -> None:
    """Move the worker's stdout lines to a queue (so reads can time out); None at its end."""
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.put(line)
    lines.put(None)


_shared: EmbeddingClient | None = None
_shared_lock = threading.Lock()


def configure(memory: Any = None, retrier: Retrier | None = None) -> EmbeddingClient:
    """Create the process's client with the app's memory manager and retrier (logic does this),
    and let the memory manager stop the worker when memory runs short."""
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.stop("reconfigured")
        _shared = EmbeddingClient(memory=memory, retrier=retrier)
        if memory is not None:
            memory.register_cleanup("embedding worker", lambda: _shared and _shared.stop("memory"))
        return _shared


def shared() -> EmbeddingClient:
    """The process's client (a default one, without memory admission, if none was configured)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = EmbeddingClient()
        return _shared


def stats() -> dict[str, float]:
    """The shared client's numbers, for logic.stats()."""
    return shared().stats()
