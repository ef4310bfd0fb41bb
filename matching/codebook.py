"""A codebook (data dictionary) read from CSV: variable, label, type and allowed values.

Accepts plain codebooks (variable, label, type, allowed values: "Male; Female") and REDCap
data dictionaries ("Variable / Field Name", "Field Label", "Field Type", "Choices,
Calculations, OR Slider Labels": "1, Male | 2, Female"). Headers are matched ignoring case,
spacing and punctuation. Anything that cannot be read raises DataError saying what to fix.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from utils import config, sniff
from utils.data_error import DataError
from utils.dataset import fingerprint_bytes

VERSION = "1"
TYPES = ("categorical", "numeric", "text", "date")

# Header spellings (after _header_key) -> the field they name.
HEADERS: dict[str, tuple[str, ...]] = {
    "variable": (
        "variable",
        "variable name",
        "variable field name",
        "field name",
        "field",
        "var",
        "varname",
        "var name",
        "name",
        "column",
        "column name",
    ),
    "label": ("label", "field label", "variable label", "description", "question", "var label"),
    "type": ("type", "field type", "data type", "variable type", "format", "kind"),
    "values": (
        "allowed values",
        "allowed",
        "choices",
        "choices calculations or slider labels",
        "values",
        "value labels",
        "levels",
        "categories",
        "codes",
        "permitted values",
        "response options",
        "options",
    ),
    "validation": ("text validation type or show slider number", "validation", "text validation"),
}
# Type spellings -> MedStat's four codebook types.
_SYNONYMS = {
    "categorical": "categorical category factor nominal ordinal dropdown radio yesno truefalse "
    "checkbox binary boolean bool logical enum choice select list",
    "numeric": "numeric number integer int float double decimal continuous count calc slider "
    "real num",
    "text": "text string str char character notes freetext",
    "date": "date datetime time timestamp",
}
TYPE_WORDS: dict[str, str] = {w: t for t, words in _SYNONYMS.items() for w in words.split()}
IMPLIED_CHOICES = {
    "yesno": (("1", "Yes"), ("0", "No")),
    "truefalse": (("1", "True"), ("0", "False")),
}
SKIPPED_TYPES = frozenset({"descriptive", "file", "signature", "sql"})  # REDCap fields with no data
_CODED = re.compile(r"^\s*([A-Za-z0-9_.\-]{1,12})\s*(?:=|:|,)\s*(\S.*?)\s*$")
_CODED_EQ = re.compile(r"^\s*([A-Za-z0-9_.\-]{1,12})\s*(?:=|:)\s*(\S.*?)\s*$")


@dataclass(frozen=True)
class CodebookEntry:
    """One variable: its name, display label, type ('' = not given) and allowed values.

    `codes` runs parallel to `values`: the code a value is stored as in the data (REDCap's
    "1" for "1, Male"), or "" when the codebook lists only labels.
    """

    variable: str
    label: str
    type: str = ""
    values: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Codebook:
    """A parsed codebook; `fingerprint` is the digest of the file's bytes (the cache key's part)."""

    name: str
    fingerprint: str
    entries: tuple[CodebookEntry, ...]

    def entry(self, variable: str) -> CodebookEntry:
        return next(e for e in self.entries if e.variable == variable)


def _header_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(text).lower()).split())


def _columns(header: list[str]) -> dict[str, str]:
    """field -> the header that holds it; refuses a file without a variable column."""
    keys = {_header_key(h): h for h in header}
    found = {}
    for field, spellings in HEADERS.items():
        hit = next((keys[s] for s in spellings if s in keys), None)
        if hit is not None:
            found[field] = hit
    if "variable" not in found:
        shown = ", ".join(f"'{h}'" for h in header[:8]) or "none"
        raise DataError(
            f"The codebook has no variable column (its columns: {shown}). Name the column "
            "holding the data's column names 'variable' (or REDCap's 'Variable / Field Name')."
        )
    return found


def parse_choices(text: str) -> tuple[tuple[str, str], ...]:
    """(code, label) pairs of an allowed-values cell; code '' when only labels are listed.

    "1, Male | 2, Female" (REDCap), "1=Male; 2=Female", "Male; Female", "Male, Female".
    """
    text = str(text or "").strip()
    if not text:
        return ()
    if "|" in text or "\n" in text:
        parts, coded = re.split(r"[|\n]", text), _CODED
    elif ";" in text:
        parts, coded = text.split(";"), _CODED_EQ
    else:
        parts, coded = text.split(","), _CODED_EQ
    pairs = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        match = coded.match(part)
        pairs.append((match[1], match[2]) if match else ("", part))
    if any(code for code, _ in pairs) and not all(code for code, _ in pairs):
        pairs = [("", part.strip()) for part in parts if part.strip()]  # "1, Male | Female"
    return tuple(dict.fromkeys(pairs))


def codebook_type(raw: str, validation: str, has_values: bool) -> str:
    """The codebook type of a row, from its type cell and REDCap's validation cell."""
    word = _header_key(raw)
    check = _header_key(validation)
    if word == "text" and check:
        if check.startswith(("date", "time")):
            return "date"
        if check in ("number", "integer") or check.startswith("number"):
            return "numeric"
    if not word:
        return "categorical" if has_values else ""
    if word in TYPE_WORDS:
        return TYPE_WORDS[word]
    if word.replace(" ", "") in TYPE_WORDS:
        return TYPE_WORDS[word.replace(" ", "")]
    raise DataError(
        f"The codebook type '{raw.strip()}' is not known. Use one of: {', '.join(TYPES)} "
        "(REDCap types such as dropdown, radio, yesno and text are read too)."
    )


def _frame(data: bytes) -> pd.DataFrame:
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise DataError(
            "The codebook is empty. Upload a CSV with a header row (variable, label, type, "
            "allowed values) and one row per variable."
        )
    limit_mb = config.settings.codebook_max_mb
    if len(data) > limit_mb * 2**20:
        raise DataError(
            f"The codebook is {len(data) / 2**20:.1f} MB; a codebook should be far smaller "
            f"(the limit is {limit_mb:g} MB, MEDSTAT_CODEBOOK_MAX_MB). Check that this is the "
            "data dictionary."
        )
    encoding = sniff.sniff_encoding(data)
    layout = sniff.sniff_layout(data, encoding)  # separator and header row, as for data files
    text = data.decode(encoding).lstrip("\ufeff")
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=layout.sep,
            skiprows=layout.skip_lines,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(
            f"The codebook could not be read as a table ({str(exc).splitlines()[0][:120]}). "
            "Save it as CSV with one row per variable."
        ) from None


def parse_codebook(data: bytes, name: str = "codebook.csv") -> Codebook:
    """A Codebook from a CSV file's bytes; DataError with what to fix when it is not one."""
    frame = _frame(data)
    columns = _columns([str(c) for c in frame.columns])
    entries, seen, problems = [], {}, []
    for row_number, row in enumerate(frame.to_dict("records"), start=2):

        def cell(field: str, row=row) -> str:
            return " ".join(str(row.get(columns.get(field, ""), "") or "").split())

        variable = cell("variable")
        raw_type = cell("type")
        if not variable:
            if any(str(v).strip() for v in row.values()):
                problems.append(f"row {row_number} has no variable name")
            continue
        if _header_key(raw_type) in SKIPPED_TYPES:
            continue
        values_cell = str(row.get(columns.get("values", ""), "") or "")
        pairs = parse_choices(values_cell) or IMPLIED_CHOICES.get(_header_key(raw_type), ())
        try:
            kind = codebook_type(raw_type, cell("validation"), bool(pairs))
        except DataError as exc:
            problems.append(f"row {row_number}: {exc}")
            continue
        if kind != "categorical":
            pairs = ()  # a calculation or slider labels, not allowed values
        key = variable.lower()
        if key in seen:
            problems.append(f"'{variable}' is listed twice (rows {seen[key]} and {row_number})")
            continue
        seen[key] = row_number
        entries.append(
            CodebookEntry(
                variable=variable,
                label=cell("label") or variable,
                type=kind,
                values=tuple(label for _, label in pairs),
                codes=tuple(code for code, _ in pairs),
            )
        )
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise DataError(
            "The codebook needs fixing: " + "; ".join(problems[:3]) + more + ". Correct the file "
            "and upload it again."
        )
    if not entries:
        raise DataError("The codebook lists no variables. Add one row per variable.")
    most = config.settings.codebook_max_variables
    if len(entries) > most:
        raise DataError(
            f"The codebook lists {len(entries):,} variables; the limit is {most:,} "
            "(MEDSTAT_CODEBOOK_MAX_VARIABLES). Split it, or keep the variables of this data set."
        )
    fingerprint = fingerprint_bytes(data, "codebook", VERSION)
    return Codebook(name=name, fingerprint=fingerprint, entries=tuple(entries))


def read_codebook(path: str | Path, name: str | None = None) -> Codebook:
    """A Codebook from a file on disk."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise DataError(f"The file '{path.name}' was not found. Upload it again.") from None
    return parse_codebook(data, name or path.name)
