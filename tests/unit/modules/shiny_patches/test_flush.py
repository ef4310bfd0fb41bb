"""modules/shiny_patches/flush.py: a request that arrives during a long reactive flush runs all
its steps after the effect that was running, not one step per effect; the effects run as
before, in order."""

from __future__ import annotations

import asyncio
import socket
import time

from shiny import reactive
from shiny.reactive import _core

from modules.shiny_patches import flush
from tests.event_loop import run_apart

STEPS = 5  # a request's steps on the loop: accept, read, start the ASGI task, run it, answer


def busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


async def flush_during_a_request(effects: int, each_s: float) -> tuple[list[int], int]:
    """Flush `effects` effects of `each_s` of work each while a request waits on a socket, its
    steps each queued as the one before runs (call_soon); the effects run, and how many had
    run when the request's last step did."""
    ran: list[int] = []
    answered: list[int] = []

    def make(i: int):
        @reactive.effect
        def _work():
            busy(each_s)
            ran.append(i)

        return _work

    made = [make(i) for i in range(effects)]
    loop = asyncio.get_running_loop()
    sender, receiver = socket.socketpair()

    def step(left: int) -> None:
        if left == 0:
            answered.append(len(ran))
        else:
            loop.call_soon(step, left - 1)

    def readable() -> None:
        receiver.recv(1)
        loop.remove_reader(receiver)
        step(STEPS - 1)

    try:
        loop.add_reader(receiver, readable)
        sender.send(b"x")  # the request is there before the flush starts
        await reactive.flush()
        for _ in range(STEPS + 1):  # what the flush left undone finishes now
            await asyncio.sleep(0)
    finally:
        for effect in made:
            effect.destroy()
        sender.close()
        receiver.close()
    return ran, answered[0]


def test_a_request_during_a_long_flush_waits_for_one_effect_not_one_per_step():
    flush.install()
    ran, answered_after = run_apart(flush_during_a_request(effects=12, each_s=0.005))
    assert ran == list(range(12))
    assert answered_after <= 2  # Shiny's own flush: one effect per step of the request


def test_without_the_patch_each_step_of_the_request_waits_for_an_effect():
    """What the patch changes (Shiny's flush, put back for this test)."""
    _core.ReactiveEnvironment._flush_sequential = flush._original
    try:
        ran, answered_after = run_apart(flush_during_a_request(effects=12, each_s=0.005))
    finally:
        flush.install()
    assert ran == list(range(12))
    assert answered_after >= STEPS


def test_install_is_idempotent():
    flush.install()
    flush.install()
    assert _core.ReactiveEnvironment._flush_sequential is flush.flush_sequential
