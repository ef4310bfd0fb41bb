"""The whole session as one Python script: every current analysis the script export can redo,
and, in a comment at its top, the ones it cannot (modules/shared/script_export).

`session_script` is pure: the cleaned data's read options and steps, and the runs as
(title, kind, spec, result) in the record's order (stale runs are left out by the caller).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from modules.shared.script_export import SCRIPTED_KINDS, ScriptError, script_for
from modules.shared.script_export.runs import call_for

SHEBANG = "#!/usr/bin/env python3\n"
# Spec options whose extra tables the script does not redo (its main tables are the app's).
NOT_SCRIPTED_OPTIONS = (
    ("subgroups", "the subgroup table"),
    ("interactions", "the interaction table"),
    ("calibration", "calibration, decision curve and bootstrap validation"),
    ("imputation", "the model pooled over the imputed data (multiple imputation)"),
)


def refusal(reason: str) -> str:
    """A script that says why it is empty and stops: the file explains itself."""
    return f"import sys\n\nsys.exit({f'MedStat could not write this script: {reason}'!r})\n"


def _left_out_options(spec: Any) -> list[str]:
    return [words for option, words in NOT_SCRIPTED_OPTIONS if getattr(spec, option, None)]


def session_script(
    read_options: Mapping[str, Any] | Iterable[tuple[str, Any]],
    steps: Sequence[Any],
    runs: Sequence[tuple[str, str, Any, Any]],
) -> str:
    """The script of every scriptable run; the others named (with why) in its first lines."""
    kept, notes = [], []
    for title, kind, spec, result in runs:
        if kind not in SCRIPTED_KINDS:
            notes.append(f"{title}: this analysis cannot be written into a script yet.")
            continue
        try:
            call_for(kind, spec, result, 1)
        except ScriptError as exc:
            notes.append(f"{title}: {exc}")
            continue
        kept.append((kind, spec, result))
        parts = _left_out_options(spec)
        if parts:
            notes.append(f"{title}: its main tables are here, not {', '.join(parts)}.")
    if not kept:
        why = " ".join(notes) or "there is no current analysis: run one first."
        return refusal(why if not notes else f"no analysis here can be scripted. {why}")
    try:
        text = script_for(read_options, steps, kept)
    except ScriptError as exc:
        return refusal(str(exc))
    if not notes:
        return text
    lines = ["# Not in this script (MedStat cannot write them as a script yet):"]
    for note in notes:
        wrapped = textwrap.wrap(note, 92)
        lines += [f"#   - {wrapped[0]}", *(f"#     {w}" for w in wrapped[1:])]
    body = text.removeprefix(SHEBANG)
    return SHEBANG + "\n".join(lines) + "\n" + body
