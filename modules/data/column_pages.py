"""Which columns the Data tab's editor shows: a page of at most PAGE_SIZE, found by a search.

A file of 16,000 columns drew 16,000 rows of inputs (21 MB of HTML, a minute of the event loop
that every user shares); the editor now draws one page, whatever the width of the file, and the
edits of the other pages are kept by the server (column_editor.py). Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from modules.shared.formatting import fmt_count

PAGE_SIZE = 50  # columns drawn at once; a narrower file is drawn whole, with no pager


@dataclass(frozen=True)
class ColumnPage:
    """The columns (positions in the file) on the page shown, and where that page stands."""

    positions: tuple[int, ...]
    page: int  # 1-based, within [1, pages]
    pages: int
    matching: int  # columns the search finds (all columns without a search)
    total: int  # columns in the file
    query: str = ""

    @property
    def first(self) -> int:
        """1-based number of the first column shown (0 when none is)."""
        return (self.page - 1) * PAGE_SIZE + 1 if self.positions else 0

    @property
    def last(self) -> int:
        return self.first + len(self.positions) - 1 if self.positions else 0


def search_keys(names: Sequence[str], labels: Sequence[str]) -> tuple[str, ...]:
    """What a search looks in, per column: the name and the label, in lower case."""
    return tuple(f"{name}\x00{label}".casefold() for name, label in zip(names, labels, strict=True))


def is_paged(total: int) -> bool:
    """A file wider than a page gets the search box and the pager; a narrower one does not."""
    return total > PAGE_SIZE


def page_of(keys: Sequence[str], query: str, page: int) -> ColumnPage:
    """The columns of page `page` (clamped) among those whose name or label holds `query`."""
    needle = " ".join(str(query or "").split()).casefold()
    everything = range(len(keys))
    found = [i for i, key in enumerate(keys) if needle in key] if needle else everything
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(max(1, _as_int(page)), pages)
    start = (page - 1) * PAGE_SIZE
    return ColumnPage(
        positions=tuple(found[start : start + PAGE_SIZE]),
        page=page,
        pages=pages,
        matching=len(found),
        total=len(keys),
        query=needle,
    )


def showing_text(view: ColumnPage) -> str:
    """'Showing 1-50 of 16,000 columns', or of those a search found."""
    if view.query and not view.positions:
        return (
            f"No column name or label contains '{view.query}' "
            f"({fmt_count(view.total)} columns in all). Change or clear the search."
        )
    shown = f"Showing {fmt_count(view.first)}–{fmt_count(view.last)} of "
    if view.query:
        return (
            shown + f"{fmt_count(view.matching)} {_columns(view.matching)} matching '{view.query}' "
            f"({fmt_count(view.total)} in all)"
        )
    return shown + f"{fmt_count(view.total)} columns"


def _columns(count: int) -> str:
    return "column" if count == 1 else "columns"


def _as_int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return 1
