"""Pure builders for the codebook card: the match table, the value editors, the chosen step.

Variable names, labels, column names and values all come from users' files: everything is
built with htmltools tags (escaped). Inputs carry indexes, never the users' strings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from htmltools import Tag, TagList, tags
from shiny import ui

from matching.codebook import Codebook
from matching.codebook_apply import CodebookStep, ColumnRule, codebook_step
from matching.codebook_match import CodebookMatch, VariableMatch
from matching.value_match import ValueMatch

KEEP = "keep"  # a data label left as it is ("not in codebook")
MAX_CHOICES = 60  # columns offered per row when the data has more
MAX_VALUE_ROWS = 100  # labels shown per column; the rarer ones stay as they are
MAX_NAMES = 50  # unmatched names listed in the summary line


def accept_id(gen: int, i: int) -> str:
    return f"cb_accept_{gen}_{i}"


def column_id(gen: int, i: int) -> str:
    return f"cb_column_{gen}_{i}"


def value_id(gen: int, i: int, column: int, k: int) -> str:
    return f"cb_value_{gen}_{i}_{column}_{k}"


def column_choice(value: object, columns: list[str]) -> str | None:
    """The column a select names ('c3' -> columns[3]); None for no column or a stale value."""
    text = str(value or "")
    if not text.startswith("c") or not text[1:].isdigit() or int(text[1:]) >= len(columns):
        return None
    return columns[int(text[1:])]


def column_choices(
    match: VariableMatch, columns: list[str], free: list[str], index: dict[str, int]
) -> dict[str, str]:
    """A row's column choices: all columns when few; else the proposal, its runners-up and the
    columns no variable took, so a 2,000-variable dictionary does not send millions of options."""
    if len(columns) <= MAX_CHOICES:
        names = columns
    else:
        names = list(dict.fromkeys([*filter(None, [match.column]), *match.alternatives, *free]))
        names = names[:MAX_CHOICES]
    return {"": "(no column)", **{f"c{index[n]}": n for n in names if n in index}}


def _badge(text: str, level: str, title: str = "") -> Tag:
    return tags.span(text, class_=f"badge text-bg-{level} ms-1", title=title or None)


def _confidence(match: VariableMatch) -> Tag:
    if match.column is None:
        return _badge("no match", "secondary")
    level = "success" if match.score >= 0.9 else "warning" if match.score >= 0.75 else "danger"
    return _badge(f"{match.score:.2f}", level, f"matched by {match.how}")


def match_table(result: CodebookMatch, columns: list[str], gen: int) -> Tag:
    """One row per codebook variable: accept, the column (editable), confidence, type."""
    index = {name: k for k, name in enumerate(columns)}
    unmatched = set(result.unmatched_columns)
    free = [c for c in columns if c in unmatched]
    rows = []
    for i, m in enumerate(result.variables):
        selected = f"c{index[m.column]}" if m.column in index else ""
        choices = column_choices(m, columns, free, index)
        accept = ui.input_checkbox(accept_id(gen, i), None, value=bool(selected) and not m.unsure)
        select = ui.input_select(column_id(gen, i), None, choices, selected=selected, width="220px")
        unsure = _badge("unsure", "warning", "check this one") if m.unsure else None
        rows.append(
            tags.tr(
                tags.td(accept),
                tags.td(tags.code(m.variable), tags.div(m.label, class_="small text-muted")),
                tags.td(select),
                tags.td(_confidence(m), unsure),
                tags.td(m.type or "(kept)", class_="small"),
                class_="codebook-row" + (" codebook-unsure" if m.unsure else ""),
                **{"data-variable": m.variable},
            )
        )
    head = tags.tr(
        *(tags.th(h) for h in ("Use", "Codebook variable", "Data column", "Match", "Type"))
    )
    return tags.table(
        tags.thead(head),
        tags.tbody(*rows),
        class_="table table-sm medstat-columns",
        id="codebook-match-table",
    )


def summary_line(result: CodebookMatch, name: str) -> Tag:
    """Counts, unmatched names on both sides, and how the comparison ran; `name` is the file
    name this session uploaded the codebook under (the shared result holds none)."""
    matched = int(result.stats.get("matched", 0))
    unsure = int(result.stats.get("unsure", 0))
    how = (
        "with the embedding model for uncertain pairs"
        if result.mode == "embeddings"
        else (f"rapidfuzz only: {result.note}" if result.note else "rapidfuzz only")
    )
    parts: list[Any] = [
        tags.span(
            f"'{name}': {matched} of {len(result.variables)} variables matched, "
            f"{unsure} unsure ({how}, {result.stats.get('seconds', 0):.2f} s). "
        )
    ]
    if result.unmatched_variables:
        parts.append(tags.div("Not in the data: " + _some(result.unmatched_variables)))
    if result.unmatched_columns:
        parts.append(tags.div("Columns not in the codebook: " + _some(result.unmatched_columns)))
    return tags.div(*parts, class_="small text-muted mb-2", id="codebook-summary")


def _some(names: tuple[str, ...]) -> str:
    """The first MAX_NAMES names, and how many more (a wide file leaves thousands unmatched)."""
    more = len(names) - MAX_NAMES
    return ", ".join(names[:MAX_NAMES]) + (f" and {more:,} more" if more > 0 else "")


def value_editor(
    i: int,
    variable: str,
    column: str,
    column_index: int,
    matches: tuple[ValueMatch, ...],
    allowed: tuple[str, ...],
    gen: int,
    previous: Callable[[str], Any],
) -> Tag:
    """Each data label of one column -> an allowed value or 'not in codebook' (flagged)."""
    choices = {**{f"v{k}": v for k, v in enumerate(allowed)}, KEEP: "(not in codebook: keep)"}
    rows = []
    for k, m in enumerate(matches[:MAX_VALUE_ROWS]):
        input_id = value_id(gen, i, column_index, k)
        default = f"v{allowed.index(m.value)}" if m.value in allowed else KEEP
        chosen = previous(input_id)
        flag = (
            _badge("not in codebook", "danger")
            if m.value is None
            else _badge("unsure", "warning")
            if m.unsure
            else None
        )
        selected = chosen if chosen in choices else default
        select = ui.input_select(input_id, None, choices, selected=selected, width="240px")
        rows.append(
            tags.tr(
                tags.td(
                    tags.code(m.label),
                    tags.span(f" {m.rows} rows", class_="small text-muted"),
                    class_="label-cell",
                ),
                tags.td(select),
                tags.td(flag),
                class_="codebook-value" + (" codebook-outside" if m.value is None else ""),
            )
        )
    hidden = len(matches) - MAX_VALUE_ROWS
    more = (
        tags.p(f"{hidden} rarer label(s) not shown: they stay as they are.", class_="small")
        if hidden > 0
        else None
    )
    return tags.div(
        tags.strong(f"{variable} → {column}"),
        tags.table(tags.tbody(*rows), class_="table table-sm medstat-columns mb-1"),
        more,
        class_="codebook-values",
        **{"data-variable": variable},
    )


def chosen_step(
    codebook: Codebook,
    result: CodebookMatch,
    columns: list[str],
    gen: int,
    value: Callable[[str], Any],
    values_of: Callable[[int, str], tuple[ValueMatch, ...]],
) -> tuple[CodebookStep | None, str]:
    """The accepted rows as a step, or None and why (nothing ticked, a column used twice)."""
    rules, used = [], {}
    for i, m in enumerate(result.variables):
        column = column_choice(value(column_id(gen, i)), columns)
        if not value(accept_id(gen, i)) or column is None:
            continue
        if column in used:
            return None, f"'{column}' is chosen for both '{used[column]}' and '{m.variable}'."
        used[column] = m.variable
        entry = codebook.entry(m.variable)
        mapping = []
        if entry.type == "categorical" and entry.values:
            k_col = columns.index(column)
            for k, vm in enumerate(values_of(i, column)[:MAX_VALUE_ROWS]):
                picked = str(value(value_id(gen, i, k_col, k)) or "")
                default = entry.values.index(vm.value) if vm.value in entry.values else None
                pick = int(picked[1:]) if picked[1:].isdigit() else default if not picked else None
                if pick is not None and pick < len(entry.values):
                    mapping.append((vm.label, entry.values[pick]))
        rules.append(
            ColumnRule(column, m.variable, entry.label, entry.type, tuple(mapping), entry.values)
        )
    if not rules:
        return None, "No match is ticked: nothing changed."
    return codebook_step(codebook.name, codebook.fingerprint, rules), ""


def nothing_yet() -> TagList:
    return TagList(tags.p("No codebook yet.", class_="text-muted", id="codebook-none"))
