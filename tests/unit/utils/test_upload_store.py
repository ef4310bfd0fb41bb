"""The disk uploads take: per tab and in all, the disk's reserve, unfinished bodies removed, and
a failed write answered with a sentence (issue 17 case 3)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from types import SimpleNamespace

from tests.event_loop import run_apart
from utils.upload_limit import UploadLimit
from utils.upload_store import MB, UploadStore

KB = 1024


def _store(**kw) -> UploadStore:
    args = dict(session_mb=10 * KB / MB, total_mb=15 * KB / MB, min_free_mb=0, stale_s=60)
    args.update(kw)
    return UploadStore(**args)


def _folder(tmp_path: Path, name: str, stored: int = 0) -> Path:
    folder = tmp_path / name / "job"
    folder.mkdir(parents=True)
    if stored:
        (folder / "0.csv").write_bytes(b"x" * stored)
    return folder.parent


def test_a_tab_over_its_bound_is_refused_saying_which_limit(tmp_path):
    store = _store()
    store.register("s1", _folder(tmp_path, "s1", stored=8 * KB))
    refusal = store.check("s1", 4 * KB)
    assert refusal.status == 413 and "MEDSTAT_UPLOAD_SESSION_MB" in refusal.text
    assert store.check("s1", 1 * KB) is None  # room for a small one


def test_the_whole_server_has_a_bound_and_bodies_arriving_count(tmp_path):
    store = _store()
    store.register("s1", _folder(tmp_path, "s1", stored=8 * KB))
    store.register("s2", _folder(tmp_path, "s2"))
    assert store.check("s2", 5 * KB) is None  # 13 KB of 15 KB, reserved while it arrives
    refusal = store.check("s2", 4 * KB)
    assert refusal.status == 507 and "MEDSTAT_UPLOAD_TOTAL_MB" in refusal.text
    store.done("s2", 5 * KB)  # the body went (read and deleted)
    assert store.check("s2", 4 * KB) is None


def test_a_nearly_full_disk_refuses_with_a_sentence(tmp_path):
    store = _store(min_free_mb=1, disk_free=lambda path: MB + KB)
    store.register("s1", _folder(tmp_path, "s1"))
    refusal = store.check("s1", 2 * KB)
    assert refusal.status == 507 and "disk is nearly full" in refusal.text


def test_sweep_removes_files_left_unwritten_for_the_stale_time(tmp_path):
    store = _store(stale_s=60)
    folder = _folder(tmp_path, "s1", stored=KB)
    fresh = folder / "job" / "1.csv"
    fresh.write_bytes(b"y")
    old = time.time() - 120
    os.utime(folder / "job" / "0.csv", (old, old))
    store.register("s1", folder)
    assert store.sweep() == 1
    assert fresh.exists() and not (folder / "job" / "0.csv").exists()


class ShinyLike:
    """Writes the body into the job's folder as Shiny does; fails like a full disk on demand."""

    def __init__(self, folder: Path, fail: bool = False) -> None:
        self.folder, self.fail = folder, fail

    async def __call__(self, scope, receive, send) -> None:
        with open(self.folder / "0.csv", "ab") as handle:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                if self.fail:
                    await send({"type": "http.response.start", "status": 500, "headers": []})
                    await send({"type": "http.response.body", "body": b"Internal Server Error"})
                    raise OSError(28, "No space left on device")
                handle.write(message.get("body", b""))
                if not message.get("more_body", False):
                    break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"OK"})


def _post(store: UploadStore, app, messages: list[dict], timeout_s: float = 5.0):
    scope = {"type": "http", "method": "POST", "path": "/session/s1/upload/job7", "headers": []}
    sent: list[dict] = []

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)  # a client that stopped sending

    async def send(message):
        sent.append(message)

    run_apart(
        UploadLimit(app, 10 * KB, store=store, body_timeout_s=timeout_s)(scope, receive, send)
    )
    return sent


def test_a_stalled_body_is_dropped_and_its_file_removed(tmp_path):
    folder = _folder(tmp_path, "s1")
    job = folder / "job"
    manager = SimpleNamespace(_operations={"job7": SimpleNamespace(_dir=str(job))})
    store = _store()
    store.register("s1", folder, manager)
    _post(
        store, ShinyLike(job), [{"type": "http.request", "body": b"a" * KB, "more_body": True}], 0.2
    )
    assert not job.exists() and manager._operations == {}
    assert store.check("s1", 9 * KB) is None  # nothing of it is counted any more


def test_a_failed_write_is_a_sentence_not_a_bare_500(tmp_path):
    folder = _folder(tmp_path, "s1")
    store = _store()
    store.register("s1", folder)
    sent = _post(
        store, ShinyLike(folder / "job", fail=True), [{"type": "http.request", "body": b"a"}]
    )
    assert sent[0]["status"] == 507
    assert b"disk is full" in sent[1]["body"] and len(sent) == 2
