"""The status line and warnings of every analysis tab, and how a failed run is worded."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from htmltools import Tag, tags

import logic

log = logging.getLogger(__name__)


def error_message(
    exc: BaseException, *, what: str = "The analysis", fewer: str = "covariates"
) -> str:
    """What to tell the user about a failed run of any tab; unexpected errors are logged, not
    shown (a traceback can carry paths and data)."""
    if isinstance(exc, logic.AnalysisError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return f"The server ran short of memory: use fewer {fewer} or rows, or try later."
    log.error("%s failed", what, exc_info=exc)
    return (
        f"{what} stopped with an unexpected error (logged for the developers). "
        "Your data and settings are kept: try other settings or press Run again."
    )


def _spinner() -> Tag:
    return tags.span(class_="spinner-border spinner-border-sm me-2", role="status")


def status_running(
    seconds: float, *, waiting: bool = False, ahead: int = 0, doing: str = ""
) -> Tag:
    """The line shown while a run is under way (or waiting for its turn, `ahead` others before
    it), with the step it is at when the analysis says ("Crude model 3 of 12")."""
    if waiting:
        place = f"{ahead} ahead of it" if ahead else "it starts next"
        what = f"Waiting for a free worker ({place})… "
        how = "Each browser tab and each user runs a few analyses at once; the rest wait in line."
    else:
        what = f"Running the analysis: {doing}… " if doing else "Running the analysis… "
        how = "The app stays usable; press Cancel to stop it."
    return tags.div(
        _spinner(),
        tags.strong(what),
        f"{seconds:.0f} s. {how}",
        class_="alert alert-primary py-2 mb-0",
        **{"data-state": "waiting" if waiting else "running"},
    )


def status_message(kind: str, text: str, extra: str = "") -> Tag:
    """kind: idle, done, error, cancelled, waiting (also exposed as data-state for tests)."""
    theme = {"idle": "light", "done": "success", "error": "danger", "cancelled": "secondary"}
    return tags.div(
        text,
        tags.div(extra, class_="small mt-1") if extra else None,
        class_=f"alert alert-{theme.get(kind, 'light')} py-2 mb-0",
        role="alert" if kind == "error" else None,
        **{"data-state": kind},
    )


def stale_banner(why: str, run_label: str) -> Tag:
    """The mark on a result that no longer matches the data or the settings on screen."""
    return tags.div(
        tags.strong("Out of date. "),
        f"{why} Press {run_label} to update. The results below belong to the earlier settings; "
        "their downloads are off until you run again.",
        class_="alert alert-warning py-2 mb-2 medstat-stale",
        role="status",
        **{"data-state": "stale"},
    )


def downloads_off(downloads: Sequence[Any], run_label: str) -> Tag:
    """The downloads of an out-of-date result: shown, but disabled, with the reason."""
    return tags.div(
        tags.div(
            *[
                tags.button(d.label, type="button", class_="btn btn-outline-secondary", disabled="")
                for d in downloads
            ],
            class_="d-flex gap-2 flex-wrap",
        ),
        tags.p(
            f"Downloads are off: the settings changed. Press {run_label} to update them.",
            class_="small text-muted mt-1 mb-0",
        ),
        **{"data-state": "downloads-off"},
    )


def warnings_block(
    warnings: Sequence[str],
    *,
    element_id: str = "warnings-list",
    empty: str | None = "No warnings: the model fitted without problems.",
) -> Tag | None:
    """Warnings as an alert list; serious ones (starting 'WARNING:') first and in red.

    With no warnings: the `empty` line (nothing when it is None)."""
    if not warnings:
        if empty is None:
            return None
        return tags.div(empty, class_="alert alert-success py-2 mb-0", id=element_id)
    serious = [w for w in warnings if w.startswith("WARNING:")]
    other = [w for w in warnings if not w.startswith("WARNING:")]
    items = [
        tags.li(w.removeprefix("WARNING:").strip(), class_="text-danger fw-semibold")
        for w in serious
    ] + [tags.li(w) for w in other]
    theme = "danger" if serious else "warning"
    return tags.div(
        tags.strong(f"Please read before using these results ({len(warnings)}):"),
        tags.ul(*items, class_="mb-0 mt-1"),
        class_=f"alert alert-{theme} py-2 mb-0",
        id=element_id,
        role="alert",
    )
