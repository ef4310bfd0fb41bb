"""A large text file read in a thread against a child process (utils/read_apart.py): the wall
time of each, side by side, and how soon a cancel stops the child's parse (the CPU it frees).

Above MEDSTAT_READ_APART_MB (10) a text upload is read apart: the child costs its start and a
copy of the Dataset back, and buys a parse that a cancel kills (a thread's C parse cannot be
stopped) and the server's interpreter lock kept free while it parses."""

from __future__ import annotations

import argparse
import threading
import time
from typing import Any

from bench import harness
from bench.read_memory import ensure

NAME = "read_apart"
COMMAND = ".venv/bin/python -m bench.read_apart"
FILES = ("csv numbers 20 MB", "csv short text 20 MB", "csv clinical 200k rows")


def _cancel_latency(path, after_s: float) -> dict[str, float]:
    """Start a read apart, cancel it after `after_s`: seconds until the call returned and until
    the child was gone."""
    import psutil

    from utils.read_apart import read_apart

    stop = threading.Event()
    children: list[psutil.Process] = []
    ended: dict[str, float] = {}

    def check() -> None:
        if stop.is_set():
            raise InterruptedError

    def work() -> None:
        try:
            read_apart(
                path, path.name, check, on_start=lambda pid: children.append(psutil.Process(pid))
            )
        except InterruptedError:
            ended["returned"] = time.perf_counter()

    thread = threading.Thread(target=work)
    thread.start()
    time.sleep(after_s)
    cancelled = time.perf_counter()
    stop.set()
    thread.join(30)
    psutil.wait_procs(children, timeout=10)
    gone = time.perf_counter()
    return {"returned_s": ended.get("returned", gone) - cancelled, "child_gone_s": gone - cancelled}


def measure(name: str) -> dict[str, Any]:
    from utils import data_io
    from utils.read_apart import read_apart

    path = ensure(name)
    here = harness.timed(lambda: data_io.read_table(path, name=path.name), repeats=3)
    apart = harness.timed(lambda: read_apart(path, path.name), repeats=3)
    cancel = _cancel_latency(path, after_s=1.5)
    return {
        "file": name,
        "size_mb": path.stat().st_size / 2**20,
        "thread_ms": here["median"],
        "apart_ms": apart["median"],
        "apart_over_thread": apart["median"] / here["median"],
        **cancel,
    }


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.read_apart", description=__doc__)
    parser.add_argument("--only", nargs="*", default=[], help="measure these files only")
    args = parser.parse_args(argv)
    runs = [measure(name) for name in args.only or FILES]
    harness.table(
        "A text upload read in the thread or in a child; a cancel 1.5 s into the child's read",
        [
            "file",
            "MB",
            "thread ms",
            "child ms",
            "child/thread",
            "cancel -> returned s",
            "-> child gone s",
        ],
        [
            [
                r["file"],
                r["size_mb"],
                r["thread_ms"],
                r["apart_ms"],
                r["apart_over_thread"],
                r["returned_s"],
                r["child_gone_s"],
            ]
            for r in runs
        ],
    )
    payload = {"runs": runs}
    if not args.only:
        harness.write_result(NAME, COMMAND, payload)
    return payload


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
