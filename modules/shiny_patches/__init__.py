"""Work-arounds for Shiny internals, kept together, applied only to the Shiny they were written for.

Five pieces depend on private parts of Shiny 1.8.0 and its htmltools 0.7.0 (see each module for
the measured reason):

- isolate.py: isolate() releases its context at the end of the block (a per-request leak);
- startup.py: a session start no longer re-reads source code for every reactive it creates;
- refresh.py: invalidate_later without the CancelledError traceback at session end;
- inputs.py: an input value Shiny's handler cannot take is skipped, not the session's end;
- tag_checks.py: htmltools' checks of what a tag's child is, answered by the child's class.

`install()` checks the installed version first. On any other version it patches nothing, logs
why, and refresh.invalidate_later falls back to Shiny's own: the app runs as Shiny ships, only
without these savings, until someone re-checks the patches against the new internals.
"""

from __future__ import annotations

import logging

import shiny

from modules.shiny_patches import inputs, isolate, startup, tag_checks

log = logging.getLogger(__name__)

WRITTEN_FOR = frozenset({"1.8.0"})
_state = {"active": False}


def supported(version: str) -> bool:
    """True when the patches were written for (and tested against) this Shiny version."""
    return version in WRITTEN_FOR


def active() -> bool:
    """True once install() has applied the patches in this process."""
    return _state["active"]


def install(version: str | None = None) -> bool:
    """Apply every patch if the installed Shiny is one they were written for; say so either way."""
    version = version or shiny.__version__
    if not supported(version):
        log.warning(
            "shiny %s is not a version the patches in modules/shiny_patches were written for "
            "(%s): none applied; re-check isolate.py, startup.py, refresh.py, inputs.py "
            "(and tag_checks.py) against its internals before adding it to WRITTEN_FOR",
            version,
            ", ".join(sorted(WRITTEN_FOR)),
        )
        return False
    isolate.install()
    startup.install()
    inputs.install()
    tag_checks.install()
    _state["active"] = True
    return True
