"""A select of thousands of columns that is drawn in milliseconds: the first options in the
page, the rest found by typing (a search route of the session answers, as Shiny's server-side
selectize does).

A select of 16,000 columns was 16,000 <option> tags: ~0.25 ms each to build with htmltools on
the event loop every user shares (4 s a select, five selects a tab), and 1 MB a tab sent to the
browser. Over MAX_OPTIONS choices, the page gets the chosen options and the first MAX_OPTIONS;
selectize asks the server for the columns whose name or label holds what is typed, at most
MAX_OPTIONS of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from htmltools import Tag, TagList, tags
from shiny import ui
from shiny.session import get_current_session
from starlette.requests import Request
from starlette.responses import JSONResponse

from modules.shared.formatting import fmt_count

MAX_OPTIONS = 100  # options drawn in the page, and answered per search

# selectize calls load(query, callback) as the user types; the answer merges into its options.
LOAD = """function(query, callback) {
  if (!query.length) return callback();
  fetch(%s + "&q=" + encodeURIComponent(query))
    .then(function(r) { return r.ok ? r.json() : []; })
    .then(callback, function() { callback(); });
}"""


def is_wide(choices: Mapping[str, str]) -> bool:
    return len(choices) > MAX_OPTIONS


def matching(choices: Mapping[str, str], query: str, limit: int = MAX_OPTIONS) -> list[dict]:
    """Up to `limit` choices whose value or label holds the query (any case), in order."""
    needle = " ".join(str(query or "").split()).casefold()
    found = []
    if not needle:
        return found
    for value, label in choices.items():
        if needle in value.casefold() or needle in str(label).casefold():
            found.append({"value": value, "label": str(label)})
            if len(found) >= limit:
                break
    return found


def drawn_choices(choices: Mapping[str, str], selected: Sequence[str]) -> dict[str, str]:
    """What goes into the page: the chosen options, then the first MAX_OPTIONS."""
    chosen = {v: choices[v] for v in selected if v in choices}
    first = {}
    for value, label in choices.items():
        if len(first) >= MAX_OPTIONS:
            break
        first[value] = label
    return {**chosen, **first}


def wide_note(choices: Mapping[str, str]) -> str:
    return (
        f"{fmt_count(len(choices))} columns: the first {MAX_OPTIONS} are listed; "
        "type part of a name or label to find any other."
    )


def wide_selectize(
    input_id: str,
    label: Any,
    choices: Mapping[str, str],
    selected: str | Sequence[str] | None,
    *,
    multiple: bool,
    options: dict[str, Any] | None = None,
) -> Tag | TagList:
    """A selectize over many choices: the page holds a bounded part, a search finds the rest."""
    chosen = [selected] if isinstance(selected, str) else list(selected or ())
    config: dict[str, Any] = {**(options or {}), "searchField": ["label", "value"]}
    session = get_current_session()
    if session is not None:
        url = session.dynamic_route(f"wide_select_{input_id}", _search_route(choices))
        config["load"] = ui.js_eval(LOAD % json.dumps(url))
    control = ui.input_selectize(
        input_id,
        label,
        drawn_choices(choices, chosen),
        selected=chosen if multiple else (chosen[0] if chosen else None),
        multiple=multiple,
        width="100%",
        options=config,
    )
    return TagList(control, tags.div(wide_note(choices), class_="form-text mb-2 wide-select-note"))


def column_select(
    input_id: str, label: Any, choices: Mapping[str, str], selected: str | None, **kwargs: Any
) -> Tag | TagList:
    """A select of one column: a plain select as ever, or a wide selectize over MAX_OPTIONS."""
    if is_wide(choices):
        return wide_selectize(input_id, label, choices, selected, multiple=False)
    return ui.input_select(input_id, label, dict(choices), selected=selected, **kwargs)


def _search_route(choices: Mapping[str, str]):
    frozen = dict(choices)  # the choices as drawn: a later draw registers its own

    def answer(request: Request) -> JSONResponse:
        return JSONResponse(matching(frozen, request.query_params.get("q", "")[:200]))

    return answer
