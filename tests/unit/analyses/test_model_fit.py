"""Fit statistics against independent computations (statsmodels, scipy, pairwise DeLong)."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.outliers_influence import variance_inflation_factor

from analyses.model_fit import (
    auc_delong,
    hosmer_lemeshow,
    likelihood_summary,
    variance_inflation,
)


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(12)
    n = 400
    X = sm.add_constant(np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)]))
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ [-0.5, 0.9, 0.7])))).astype(float)
    return X, y, sm.Logit(y, X).fit(disp=0)


def test_auc_equals_mann_whitney_u_over_pairs(fitted):
    X, y, res = fitted
    score = np.round(res.predict(), 2)  # rounding creates ties, counted as one half
    u = stats.mannwhitneyu(score[y == 1], score[y == 0]).statistic
    auc, _, _ = auc_delong(y, score)
    np.testing.assert_allclose(auc, u / ((y == 1).sum() * (y == 0).sum()))


def test_delong_ci_equals_a_pairwise_computation(fitted):
    X, y, res = fitted
    score = np.round(res.predict(), 2)
    pos, neg = score[y == 1], score[y == 0]
    # DeLong, DeLong & Clarke-Pearson (1988) from the m x n kernel matrix directly.
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    se = np.sqrt(v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg))
    auc = psi.mean()
    _, low, high = auc_delong(y, score)
    np.testing.assert_allclose([low, high], [auc - 1.959964 * se, auc + 1.959964 * se], rtol=1e-6)


def test_hosmer_lemeshow_equals_decile_table(fitted):
    X, y, res = fitted
    prob = res.predict()
    groups = pd.cut(prob, np.quantile(prob, np.linspace(0, 1, 11)), include_lowest=True)
    table = pd.DataFrame({"y": y, "p": prob, "g": groups}).groupby("g", observed=True)
    obs1, exp1, size = table.y.sum(), table.p.sum(), table.size()
    chi2 = (((obs1 - exp1) ** 2 / exp1) + ((obs1 - exp1) ** 2 / (size - exp1))).sum()
    got_chi2, df, p = hosmer_lemeshow(y, prob)
    np.testing.assert_allclose(got_chi2, chi2, rtol=1e-10)
    assert df == 8
    np.testing.assert_allclose(p, stats.chi2.sf(chi2, 8))


def test_pseudo_r2_and_aic_match_statsmodels(fitted):
    X, y, res = fitted
    out = likelihood_summary(res.llf, res.llnull, len(y), X.shape[1])
    np.testing.assert_allclose(out["aic"], res.aic)
    np.testing.assert_allclose(out["mcfadden_r2"], res.prsquared)
    glm = sm.GLM(y, X, family=sm.families.Binomial()).fit()
    cox_snell = glm.pseudo_rsquared(kind="cs")
    np.testing.assert_allclose(
        out["nagelkerke_r2"], cox_snell / (1 - np.exp(2 * res.llnull / len(y))), rtol=1e-8
    )
    assert 0 < out["mcfadden_r2"] < out["nagelkerke_r2"] < 1


def test_vif_of_numeric_columns_equals_statsmodels():
    rng = np.random.default_rng(1)
    a = rng.normal(size=300)
    b = a + rng.normal(scale=0.5, size=300)
    c = rng.normal(size=300)
    design = np.column_stack([a, b, c])
    got = variance_inflation(design, [("a", [0]), ("b", [1]), ("c", [2])])
    exog = sm.add_constant(design)
    expected = [variance_inflation_factor(exog, j) for j in (1, 2, 3)]
    np.testing.assert_allclose(got.vif, expected, rtol=1e-8)


def test_gvif_of_a_factor_does_not_depend_on_its_reference_level():
    rng = np.random.default_rng(2)
    level = rng.integers(0, 3, 500)
    x = level + rng.normal(size=500)
    onehot = np.eye(3)[level]
    groups = [("x", [0]), ("f", [1, 2])]
    ref0 = variance_inflation(np.column_stack([x, onehot[:, [1, 2]]]), groups)
    ref2 = variance_inflation(np.column_stack([x, onehot[:, [0, 1]]]), groups)
    np.testing.assert_allclose(ref0.vif, ref2.vif, rtol=1e-8)
    np.testing.assert_allclose(ref0.vif_per_df, ref0.vif ** (1 / ref0.df))
