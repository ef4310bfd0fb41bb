"""Multiple imputation by chained equations (fully conditional specification, as R's mice).

Each of the m completed data sets is its own chain: missing values start as random draws of
the observed ones, then every round imputes each incomplete variable from all the others
(analyses/imputation_methods.py: predictive mean matching for numbers, logistic regression
for two categories, multinomial for more), `iterations` rounds. Written here rather than with
statsmodels' MICEData, which imputes every variable by predictive mean matching on a linear
model (categories included, as numbers) and has no logistic or multinomial method.
The result keeps only the drawn values of the missing cells (m x missing, not m x the data);
`complete(df, result, i)` rebuilds data set i. Pure: numpy and pandas, no I/O.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses import imputation_methods as methods
from analyses.cancellation import checkpoint, progress
from analyses.errors import AnalysisError
from analyses.fit_records import ImputationInfo
from analyses.missing_pattern import missing_pattern, missing_table
from analyses.results import ImputationResult
from analyses.specs import ImputationSpec

VERSION = 1
M_RANGE = (2, 100)
ITERATION_RANGE = (1, 50)
RHAT_LIMIT = 1.1  # Gelman-Rubin potential scale reduction above which a chain is unmixed


def levels_of(series: pd.Series) -> list:
    """The observed values of a category in the order its codes count them (sorted)."""
    values = pd.unique(series.dropna())
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


def is_categorical(series: pd.Series, name: str, spec: ImputationSpec) -> bool:
    return name in spec.categorical or not pd.api.types.is_numeric_dtype(series.dtype)


def method_of(series: pd.Series, categorical: bool) -> str:
    if not categorical:
        return "pmm"
    return "logreg" if len(levels_of(series)) <= 2 else "polyreg"


def _codes(series: pd.Series, categorical: bool) -> np.ndarray:
    if not categorical:
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    lookup = {level: i for i, level in enumerate(levels_of(series))}
    return np.array([lookup.get(v, np.nan) for v in series], dtype=float)


def _block(values: np.ndarray, categorical: bool, k: int) -> np.ndarray:
    """A variable's design columns: itself, or indicators of its levels after the first."""
    if not categorical:
        return values[:, None]
    return (values[:, None] == np.arange(1, max(k, 1))[None, :]).astype(float)


def check_spec(spec: ImputationSpec) -> None:
    """A sentence for settings that cannot run."""
    if not M_RANGE[0] <= spec.m <= M_RANGE[1]:
        raise AnalysisError(
            f"The number of imputations must be from {M_RANGE[0]} to {M_RANGE[1]} (20 is usual)."
        )
    if not ITERATION_RANGE[0] <= spec.iterations <= ITERATION_RANGE[1]:
        raise AnalysisError("Iterations must be from 1 to 50 (10 is usual; see the trace plot).")
    if not 0 <= spec.seed < 2**31:
        raise AnalysisError("The seed must be a whole number from 0 to 2,147,483,647.")


def analyze(df: pd.DataFrame, spec: ImputationSpec) -> ImputationResult:
    """The m imputations of the spec's variables, their trace and the missing-data pattern."""
    check_spec(spec)
    unknown = [v for v in spec.variables if v not in df.columns]
    if unknown:
        raise AnalysisError(f"These variables are not in the data: {', '.join(unknown)}.")
    left_out = tuple(v for v in spec.variables if df[v].isna().all())
    used = [v for v in spec.variables if v not in left_out]
    if len(used) < 2:
        raise AnalysisError(
            "Imputation needs at least two variables with observed values: add the variables "
            "that predict the missing ones (the outcome included)."
        )
    kinds = {v: is_categorical(df[v], v, spec) for v in used}
    method = {v: method_of(df[v], kinds[v]) for v in used}
    values = {v: _codes(df[v], kinds[v]) for v in used}
    sizes = {v: len(levels_of(df[v])) if kinds[v] else 0 for v in used}
    missing = {v: np.isnan(values[v]) for v in used}
    targets = [v for v in used if missing[v].any()]
    warnings = [
        f"'{v}' is missing for every patient: it was left out of the imputation." for v in left_out
    ]
    if not targets:
        raise AnalysisError(
            "Nothing is missing in these variables: imputation is not needed, the analyses "
            "already use every patient."
        )
    n = len(df)
    root = np.random.SeedSequence(spec.seed)
    drawn: list[pd.DataFrame] = []
    trace: list[tuple[int, int, str, float]] = []
    for chain, seed in enumerate(root.spawn(spec.m), 1):
        progress(f"Imputation {chain} of {spec.m}")
        rng = np.random.default_rng(seed)
        current = {v: values[v].copy() for v in used}
        for v in targets:
            observed = values[v][~missing[v]]
            current[v][missing[v]] = rng.choice(observed, int(missing[v].sum()))
        blocks = {v: _block(current[v], kinds[v], sizes[v]) for v in used}
        for iteration in range(1, spec.iterations + 1):
            checkpoint()
            for v in targets:
                others = [blocks[u] for u in used if u != v]
                x = np.column_stack([np.ones(n), *others])
                rows = missing[v]
                current[v][rows] = _draw(v, method[v], current[v], x, rows, rng, sizes[v], chain)
                blocks[v] = _block(current[v], kinds[v], sizes[v])
                trace.append((chain, iteration, v, float(np.mean(current[v][rows]))))
        for v in targets:
            rows = np.flatnonzero(missing[v])
            drawn.append(
                pd.DataFrame(
                    {"imputation": chain, "row": rows, "variable": v, "value": current[v][rows]}
                )
            )
    trace_frame = pd.DataFrame(trace, columns=["chain", "iteration", "variable", "mean"])
    warnings += _unmixed(trace_frame, spec)
    incomplete = np.zeros(n, dtype=bool)
    for v in targets:
        incomplete |= missing[v]
    info = ImputationInfo(
        m=spec.m,
        iterations=spec.iterations,
        seed=spec.seed,
        n_rows=n,
        n_incomplete=int(incomplete.sum()),
        imputed=tuple(targets),
        methods=tuple(method[v] for v in targets),
        predictors=tuple(used),
        left_out=left_out,
    )
    return ImputationResult(
        imputed=pd.concat(drawn, ignore_index=True),
        trace=trace_frame,
        pattern=missing_pattern(df, list(spec.variables)),
        missing=missing_table(df, list(spec.variables), method),
        info=info,
        warnings=tuple(warnings),
    )


def _draw(v, method, y, x, rows, rng, k, chain) -> np.ndarray:
    try:
        with np.errstate(all="ignore"):
            if method == "pmm":
                out = methods.pmm(y[~rows], x[~rows], x[rows], rng)
            elif method == "logreg":
                out = methods.logreg(y[~rows], x[~rows], x[rows], rng)
            else:
                out = methods.polyreg(y[~rows], x[~rows], x[rows], rng, k)
    except (np.linalg.LinAlgError, ValueError) as exc:
        raise AnalysisError(
            f"The imputation model of '{v}' could not be fitted in imputation {chain} ({exc}). "
            "Leave out predictors that repeat each other or categories with very few patients."
        ) from None
    if not np.all(np.isfinite(out)):
        raise AnalysisError(
            f"The imputation model of '{v}' gave no values in imputation {chain}: its "
            "predictors may separate it perfectly. Leave out the predictor that does."
        )
    return out


def _unmixed(trace: pd.DataFrame, spec: ImputationSpec) -> list[str]:
    """Variables whose chains have not mixed over the last half of the rounds (R-hat)."""
    if spec.iterations < 4:
        return []
    late = trace[trace.iteration > spec.iterations // 2]
    out = []
    for v, part in late.groupby("variable", sort=False):
        means = part.pivot(index="iteration", columns="chain", values="mean").to_numpy()
        n = means.shape[0]
        within = means.var(axis=0, ddof=1).mean()
        between = n * means.mean(axis=0).var(ddof=1)
        if within > 0 and np.sqrt(((n - 1) / n * within + between / n) / within) > RHAT_LIMIT:
            out.append(
                f"The chains of '{v}' have not mixed (R-hat above {RHAT_LIMIT}): see the "
                "convergence plot, and raise the iterations."
            )
    return out


def complete(df: pd.DataFrame, result: ImputationResult, i: int) -> pd.DataFrame:
    """Data set i (1..m): the data with imputation i's values in its missing cells."""
    out = df.copy()
    part = result.imputed[result.imputed["imputation"] == i]
    for v, cells in part.groupby("variable", sort=False):
        rows = cells["row"].to_numpy()
        codes = cells["value"].to_numpy()
        column = out[v]
        if pd.api.types.is_numeric_dtype(column.dtype) and v not in _coded(result):
            out.iloc[rows, out.columns.get_loc(v)] = codes
        else:
            levels = levels_of(df[v])
            column = (
                column.astype(object)
                if not isinstance(column.dtype, pd.CategoricalDtype)
                else column
            )
            column = column.copy()
            column.iloc[rows] = [levels[int(c)] for c in codes]
            out[v] = column
    return out


def _coded(result: ImputationResult) -> set[str]:
    return {v for v, m in zip(result.info.imputed, result.info.methods, strict=True) if m != "pmm"}
