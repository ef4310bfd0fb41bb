"""Firth fits against published logistf figures and an independent profile-likelihood search."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from analyses.firth import fit_firth, penalized_lr_p
from analyses.outcome import analyze
from analyses.specs import OutcomeSpec

DATA = Path(__file__).parents[2] / "data" / "endometrial.csv"

# Firth estimates and standard errors for HG ~ NV + PI + EH on the endometrial data
# (Heinze & Schemper 2002, Stat Med 21:2409), printed by R brglm2 (type = "AS_mean", which is
# Firth's estimator, the estimates logistf gives) in tommasorigon/logistic-bias-reduction,
# ENDOMETRIAL/endometrial.md: "beta_firth 3.775 2.929 -0.035 -2.604",
# "sd_firth 1.489 1.551 0.040 0.776".
PUBLISHED_COEF = {"(Intercept)": 3.775, "NV": 2.929, "PI": -0.035, "EH": -2.604}
PUBLISHED_SE = {"(Intercept)": 1.489, "NV": 1.551, "PI": 0.040, "EH": 0.776}


@pytest.fixture(scope="module")
def endometrial():
    df = pd.read_csv(DATA, comment="#")
    X = np.column_stack([np.ones(len(df)), df[["NV", "PI", "EH"]].to_numpy(float)])
    return df, X, df.HG.to_numpy(float)


def penalized_loglik(beta, X, y):
    """log L + 1/2 log det I(beta), written out independently of firthmodels."""
    eta = X @ beta
    p = 1 / (1 + np.exp(-eta))
    info = (X * (p * (1 - p))[:, None]).T @ X
    return float(np.sum(y * eta - np.logaddexp(0, eta)) + 0.5 * np.linalg.slogdet(info)[1])


def profile(X, y, fixed: dict[int, float], start):
    """Max penalized log-likelihood with some coefficients fixed (full-model penalty)."""
    free = [j for j in range(X.shape[1]) if j not in fixed]

    def negative(b_free):
        beta = np.zeros(X.shape[1])
        beta[free] = b_free
        for j, v in fixed.items():
            beta[j] = v
        return -penalized_loglik(beta, X, y)

    res = optimize.minimize(negative, np.asarray(start)[free], method="BFGS", tol=1e-10)
    return -res.fun


def test_endometrial_estimates_and_se_match_published(endometrial):
    df, X, y = endometrial
    fit = fit_firth(X, y)
    np.testing.assert_allclose(fit.params, list(PUBLISHED_COEF.values()), atol=6e-4)
    np.testing.assert_allclose(fit.bse, list(PUBLISHED_SE.values()), atol=6e-4)


def test_profile_ci_and_lr_p_match_an_independent_profile(endometrial):
    df, X, y = endometrial
    fit = fit_firth(X, y)
    top = penalized_loglik(fit.params, X, y)
    crit = stats.chi2.ppf(0.95, 1)
    for j in (1, 2, 3):

        def gap(b, j=j):
            return 2 * (top - profile(X, y, {j: b}, fit.params)) - crit

        est = fit.params[j]
        width = 10 * fit.bse[j]
        lower = optimize.brentq(gap, est - width, est, xtol=1e-7)
        upper = optimize.brentq(gap, est, est + width, xtol=1e-7)
        np.testing.assert_allclose(fit.ci[j], [lower, upper], atol=2e-3)
        p = stats.chi2.sf(2 * (top - profile(X, y, {j: 0.0}, fit.params)), 1)
        np.testing.assert_allclose(fit.pvalues[j], p, rtol=2e-3)


def test_analyze_reports_firth_for_endometrial_neovasculization(endometrial):
    df, _, _ = endometrial
    result = analyze(df, OutcomeSpec(outcome="HG", covariates=("NV", "PI", "EH"), screen_p=None))
    assert result.fit.method == "firth"
    nv = result.multivariable.set_index("variable").loc["NV"]
    np.testing.assert_allclose(np.log(nv.estimate), PUBLISHED_COEF["NV"], atol=6e-4)
    assert result.fit.fallbacks[-1].endswith("->firth")


def test_multi_column_penalized_lr_matches_independent_constrained_fit():
    rng = np.random.default_rng(4)
    n = 60
    level = rng.integers(0, 3, n)
    x = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.5 * x + 0.8 * (level == 2))))).astype(float)
    y[level == 1] = 1.0  # separation: level 1 only has events
    X = np.column_stack([np.ones(n), x, level == 1, level == 2]).astype(float)
    fit = fit_firth(X, y)
    top = penalized_loglik(fit.params, X, y)
    restricted = profile(X, y, {2: 0.0, 3: 0.0}, fit.params)
    expected = stats.chi2.sf(2 * (top - restricted), 2)
    np.testing.assert_allclose(penalized_lr_p(fit, X, y, [2, 3]), expected, rtol=1e-3)
    # With one column it is the coefficient's own penalized LR p.
    np.testing.assert_allclose(penalized_lr_p(fit, X, y, [1]), fit.pvalues[1], rtol=1e-3)
