"""Cooperative cancellation: the token and its checkpoints."""

import threading

import numpy as np
import pytest

from analyses.cancellation import Cancelled, CancelToken, cancellable, checkpoint, current_token

# The token and checkpoint


def test_checkpoint_is_a_no_op_without_a_token():
    assert current_token() is None
    checkpoint()
    checkpoint(np.zeros(3))  # as an optimiser's callback, with the parameters


def test_checkpoint_raises_once_the_token_is_set():
    token = CancelToken()
    with cancellable(token):
        checkpoint()
        token.cancel()
        with pytest.raises(Cancelled):
            checkpoint()
    checkpoint()  # outside the block the token no longer applies


def test_a_token_set_before_the_work_starts_stops_it_at_once():
    token = CancelToken()
    token.cancel()
    ran = []
    with pytest.raises(Cancelled), cancellable(token):
        ran.append(1)
    assert ran == []


def test_no_token_keeps_the_outer_one_and_blocks_restore_it():
    outer, inner = CancelToken(), CancelToken()
    with cancellable(outer):
        with cancellable(None):
            assert current_token() is outer
        with cancellable(inner):
            assert current_token() is inner
        assert current_token() is outer
    assert current_token() is None


def test_cancelled_passes_through_except_exception():
    """The analyses and libraries have `except Exception` fallbacks; none may swallow it."""
    assert not issubclass(Cancelled, Exception)
    with pytest.raises(Cancelled):
        try:
            raise Cancelled()
        except Exception:  # noqa: BLE001 - the point of the test
            pytest.fail("caught by except Exception")


def test_a_token_applies_only_to_the_thread_that_runs_under_it():
    token = CancelToken()
    seen = []

    def other_thread():
        checkpoint()  # no token here: the other thread's cancellation is not this one's
        seen.append(current_token())

    with pytest.raises(Cancelled), cancellable(token):
        token.cancel()
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        checkpoint()
    assert seen == [None]


def test_wait_returns_when_cancelled_from_another_thread():
    token = CancelToken()
    threading.Timer(0.05, token.cancel).start()
    assert token.wait(5.0)
    assert token.cancelled
