"""The figure browser: one render at a time, closed when idle or asked, no Chromium left behind."""

from __future__ import annotations

import contextlib
import shutil
import threading
import time

import psutil
import pytest

from utils.figure_renderer import FigureRenderer, RenderError

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian chromium")

FIG = {"data": [{"type": "bar", "x": ["a", "b"], "y": [1, 2]}], "layout": {}}


def gone(procs: list[psutil.Process]) -> bool:
    """Every one of these processes has ended (a zombie counts as ended)."""
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            continue
    return True


def wait_for(condition, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_renders_then_closes_without_leaving_chromium():
    r = FigureRenderer(idle_s=600)
    try:
        assert r.render(FIG, "svg", 300, 200).startswith(b"<svg")
        procs = r.processes()
        assert r.running and len(procs) > 1  # the browser and its renderer/GPU/zygote children
        assert r.render(FIG, "png", 300, 200).startswith(b"\x89PNG")
        assert r.stats()["starts"] == 1.0  # the warm browser served both
        procs = r.processes()
    finally:
        assert r.close()
    assert not r.running and r.processes() == []
    assert wait_for(lambda: gone(procs))


def test_idle_browser_closes_itself():
    r = FigureRenderer(idle_s=0.5)
    try:
        r.render(FIG, "svg", 300, 200)
        procs = r.processes()
        assert procs
        assert wait_for(lambda: not r.running)
        assert r.stats()["idle_stops"] == 1.0
        assert wait_for(lambda: gone(procs))
    finally:
        r.close()


def test_concurrent_exports_share_one_browser_one_at_a_time():
    r = FigureRenderer(idle_s=600)
    results: list[bytes] = []
    try:
        threads = [
            threading.Thread(target=lambda: results.append(r.render(FIG, "svg", 300, 200)))
            for _ in range(3)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert len(results) == 3 and all(b.startswith(b"<svg") for b in results)
        assert r.stats()["starts"] == 1.0
        procs = r.processes()
    finally:
        r.close()
    assert wait_for(lambda: gone(procs))


def test_missing_browser_is_an_error_and_leaves_nothing():
    r = FigureRenderer(chromium="/nonexistent/chromium", timeout_s=20)
    with pytest.raises(Exception):  # noqa: B017 - kaleido's own error for a missing browser
        r.render(FIG, "svg", 300, 200)
    assert not r.running and r.processes() == []


def test_admission_is_asked_before_a_browser_starts():
    asked = []

    @contextlib.contextmanager
    def refuse():
        asked.append(1)
        raise MemoryError("no room")
        yield

    r = FigureRenderer(admit=refuse)
    with pytest.raises(MemoryError):
        r.render(FIG, "svg", 300, 200)
    assert asked == [1] and not r.running and r.processes() == []


def test_admitted_room_is_held_while_the_browser_runs():
    held = []

    @contextlib.contextmanager
    def admit():
        held.append("reserved")
        yield
        held.append("released")

    r = FigureRenderer(admit=admit, idle_s=600)
    try:
        r.render(FIG, "svg", 300, 200)
        r.render(FIG, "svg", 300, 200)
        assert held == ["reserved"]  # once, for the browser's life
    finally:
        r.close()
    assert held == ["reserved", "released"]


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        FigureRenderer().render(FIG, "gif", 300, 200)


def test_render_error_is_a_runtime_error():
    assert issubclass(RenderError, RuntimeError)
