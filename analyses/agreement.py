"""Agreement between raters: kappa (Cohen, weighted, Fleiss), ICC and Bland–Altman.

The ratings are brought to one table of subjects x raters (a long layout is pivoted), the
subjects with a missing rating are left out (complete cases, counted), and the statistics that
fit the scale are computed: analyses/agreement_kappa.py, agreement_icc.py and
agreement_bland_altman.py hold the formulas and their references.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.agreement_bland_altman import limits_table, proportional_bias
from analyses.agreement_icc import icc_table
from analyses.agreement_kappa import cohen_kappa, fleiss_kappa
from analyses.cancellation import progress
from analyses.encoding import level_label
from analyses.errors import AnalysisError
from analyses.fit_records import AgreementSummary
from analyses.results import (
    AGREEMENT_ICC_COLUMNS,
    AGREEMENT_KAPPA_COLUMNS,
    AGREEMENT_LIMITS_COLUMNS,
    AgreementResult,
)
from analyses.specs import AgreementSpec

# Bump when the results of the same data and spec change meaning (cache keys include it).
VERSION = "1"

MAX_RATERS = 50  # more "raters" than this is a table of items, not a panel of raters
MAX_CATEGORIES = 30  # more categories than this are measurements: choose the ICC
MAX_POINTS = 5000  # Bland–Altman points kept in the result; the statistics use every subject
FEW_SUBJECTS = 30  # fewer than this: say the intervals are wide
SCALES = ("nominal", "ordinal", "continuous")


def _quoted(names) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _require(df: pd.DataFrame, names) -> None:
    missing = [n for n in names if n not in df.columns]
    if missing:
        raise AnalysisError(f"These columns are not in the data: {_quoted(missing)}.")


def _long_to_wide(df: pd.DataFrame, spec: AgreementSpec) -> tuple[pd.DataFrame, int]:
    """Subjects x raters from one row per rating; and the rows left out for a missing cell."""
    names = (spec.subject, spec.rater, spec.rating)
    if not all(names):
        raise AnalysisError("Choose the subject, rater and rating columns of the long layout.")
    if len(set(names)) < 3:
        raise AnalysisError("The subject, rater and rating columns must be three different ones.")
    _require(df, names)
    part = df[list(names)]
    known = part.notna().all(axis=1)
    dropped_rows = int((~known).sum())
    part = part[known]
    # Subjects are grouped by their raw values; only the few raters need a label (vectorised:
    # one level_label call per distinct value, not per row).
    rater = _labelled(part[spec.rater])
    twice = pd.DataFrame({"s": part[spec.subject], "r": rater}).duplicated(keep=False)
    if twice.any():
        first = twice.idxmax()
        raise AnalysisError(
            f"Subject '{level_label(part[spec.subject][first])}' has more than one rating from "
            f"rater '{rater[first]}'. Each rater rates each subject once: remove the repeats or "
            "keep one visit."
        )
    wide = pd.DataFrame({"s": part[spec.subject], "r": rater, "v": part[spec.rating]}).pivot(
        index="s", columns="r", values="v"
    )
    wide.columns = [str(c) for c in wide.columns]
    return wide, dropped_rows


def _labelled(column: pd.Series) -> pd.Series:
    """The column's values as the text shown for them, one conversion per distinct value."""
    return column.map({v: level_label(v) for v in pd.unique(column)})


def rating_table(df: pd.DataFrame, spec: AgreementSpec) -> tuple[pd.DataFrame, int, list[str]]:
    """The subjects x raters table of complete cases, subjects dropped, and notes about them."""
    notes = []
    if spec.layout == "long":
        wide, dropped_rows = _long_to_wide(df, spec)
        if dropped_rows:
            notes.append(
                f"{dropped_rows} rows with a missing subject, rater or rating were left out."
            )
    else:
        raters = list(dict.fromkeys(spec.raters))
        _require(df, raters)
        wide = df[raters]
    if wide.shape[1] < 2:
        only = f" (only {_quoted(wide.columns)})" if wide.shape[1] else ""
        raise AnalysisError(
            f"Agreement needs at least two raters{only}: choose one rating column per rater, "
            "or, in the long layout, a rater column with two or more raters."
        )
    if wide.shape[1] > MAX_RATERS:
        raise AnalysisError(
            f"{wide.shape[1]} raters were found; at most {MAX_RATERS} can be compared. "
            "Is the rater column really the rater (not the subject)?"
        )
    complete = wide.notna().all(axis=1)
    dropped = int((~complete).sum())
    wide = wide[complete]
    if dropped:
        notes.append(
            f"{dropped} of {dropped + len(wide)} subjects were left out because at least one "
            "rater's rating is missing (only subjects rated by every rater are compared)."
        )
    if len(wide) < 2:
        raise AnalysisError(
            f"Only {len(wide)} subject{'s' if len(wide) != 1 else ''} rated by every rater: "
            "agreement needs at least 2. Fill in the missing ratings or choose other raters."
        )
    values = pd.unique(wide.to_numpy().ravel())
    if len(values) < 2:
        raise AnalysisError(
            f"Every rating is the same ({level_label(values[0])}): agreement cannot be measured "
            "when the ratings never vary. Check that the right columns were chosen."
        )
    return wide, dropped, notes


def _numbers(wide: pd.DataFrame, why: str) -> np.ndarray:
    """The table as floats, or a sentence naming a column with text in it."""
    out = np.empty(wide.shape, dtype=float)
    for j, column in enumerate(wide.columns):
        values = pd.to_numeric(wide[column], errors="coerce")
        text = wide[column][values.isna()]
        if len(text):
            raise AnalysisError(
                f"{why} need numeric ratings, but '{column}' holds text such as "
                f"'{level_label(text.iloc[0])}'. Choose categories (kappa) for such ratings, "
                "or recode them as numbers on the Data cleaning tab."
            )
        out[:, j] = values.to_numpy(dtype=float)
    return out


def _categories(wide: pd.DataFrame, ordinal: bool) -> tuple[np.ndarray, list[str]]:
    """Each rating as a category index, and the categories in order (numeric order if ordinal)."""
    if ordinal:
        numbers = _numbers(wide, "Weighted kappa and ordered categories")
        levels = np.unique(numbers)
        codes = np.searchsorted(levels, numbers)
        names = [level_label(v) for v in levels]
    else:
        values = pd.unique(wide.to_numpy().ravel())
        text = {v: level_label(v) for v in values}  # 1 and "1" are one category
        names = sorted(set(text.values()), key=_natural)
        index = {name: i for i, name in enumerate(names)}
        code = {v: index[t] for v, t in text.items()}
        codes = np.column_stack([wide[c].map(code).to_numpy() for c in wide.columns])
    if len(names) > MAX_CATEGORIES:
        raise AnalysisError(
            f"The ratings take {len(names)} different values: kappa is for a few categories. "
            "For measurements choose 'Measurements' (ICC and Bland–Altman)."
        )
    return np.asarray(codes, dtype=int), names


def _natural(text: str) -> tuple:
    try:
        return (0, float(text), "")
    except ValueError:
        return (1, 0.0, text.casefold())


def _kappa_row(statistic: str, weights: str, k: int, n: int, kappa) -> dict:
    return {"statistic": statistic, "weights": weights, "raters": k, "n": n, **kappa._asdict()}


def kappa_part(codes: np.ndarray, names: list[str], ordinal: bool, raters: list[str]):
    """The kappa rows, the two raters' table (else empty), the percentage agreement and notes."""
    n, k = codes.shape
    c = len(names)
    per_subject = np.zeros((n, c))
    np.add.at(per_subject, (np.repeat(np.arange(n), k), codes.ravel()), 1)
    percent = float(100 * (per_subject.max(axis=1) == k).mean())
    rows, notes = [], []
    crosstab = pd.DataFrame(index=[], columns=[])
    single = [
        (r, names[codes[0, j]]) for j, r in enumerate(raters) if (codes[:, j] == codes[0, j]).all()
    ]
    if k == 2 and single:
        rater, category = single[0]
        notes.append(
            f"'{rater}' gave every subject the same category ('{category}'), so kappa is 0 "
            "whatever the other rater did and has no confidence interval; report the "
            f"percentage agreement ({percent:.1f}%) and the table of categories instead."
        )
    if k == 2:
        counts = np.zeros((c, c))
        np.add.at(counts, (codes[:, 0], codes[:, 1]), 1)
        crosstab = pd.DataFrame(counts.astype(int), index=names, columns=names)
        for kind in ("none", "linear", "quadratic") if ordinal else ("none",):
            kappa = cohen_kappa(counts, kind)
            if single:
                nan = float("nan")
                kappa = kappa._replace(se=nan, se_null=nan, ci_low=nan, ci_high=nan, z=nan,
                                       p_value=nan)  # fmt: skip
            rows.append(_kappa_row("Cohen's kappa", kind, k, n, kappa))
    else:
        rows.append(_kappa_row("Fleiss' kappa", "none", k, n, fleiss_kappa(per_subject)))
    return pd.DataFrame(rows, columns=list(AGREEMENT_KAPPA_COLUMNS)), crosstab, percent, notes


def _empty(columns) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns))


def analyze(df: pd.DataFrame, spec: AgreementSpec) -> AgreementResult:
    """Agreement of the raters in spec on their complete cases (see the module docstring)."""
    if spec.scale not in SCALES:
        raise AnalysisError(
            "Choose the kind of ratings: unordered or ordered categories, or measurements."
        )
    progress("Preparing the ratings")
    wide, dropped, notes = rating_table(df, spec)
    raters = [str(c) for c in wide.columns]
    n = len(wide)
    kappas, icc, limits = (
        _empty(AGREEMENT_KAPPA_COLUMNS),
        _empty(AGREEMENT_ICC_COLUMNS),
        _empty(AGREEMENT_LIMITS_COLUMNS),
    )
    points = pd.DataFrame({"mean": [], "difference": []})
    crosstab = pd.DataFrame(index=[], columns=[])
    nan = float("nan")
    ba = {"ba_first": None, "ba_second": None, "ba_sd": nan, "ba_slope": nan,
          "ba_slope_ci_low": nan, "ba_slope_ci_high": nan, "ba_slope_p": nan,
          "ba_intercept": nan}  # fmt: skip
    categories: list[str] = []
    percent = nan
    if spec.scale == "continuous":
        x = _numbers(wide, "The ICC and Bland–Altman")
        progress("Intraclass correlations")
        icc = icc_table(x)
        first, second = spec.pair if spec.pair and set(spec.pair) <= set(raters) else raters[:2]
        progress("Bland–Altman")
        a, b = x[:, raters.index(first)], x[:, raters.index(second)]
        diff, means = b - a, (a + b) / 2
        limits, sd = limits_table(diff)
        slope = proportional_bias(means, diff)
        ba.update(ba_first=first, ba_second=second, ba_sd=sd, ba_slope=slope.slope,
                  ba_slope_ci_low=slope.ci_low, ba_slope_ci_high=slope.ci_high,
                  ba_slope_p=slope.p_value, ba_intercept=slope.intercept)  # fmt: skip
        points = pd.DataFrame({"mean": means, "difference": diff})
        if len(points) > MAX_POINTS:
            keep = np.sort(np.random.default_rng(0).choice(len(points), MAX_POINTS, replace=False))
            points = points.iloc[keep].reset_index(drop=True)
        notes += _continuous_notes(x, raters, ba, sd)
    else:
        progress("Kappa")
        codes, categories = _categories(wide, spec.scale == "ordinal")
        kappas, crosstab, percent, more = kappa_part(
            codes, categories, spec.scale == "ordinal", raters
        )
        notes += more
        if spec.scale == "ordinal" and len(raters) > 2:
            notes.append(
                "Weighted kappa compares two raters; with more, Fleiss' kappa treats the "
                "categories as unordered. For an ordered scale and several raters the ICC "
                "(choose 'Measurements') also credits near agreement."
            )
    if n < FEW_SUBJECTS:
        notes.append(f"Only {n} subjects: the confidence intervals are wide.")
    summary = AgreementSummary(
        scale=spec.scale, layout=spec.layout, raters=tuple(raters), n_rows=int(len(df)),
        n_subjects=int(n), n_dropped=int(dropped), categories=tuple(categories),
        percent_agreement=float(percent), points_shown=int(len(points)), **ba,
    )  # fmt: skip
    return AgreementResult(kappas, icc, limits, points, crosstab, summary, tuple(notes))


def _continuous_notes(x: np.ndarray, raters: list[str], ba: dict, sd: float) -> list[str]:
    notes = []
    if sd == 0:
        same = "agree exactly" if ba["ba_intercept"] == 0 else "differ by the same amount"
        notes.append(
            f"'{ba['ba_first']}' and '{ba['ba_second']}' {same} on every subject: the limits "
            "of agreement are the bias itself."
        )
    if np.isfinite(ba["ba_slope_p"]) and ba["ba_slope_p"] < 0.05:
        notes.append(
            f"Proportional bias: the difference changes with the size of the measurement "
            f"(slope {ba['ba_slope']:.3g}, p {_p(ba['ba_slope_p'])}). The limits of agreement "
            "assume a constant difference; consider them on a log (ratio) scale."
        )
    if len(raters) > 2:
        notes.append(
            f"Bland–Altman compares two raters: '{ba['ba_first']}' and '{ba['ba_second']}' "
            "(choose the pair in the settings); the ICCs use all raters."
        )
    return notes


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"
