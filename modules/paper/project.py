"""Saving and opening a project on the server: the file's text, a bounded read, and applying
an opened project to the same data only (modules/shared/project_json.py is the format)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modules.paper.sections import title_of
from modules.shared.project_diff import differences
from modules.shared.project_json import Project, ProjectError, project_json, read_project
from modules.shared.session_record import SessionRecord
from utils.dataset import Dataset


@dataclass(frozen=True)
class Applied:
    """What opening a project did: 'ok' (restored), 'differs' or 'error', in sentences."""

    kind: str
    lines: tuple[str, ...]


def save(
    data: Dataset,
    steps: Iterable[Any],
    settings: Mapping[str, Mapping[str, Any]],
    runs: Iterable[tuple[str, str, Any]],
    software: Mapping[str, str],
    *,
    include_data: bool = False,
    figures: Mapping[str, Mapping[str, str]] | None = None,
    imputation: Any = None,
) -> str:
    """The project file's text; in the worker pool: the data's CSV takes seconds on a large
    file (4.6 s for 100,000 rows x 22 columns, bench/session_paper.py)."""
    csv = data.df.to_csv(index=False) if include_data else None
    return project_json(
        data, steps, settings, runs, software, data_csv=csv, figures=figures, imputation=imputation
    )


def read_bounded(path: Path, max_bytes: int) -> tuple[str, tuple[str, ...], Project | None]:
    """Read at most max_bytes + 1 bytes of an uploaded project and parse it (in a worker)."""
    try:
        with path.open("rb") as f:
            text = f.read(max_bytes + 1)
    except OSError:
        return "error", ("The project file could not be read. Choose it again.",), None
    try:
        return "ok", (), read_project(text, max_bytes=max_bytes)
    except ProjectError as exc:
        return "error", (str(exc),), None


def apply(project: Project, data: Dataset | None, record: SessionRecord) -> Applied:
    """Restore the project's settings and cleaning steps when `data` is the project's data."""
    if data is None:
        return Applied("error", ("Load the project's data file on the Data tab first.",))
    differs = differences(project, data)
    if differs:
        return Applied(
            "differs",
            ("This project was saved with other data: nothing was applied.", *differs),
        )
    known = set(record.names())
    settings = {name: t.settings for name, t in project.tabs.items() if name in known}
    ran = {name for name, t in project.tabs.items() if name in known and t.spec is not None}
    restored = record.restore(
        settings, ran, project.steps, project.figures, imputation=project.imputation
    )
    worded = f", the words of {len(project.figures)} figure(s)" if project.figures else ""
    lines = [
        f"Project opened: {len(restored)} tab(s) restored"
        + (f", {len(ran)} run again ({', '.join(title_of(n) for n in sorted(ran))})" if ran else "")
        + f", {len(project.steps)} cleaning step(s){_imputed(project)}{worded}."
    ]
    unknown = [name for name in project.tabs if name not in known]
    if unknown:
        lines.append(f"Tabs this version does not have, left out: {', '.join(unknown)}.")
    return Applied("ok", tuple(lines))


def _imputed(project: Project) -> str:
    """The imputation settings restored, in the sentence's words ('' when there are none)."""
    spec = project.imputation
    if spec is None:
        return ""
    return (
        f", the multiple imputation (m = {spec.m}, {len(spec.variables)} variables, "
        f"seed {spec.seed})"
    )
