"""Input messages checked one value at a time: a bad value is ignored, not the session's end.

Shiny 1.8.0 applies a client's input message in `AppSession._manage_inputs`; a value its typed
handler cannot take (a dict for an action button, `id:shiny.number`, a name with two colons)
raises there, in the session's receive loop, which prints the traceback and closes the session.
Here each value is applied on its own: one that raises is skipped with one log line naming the
input and the error type (never the value), and the rest of the message still applies. What a
module then reads is checked by type where it reads it (modules/shared/inputs.py).
"""

from __future__ import annotations

import logging
from typing import Any

from shiny.input_handler import input_handlers
from shiny.module import ResolvedId
from shiny.session import _session

log = logging.getLogger(__name__)

_original = _session.AppSession._manage_inputs


def manage_inputs(self: Any, data: Any) -> None:
    """Shiny's _manage_inputs, with each value's failure contained to that value."""
    if not isinstance(data, dict):
        log.warning("input message ignored: its data is a %s, not an object", type(data).__name__)
        return
    for key, value in data.items():
        try:
            parts = str(key).split(":")
            if len(parts) > 2:
                raise ValueError("an input name may hold one ':'")
            if len(parts) == 2:
                value = input_handlers._process_value(parts[1], value, ResolvedId(parts[0]), self)
            # As Shiny: every value sent is new (force), so events fire on each click.
            self.input[ResolvedId(parts[0])]._set(value, force=True)
        except (ValueError, TypeError, OverflowError, KeyError, IndexError) as exc:
            log.warning("input %s ignored: %s", str(key)[:80], type(exc).__name__)
    self.output._manage_hidden()


def install() -> None:
    """Apply (idempotent)."""
    if _session.AppSession._manage_inputs is manage_inputs:
        return
    _session.AppSession._manage_inputs = manage_inputs  # type: ignore[method-assign]
    log.info("shiny: input messages applied one value at a time")
