"""The "Script (Python)" download every analysis tab offers for the analysis it can script:
a standalone script that rereads the raw file, redoes the cleaning steps and recomputes the
tables of the result on screen (modules/shared/script_export)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from shiny import ui

from modules.shared.analysis_tab import Download
from modules.shared.script_export import SCRIPTED_KINDS, ScriptError, script_for
from modules.shared.script_export.coverage import left_out
from utils.dataset import Dataset

log = logging.getLogger(__name__)


def script_text(kind: str, dataset: Dataset, spec: Any, result: Any) -> str:
    """The script of one run on this data; what cannot be scripted gives a script that says
    why and stops, so the file explains itself too."""
    try:
        return script_for(dataset.read_options, dataset.steps, [(kind, spec, result)])
    except ScriptError as exc:
        return f"import sys\n\nsys.exit({f'MedStat could not write this script: {exc}'!r})\n"


def left_out_note(kind: str, spec: Any) -> str:
    """The download's note: the tables of this run the script does not redo ("" when none)."""
    parts = left_out(kind, spec)
    if not parts:
        return ""
    return (
        f"The script redoes this analysis's tables except {'; '.join(parts)}: "
        "they are named at its top."
    )


def script_downloads(
    kind: str, dataset: Callable[[], Dataset | None], spec: Callable[[], Any]
) -> list[Download]:
    """The script download of an analysis `kind` ([] when its analysis cannot be scripted)."""
    if kind not in SCRIPTED_KINDS:
        return []

    def build(view: Any) -> str:
        ds = dataset()
        if ds is None:
            raise ValueError("There is no data.")
        text = script_text(kind, ds, spec(), view.result)
        if text.startswith("import sys\n\nsys.exit("):
            ui.notification_show(text.split("sys.exit(", 1)[1][1:-3], type="warning", duration=12)
        elif note := left_out_note(kind, spec()):
            ui.notification_show(note, type="message", duration=12)
        log.info("script export %s: %d lines", kind, text.count("\n"))
        return text

    return [Download("download_script", "Script (Python)", "script.py", build)]
