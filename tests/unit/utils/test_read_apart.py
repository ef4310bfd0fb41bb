"""A wide file read in a child process gives the Dataset the thread gives; its errors and a
cancel reach the caller, and a cancelled child does not outlive the read."""

from __future__ import annotations

import time
from pathlib import Path

import psutil
import pytest

from utils import data_io
from utils.data_error import DataError
from utils.read_apart import read_apart


def write_wide(path: Path, columns: int = 1_200, rows: int = 5) -> Path:
    header = ",".join(f"v{i}" for i in range(columns))
    body = "\n".join(",".join(str((r * 7 + c) % 3) for c in range(columns)) for r in range(rows))
    path.write_text(f"{header}\n{body}\n")
    return path


def test_the_child_reads_what_the_thread_reads(tmp_path: Path) -> None:
    path = write_wide(tmp_path / "wide.csv")
    apart = read_apart(path, "wide.csv")
    here = data_io.read_table(path, name="wide.csv")
    assert apart.fingerprint == here.fingerprint
    assert apart.df.shape == here.df.shape == (5, 1_200)


def test_a_bad_file_s_message_comes_back_as_raised(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match="The file is empty"):
        read_apart(empty, "empty.csv")


class Stop(BaseException):
    pass


def test_a_cancel_kills_the_child_and_goes_on(tmp_path: Path) -> None:
    path = write_wide(tmp_path / "wider.csv", columns=8_000, rows=20)
    # Direct children only: the read's child is one; a figure browser started by an earlier test
    # in this process is too, but its own helpers (which it may still be spawning) are not.
    before = {p.pid for p in psutil.Process().children()}
    calls = []

    def check() -> None:
        calls.append(time.monotonic())
        raise Stop

    with pytest.raises(Stop):
        read_apart(path, "wider.csv", check)
    assert calls  # the read was still running when it was asked to stop
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        alive = [
            p
            for p in psutil.Process().children()
            if p.pid not in before and p.is_running() and p.status() != psutil.STATUS_ZOMBIE
        ]
        if not alive:
            break
        time.sleep(0.1)
    assert not alive, "the cancelled read's child outlived it"
