"""modules/shiny_patches/refresh.py: the timer invalidates its context, and a cancel is silent."""

from __future__ import annotations

import asyncio

import pytest
from shiny import reactive
from shiny.reactive import _core

from modules import shiny_patches
from modules.shiny_patches.refresh import invalidate_later
from tests.event_loop import run_apart


@pytest.fixture(autouse=True)
def patches_on():
    """These tests are about our timer, which runs only where the patches are active."""
    assert shiny_patches.install()


@pytest.fixture(autouse=True)
def fresh_reactive_lock():
    """Shiny binds its one reactive lock to the first loop that used it; each test has its own."""
    _core._reactive_environment._lock = None
    yield
    _core._reactive_environment._lock = None


async def _in_context(ctx: reactive.Context, delay: float) -> None:
    with ctx():
        invalidate_later(delay)


def test_fires_and_invalidates_its_context():
    async def scenario() -> bool:
        ctx = reactive.Context()
        await _in_context(ctx, 0.01)
        await asyncio.sleep(0.1)
        return ctx._invalidated

    assert run_apart(scenario())


def test_cancelled_while_waiting_for_the_lock_prints_nothing(capfd):
    async def scenario() -> None:
        ctx = reactive.Context()
        async with reactive.lock():  # another session's flush holds the lock when it fires
            await _in_context(ctx, 0.01)
            await asyncio.sleep(0.05)
            ctx.invalidate()  # e.g. the session ends: the waiting timer is cancelled
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)

    run_apart(scenario())
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err
    assert "CancelledError" not in captured.err


def test_shiny_own_timer_is_what_printed_the_traceback(capfd):
    """The reason for the module: if Shiny stops printing, this fails and refresh can go."""

    async def scenario() -> None:
        ctx = reactive.Context()
        async with reactive.lock():
            with ctx():
                reactive.invalidate_later(0.01)
            await asyncio.sleep(0.05)
            ctx.invalidate()
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)

    run_apart(scenario())
    assert "CancelledError" in capfd.readouterr().err
