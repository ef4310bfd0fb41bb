"""The project file: a session's data fingerprint, columns, cleaning steps and every tab's
settings and spec, as JSON (never pickle); read back with every field type-checked.

Layout (FORMAT, VERSION 2):

    {"format": "medstat-project", "version": 2, "saved": ISO time,
     "software": {"medstat": ..., "python": ..., "pandas": ...},
     "data": {"name", "fingerprint", "rows", "columns": [{"name", "kind", "label"}]},
     "cleaning_steps": [codec-encoded step, ...],
     "imputation": codec-encoded ImputationSpec | null,
     "tabs": {tab name: {"kind", "settings": {input id: value}, "spec": codec-encoded | null}},
     "figures": {"<tab>.figure.<card>": {text key: the user's words}},
     "includes_data": false, "data_csv": null}

Version 2 added "imputation" (the Data cleaning tab's multiple-imputation settings); a
version 1 file has none and opens as a session without imputation. Specs and steps are
encoded by utils/codec.py (type-tagged dataclasses) and rebuilt only from an allow-list, each
field checked against its declared type. `specs_of` is the one place a
session's specs become JSON: the script export reads them with `read_specs`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from analyses import specs as spec_types
from analyses.imputation import ITERATION_RANGE, M_RANGE
from matching.codebook_apply import CodebookStep, ColumnRule
from prep.combine import CombineLevels
from prep.cut import Cut
from prep.filters import RowFilter
from prep.formula import FormulaStep
from prep.matched_sample import MatchedSample
from prep.transforms import Transform
from prep.value_labels import ValueLabels
from utils import codec
from utils.dataset import Dataset

FORMAT = "medstat-project"
VERSION = 2  # 2: the imputation settings
SPEC_TYPES = (
    spec_types.OutcomeSpec,
    spec_types.CorrelationSpec,
    spec_types.RegressionSpec,
    spec_types.Table1Spec,
    spec_types.DiagnosticSpec,
    spec_types.SurvivalSpec,
    spec_types.SampleSizeSpec,
    spec_types.AgreementSpec,
    spec_types.PropensitySpec,
)
STEP_TYPES = (ValueLabels, Transform, Cut, CombineLevels, FormulaStep, RowFilter, CodebookStep,
              MatchedSample)  # fmt: skip
_SPECS = {codec.type_name(t): t for t in (*SPEC_TYPES, spec_types.ImputationSpec)}
_IMPUTATION = {codec.type_name(spec_types.ImputationSpec): spec_types.ImputationSpec}
_STEPS = {codec.type_name(t): t for t in (*STEP_TYPES, ColumnRule)}
MAX_TABS = 50
MAX_SETTINGS = 500  # input ids of one tab
MAX_STEPS = 1000
MAX_COLUMNS = 100_000
MAX_FIGURES = 200
MAX_FIGURE_WORDS = 200  # edited texts of one figure
MAX_WORDS_CHARS = 200  # one edited text (modules/shared/figure_labels.MAX_CHARS)


class ProjectError(ValueError):
    """The file is not a MedStat project this version can open; the message says why."""


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    label: str = ""


@dataclass(frozen=True)
class TabEntry:
    kind: str
    settings: dict[str, Any]
    spec: Any = None


@dataclass(frozen=True)
class Project:
    """A project file as read: every field of the declared type."""

    data_name: str
    fingerprint: str
    rows: int
    columns: tuple[Column, ...]
    steps: tuple[Any, ...]
    tabs: dict[str, TabEntry]
    software: dict[str, str] = field(default_factory=dict)
    saved: str = ""
    data_csv: str | None = None
    figures: dict[str, dict[str, str]] = field(default_factory=dict)
    imputation: spec_types.ImputationSpec | None = None  # the session's, None: not set up


def specs_of(runs: Iterable[tuple[str, str, Any]]) -> dict[str, dict[str, Any]]:
    """{tab: {"kind", "spec"}} for (tab, kind, spec) triples: the specs as the file holds them."""
    return {tab: {"kind": kind, "spec": codec.encode(spec)} for tab, kind, spec in runs}


def read_specs(text: str | bytes, *, max_bytes: int) -> dict[str, Any]:
    """{tab: spec} of a project file (tabs without a run have none)."""
    return {
        name: t.spec for name, t in read_project(text, max_bytes=max_bytes).tabs.items() if t.spec
    }


def project_json(
    dataset: Dataset,
    steps: Iterable[Any],
    settings: Mapping[str, Mapping[str, Any]],
    runs: Iterable[tuple[str, str, Any]],
    software: Mapping[str, str],
    *,
    data_csv: str | None = None,
    figures: Mapping[str, Mapping[str, str]] | None = None,
    now: dt.datetime | None = None,
    imputation: spec_types.ImputationSpec | None = None,
) -> str:
    """The project file's text. `dataset` is the data before the cleaning steps; `settings`
    each tab's controls by input id; `runs` (tab, kind, spec) of the tabs' last successes;
    `data_csv` the patient data, only when the user asked for it; `figures` each figure's
    edited words by its saved-state key; `imputation` the session's multiple-imputation
    settings (None: not set up)."""
    specs = specs_of(runs)
    tabs = {}
    for name, values in settings.items():
        ran = specs.get(name, {})
        tabs[name] = {
            "kind": ran.get("kind", name),
            "settings": codec.encode(dict(values)),
            "spec": ran.get("spec"),
        }
    document = {
        "format": FORMAT,
        "version": VERSION,
        "saved": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "software": dict(software),
        "data": {
            "name": dataset.name,
            "fingerprint": dataset.fingerprint,
            "rows": len(dataset.df),
            "columns": [
                {"name": m.name, "kind": m.kind, "label": m.label} for m in dataset.columns.values()
            ],
        },
        "cleaning_steps": [codec.encode(step) for step in steps],
        "imputation": None if imputation is None else codec.encode(imputation),
        "tabs": tabs,
        "figures": {key: dict(words) for key, words in (figures or {}).items()},
        "includes_data": data_csv is not None,
        "data_csv": data_csv,
    }
    return json.dumps(document, ensure_ascii=False, allow_nan=False, indent=1)


def read_project(text: str | bytes, *, max_bytes: int) -> Project:
    """A project from a file's text; ProjectError with a sentence for anything else."""
    if len(text) > max_bytes:
        raise ProjectError(
            f"This file is {len(text) / 2**20:.1f} MB; a project file may be at most "
            f"{max_bytes / 2**20:.0f} MB. Save the project without the data, or ask the "
            "administrator to raise MEDSTAT_PROJECT_MAX_MB."
        )
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise ProjectError(
            "This file is not a MedStat project: it is not JSON text (damaged or another "
            "kind of file). Choose a .json file saved by MedStat's 'Save project'."
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ProjectError(
            "This JSON file is not a MedStat project (it does not say format "
            f"'{FORMAT}'). Choose a file saved by MedStat's 'Save project'."
        )
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ProjectError("This project file has no valid version number: it is damaged.")
    if version > VERSION:
        raise ProjectError(
            f"This project was saved by a newer MedStat (project format {version}; this one "
            f"reads format {VERSION}). Open it with that version, or update this one."
        )
    try:
        return _project(document)
    except KeyError as exc:
        raise ProjectError(f"This project file is damaged: it lacks the field {exc}.") from None
    except (codec.CodecError, TypeError, ValueError, RecursionError) as exc:
        raise ProjectError(f"This project file is damaged: {_short(exc)}.") from None


def _project(doc: dict) -> Project:
    data = _dict(doc["data"], "data")
    columns = _list(data["columns"], "data.columns", MAX_COLUMNS)
    parsed = tuple(
        Column(
            _str(c["name"], "column name"),
            _str(c["kind"], "column kind"),
            _str(c.get("label", ""), "column label"),
        )
        for c in (_dict(c, "column") for c in columns)
    )
    steps = tuple(
        _step(s) for s in _list(doc.get("cleaning_steps", []), "cleaning_steps", MAX_STEPS)
    )
    tabs_doc = _dict(doc.get("tabs", {}), "tabs")
    if len(tabs_doc) > MAX_TABS:
        raise ValueError(f"more than {MAX_TABS} tabs")
    tabs = {_str(name, "tab name"): _tab(entry) for name, entry in tabs_doc.items()}
    software = _dict(doc.get("software", {}), "software")
    data_csv = doc.get("data_csv")
    if data_csv is not None:
        _str(data_csv, "data_csv")
    rows = data.get("rows", 0)
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        raise ValueError("data.rows is not a count")
    return Project(
        data_name=_str(data.get("name", ""), "data name"),
        fingerprint=_str(data["fingerprint"], "fingerprint"),
        rows=rows,
        columns=parsed,
        steps=steps,
        tabs=tabs,
        software={_str(k, "software"): _str(v, "software version") for k, v in software.items()},
        saved=_str(doc.get("saved", ""), "saved"),
        data_csv=data_csv,
        figures=_figures(doc.get("figures", {})),
        imputation=_imputation(doc.get("imputation")),
    )


def _imputation(value: Any) -> spec_types.ImputationSpec | None:
    """The imputation settings: an ImputationSpec of column names and counts in range."""
    if value is None:
        return None
    spec = codec.decode(value, _IMPUTATION)
    if not isinstance(spec, spec_types.ImputationSpec):
        raise ValueError("the imputation settings are not imputation settings")
    names = (*spec.variables, *spec.categorical)
    counts = (spec.m, spec.iterations, spec.seed)
    if not all(isinstance(n, str) for n in names) or not set(spec.categorical) <= set(
        spec.variables
    ):
        raise ValueError("the imputation settings' variables are not column names")
    if any(not isinstance(c, int) or isinstance(c, bool) for c in counts) or not (
        M_RANGE[0] <= spec.m <= M_RANGE[1]
        and ITERATION_RANGE[0] <= spec.iterations <= ITERATION_RANGE[1]
        and 0 <= spec.seed < 2**31
    ):
        raise ValueError(
            f"the imputation settings are out of range (m = {spec.m!r}, iterations = "
            f"{spec.iterations!r}, seed = {spec.seed!r})"
        )
    return spec


def _figures(value: Any) -> dict[str, dict[str, str]]:
    """{"<tab>.figure.<card>": {text key: words}}: text only, bounded."""
    figures = _dict(value, "figures")
    if len(figures) > MAX_FIGURES:
        raise ValueError(f"more than {MAX_FIGURES} figures")
    out = {}
    for key, words in figures.items():
        if not isinstance(key, str) or ".figure." not in key:
            raise ValueError(f"figure {str(key)[:40]!r} is not a figure's name")
        words = _dict(words, "a figure's words")
        if len(words) > MAX_FIGURE_WORDS:
            raise ValueError(f"a figure has more than {MAX_FIGURE_WORDS} edited texts")
        for k, v in words.items():
            if not isinstance(k, str) or not isinstance(v, str) or len(v) > MAX_WORDS_CHARS:
                raise ValueError(f"a figure's words are not short text ({key[:40]!r})")
        out[key] = dict(words)
    return out


def _tab(entry: Any) -> TabEntry:
    entry = _dict(entry, "tab")
    settings = codec.decode(entry.get("settings", {"$": "dict", "v": []}), {})
    if not isinstance(settings, dict) or len(settings) > MAX_SETTINGS:
        raise ValueError("a tab's settings are not a table of values")
    for key, value in settings.items():
        if not isinstance(key, str) or not _setting_value(value):
            raise ValueError(f"setting {str(key)[:40]!r} is not a value a control takes")
    spec = entry.get("spec")
    spec = codec.decode(spec, _SPECS) if spec is not None else None
    if spec is not None and not isinstance(spec, SPEC_TYPES):
        raise ValueError("a tab's spec is not an analysis spec")
    return TabEntry(_str(entry.get("kind", ""), "tab kind"), settings, spec)


def _setting_value(value: Any, depth: int = 0) -> bool:
    """A control's value: a scalar, a list or tuple of them (or of pairs), or a per-column
    {column: value} (modules/shared/per_column.py); nothing nested deeper."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if depth >= 2:
        return False
    if isinstance(value, (list, tuple)):
        return all(_setting_value(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _setting_value(v, depth + 1) for k, v in value.items())
    return False


def _step(data: Any) -> Any:
    step = codec.decode(data, _STEPS)
    if isinstance(step, STEP_TYPES):
        return step
    if (  # a label merge: (column, {label: merged label})
        isinstance(step, tuple)
        and len(step) == 2
        and isinstance(step[0], str)
        and isinstance(step[1], dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in step[1].items())
    ):
        return step
    raise ValueError("a cleaning step is not one MedStat makes")


def _dict(value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not an object")
    return value


def _list(value: Any, what: str, most: int) -> list:
    if not isinstance(value, list):
        raise ValueError(f"{what} is not a list")
    if len(value) > most:
        raise ValueError(f"{what} has more than {most:,} entries")
    return value


def _str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} is not text")
    return value


def _short(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:160]
