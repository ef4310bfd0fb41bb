"""What differs between the data a project was saved with and the data loaded now.

An opened project applies nothing unless the data is the same (same fingerprint: same file
content, read options and column kinds); otherwise these sentences say exactly what differs.
"""

from __future__ import annotations

from modules.shared.project_json import Project
from utils.dataset import Dataset

SHOWN = 12  # names listed per difference; the rest are counted


def differences(project: Project, dataset: Dataset) -> list[str]:
    """Sentences, one per difference; empty when the data is the project's."""
    if dataset.fingerprint == project.fingerprint:
        return []
    saved = {c.name: c.kind for c in project.columns}
    now = {name: meta.kind for name, meta in dataset.columns.items()}
    out = []
    if project.data_name and project.data_name != dataset.name:
        out.append(
            f"The project was saved with '{project.data_name}'; the data now is '{dataset.name}'."
        )
    if project.rows != len(dataset.df):
        out.append(
            f"The project's data had {project.rows:,} row(s); the data now has {len(dataset.df):,}."
        )
    missing = [n for n in saved if n not in now]
    if missing:
        out.append(f"Columns missing from the data now ({len(missing)}): {_names(missing)}.")
    extra = [n for n in now if n not in saved]
    if extra:
        out.append(f"Columns the project's data did not have ({len(extra)}): {_names(extra)}.")
    kinds = [
        f"{n} ({saved[n]} in the project, {now[n]} now)"
        for n in saved
        if n in now and saved[n] != now[n]
    ]
    if kinds:
        out.append(
            f"Column kinds that differ ({len(kinds)}): {_names(kinds)}. Set them on the Data tab "
            "if this is the same file."
        )
    if not out or (len(out) == 1 and out[0].startswith("The project was saved with")):
        out.append(
            "The columns and their kinds are the same, but the values differ (another version "
            "of the file, or read with other options)."
        )
    out.append(
        f"Fingerprint of the project's data {project.fingerprint[:12]}, "
        f"of the data now {dataset.fingerprint[:12]}."
    )
    return out


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN])
    return shown + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")
