"""A tab's owner id (whose analyses its stats panel shows) survives a reconnect or a reload with
the tab's state, and two tabs never share one; the token works only in its own browser."""

from __future__ import annotations

from types import SimpleNamespace

from modules.shared.session_state import TAB_INPUT, open_tab_state
from utils.browser_cookie import COOKIE

MINE = {COOKIE: "my-browser-id-of-22-chars"}


class FakeSession:
    def __init__(self, cookies: dict | None = None) -> None:
        self.ended = []
        self.http_conn = SimpleNamespace(cookies=MINE if cookies is None else cookies)

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


def test_a_token_brought_by_another_browser_restores_nothing():
    first = FakeSession()
    tab = open_tab_state(inputs(None), first)
    first.end()
    thief = open_tab_state(inputs(tab.token), FakeSession({COOKIE: "another-browser-22-chars"}))
    assert thief.owner != tab.owner and thief.restored == {}
    assert open_tab_state(inputs(tab.token), FakeSession({})).restored == {}
    assert open_tab_state(inputs(tab.token), FakeSession()).owner == tab.owner
