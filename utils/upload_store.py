"""The disk that uploads take: a bound per browser tab and for the whole server, bodies that
never finished removed, and the free space a new body needs.

Shiny writes each upload body into the session's own folder as it arrives and keeps it until
the session ends; the Data tab deletes a file once read (modules/shared/uploads.py), so what
stays is what never finished: a body cut off, stalled, or never announced with uploadEnd. One
session could keep 10 x 40 MB that way, and a full temporary folder made every other user's
upload fail with a bare "Internal Server Error" (issue 17 case 3).

Sessions register their upload folder here (app.py, at session start); the upload middleware
(utils/upload_limit.py) asks `check` before a body is stored, `forget_job` when one did not
finish, and `sweep` removes files nobody has written for MEDSTAT_UPLOAD_STALE_S seconds.
Usage is measured on disk (a few files per session), never kept as a count that could drift.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from utils.config import settings

log = logging.getLogger(__name__)

MB = 2**20


@dataclass(frozen=True)
class Refusal:
    """Why a body may not be stored: the HTTP status and the sentence the user reads."""

    status: int
    text: str


def _folder_bytes(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:
                continue  # deleted meanwhile (read and discarded)
    return total


class UploadStore:
    """Upload folders of the open sessions, what they hold, and the bounds on it."""

    def __init__(
        self,
        *,
        session_mb: float | None = None,
        total_mb: float | None = None,
        min_free_mb: float | None = None,
        stale_s: float | None = None,
        disk_free: Callable[[Path], int] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.session_bytes = int(
            MB * (settings.upload_session_mb if session_mb is None else session_mb)
        )
        self.total_bytes = int(MB * (settings.upload_total_mb if total_mb is None else total_mb))
        self.min_free = int(
            MB * (settings.upload_min_free_mb if min_free_mb is None else min_free_mb)
        )
        self.stale_s = settings.upload_stale_s if stale_s is None else stale_s
        self._disk_free = disk_free or (lambda path: shutil.disk_usage(path).free)
        self._clock = clock
        self._lock = threading.Lock()
        self._folders: dict[str, Path] = {}  # session id -> its upload folder
        self._managers: dict[str, Any] = {}  # session id -> Shiny's FileUploadManager
        self._pending: dict[str, int] = {}  # session id -> bytes of bodies arriving now
        self._removed = 0
        self._refused = 0

    def register(self, session_id: str, folder: Path, manager: Any = None) -> None:
        with self._lock:
            self._folders[session_id] = Path(folder)
            if manager is not None:
                self._managers[session_id] = manager

    def unregister(self, session_id: str) -> None:
        with self._lock:
            self._folders.pop(session_id, None)
            self._managers.pop(session_id, None)
            self._pending.pop(session_id, None)

    def check(self, session_id: str, incoming: int) -> Refusal | None:
        """Whether a body of `incoming` bytes (the declared length, or the upload limit when
        none is declared) may be stored for this session now; reserves it when it may."""
        with self._lock:
            folder = self._folders.get(session_id)
            if folder is None:
                return None  # not a session of ours: Shiny answers 400 itself
            folders = list(self._folders.values())
            pending_here = self._pending.get(session_id, 0)
            pending_all = sum(self._pending.values())
        here = _folder_bytes(folder) + pending_here
        if here + incoming > self.session_bytes:
            return self._refuse(
                413,
                f"This browser tab already has {here / MB:.0f} MB of uploads that have not "
                f"finished or not been read; a tab may hold {self.session_bytes / MB:g} MB "
                "(MEDSTAT_UPLOAD_SESSION_MB). Wait for your other upload to finish (unfinished "
                f"ones are removed after {self.stale_s:g} s) or reload the page, then upload "
                "again.",
            )
        everyone = sum(_folder_bytes(f) for f in folders) + pending_all
        if everyone + incoming > self.total_bytes:
            return self._refuse(
                507,
                f"The server's space for uploads is full now ({everyone / MB:.0f} MB of "
                f"{self.total_bytes / MB:g} MB, MEDSTAT_UPLOAD_TOTAL_MB, in use by other "
                "users' uploads). Try again in a few minutes; nothing of yours was lost.",
            )
        free = self._disk_free(folder)
        if free - incoming < self.min_free:
            return self._refuse(
                507,
                f"The server's disk is nearly full ({free / MB:.0f} MB free). Try again in a "
                "few minutes, or upload a smaller file; nothing of yours was lost.",
            )
        with self._lock:
            self._pending[session_id] = self._pending.get(session_id, 0) + incoming
        return None

    def arrived(self, session_id: str, size: int) -> None:
        """Bytes of a reserved body are on disk now (measured there): no longer pending."""
        self.done(session_id, size)

    def done(self, session_id: str, incoming: int) -> None:
        """What is left of a body reserved with `check` is not coming (it ended)."""
        with self._lock:
            if session_id in self._pending:
                self._pending[session_id] = max(0, self._pending[session_id] - incoming)

    def forget_job(self, session_id: str, job_id: str) -> None:
        """A body that did not finish: its file and Shiny's record of the job go now."""
        with self._lock:
            manager = self._managers.get(session_id)
        operations = getattr(manager, "_operations", None)  # Shiny 1.8.0; else sweep does it
        operation = operations.pop(job_id, None) if isinstance(operations, dict) else None
        folder = getattr(operation, "_dir", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
            with self._lock:
                self._removed += 1
            log.info("unfinished upload removed at once")

    def sweep(self) -> int:
        """Delete upload files nobody has written for stale_s seconds; returns how many."""
        cutoff = self._clock() - self.stale_s
        with self._lock:
            folders = list(self._folders.values())
        removed = 0
        for folder in folders:
            for root, _, files in os.walk(folder):
                for name in files:
                    path = os.path.join(root, name)
                    try:
                        if os.stat(path).st_mtime < cutoff:
                            os.unlink(path)
                            removed += 1
                    except OSError:
                        continue
        if removed:
            with self._lock:
                self._removed += removed
            log.info("removed %d upload files left unfinished for over %g s", removed, self.stale_s)
        return removed

    def disk_full(self) -> Refusal:
        """The answer when writing a body failed for want of space."""
        return self._refuse(
            507,
            "The server's disk is full, so this upload could not be stored. Try again in a few "
            "minutes; nothing of yours was lost.",
        )

    def stats(self) -> dict[str, float]:
        with self._lock:
            folders = list(self._folders.values())
            removed, refused = self._removed, self._refused
        return {
            "sessions": len(folders),
            "stored_mb": sum(_folder_bytes(f) for f in folders) / MB,
            "unfinished_removed": removed,
            "refused": refused,
        }

    def _refuse(self, status: int, text: str) -> Refusal:
        with self._lock:
            self._refused += 1
        log.info("upload refused (%d): %s", status, text)
        return Refusal(status, text)


store = UploadStore()
