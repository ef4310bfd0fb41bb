"""script_for: a standalone Python script that reads the raw file, redoes the cleaning steps
and recomputes every table of the analyses run, printing them and writing them to CSV.

The script imports pandas, numpy, scipy, statsmodels (and firthmodels when a model was fitted
by Firth's method), never MedStat: a reviewer runs it with the pip line in its header.
"""

from __future__ import annotations

import datetime as dt
import pprint
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from typing import Any

from modules.shared.script_export.cleaning import read_record, step_records
from modules.shared.script_export.runs import Call, call_for
from modules.shared.script_export.sources import BOOTSTRAP_MODULES, module_source, template

# Order of the template sections in the script (each appears once).
SECTIONS = (
    "coding",
    "logistic",
    "outcome",
    "calibration",
    "table1",
    "correlation",
    "regression",
    "survival",
    "diagnostic",
    "modifiers",
    "outcome_modifiers",
    "regression_modifiers",
    "survival_modifiers",
    "bootstrap",
    "imputation",
    "pooled",
    "pooled_outcome",
    "pooled_regression",
    "pooled_survival",
    "propensity",
)
# MedStat's own pure modules a section runs on, copied whole at the end of the script.
APPENDIX = {
    "outcome": ("analyses.model_fit", "analyses.delong", "analyses.effect_scale"),
    "calibration": ("analyses.calibration", "analyses.decision_curve"),
    "regression": ("analyses.model_fit", "analyses.delong", "analyses.effect_scale"),
    "table1": ("analyses.table1_tests", "analyses.fisher_rxc"),
    "spearman": ("analyses.spearman",),
    "survival": (
        "analyses.survival_km",
        "analyses.survival_cox",
        "analyses.survival_efron",
        "analyses.survival_zph",
        "analyses.effect_scale",
    ),
    "diagnostic": (
        "analyses.delong",
        "analyses.diagnostic_roc",
        "analyses.diagnostic_accuracy",
        "analyses.diagnostic_data",
    ),
    "modifiers": (
        "analyses.modifier_columns",
        "analyses.effect_models",
        "analyses.interactions",
        "analyses.subgroups",
        "analyses.effect_modifiers",
    ),
    "bootstrap": BOOTSTRAP_MODULES,
    "imputation": (
        "analyses.missing_pattern",
        "analyses.imputation_methods",
        "analyses.imputation",
        "analyses.mi_pool",
        "analyses.mi_table1",
    ),
    "propensity": (
        "analyses.propensity_data",
        "analyses.propensity_model",
        "analyses.propensity_match",
        "analyses.propensity_weights",
        "analyses.propensity_balance",
        "analyses.propensity_cox",
        "analyses.propensity_effect",
        "analyses.propensity",
    ),
}


def _versions(firth: bool, xlsx: bool) -> list[str]:
    packages = ["pandas", "numpy", "scipy", "statsmodels"]
    packages += ["firthmodels"] if firth else []
    packages += ["openpyxl"] if xlsx else []
    return [f"{p}=={metadata.version(p)}" for p in packages]


def _docstring_safe(text: str) -> str:
    """Text that cannot end the docstring it sits in (a column may be named 'a\"\"\"...')."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _not_redone(calls: Sequence[Call]) -> str:
    """The paragraph naming each run's tables the script leaves out ("" when none)."""
    lines = []
    for call in calls:
        if call.left_out:
            what = f"{_docstring_safe(call.lines[0][2:])}: {'; '.join(call.left_out)}."
            wrapped = textwrap.wrap(what, 88)
            lines += [f"  - {wrapped[0]}", *(f"    {w}" for w in wrapped[1:])]
    if not lines:
        return ""
    return (
        "\nNot redone here (MedStat cannot write them into a script yet):\n"
        + "\n".join(lines)
        + "\n"
    )


def _header(calls: Sequence[Call], pins: list[str], when: dt.datetime) -> str:
    what = "\n".join(f"    {_docstring_safe(c.lines[0][2:])}" for c in calls)
    tables = textwrap.fill(", ".join(t for c in calls for t in c.tables) + ".", 92)
    return f'''#!/usr/bin/env python3
"""MedStat analysis script, written {when:%Y-%m-%d %H:%M} UTC.

Redoes, from the raw data file, the tables of:
{what}
{_not_redone(calls)}
Usage:
    python this_script.py DATA_FILE [OUTPUT_FOLDER]

It reads DATA_FILE as MedStat read it (READ_OPTIONS), redoes the cleaning steps in order
(STEPS), prints each table and writes it as OUTPUT_FOLDER/<table>.csv (default folder:
medstat_tables):
{tables}
Numbers in the CSV files are written in full; MedStat's screens round them.

It needs Python 3.11 and the package versions MedStat ran with (it does not need MedStat):
    pip install {" ".join(pins)}
"""
'''


def _imports(calls: Sequence[Call], formula: bool) -> str:
    used = {s for c in calls for s in c.sections}
    lines = ["from __future__ import annotations", ""]  # MedStat's type hints, unevaluated
    lines += ["import bisect"] if "propensity" in used else []
    lines += ["import itertools"] if {"correlation", "diagnostic"} & used else []
    lines += ["import ast", "import difflib"] if formula else []
    lines += ["import csv", "import math", "import re", "import sys", "import warnings"]
    abc = {"Callable", "Iterable"} if formula else set()  # the formula language's type hints
    abc |= {"Iterable"} if {"outcome", "regression", "survival"} & used else set()  # effect_scale
    abc |= {"Callable"} if "bootstrap" in used else set()  # bootstrap_validation's Refit
    if abc:
        lines.append(f"from collections.abc import {', '.join(sorted(abc))}")
    with_dataclasses = {"outcome", "table1", "regression", "survival", "diagnostic", "propensity"}
    if "bootstrap" in used:  # analyses/model_choice.py's replace
        lines.append("from dataclasses import dataclass, field, replace")
    elif with_dataclasses & used or formula:
        lines.append("from dataclasses import dataclass")
    if "spearman" in used:
        lines.append("from functools import lru_cache")
    lines += ["from pathlib import Path", "", "import numpy as np", "import pandas as pd"]
    if "bootstrap" in used:  # the bootstrap's own estimator choice: Firth on separation
        lines += [
            "from firthmodels import FirthLogisticRegression, detect_separation",
            "from firthmodels._solvers import newton_raphson",
            "from firthmodels.logistic import _Workspace, compute_logistic_quantities",
        ]
    elif any(c.firth for c in calls):
        lines += [
            "from firthmodels import FirthLogisticRegression",
            "from firthmodels._solvers import newton_raphson",
            "from firthmodels.logistic import _Workspace, compute_logistic_quantities",
        ]
    lines.append("from scipy import stats")
    if any("table1" in c.sections for c in calls):
        lines.append("from scipy.special import gammaln")
    if "logistic" in used and "regression" in used:
        lines.append("from statsmodels.discrete.discrete_model import Logit, NegativeBinomial")
    elif "logistic" in used:
        lines.append("from statsmodels.discrete.discrete_model import Logit")
    elif "regression" in used:
        lines.append("from statsmodels.discrete.discrete_model import NegativeBinomial")
    if "regression" in used:
        lines += [
            "from statsmodels.genmod import families",
            "from statsmodels.genmod.generalized_linear_model import GLM",
            "from statsmodels.regression.linear_model import OLS",
        ]
    if "correlation" in used:
        lines.append("from statsmodels.stats.multitest import multipletests")
    if "calibration" in used:
        lines.append("from statsmodels.nonparametric.smoothers_lowess import lowess")
    if "diagnostic" in used:
        lines.append("from statsmodels.stats.proportion import proportion_confint")
    return "\n".join(lines) + "\n"


def _main(calls: Sequence[Call]) -> str:
    body = "\n".join(f"    {line}".rstrip() for c in calls for line in (*c.lines, ""))
    return f"""def main():
    if len(sys.argv) < 2:
        sys.exit("Usage: python " + sys.argv[0] + " DATA_FILE [OUTPUT_FOLDER]")
    df = apply_steps(read_data(sys.argv[1]))
    print(f"{{len(df)}} rows after the cleaning steps.")
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "medstat_tables")
    out.mkdir(parents=True, exist_ok=True)
    tables = {{}}

{body}
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 30)
    for name, table in tables.items():
        print(f"\\n== {{name}} ==")
        print(table.to_string(index=False, float_format=lambda v: f"{{v:.4g}}"))
        write_csv(table, out / f"{{name}}.csv")
    print(f"\\nWrote {{len(tables)}} tables to {{out}}/")
"""


FORMULA_BRANCH = """        elif kind == "formula":
            df[step["name"]] = formula_values(df, step["formula"])
"""


def _data_code(formula: bool) -> str:
    """Reading and the cleaning steps; the formula code only when a step needs it."""
    text = template("data")
    if not formula:
        return text.replace(FORMULA_BRANCH, "")
    return text + "\n\n" + template("formula")


def _literal(value: Any) -> str:
    """A Python literal of plain data, wrapped to the script's line length."""
    return pprint.pformat(value, width=96, sort_dicts=False)


def _code(name: str, text: str) -> str:
    return f"# {'-' * 20} {name} {'-' * (73 - len(name))}\n\n{text}"


def script_for(
    read_options: Mapping[str, Any] | Iterable[tuple[str, Any]],
    steps: Sequence[Any],
    runs: Sequence[tuple[Any, ...]],
    *,
    when: dt.datetime | None = None,
) -> str:
    """The script's text. `runs` are (kind, spec) or (kind, spec, result): the result tells
    which estimator MedStat chose where it chooses (Firth's method on separation).

    A ScriptError (a ValueError with a sentence) names what cannot be scripted yet."""
    options = read_record(read_options)
    records = step_records(steps)
    calls = [call_for(run[0], run[1], run[2] if len(run) > 2 else None, i) for i, run in
             enumerate(runs, 1)]  # fmt: skip
    if not calls:
        raise ValueError("There is no analysis to write into a script: run one first.")
    used = {s for c in calls for s in c.sections}
    firth = any(c.firth for c in calls)
    formula = any(r["step"] == "formula" for r in records)
    pins = _versions(firth, options["format"] == "xlsx")
    parts = [
        _header(calls, pins, when or dt.datetime.now(dt.UTC)),
        _imports(calls, formula),
        _code("1. The data file", f"READ_OPTIONS = {_literal(options)}\n\n{_data_code(formula)}"),
        _code("2. Cleaning steps, in order", f"STEPS = {_literal(records)}\n"),
    ]
    for section in SECTIONS:
        if section in used:
            text = template(section)
            if section == "logistic" and not firth:
                text = (
                    text[: text.index("def fit_firth(")] + text[text.index("def fit_logistic(") :]
                )
                text = text.replace('fit_firth(X, y) if method == "firth" else ', "")
            parts.append(_code(f"Analysis code: {section}", text))
    parts.append(_code("The tables", _main(calls)))
    appendix = [m for s in (*SECTIONS, "spearman") if s in used for m in APPENDIX.get(s, ())]
    for module in dict.fromkeys(appendix):  # once each, though two sections use it
        parts.append(_code(f"Appendix: {module}", module_source(module)))
    if formula:
        text = 'class DataError(ValueError):\n    """A formula that cannot be computed."""\n\n\n'
        parts.append(_code("Appendix: prep.expressions", text + module_source("prep.expressions")))
    parts.append('if __name__ == "__main__":\n    main()\n')
    return "\n\n".join(p.rstrip("\n") + "\n" for p in parts)
