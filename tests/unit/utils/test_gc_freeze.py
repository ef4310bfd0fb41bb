"""utils/gc_freeze.py: no collection while long-lived objects are made, then they are frozen out
of later passes, still freed by their reference counts, and given back on a memory cleanup."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

from utils import gc_freeze


class Node:
    """A tracked object that can join a reference cycle."""

    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture(autouse=True)
def _thawed():
    gc_freeze.thaw()
    yield
    gc_freeze.thaw()
    assert gc.isenabled()


def test_no_collection_runs_inside_and_what_was_made_is_frozen_after():
    with gc_freeze.building():
        assert not gc.isenabled()
        made = [Node() for _ in range(1_000)]
    assert gc.isenabled()
    assert gc_freeze.frozen() >= 1_000
    assert not any(gc.is_tracked(n) and n in gc.get_objects(generation=2) for n in made[:3])


def test_a_frozen_object_is_still_freed_when_its_last_reference_goes():
    with gc_freeze.building():
        node = Node()
    gone = weakref.ref(node)
    del node
    assert gone() is None


def test_a_frozen_cycle_waits_for_thaw_and_the_next_full_collection():
    with gc_freeze.building():
        a, b = Node(), Node()
        a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    gc.collect()
    assert gone() is not None  # frozen: the full collection skipped it
    gc_freeze.thaw()
    gc.collect()
    assert gone() is None


def test_the_collector_comes_back_on_only_when_the_last_builder_ends():
    inside, leave = threading.Event(), threading.Event()

    def other_builder() -> None:
        with gc_freeze.building():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=other_builder)
    thread.start()
    assert inside.wait(5)
    with gc_freeze.building():
        pass
    assert not gc.isenabled()  # the other thread is still building
    leave.set()
    thread.join(5)
    assert gc.isenabled()


def test_thaw_waits_while_a_builder_is_inside():
    with gc_freeze.building():
        frozen_before = gc_freeze.frozen()
        gc_freeze.thaw()
        assert gc_freeze.frozen() == frozen_before
