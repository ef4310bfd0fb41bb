"""MedStat's Firth model against R logistf's printed output on logistf's own example data, sex2.

Model: logistf(case ~ age + oc + vic + vicl + vis + dia, data = sex2), 239 women, 130 cases.
The intercept is not compared: MedStat never reports it (it gets Wald figures internally).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analyses.firth import fit_firth, penalized_lr_p
from analyses.outcome import analyze
from analyses.specs import OutcomeSpec

DATA = Path(__file__).parents[2] / "data" / "sex2.csv"
COVARIATES = ("age", "oc", "vic", "vicl", "vis", "dia")

# logistf's table as printed (2 decimals; p to 3, None meaning "< .001") by easystats/parameters,
# tests/testthat/_snaps/windows/model_parameters.logistf.md (commit 719c412a):
# variable: (log-odds, 95% PL CI low, high, Chi2(1), p).
PRINTED = {
    "age": (-1.11, -1.97, -0.31, 7.51, 0.006),
    "oc": (-0.07, -0.94, 0.79, 0.02, 0.875),
    "vic": (2.27, 1.27, 3.44, 22.93, None),
    "vicl": (-2.11, -3.26, -1.12, 19.10, None),
    "vis": (-0.79, -1.61, 0.02, 3.70, 0.054),
    "dia": (3.10, 0.77, 8.03, 7.90, 0.005),
}

# summary() of the same logistf fit (run with alpha = 0.1, which changes only the CIs, so those
# are not taken from here), printed in TalhoukLab/biostatUtil reference/logistfPrint.md
# (commit 8359ab17): variable: (coef, Chisq, p).
SUMMARY = {
    "age": (-1.10598131, 7.50773092, 6.143472e-03),
    "oc": (-0.06881673, 0.02467044, 8.751911e-01),
    "vic": (2.26887464, 22.93139022, 1.678877e-06),
    "vicl": (-2.11140817, 19.10407252, 1.237805e-05),
    "vis": (-0.78831694, 3.69740975, 5.449701e-02),
    "dia": (3.09601166, 7.89693139, 4.951873e-03),
}
# Same printout: "Likelihood ratio test=49.09064 on 6 df, p=7.15089e-09, n=239".
MODEL_LR_CHI2, MODEL_LR_P = 49.09064, 7.15089e-09

# logistf's 95% profile penalized-likelihood CIs for sex2, as pinned in jzluo/firthlogist
# firthlogist/tests/test_firthlogist.py ("compare with logistf for logistf::sex2", commit
# 0b24e49c); they agree with the 2-decimal table above.
PL_CI_95 = {
    "age": (-1.9737884, -0.30742514),
    "oc": (-0.9414363, 0.78920202),
    "vic": (1.2730216, 3.43543273),
    "vicl": (-3.2608611, -1.11773495),
    "vis": (-1.6080879, 0.01518468),
    "dia": (0.7745682, 8.03029352),
}


@pytest.fixture(scope="module")
def sex2() -> pd.DataFrame:
    return pd.read_csv(DATA, comment="#")


@pytest.fixture(scope="module")
def table(sex2):
    spec = OutcomeSpec(outcome="case", covariates=COVARIATES, method="firth", screen_p=None)
    result = analyze(sex2, spec)
    assert result.fit.method == "firth"
    assert (result.fit.n_used, result.fit.events) == (239, 130)
    return result.multivariable.set_index("variable")


def lr_chi2(p: float, df: int = 1) -> float:
    """The likelihood-ratio statistic a p-value came from (logistf prints both)."""
    return float(stats.chi2.isf(p, df))


@pytest.mark.parametrize("name", COVARIATES)
def test_matches_logistf_printed_table(table, name):
    coef, low, high, chi2, p = PRINTED[name]
    row = table.loc[name]
    assert row.level == "" and not row.is_reference
    assert (row.n, row.events) == (239, 130)
    ours = np.log([row.estimate, row.ci_low, row.ci_high])
    np.testing.assert_allclose(ours, [coef, low, high], rtol=0, atol=0.005)
    np.testing.assert_allclose(lr_chi2(row.p_value), chi2, rtol=0, atol=0.005)
    if p is None:
        assert row.p_value < 0.001
    else:
        assert abs(row.p_value - p) <= 0.0005
    # A single-column covariate's overall p is its own LR p.
    assert row.global_p == pytest.approx(row.p_value, rel=1e-12)


@pytest.mark.parametrize("name", COVARIATES)
def test_matches_logistf_summary_to_full_precision(table, name):
    coef, chi2, p = SUMMARY[name]
    row = table.loc[name]
    # Both Newton solvers stop within ~1e-4 of the optimum (logistf's own runs differ by 1e-6).
    assert np.log(row.estimate) == pytest.approx(coef, abs=1e-4)
    np.testing.assert_allclose(np.log([row.ci_low, row.ci_high]), PL_CI_95[name], atol=1e-5)
    assert lr_chi2(row.p_value) == pytest.approx(chi2, rel=1e-5)
    assert row.p_value == pytest.approx(p, rel=1e-5)


def test_whole_model_penalized_lr_matches_logistf(sex2):
    # logistf's "Likelihood ratio test" compares with the intercept-only fit under the full
    # model's penalty, which is what penalized_lr_p does for all slopes at once.
    X = np.column_stack([np.ones(len(sex2)), sex2[list(COVARIATES)].to_numpy(float)])
    y = sex2["case"].to_numpy(float)
    fit = fit_firth(X, y)
    p = penalized_lr_p(fit, X, y, list(range(1, X.shape[1])))
    assert p == pytest.approx(MODEL_LR_P, rel=1e-5)
    assert lr_chi2(p, df=6) == pytest.approx(MODEL_LR_CHI2, rel=1e-6)
