"""A tab's owner id (whose analyses its stats panel shows) survives a reconnect or a reload with
the tab's state, and two tabs never share one."""

from __future__ import annotations

from modules.shared.session_state import TAB_INPUT, open_tab_state


class FakeSession:
    def __init__(self) -> None:
        self.ended = []

    def on_flush(self, fn, once: bool = False) -> None:
        pass

    def on_ended(self, fn) -> None:
        self.ended.append(fn)

    def end(self) -> None:
        for fn in self.ended:
            fn()


def inputs(token: str | None) -> dict:
    return {TAB_INPUT: lambda: token or ""}


def test_a_reconnecting_tab_is_the_same_owner_and_another_tab_is_not():
    first = FakeSession()
    tab = open_tab_state(inputs(None), first)
    first.end()  # the websocket drops; the page comes back with its token

    again = open_tab_state(inputs(tab.token), FakeSession())
    other = open_tab_state(inputs(None), FakeSession())
    assert again.owner == tab.owner and again.token != tab.token
    assert other.owner != tab.owner
    assert len(tab.owner) >= 20  # random, not guessable; it never goes to the page


def test_a_forgotten_tab_starts_as_a_new_owner():
    tab = open_tab_state(inputs(None), FakeSession())
    assert open_tab_state(inputs("unknown-token"), FakeSession()).owner != tab.owner
