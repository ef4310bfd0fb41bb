"""The status line and warnings of every analysis tab, and how a failed run is worded."""

from __future__ import annotations

import logging

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


def status_running(seconds: float) -> Tag:
    return tags.div(
        _spinner(),
        tags.strong("Running the analysis… "),
        f"{seconds:.0f} s. The app stays usable; press Cancel to stop waiting.",
        class_="alert alert-primary py-2 mb-0",
        **{"data-state": "running"},
    )


def status_message(kind: str, text: str, extra: str = "") -> Tag:
    """kind: idle, done, error, cancelled (also exposed as data-state for tests)."""
    theme = {"idle": "light", "done": "success", "error": "danger", "cancelled": "secondary"}
    return tags.div(
        text,
        tags.div(extra, class_="small mt-1") if extra else None,
        class_=f"alert alert-{theme.get(kind, 'light')} py-2 mb-0",
        role="alert" if kind == "error" else None,
        **{"data-state": kind},
    )


def warnings_block(warnings: tuple[str, ...] | list[str]) -> Tag:
    """Warnings as an alert list; serious ones (starting 'WARNING:') first and in red."""
    if not warnings:
        return tags.div(
            "No warnings: the model fitted without problems.",
            class_="alert alert-success py-2 mb-0",
            id="warnings-list",
        )
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
        id="warnings-list",
        role="alert",
    )
