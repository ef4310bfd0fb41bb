"""The cleaning steps and read options as plain records the script holds as Python literals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Steps the script redoes (prep/, matching/recode.py and codebook_apply.py); the others are
# refused, named.
SCRIPTED_STEPS = (
    "value labels",
    "label merge",
    "transform",
    "cut",
    "combine levels",
    "formula",
    "row filter",
    "codebook",
    "propensity sample",
)


class ScriptError(ValueError):
    """What cannot be written into a script, in a sentence for the user."""


def step_record(step: Any) -> dict:
    """One step as the script's STEPS list holds it."""
    if isinstance(step, tuple) and len(step) == 2:  # a label merge: (column, old -> new)
        column, mapping = step
        changes = {str(k): str(v) for k, v in sorted(mapping.items()) if str(k) != str(v)}
        return {"step": "label merge", "column": column, "mapping": changes}
    record = step.as_json() if hasattr(step, "as_json") else {}
    if "codebook" in record and "columns" in record:  # matching/codebook_apply.CodebookStep
        return codebook_record(record)
    kind = record.get("step")
    if kind not in SCRIPTED_STEPS:
        what = step.describe() if hasattr(step, "describe") else type(step).__name__
        raise ScriptError(
            f"The cleaning step '{what}' cannot be written into a script yet. Download the "
            "script before adding it, or redo that step by hand in the script."
        )
    if kind == "transform":  # the measured centre and divisor, not only the formula's text
        record.update(center=float(step.center), scale=float(step.scale))
    if kind == "propensity sample":  # prep/matched_sample.py: the rows kept and their weights
        record.update(rows=list(step.rows), weights=list(step.weights), sets=list(step.sets))
    return record


def codebook_record(record: dict) -> dict:
    """A codebook step as the script redoes it: per column, the type it sets and the explicit
    mapping of the data's labels to the codebook's values (labels and kinds are MedStat's
    presentation; the script needs only the values)."""
    columns = [
        {"column": c["column"], "type": c["type"], "mapping": dict(c["mapping"])}
        for c in record["columns"]
    ]
    return {"step": "codebook", "codebook": record["codebook"], "columns": columns}


def step_records(steps: Iterable[Any]) -> list[dict]:
    return [step_record(step) for step in steps]


def read_record(read_options: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> dict:
    """How MedStat read the file (utils/data_io.py), as the script's READ_OPTIONS."""
    options = dict(read_options)
    if options.get("format") not in ("text", "xlsx") or "columns" not in options:
        raise ScriptError(
            "How the data file was read is not known (it was not uploaded as a file), so a "
            "script cannot read it. Upload the file on the Data tab and run the analysis again."
        )
    options["columns"] = list(options["columns"])
    if "text_columns" in options:
        options["text_columns"] = list(options["text_columns"])
    return options
