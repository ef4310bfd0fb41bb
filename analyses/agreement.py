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
from analyses.agreement_data import categories, numbers, rating_table
from analyses.agreement_icc import icc_table
from analyses.agreement_kappa import cohen_kappa, fleiss_kappa
from analyses.cancellation import progress
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

MAX_POINTS = 5000  # Bland–Altman points kept in the result; the statistics use every subject
FEW_SUBJECTS = 30  # fewer than this: say the intervals are wide
SCALES = ("nominal", "ordinal", "continuous")


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
    names: list[str] = []
    percent = nan
    if spec.scale == "continuous":
        x = numbers(wide, "The ICC and Bland–Altman", spec.layout)
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
        codes, names = categories(wide, spec.scale == "ordinal", spec.layout)
        kappas, crosstab, percent, more = kappa_part(codes, names, spec.scale == "ordinal", raters)
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
        n_subjects=int(n), n_dropped=int(dropped), categories=tuple(names),
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
