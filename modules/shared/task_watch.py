"""What every analysis tab shares about its background task: the buttons, and what its end means."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shiny import reactive, ui

from modules.shared.session_state import TabState


def task_panel(run_label: str) -> ui.TagList:
    """The Run and Cancel buttons, the status line and the results area of an analysis tab."""
    return ui.TagList(
        ui.div(
            ui.input_task_button("run", run_label, label_busy="Running…", class_="btn-primary"),
            ui.input_action_button(
                "cancel", "Cancel", class_="btn-outline-secondary", disabled=True
            ),
            class_="d-flex gap-2 mb-2",
        ),
        ui.output_ui("status"),
        ui.output_ui("results"),
    )


def tab_result(
    tab: TabState, name: str, idle: str
) -> tuple[reactive.Value, reactive.Value, reactive.Value]:
    """(last, note, has_result) of an analysis tab, as a reconnected tab saved them under name.

    last holds the last success (kept when a later run fails), note the status line as
    (kind, text), has_result whether the results area was ever drawn.
    """
    saved = tab.saved(name)
    last = reactive.value(saved)
    note = reactive.value(("done", "") if saved is not None else ("idle", idle))
    return last, note, reactive.value(saved is not None)


def watch_task(
    task: Any,
    *,
    cancel: Callable[[], Any],
    last: reactive.Value,
    note: reactive.Value,
    error_message: Callable[[BaseException], str],
    again: str,
    has_result: reactive.Value | None = None,
    keep: Callable[[Any], None] | None = None,
) -> None:
    """Wire the Cancel button to `task` and turn its end into the tab's state.

    Call inside a module server: the effects and the "cancel" button update belong to that
    module's session. Success keeps the result in `last`; a failure or a cancel leaves the
    last result visible and says why in `note`; `again` names the button to press again.
    `keep` saves each success for a reconnect (TabState.keep with the tab's name).
    """

    @reactive.effect
    @reactive.event(cancel)
    def _cancel():
        task.cancel()

    @reactive.effect
    def _collect():
        status = task.status()
        ui.update_action_button("cancel", disabled=status != "running")
        if status == "success":
            last.set(task.result())
            if keep is not None:
                keep(task.result())
            if has_result is not None:
                with reactive.isolate():
                    if not has_result():
                        has_result.set(True)
            note.set(("done", ""))
        elif status == "cancelled":
            note.set(("cancelled", f"Cancelled. The settings are kept; press {again} again."))
        elif status == "error":
            try:
                task.result()
            except Exception as exc:  # every failure becomes a sentence; the server carries on
                note.set(("error", error_message(exc)))
