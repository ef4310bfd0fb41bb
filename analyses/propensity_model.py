"""The propensity model: logistic regression of the treatment on the covariates (R's glm), its
c-statistic, and the checks that say when the scores cannot be used (separation, no overlap).
"""

from __future__ import annotations

import warnings as python_warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analyses.cancellation import checkpoint
from analyses.errors import AnalysisError
from analyses.propensity_data import PropensityData
from analyses.results import PROPENSITY_MODEL_COLUMNS

# A score this close to 0 or 1 means the covariates (nearly) decide the treatment.
EXTREME = 1e-6


@dataclass(frozen=True)
class ScoreModel:
    """The fitted scores and the model's table."""

    score: np.ndarray
    logit: np.ndarray
    table: pd.DataFrame
    c_statistic: float
    warnings: tuple[str, ...]


def c_statistic(score: np.ndarray, treated: np.ndarray) -> float:
    """Area under the ROC curve of the score for the treatment (Mann–Whitney, ties half)."""
    from scipy.stats import rankdata

    ranks = rankdata(score)
    n1 = treated.sum()
    n0 = len(treated) - n1
    return float((ranks[treated == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def _separating_terms(data: PropensityData) -> list[str]:
    """The factor levels found in one group only: each alone predicts the treatment."""
    named = []
    for j, (variable, level) in enumerate(data.terms, start=1):
        if level == "":
            continue
        x = data.design[:, j] == 1
        in_treated, in_control = (x & (data.treated == 1)).any(), (x & (data.treated == 0)).any()
        if in_treated != in_control:
            group = data.treated_level if in_treated else data.control_level
            named.append(f"every patient with {variable} = '{level}' is in the '{group}' group")
    return named


def fit_scores(data: PropensityData) -> ScoreModel:
    """Fit the model by IRLS (statsmodels GLM, as R's glm) and check the scores."""
    import statsmodels.api as sm
    from scipy import stats

    warnings: list[str] = []
    separating = _separating_terms(data)
    keep = np.ones(data.design.shape[1], dtype=bool)
    x = data.design
    rank = np.linalg.matrix_rank(x)
    if rank < x.shape[1]:
        raise AnalysisError(
            "Some covariates of the propensity model are the same information twice (one is a "
            "combination of others). Leave one of them out."
        )
    checkpoint()
    model = sm.GLM(data.treated, x[:, keep], family=sm.families.Binomial())
    try:
        with python_warnings.catch_warnings():  # separation is checked and said below
            python_warnings.simplefilter("ignore")
            fit = model.fit(maxiter=100, tol=1e-10)
    except Exception as exc:  # statsmodels raises PerfectSeparationError or a LinAlgError
        raise AnalysisError(_separation_message(separating)) from exc
    checkpoint()
    score = np.asarray(fit.fittedvalues, dtype=float)
    beta, se = np.asarray(fit.params, dtype=float), np.asarray(fit.bse, dtype=float)
    treated = data.treated == 1
    if score[treated].min() > score[~treated].max() or score[treated].max() < score[~treated].min():
        raise AnalysisError(
            "The propensity scores of the two groups do not overlap: the covariates separate "
            "the treated from the controls, so there is no one to compare them with. "
            + (("In this data " + "; ".join(separating) + ". ") if separating else "")
            + "Leave out the covariate that decides the treatment, or study a population "
            "where both treatments occur."
        )
    extreme = int(((score < EXTREME) | (score > 1 - EXTREME)).sum())
    if separating or extreme or not fit.converged:
        warnings.append(
            _separation_message(separating, extreme)
            + " Their estimates are unstable; consider trimming to the common support."
        )
    score = np.clip(score, 1e-15, 1 - 1e-15)
    z = stats.norm.ppf(0.975)
    names = [("(Intercept)", "")] + list(data.terms)
    table = pd.DataFrame({
        "term": [v if not lev else f"{v}: {lev}" for v, lev in names],
        "variable": [v for v, _ in names], "level": [lev for _, lev in names],
        "estimate": beta, "se": se, "ci_low": beta - z * se, "ci_high": beta + z * se,
        "p_value": 2 * stats.norm.sf(np.abs(beta / se)),
    }, columns=list(PROPENSITY_MODEL_COLUMNS))  # fmt: skip
    return ScoreModel(
        score=score, logit=np.log(score / (1 - score)), table=table,
        c_statistic=c_statistic(score, data.treated), warnings=tuple(warnings),
    )  # fmt: skip


def _separation_message(separating: list[str], extreme: int = 0) -> str:
    said = "The covariates (nearly) separate the groups (separation)"
    if separating:
        said += ": " + "; ".join(separating)
    if extreme:
        said += f"; {extreme} patients have a score of practically 0 or 1"
    return said + "."
