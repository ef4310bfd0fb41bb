"""The propensity model: logistic regression of the treatment on the covariates (R's glm), its
c-statistic, and the checks that say when the scores cannot be used (separation, no overlap).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analyses.cancellation import checkpoint
from analyses.errors import AnalysisError
from analyses.propensity_data import PropensityData
from analyses.results import PROPENSITY_MODEL_COLUMNS

# A score this close to 0 or 1 means the covariates (nearly) decide the treatment.
EXTREME = 1e-6
MAX_ITER = 50  # R's glm stops at 25; separation needs more to show itself


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


def irls(
    x: np.ndarray, y: np.ndarray, max_iter: int = MAX_ITER
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Logistic regression by iteratively reweighted least squares, as R's glm: coefficients,
    their covariance (the inverse information at the estimate) and whether it converged.

    The columns are centred and scaled first (solved back afterwards), so the normal equations
    stay well conditioned with incomes next to ages; each iteration is a Cancel checkpoint
    and costs a k x k solve, not a least-squares pass over the rows (bench/propensity.py).
    """
    from scipy.special import expit

    centre = np.r_[0.0, x[:, 1:].mean(axis=0)]
    scale = np.r_[1.0, x[:, 1:].std(axis=0)]
    scale[scale == 0] = 1.0
    xs = (x - centre) / scale
    xs[:, 0] = 1.0
    mu = (y + 0.5) / 2  # R's mustart for binomial
    eta = np.log(mu / (1 - mu))
    beta = np.zeros(x.shape[1])
    deviance, converged = np.inf, False
    for _ in range(max_iter):
        checkpoint()
        w = np.clip(mu * (1 - mu), 1e-12, None)
        z = eta + (y - mu) / w
        info = (xs * w[:, None]).T @ xs
        try:
            beta = np.linalg.solve(info, (xs * w[:, None]).T @ z)
        except np.linalg.LinAlgError:
            break
        eta = xs @ beta
        mu = expit(eta)
        mu = np.clip(mu, 1e-300, 1 - 1e-16)
        new = -2 * np.sum(y * np.log(mu) + (1 - y) * np.log1p(-mu))
        if abs(new - deviance) / (abs(new) + 0.1) < 1e-12:
            converged = True
            break
        deviance = new
    w = mu * (1 - mu)
    cov_s = np.linalg.pinv((xs * w[:, None]).T @ xs)
    # back to the original columns: beta_j = b_j / s_j, intercept b_0 - sum b_j c_j / s_j
    back = np.diag(1 / scale)
    back[0, 1:] = -centre[1:] / scale[1:]
    return back @ beta, back @ cov_s @ back.T, converged


def fit_scores(data: PropensityData) -> ScoreModel:
    """Fit the model by IRLS (as R's glm) and check the scores."""
    from scipy import stats
    from scipy.special import expit

    warnings: list[str] = []
    separating = _separating_terms(data)
    x = data.design
    # the rank on the scaled columns' cross-products: a k x k matrix, not the n x k design
    scaled = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    scaled[:, 0] = 1.0
    if np.linalg.matrix_rank(scaled.T @ scaled, tol=1e-10 * len(x)) < x.shape[1]:
        raise AnalysisError(
            "Some covariates of the propensity model are the same information twice (one is a "
            "combination of others). Leave one of them out."
        )
    beta, cov, converged = irls(x, data.treated)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    score = expit(x @ beta)
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
    if separating or extreme or not converged:
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
