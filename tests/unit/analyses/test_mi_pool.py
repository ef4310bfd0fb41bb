"""Rubin's rules against mice's pool() on the same per-imputation fits (tests/r/mi_pool.R)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analyses.mi_pool import barnard_rubin, pool

R = Path(__file__).parents[2] / "r"
FITS = pd.read_csv(R / "mi_pool_fits.csv")
POOLED = pd.read_csv(R / "mi_pool.csv")


@pytest.mark.parametrize("model", ["linear", "logistic", "poisson"])
def test_pool_equals_mice(model):
    fits = FITS[FITS.model == model]
    terms = list(dict.fromkeys(fits.term))
    estimates = fits.pivot(index="imputation", columns="term", values="estimate")[terms]
    variances = fits.pivot(index="imputation", columns="term", values="variance")[terms]
    dfcom = float(fits.dfcom.iloc[0])
    ours = pool(estimates.to_numpy(), variances.to_numpy(), dfcom, terms).set_index("term")
    mice = POOLED[POOLED.model == model].set_index("term")
    assert list(ours.index) == list(mice.index)
    assert (ours.m == 20).all()
    for column in ("estimate", "ubar", "b", "t", "df", "riv", "lambda", "fmi"):
        np.testing.assert_allclose(ours[column], mice[column], rtol=1e-3, err_msg=column)


def test_infinite_dfcom_is_rubins_old_df():
    b, t = np.array([1.0]), np.array([3.0])
    lam = (1 + 1 / 5) * 1.0 / 3.0
    assert barnard_rubin(5, b, t, float("inf"))[0] == pytest.approx(4 / lam**2)


def test_no_between_variance_gives_the_complete_data_answer():
    """Identical imputations: no between variance, lambda 0, CI as the one fit's (z-like df)."""
    estimates = np.tile([0.5, -1.2], (10, 1))
    variances = np.tile([0.04, 0.09], (10, 1))
    out = pool(estimates, variances, float("inf"))
    np.testing.assert_allclose(out.estimate, [0.5, -1.2])
    np.testing.assert_allclose(out.t, [0.04, 0.09])
    np.testing.assert_allclose(out["lambda"], 0.0, atol=1e-12)
    np.testing.assert_allclose(out.ci_high - out.estimate, 1.96 * np.sqrt([0.04, 0.09]), rtol=1e-3)


def test_one_imputation_is_refused():
    with pytest.raises(ValueError, match="two imputations"):
        pool(np.ones((1, 2)), np.ones((1, 2)), 10)
