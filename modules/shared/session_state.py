"""A browser tab's saved state: the token it carries, what it gets back after a reconnect.

The tab's token sits in a hidden text input, filled from sessionStorage before Shiny starts, so
it arrives with the session's first message (at a first visit, a reload and a reconnect alike).
The server answers with a fresh token (see utils/session_store.py), which the page stores. A
token restores once, and only in the browser it was issued to: the websocket's request carries
that browser's HttpOnly cookie (utils/browser_cookie.py), which the page cannot read or copy.
Modules read what was saved with `saved(name)` and save with `keep(name, value)`.

With Redis configured the state is also kept there (utils/shared_tab_store.py), so another
worker restores a tab whose worker died; the Data tab reads its data set's frame from there off
the event loop (`logic.restore_data`). A data set that cannot come back (over
MEDSTAT_SESSION_STORE_MAX_MB, expired, damaged) is `lost`: the Data tab says so in a sentence
and asks for the file again; the same file uploaded again gets its kinds, labels, cleaning
steps and last results back (`recover`).

`owner` names the tab to logic.run, so that its stats panel shows its own analyses and no one
else's. It is random, never sent to the page, and kept with the tab's state, so the tab stays
the same owner after a reconnect or a reload.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from typing import Any

from shiny import reactive, ui

import logic
from modules.shared.fair_share import client_address
from modules.shared.inputs import TEXT, read
from utils.browser_cookie import binding
from utils.config import settings
from utils.dataset import Dataset
from utils.dataset_codec import columns_of
from utils.tab_codec import DataLost

log = logging.getLogger(__name__)

TAB_INPUT = "medstat_tab"
TAB_MESSAGE = "medstat-tab-token"
OWNER = "owner"


def token_ui() -> ui.TagList:
    """The hidden token input and the script that keeps it in this tab's sessionStorage."""
    return ui.TagList(
        ui.div(ui.input_text(TAB_INPUT, None, value=""), style="display:none"),
        ui.tags.script(src="session_token.js", defer=True),
    )


class TabState:
    """What one tab saved, and where it saves; created once per session by app.py."""

    def __init__(
        self,
        token: str,
        restored: dict[str, Any],
        owner: str | None = None,
        address: str = "unknown",
        lost: DataLost | None = None,
    ) -> None:
        self.token = token
        self.restored = restored
        self.lost = lost  # the data that could not come back, if any
        self.owner = owner or secrets.token_urlsafe(16)
        # Whose share of the worker pool this tab's work takes (fair_share.py): the tab (kept
        # across reconnects) and its client's address.
        self.share = (self.owner, address)

    def saved(self, name: str, default: Any = None) -> Any:
        """The value saved under name before this session started, or default."""
        return self.restored.get(name, default)

    def keep(self, name: str, value: Any, stored: Any = None) -> None:
        """Save a value (an immutable Dataset, result or tuple) for a later reconnect;
        `stored`: what Redis keeps of it when that differs (a run: its result, not its page)."""
        logic.sessions.put(self.token, name, value, stored)

    def lost_sentence(self) -> str:
        """What the page says when the tab's data could not come back ('' when it did)."""
        if self.lost is None:
            return ""
        why = {
            "too large": f"it is larger than the {settings.session_store_max_mb:g} MB kept for a"
            " reconnect",
            "expired": "it was kept for a while only and that time has passed",
        }.get(self.lost.reason, "it could not be read back from the server's store")
        name = f" ('{self.lost.name}')" if self.lost.name else ""
        return (
            f"Your data{name} could not be brought back after the connection was lost: {why}."
            " Upload the same file again: its column kinds and labels, your cleaning steps,"
            " settings and last results then come back with it."
        )

    def recover(self, dataset: Dataset) -> Dataset | None:
        """The lost data again, when `dataset` is the same file: with the kinds and labels it
        had (proved by the fingerprint they derive); None for any other file."""
        if self.lost is None:
            return None
        candidate = dataset
        if dataset.fingerprint != self.lost.fingerprint:
            try:
                columns = columns_of(self.lost.meta)
            except ValueError:
                return None
            if set(columns) != set(dataset.columns):
                return None
            candidate = dataset.with_columns(columns)
        if candidate.fingerprint != self.lost.fingerprint:
            return None
        with contextlib.suppress(ValueError):  # labels edited without a kind: same fingerprint
            candidate = candidate.with_columns(columns_of(self.lost.meta))
        self.lost = None
        return candidate


def open_tab_state(input, session) -> TabState:
    """Restore the state the tab's token names, give the tab a new token, forget it at the end."""
    with reactive.isolate():
        brought = read(input, TAB_INPUT, TEXT)
    browser = binding(session.http_conn.cookies)
    holder: list[TabState] = []  # the state, once made: a rekey replaces its token

    try:
        loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:  # opened outside a running server (a unit test): nothing to tell
        loop = None

    def rekey(token: str) -> None:
        """Another page brought this tab's token: this tab goes on under a new one (called on
        the event loop, or from the tab store's writer thread when the page was elsewhere)."""
        if holder:
            holder[0].token = token
            if loop is not None:
                loop.call_soon_threadsafe(lambda: asyncio.ensure_future(tell_page(token)))

    async def tell_page(token: str) -> None:
        with contextlib.suppress(Exception):  # a session that has just closed: nothing to tell
            await session.send_custom_message(TAB_MESSAGE, token)

    token, restored = logic.sessions.open(brought, browser, rekey)
    if restored:
        log.info("tab reconnected: restored %s", ", ".join(sorted(restored)))
    elif brought and isinstance(brought, str):
        log.info("tab token restored nothing (spent, expired or from another browser)")
    state = TabState(token, restored, owner=restored.get(OWNER), address=client_address(session))
    holder.append(state)

    async def tell_first() -> None:
        await tell_page(state.token)

    session.on_flush(tell_first, once=True)
    # Measuring a wide tab's kept data takes most of a second: in a thread, not on the loop.
    session.on_ended(lambda: logic.sessions.end(state.token, background=True))
    state.keep(OWNER, state.owner)
    return state
