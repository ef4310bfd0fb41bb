"""Template: reading the raw file and redoing the cleaning steps (copied into exported scripts).

Everything below the SCRIPT marker is copied into the script as it is; the imports above it are
only there so that this file can be checked on its own (the script has its own header).
"""

from __future__ import annotations

import csv
import re
import sys

import numpy as np
import pandas as pd

from .formula import formula_values

READ_OPTIONS: dict = {}
STEPS: list = []
# --- SCRIPT ---

# Cells MedStat reads as missing (compared after trimming spaces, ignoring capitals).
MISSING_CODES = {"", "na", "n/a", "nan", ".", "-", "null", "missing"} | {
    "#n/a",
    "#na",
    "#div/0!",
    "#value!",
    "#ref!",
    "#num!",
    "#null!",
    "#name?",
}


def read_data(path):
    """The raw file, read the way MedStat read it (READ_OPTIONS, above)."""
    options = READ_OPTIONS
    if options["format"] == "xlsx":
        raw = pd.read_excel(path, sheet_name=options["sheet"], header=None, dtype=object)
        raw = raw.dropna(how="all").reset_index(drop=True)
        df = raw.iloc[1:].reset_index(drop=True).infer_objects()
    else:
        df = pd.read_csv(
            path,
            sep=options["sep"],
            decimal=options["decimal"],
            encoding=options["encoding"],
            header=None,
            skiprows=options["skip_lines"] + 1,  # the lines above the header, and the header
            index_col=False,
            dtype=dict.fromkeys(options["text_columns"], "str") or None,
            keep_default_na=False,  # "None" is a real answer in clinical data
            na_values=[""],
        )
    df = df.dropna(axis=1, how="all").dropna(axis=0, how="all").reset_index(drop=True)
    names = options["columns"]
    if df.shape[1] != len(names):
        sys.exit(f"The file has {df.shape[1]} columns; MedStat read {len(names)}: {names}.")
    df.columns = names
    keep_text = {names[i] for i in options.get("text_columns", ()) if i < len(names)}
    for name in names:
        if df[name].dtype == object or pd.api.types.is_string_dtype(df[name]):
            df[name] = tidy_text_column(df[name], options.get("decimal", "."), name in keep_text)
    return df


def tidy_text_column(series, decimal, keep_text):
    """Spaces trimmed and missing codes made missing; then read as numbers ("1,5" with decimal
    commas), as numbers with one unit ("12 mg", "1 234"), or as dates, when every value is."""
    text = series.map(lambda v: v.strip() if isinstance(v, str) else v)
    text = text.mask(text.map(lambda v: isinstance(v, str) and v.lower() in MISSING_CODES))
    if keep_text or text.isna().all():
        return text
    text = text.map(lambda v: v if pd.isna(v) else str(v))
    written = text.str.replace(",", ".", regex=False) if decimal == "," else text
    numbers = pd.to_numeric(written, errors="coerce")
    if numbers.notna().sum() == text.notna().sum():
        return numbers
    if not text.dropna().str.contains(r"\d").any():
        return text
    measured = numbers_with_unit(text, decimal)
    if measured is not None:
        return measured
    found = date_format(text)
    if found is not None:
        dates = pd.to_datetime(text, format=found, errors="coerce")
        if dates.notna().sum() == text.notna().sum():
            return dates
    return text


# A number with digit groups split by spaces ("1 234") and a unit after it ("12 mg", "98%").
GROUPED_NUMBER = r"[-+]?(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:DEC\d+)?"
UNIT = r"%|(?:[^\W\d_]|°)[^\s\d]*(?:\d[^\s\d]*)?"


def numbers_with_unit(text, decimal):
    """The numbers of values like "12 mg" when every value has the same unit (or none)."""
    values = text.dropna()
    number = GROUPED_NUMBER.replace("DEC", re.escape(decimal))
    parts = values.str.extract(rf"^({number})\s*({UNIT})?$")
    if parts[0].isna().any() or len(set(parts[1].fillna(""))) != 1:
        return None
    digits = parts[0].str.replace(r"[ \u00a0\u202f]", "", regex=True)
    if decimal == ",":
        digits = digits.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(digits, errors="coerce")
    return None if numbers.isna().any() else numbers.reindex(text.index)


def date_format(text):
    """The format of dates written year-month-day, year/month/day or day/month/year (month
    first only when a second number passes 12 and no first one does), judged on the first 200
    distinct values as MedStat does; None when the values are not such dates."""
    distinct = pd.Series(text.dropna().unique())
    sample = distinct.iloc[:200]
    if sample.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?").all():
        return "ISO8601"
    if sample.str.fullmatch(r"\d{4}/\d{1,2}/\d{1,2}").all():
        return "%Y/%m/%d"
    dmy = r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})"
    if not sample.str.fullmatch(dmy).all():
        return None
    parts = distinct.str.extract(f"^{dmy}$")
    if parts[0].isna().any() or parts[1].nunique() != 1:
        return None
    sep = parts[1].iloc[0]
    first, second = parts[0].astype(int), parts[2].astype(int)
    if (second > 12).any() and (first <= 12).all():
        return f"%m{sep}%d{sep}%Y"
    return f"%d{sep}%m{sep}%Y"


# A spreadsheet runs a cell starting with = + - @ (or a tab or CR) as a formula, also where it
# splits our text on ; | tab or a line break: an apostrophe goes before each such start.
FORMULA_PIECE = re.compile(r"(^|[,;\t|\r\n])(?=[ \"]*[=+\-@]|[\t\r])")


def write_csv(table, path):
    """A table as CSV, as MedStat's downloads: numbers in full, text quoted, no text cell
    that a spreadsheet could run as a formula (a level named "=1+1" is written "'=1+1")."""
    out = table.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or out[column].dtype == bool):
            out[column] = out[column].map(
                lambda v: (
                    FORMULA_PIECE.sub(lambda m: m.group(1) + "'", v) if isinstance(v, str) else v
                )
            )
    out.to_csv(path, index=False, float_format="%.17g", quoting=csv.QUOTE_NONNUMERIC)


def as_text(value):
    """A value as MedStat shows it: 1.0 -> "1", " a " -> "a"."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def text_of(series):
    """A column as text labels (missing and blank cells missing)."""
    out = series.map(lambda v: None if pd.isna(v) else as_text(v))
    return out.mask(out == "")


def number_of(series):
    """A column as numbers (missing = NaN); it must hold numbers."""
    return pd.to_numeric(series, errors="raise").astype(float)


def apply_steps(df):
    """Each cleaning step of STEPS (above), in the order they were made in MedStat."""
    for step in STEPS:
        kind = step["step"]
        if kind == "value labels":
            df[step["column"]] = text_of(df[step["column"]]).replace(step["labels"])
        elif kind == "label merge":
            written = df[step["column"]].map(lambda v: v if pd.isna(v) else str(v))
            df[step["column"]] = written.replace(step["mapping"])
        elif kind == "combine levels":
            df[step["name"]] = text_of(df[step["column"]]).replace(step["groups"])
        elif kind == "transform":
            df[step["name"]] = transformed(number_of(df[step["column"]]), step)
        elif kind == "cut":
            df[step["name"]] = cut_into_groups(number_of(df[step["column"]]), step)
        elif kind == "formula":
            df[step["name"]] = formula_values(df, step["formula"])
        elif kind == "codebook":
            for rule in step["columns"]:
                if rule["column"] in df:  # MedStat skips a column the data no longer has
                    df[rule["column"]] = codebook_values(df[rule["column"]], rule)
        elif kind == "row filter":
            df = df[rows_kept(df[step["column"]], step)].reset_index(drop=True)
            print(f"Row filter {step['kept']}: {len(df)} rows remain.")
        elif kind == "propensity sample":
            df = propensity_sample(df, step)
            print(f"Propensity-score sample ({step['method']}): {len(df)} rows kept.")
        else:
            sys.exit(f"Unknown cleaning step {kind!r}.")
    return df


def propensity_sample(df, step):
    """The sample MedStat's "Use the matched sample in every tab" kept: its rows (positions in
    the data at this step), their weights ("ps_weight") and matched sets ("ps_matched_set"),
    each name made unique as MedStat makes it."""

    def free(base):
        name, i = base, 2
        while name in df.columns:
            name, i = f"{base}_{i}", i + 1
        return name

    out = df.iloc[step["rows"]].reset_index(drop=True)
    out[free("ps_weight")] = pd.Series(step["weights"], dtype=float)
    if step["sets"]:
        out[free("ps_matched_set")] = pd.Series(step["sets"], dtype="int64")
    return out


def codebook_values(series, rule):
    """A column as a codebook step sets it: numbers (a cell that is not one becomes missing),
    categories with the data's labels mapped to the codebook's values, or dates (kept as they
    are unless every value reads as a date); a text column is left as it is."""
    if rule["type"] == "numeric":
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            return series.astype(float)
        text = series.map(lambda v: v if pd.isna(v) else as_text(v)).astype(object)
        return pd.to_numeric(text.where(text.astype(str).str.strip() != ""), errors="coerce")
    if rule["type"] == "categorical":
        text = series.map(lambda v: v if pd.isna(v) else as_text(v)).astype(object)
        return text.map(lambda v: rule["mapping"].get(v, v) if isinstance(v, str) else v)
    if rule["type"] == "date" and not pd.api.types.is_datetime64_any_dtype(series):
        texts = series.astype("str").str.strip()
        texts = texts.mask(texts == "")
        written = series.dropna().astype(str).str.strip()
        found = date_format(written[written != ""]) if (written != "").any() else None
        parsed = None if found is None else pd.to_datetime(texts, format=found, errors="coerce")
        if parsed is not None and int(parsed.notna().sum()) == int(texts.notna().sum()):
            return parsed
    return series


def transformed(x, step):
    """A rescaled, standardised, log or square-root column, as its formula says."""
    how = step["how"]
    with np.errstate(all="ignore"):
        if how in ("log", "log2", "log10"):
            return getattr(np, how)(x.where(x > 0))
        if how == "sqrt":
            return np.sqrt(x.where(x >= 0))
        return (x - step["center"]) / step["scale"]


def cut_into_groups(x, step):
    """Groups [a, b) between the cut-offs; the last group includes its upper boundary."""
    cutoffs = np.asarray(step["cutoffs"], dtype=float)
    codes = np.searchsorted(cutoffs, x.to_numpy(), side="right")
    labels = np.asarray(group_labels(step, float(x.min()), float(x.max())), dtype=object)
    out = pd.Series(labels[np.minimum(codes, len(labels) - 1)], index=x.index, dtype=object)
    return out.mask(x.isna())


def group_labels(step, low, high):
    """The groups' names as MedStat writes them: "[18, 40)", ..., "[65, 90]"."""
    cutoffs = step["cutoffs"]
    edges = [min(low, cutoffs[0]), *cutoffs, max(high, cutoffs[-1])]
    text = [short_number(e) for e in edges]
    if len(set(text[1:-1])) < len(cutoffs):  # cut-offs closer than 6 digits
        text = [repr(float(e)) for e in edges]
    labels = [f"[{a}, {b})" for a, b in zip(text[:-2], text[1:-1], strict=True)]
    labels.append(f"[{text[-2]}, {text[-1]}]")
    if step["quantiles"]:
        return [f"Q{i} {label}" for i, label in enumerate(labels, 1)]
    if sorted(labels, key=natural_key) != labels:
        return [f"{i}: {label}" for i, label in enumerate(labels, 1)]
    return labels


def short_number(value):
    text = f"{value:.6g}"
    return "0" if text == "-0" else text


def natural_key(label):
    """Sort key: numbers numerically first, then text with its numbers in number order."""
    try:
        return (0, float(label), ())
    except ValueError:
        parts = re.split(r"(\d+)", label)
        return (
            1,
            0.0,
            tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in parts if p),
        )


def rows_kept(column, step):
    """The rows a row filter keeps (a missing value fails a comparison or 'is one of')."""
    op, values = step["op"], step["values"]
    if op in ("in", "not_in", "known"):
        text = text_of(column)
        if op == "known":
            return text.notna()
        member = text.isin(values)
        return member if op == "in" else ~member
    if pd.api.types.is_datetime64_any_dtype(column):
        epoch = pd.Timestamp("1970-01-01")
        x = (column - epoch) / pd.Timedelta(days=1)
        a, b = ((pd.Timestamp(v) - epoch) / pd.Timedelta(days=1) for v in (*values, values[0])[:2])
    else:
        x = number_of(column)
        a, b = (float(v) for v in (*values, values[0])[:2])
    keep = {
        ">=": x >= a,
        ">": x > a,
        "<=": x <= a,
        "<": x < a,
        "==": x == a,
        "!=": x != a,
        "between": (x >= a) & (x <= b),
    }[op]
    return keep if op == "!=" else keep & x.notna()
