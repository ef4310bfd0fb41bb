"""Pure builders for the Data tab: the dataset summary, the column editor and the preview frame."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from htmltools import Tag, TagList, tags
from shiny import ui

from modules.shared.formatting import fmt_count
from utils.dataset import KINDS, Dataset

PREVIEW_ROWS = 20
LEVELS_SHOWN = 6
KIND_HELP = {
    "binary": "binary (two values)",
    "categorical": "categorical (groups)",
    "continuous": "continuous (number)",
    "count": "count (whole numbers)",
    "date": "date",
    "id": "id (not analysed)",
    "text": "free text (not analysed)",
}
PREVIEW_CHARS = 60


def kind_input_id(generation: int, index: int) -> str:
    """Input id of a column's kind select; the generation keeps ids of an old upload apart."""
    return f"kind_{generation}_{index}"


def label_input_id(generation: int, index: int) -> str:
    """Input id of a column's label text box."""
    return f"label_{generation}_{index}"


def summary(dataset: Dataset, is_example: bool) -> TagList:
    """Name, size, reading notes and, for the example, how to use your own data."""
    rows, cols = dataset.df.shape
    parts: list[Tag] = [
        tags.h5(dataset.name, id="dataset-name", class_="mb-1"),
        tags.p(
            f"{fmt_count(rows)} rows × {fmt_count(cols)} columns",
            id="dataset-shape",
            class_="text-muted mb-2",
        ),
    ]
    if is_example:
        parts.append(
            tags.div(
                tags.strong("This is the example dataset "),
                "(simulated patients, not real people). To analyse your own data, upload a "
                "CSV, TSV, TXT or Excel file with one row per patient and one column per "
                "variable, using the Upload box on the left.",
                class_="alert alert-info py-2 mb-2",
                id="example-note",
            )
        )
    if dataset.notes:
        parts.append(
            tags.div(
                tags.strong("Notes from reading the file"),
                tags.ul(*[tags.li(note) for note in dataset.notes], class_="mb-0"),
                class_="alert alert-secondary py-2 mb-0",
                id="dataset-notes",
            )
        )
    return TagList(*parts)


def _levels_preview(levels: tuple[str, ...], series: pd.Series, kind: str) -> str:
    if levels:
        shown = ", ".join(levels[:LEVELS_SHOWN])
        more = len(levels) - LEVELS_SHOWN
        return f"{shown}, … (+{more} more)" if more > 0 else shown
    if kind in ("continuous", "count"):
        numbers = pd.to_numeric(series, errors="coerce")
        if numbers.notna().any():
            return f"range {numbers.min():g} to {numbers.max():g}"
    return ""


def column_editor(
    dataset: Dataset,
    generation: int,
    positions: Sequence[int] | None = None,
    edits: Mapping[str, tuple[str | None, str | None]] | None = None,
) -> Tag:
    """One row per column shown (the positions of a page; all without): detected kind (select to
    override), label (editable), missing, levels. `edits` (name -> kind, label) are what the user
    chose on an earlier visit to the page, drawn instead of the detected kind and label."""
    n = len(dataset.df)
    names = list(dataset.columns)
    edits = edits or {}
    rows = []
    for i in range(len(names)) if positions is None else positions:
        name = names[i]
        meta = dataset.meta(name)
        kind_edit, label_edit = edits.get(name, (None, None))
        pct = 100.0 * meta.n_missing / n if n else 0.0
        kind = ui.input_select(
            kind_input_id(generation, i),
            None,
            choices={k: KIND_HELP.get(k, k) for k in KINDS},
            selected=kind_edit or meta.kind,
            width="100%",
        )
        label = ui.input_text(
            label_input_id(generation, i), None, value=label_edit or meta.label, width="100%"
        )
        rows.append(
            tags.tr(
                tags.td(tags.code(name)),
                tags.td(kind, class_="kind-cell"),
                tags.td(label, class_="label-cell"),
                tags.td(f"{fmt_count(meta.n_missing)} ({pct:.1f}%)", class_="text-nowrap"),
                tags.td(_levels_preview(meta.levels, dataset.df[name], meta.kind), class_="small"),
            )
        )
    head = ["Column", "Kind (change if wrong)", "Label (shown in tables)", "Missing", "Values"]
    return tags.div(
        tags.table(
            tags.thead(tags.tr(*[tags.th(h, scope="col") for h in head])),
            tags.tbody(*rows),
            class_="table table-sm align-middle medstat-columns",
            id="column-table",
        ),
        class_="table-responsive",
    )


def preview_frame(df: pd.DataFrame, rows: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The first rows as short text: missing values empty (never 'nan'), dates without 00:00."""
    head = df.head(rows)
    text = {str(column): _cells(head[column]) for column in head.columns}
    return pd.DataFrame(text, columns=list(text))


def _cells(values: pd.Series) -> list[str]:
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = values.dropna()
        midnight = bool((stamps == stamps.dt.normalize()).all())
        values = values.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M")
    out = []
    for value in values.tolist():
        cell = "" if _missing(value) else str(value)
        out.append(cell if len(cell) <= PREVIEW_CHARS else cell[: PREVIEW_CHARS - 1] + "…")
    return out


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
