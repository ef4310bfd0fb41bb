"""The words of a figure a user may change before a download: axis titles, legend, group names.

"time" becomes "Days", "1 (n = 120)" becomes "Male (n = 120)". Edits are a plain mapping from a
key that names the text (`title`, `xaxis`, `yaxis2`, `legend`, `name:<original>`,
`tick:<original>`) to the new words, so they can be kept in a tab's saved state and applied to
the next result of the same tab, where a key that no longer exists is simply not used.

Plotly draws a subset of HTML in its text, and the builders escape every user string before it
reaches a figure: texts are shown to the user unescaped and every edit is escaped on the way in.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

import plotly.graph_objects as go

MAX_NAMES = 30  # group names and row labels offered at most (a forest plot of many rows)
MAX_CHARS = 200  # one edited text, at most
AXIS_KEY = re.compile(r"^[xy]axis\d*$")
WITH_TITLE = "with_title"  # keep the title in the file (journals put it in the caption)


@dataclass(frozen=True)
class EditableText:
    """One text of the figure the form offers: its key, what the form calls it, its words now."""

    key: str
    label: str
    text: str


def _plain(text: object) -> str:
    """A figure's text as the user reads it (the builders stored it escaped; no tags)."""
    words = re.sub(r"<[^>]*>", "", str(text or ""))
    return html.unescape(words).strip()


def _axis_label(key: str) -> str:
    axis, number = key[0].upper(), key[5:]
    return f"{axis} axis title" + (f" ({number})" if number else "")


def editable_texts(fig: go.Figure) -> list[EditableText]:
    """The texts of the figure a user may change, in the order the form shows them."""
    found: list[EditableText] = []
    layout = fig.layout
    if layout.title.text:
        found.append(EditableText("title", "Title", _plain(layout.title.text)))
    for key in sorted(k for k in layout.to_plotly_json() if AXIS_KEY.match(k)):
        title = layout[key].title.text
        if title:
            found.append(EditableText(key, _axis_label(key), _plain(title)))
    if layout.legend.title.text:
        found.append(EditableText("legend", "Legend title", _plain(layout.legend.title.text)))
    names: list[EditableText] = []
    seen: set[str] = set()
    for trace in fig.data:
        name = _plain(trace.name)
        if name and trace.showlegend is not False and name not in seen:
            seen.add(name)
            names.append(EditableText(f"name:{name}", "Group", name))
    for tick in layout.yaxis.ticktext or ():  # the rows of a forest plot
        text = _plain(tick)
        if text and not _is_number(text) and f"tick:{text}" not in seen:
            seen.add(f"tick:{text}")
            names.append(EditableText(f"tick:{text}", "Row label", text))
    return found + names[:MAX_NAMES]


def _is_number(text: str) -> bool:
    try:
        float(re.sub(r"[,%\s\u2009]", "", text))
    except ValueError:
        return False
    return True


def clean_edits(edits: Mapping[str, object]) -> dict[str, str]:
    """The edits worth keeping: text keys with new words (trimmed, bounded); the title flag."""
    out: dict[str, str] = {}
    for key, value in edits.items():
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        words = value.strip()[:MAX_CHARS]
        if key == WITH_TITLE:
            if words == "1":
                out[key] = "1"
        elif words:
            out[key] = words
    return out


def _replaced(original: object, new: str) -> str:
    """The original text with its words replaced, its markup (bold, indent) kept if it can be."""
    text, plain = str(original), _plain(original)
    for quote in (True, False):  # the builders' html.escape, or text without quotes escaped
        old = html.escape(plain, quote=quote)
        if old and text.count(old) == 1:
            return text.replace(old, html.escape(new))
    return html.escape(new)


def apply_labels(fig: go.Figure, edits: Mapping[str, str]) -> go.Figure:
    """A copy of the figure with the user's words (escaped) in place of its own."""
    if not edits:
        return fig
    out = go.Figure(fig)
    layout = out.layout
    if "title" in edits and layout.title.text:
        layout.title.text = html.escape(edits["title"])
    for key in list(layout.to_plotly_json()):
        if AXIS_KEY.match(key) and key in edits and layout[key].title.text:
            layout[key].title.text = html.escape(edits[key])
    if "legend" in edits and layout.legend.title.text:
        layout.legend.title.text = html.escape(edits["legend"])
    names = {k[5:]: v for k, v in edits.items() if k.startswith("name:")}
    if names:
        for trace in out.data:
            new = names.get(_plain(trace.name))
            if new is not None:
                trace.name = _replaced(trace.name, new)
    ticks = {k[5:]: v for k, v in edits.items() if k.startswith("tick:")}
    if ticks and layout.yaxis.ticktext:
        layout.yaxis.ticktext = [
            _replaced(t, ticks[_plain(t)]) if _plain(t) in ticks else t
            for t in layout.yaxis.ticktext
        ]
    return out
