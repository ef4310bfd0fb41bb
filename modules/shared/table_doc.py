"""One model of a publishable table, from which the page, Word and CSV are all drawn.

A `TableDoc` is display strings only, exactly as the screen shows them (same text, numbers and
rounding): a title, one header row (with optional spanning headings above it), body rows,
footnotes and abbreviations. Writers turn it into a journal-style Word table
(`docx_tables.py`) or a wide CSV (`table_csv.py`); a tab builds its TableDocs once from its
view (`AnalysisTab.tables`), so the formats cannot disagree with each other.

The shape is checked when a TableDoc is made: every body row has as many cells as the header,
and spanning headings lie over distinct columns of it. A table whose columns do not line up
cannot be built, let alone downloaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

INDENT_SPACES = 4  # a level of indent in plain text (CSV): what a level row looks like on screen


@dataclass(frozen=True)
class Span:
    """A heading over columns `first` .. `first + width - 1` of the header row."""

    text: str
    first: int
    width: int

    @property
    def columns(self) -> range:
        return range(self.first, self.first + self.width)


@dataclass(frozen=True)
class Row:
    """One body row: its cells (the first names the row), an indent level, `bold` for a row
    whose name is printed bold (a variable over its levels), and `marks`: a footnote mark
    after a cell's text (superscript on the page and in Word; '' for none), one per cell or
    none at all."""

    cells: tuple[str, ...]
    level: int = 0
    bold: bool = False
    marks: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableDoc:
    """A table as a journal prints it; every field is display text.

    `stem` names its file ("table1", "outcome_adjusted"); `text_columns` is how many leading
    columns hold names (of variables, levels) rather than numbers: a decimal comma is never
    written into them. `abbreviations` are (short, meaning) pairs, printed as one line.
    `mark_notes` name what each footnote mark stands for in a few words (a CSV has no
    footnotes: it gets a column `mark_column` of these names beside the marked column).
    """

    stem: str
    title: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    spans: tuple[Span, ...] = ()
    footnotes: tuple[str, ...] = ()
    abbreviations: tuple[tuple[str, str], ...] = field(default=())
    text_columns: int = 1
    mark_notes: tuple[tuple[str, str], ...] = ()
    mark_column: str = "Note"

    def __post_init__(self) -> None:
        width = len(self.header)
        if width == 0:
            raise ValueError(f"Table '{self.title}' has no columns.")
        for i, row in enumerate(self.rows):
            if len(row.cells) != width:
                raise ValueError(
                    f"Row {i + 1} of '{self.title}' has {len(row.cells)} cells under a header "
                    f"of {width}: the columns would not line up."
                )
            if row.marks and len(row.marks) != width:
                raise ValueError(f"Row {i + 1} of '{self.title}' has marks for other columns.")
        taken: set[int] = set()
        for span in self.spans:
            if span.width < 1 or span.first < 0 or span.first + span.width > width:
                raise ValueError(f"Heading '{span.text}' spans columns the table lacks.")
            if taken & set(span.columns):
                raise ValueError(f"Heading '{span.text}' overlaps another spanning heading.")
            taken |= set(span.columns)

    @property
    def width(self) -> int:
        return len(self.header)

    def marked_columns(self) -> list[int]:
        """The columns some row puts a footnote mark after."""
        return [j for j in range(self.width) if any(r.marks and r.marks[j] for r in self.rows)]

    def span_of(self, column: int) -> Span | None:
        """The spanning heading over a column, if any."""
        return next((s for s in self.spans if column in s.columns), None)

    def notes(self) -> tuple[str, ...]:
        """What is printed under the table: the footnotes, then the abbreviations line."""
        line = abbreviations_line(self.abbreviations)
        return (*self.footnotes, *([line] if line else []))


def abbreviations_line(pairs: Iterable[tuple[str, str]]) -> str:
    """'CI, confidence interval; OR, odds ratio.' (sorted, each once), or ''."""
    seen = dict(sorted({short: meaning for short, meaning in pairs}.items(), key=_fold))
    return "; ".join(f"{short}, {meaning}" for short, meaning in seen.items()) + "." if seen else ""


def _fold(item: tuple[str, str]) -> str:
    return item[0].casefold()


def row(*cells: str, level: int = 0, bold: bool = False, marks: Sequence[str] = ()) -> Row:
    """A body row of display strings."""
    return Row(tuple(str(c) for c in cells), level, bold, tuple(marks))


def plain_label(row: Row) -> str:
    """The first cell as a line of plain text shows it: indented by spaces for each level."""
    return " " * (INDENT_SPACES * row.level) + row.cells[0]


def frame_doc(
    stem: str,
    title: str,
    frame: Any,
    *,
    footnotes: Sequence[str] = (),
    abbreviations: Sequence[tuple[str, str]] = (),
    text_columns: int = 1,
) -> TableDoc:
    """A TableDoc of a display frame (a pandas DataFrame of strings, its columns the header),
    as the tabs whose page shows such a frame build it."""
    rows = [row(*r) for r in frame.itertuples(index=False)]
    return table_doc(
        stem,
        title,
        [str(c) for c in frame.columns],
        rows,
        footnotes=footnotes,
        abbreviations=abbreviations,
        text_columns=text_columns,
    )


def table_doc(
    stem: str,
    title: str,
    header: Sequence[str],
    rows: Iterable[Row],
    *,
    spans: Sequence[Span] = (),
    footnotes: Sequence[str] = (),
    abbreviations: Sequence[tuple[str, str]] = (),
    text_columns: int = 1,
    mark_notes: Sequence[tuple[str, str]] = (),
    mark_column: str = "Note",
) -> TableDoc:
    """A TableDoc from any sequences (tuples are what it keeps, so it stays hashable)."""
    return TableDoc(
        stem=stem,
        title=title,
        header=tuple(str(h) for h in header),
        rows=tuple(rows),
        spans=tuple(spans),
        footnotes=tuple(footnotes),
        abbreviations=tuple((str(a), str(b)) for a, b in abbreviations),
        text_columns=text_columns,
        mark_notes=tuple(mark_notes),
        mark_column=mark_column,
    )
