"""Pure builders for the Data cleaning tab: the group editor, the chosen mapping, stats, files.

Every label comes from the user's file, so everything is built with htmltools tags (escaped).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from htmltools import Tag, TagList, tags
from shiny import ui

from matching.proposals import TICK_AT
from matching.similarity import Harmonization
from modules.shared.csv_safety import csv_text
from modules.shared.table_csv import COMMA, CsvStyle
from utils.dataset import Dataset

CLEANABLE_KINDS = ("binary", "categorical", "text")


def cleanable_columns(dataset: Dataset) -> dict[str, str]:
    """Columns whose labels can be harmonised (factors and free text), name -> label."""
    return {n: m.label for n, m in dataset.columns.items() if m.kind in CLEANABLE_KINDS}


def merge_id(gen: int, g: int) -> str:
    return f"merge_{gen}_{g}"


def name_id(gen: int, g: int) -> str:
    return f"name_{gen}_{g}"


def member_id(gen: int, g: int, m: int) -> str:
    return f"member_{gen}_{g}_{m}"


def proposed(result: Harmonization) -> list[tuple[int, tuple[str, ...]]]:
    """(index, members) of the groups worth a decision: two labels or more."""
    return [(g, members) for g, members in enumerate(result.groups) if len(members) > 1]


def unsure_labels(result: Harmonization) -> set[str]:
    """Labels in a pair the cascade was unsure about."""
    return {label for a, b, _ in result.unsure for label in (a, b)}


def _confidence_badge(value: float, what: str = "confidence") -> Tag:
    level = "success" if value >= TICK_AT else "warning" if value >= 0.8 else "danger"
    return tags.span(
        f"{what} {value:.2f}",
        class_=f"badge text-bg-{level} ms-2",
        title="the share of merges like this one that were right when tested",
    )


def _rows(n: int) -> str:
    return f" {n} row" if n == 1 else f" {n} rows"


def group_card(result: Harmonization, gen: int, g: int, members: tuple[str, ...]) -> Tag:
    """One proposed group: merge on/off, the canonical label (editable), members to keep.

    Each member shows why it is proposed and a calibrated confidence; only the proposals at
    high confidence (matching/proposals.py, TICK_AT) start ticked."""
    head = members[0]
    doubtful = unsure_labels(result)
    total = sum(result.counts.get(m, 0) for m in members)
    rows = []
    for m, label in enumerate(members):
        proposal = result.proposals.get(label)
        flag = (
            tags.span("unsure", class_="badge text-bg-warning ms-1", title="check this one")
            if label in doubtful
            else None
        )
        why = (
            tags.span(
                tags.span(proposal.reason, class_="cleaning-reason"),
                _confidence_badge(proposal.confidence),
                class_="small text-muted ms-2",
            )
            if proposal is not None
            else tags.span("kept as the name", class_="small text-muted ms-2")
        )
        rows.append(
            tags.div(
                ui.input_checkbox(
                    member_id(gen, g, m), None, value=proposal is None or proposal.ticked
                ),
                tags.code(label, class_="ms-1"),
                tags.span(_rows(result.counts.get(label, 0)), class_="text-muted small"),
                why,
                flag,
                class_="d-flex align-items-center gap-1 cleaning-member",
                **{"data-ticked": str(proposal is None or proposal.ticked).lower()},
            )
        )
    proposals = [result.proposals[m] for m in members if m in result.proposals]
    confidence = min((p.confidence for p in proposals), default=1.0)
    return tags.div(
        tags.div(
            ui.input_checkbox(
                merge_id(gen, g), "Merge into", value=any(p.ticked for p in proposals)
            ),
            ui.input_text(name_id(gen, g), None, value=head, width="260px"),
            tags.span(f"{len(members)} labels, {total} rows", class_="text-muted small ms-2"),
            _confidence_badge(confidence, "lowest confidence"),
            class_="d-flex align-items-center gap-2 flex-wrap",
        ),
        tags.div(*rows, class_="ms-4 mt-1"),
        class_="border rounded p-2 mb-2 cleaning-group",
        **{"data-group": str(g)},
    )


def groups_editor(result: Harmonization, gen: int) -> Tag | TagList:
    """All proposed groups of a column, or a line saying there is nothing to merge."""
    groups = proposed(result)
    alone = sum(1 for members in result.groups if len(members) == 1)
    if not groups:
        return tags.p(
            f"No labels to merge: the {len(result.counts)} labels all look different.",
            id="cleaning-nothing",
            class_="text-muted",
        )
    return TagList(
        tags.p(
            f"{len(groups)} group(s) of labels that look alike; {alone} label(s) stand alone. "
            "Untick a group to reject it, untick a label to split it out, edit the name to "
            "choose the label kept. Each label says why it is proposed; its confidence is the "
            "share of merges of that kind that were right on a labelled test set of clinical "
            f"labels. Only those at {TICK_AT:.2f} or more start ticked: tick the others "
            "yourself if they are right. Labels that differ by a negation, an opposite, a "
            "number, stage, grade or dose, or an acronym are never proposed together.",
            class_="small text-muted",
        ),
        tags.div(*(group_card(result, gen, g, m) for g, m in groups), id="cleaning-group-list"),
    )


def chosen_mapping(result: Harmonization, gen: int, value: Callable[[str], Any]) -> dict[str, str]:
    """label -> new label for the accepted groups and ticked members (value(id) reads inputs)."""
    mapping: dict[str, str] = {}
    for g, members in proposed(result):
        if not value(merge_id(gen, g)):
            continue
        name = " ".join(str(value(name_id(gen, g)) or members[0]).split()) or members[0]
        kept = [label for m, label in enumerate(members) if value(member_id(gen, g, m))]
        mapping.update({label: name for label in kept if label != name})
    return mapping


def stats_line(result: Harmonization, worker: dict[str, float]) -> Tag:
    """Pairs compared, how they were decided, the model's part and memory."""
    s = result.stats
    pairs = int(s.get("pairs", 0))
    early = int(s.get("early_exits", 0))
    share = f" ({100 * early / pairs:.0f}%)" if pairs else ""
    if result.mode == "embeddings":
        model = (
            f"embedding model used for {int(s.get('band_pairs', 0))} uncertain pair(s), "
            f"{int(s.get('embedded_labels', 0))} label(s) embedded"
        )
    elif result.note:
        model = f"rapidfuzz only: {result.note}"
    else:
        model = "rapidfuzz only: no uncertain pairs, the embedding model was not needed"
    running = worker.get("running", 0.0) > 0
    memory = (
        f"Embedding model running, {worker.get('worker_rss_mb', 0):.0f} MB of memory"
        if running
        else "Embedding model not running (no memory used)"
    )
    return tags.div(
        tags.span(
            f"{len(result.counts)} labels, {pairs} pairs: {early} decided by exact or fuzzy "
            f"matching{share}; {model}. "
        ),
        tags.span(f"{memory}. ", id="cleaning-worker"),
        tags.span(f"{s.get('seconds', 0.0):.2f} s."),
        class_="small text-muted",
        id="cleaning-stats-line",
        **{"data-mode": result.mode},
    )


def history_list(steps: list, labels: dict[str, str], skipped: tuple[str, ...] = ()) -> Tag:
    """The applied steps, newest last, and any that no longer fit the data (named, with why)."""
    if not steps:
        return tags.p(
            "No changes applied yet.", class_="text-muted small", id="cleaning-history-list"
        )
    problems = (
        tags.div(
            *(tags.div(text) for text in skipped),
            class_="alert alert-warning small py-1 px-2 mb-1",
            id="cleaning-skipped",
        )
        if skipped
        else None
    )
    return tags.div(
        tags.ol(*(tags.li(step_text(s, labels)) for s in steps), class_="small mb-1"),
        problems,
        id="cleaning-history-list",
    )


def step_text(step, labels: dict[str, str]) -> str:
    """One line for a step of the history."""
    if hasattr(step, "describe"):  # a codebook step, or one from prep/
        return step.describe()
    column, mapping = step
    into = len(set(mapping.values()))
    return f"{labels.get(column, column)}: {len(mapping)} label(s) merged into {into}"


def file_stem(dataset: Dataset | None, what: str) -> str:
    """A download's name: the data's name made safe, what it is, and today's date."""
    name = (dataset.name.rsplit(".", 1)[0] if dataset else "data")[:40] or "data"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    return f"{safe}_{what}_{dt.date.today():%Y-%m-%d}"


def cleaned_csv(dataset: Dataset, style: CsvStyle = COMMA) -> str:
    """The cleaned data as CSV in the style asked for (`;` and decimal commas, or `,`), text
    cells neutralised against spreadsheet formulas."""
    return csv_text(dataset.df, sep=style.sep, decimal=style.decimal)
