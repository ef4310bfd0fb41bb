"""Correlation matrix and scatter line, checked against scipy.stats and statsmodels directly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analyses.correlation import analyze
from analyses.errors import AnalysisError
from analyses.results import CORRELATION_PAIR_COLUMNS
from analyses.spearman import prho
from analyses.specs import CorrelationSpec

R_REFERENCE = Path(__file__).resolve().parents[2] / "r"


@pytest.fixture
def frame() -> pd.DataFrame:
    """Three related numbers with different missing rows, and one unrelated one."""
    rng = np.random.default_rng(7)
    n = 120
    a = rng.normal(50, 10, n)
    b = 0.6 * a + rng.normal(0, 8, n)
    c = np.exp(rng.normal(0, 0.8, n)) - 0.02 * a
    d = rng.normal(0, 1, n)
    df = pd.DataFrame({"a": a, "b": b, "c": c, "d": d})
    df.loc[[3, 8, 40], "a"] = np.nan
    df.loc[[8, 11], "b"] = np.nan
    df.loc[[60, 61, 62, 63], "c"] = np.nan
    return df


def _row(result, x, y):
    pairs = result.pairs
    return pairs[(pairs["variable_1"] == x) & (pairs["variable_2"] == y)].iloc[0]


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_every_pair_matches_scipy_on_its_complete_cases(frame, method):
    result = analyze(frame, CorrelationSpec(("a", "b", "c", "d"), method=method))
    assert len(result.pairs) == 6
    reference = stats.pearsonr if method == "pearson" else stats.spearmanr
    for x, y in [("a", "b"), ("a", "c"), ("b", "c"), ("c", "d")]:
        both = frame[[x, y]].dropna()
        ref = reference(both[x], both[y])
        row = _row(result, x, y)
        assert row["n"] == len(both)
        assert row["estimate"] == pytest.approx(ref.statistic, abs=1e-12)
        if method == "pearson":
            assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)
            assert row["p_method"] == "t test"
        else:  # no ties, n <= 1290: R's AS 89 Edgeworth series, not scipy's t (see below)
            assert row["p_method"] == "Edgeworth series (AS 89)"
        assert result.matrix.loc[y, x] == pytest.approx(ref.statistic, abs=1e-12)
    assert np.allclose(np.diag(result.matrix), 1.0)


def test_pearson_ci_is_fisher_z_as_scipy_and_r_cor_test(frame):
    result = analyze(frame, CorrelationSpec(("a", "b")))
    both = frame[["a", "b"]].dropna()
    ci = stats.pearsonr(both["a"], both["b"]).confidence_interval(0.95)
    row = _row(result, "a", "b")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_spearman_ci_uses_bonett_wright_variance(frame):
    result = analyze(frame, CorrelationSpec(("a", "c"), method="spearman"))
    row = _row(result, "a", "c")
    # Bonett & Wright (2000), Psychometrika 65:23-28: var(z) = (1 + rho^2 / 2) / (n - 3).
    rho, n = row["estimate"], row["n"]
    half = 1.959963984540054 * np.sqrt((1 + rho**2 / 2) / (n - 3))
    assert row["ci_low"] == pytest.approx(np.tanh(np.arctanh(rho) - half), abs=1e-12)
    assert row["ci_high"] == pytest.approx(np.tanh(np.arctanh(rho) + half), abs=1e-12)


@pytest.mark.parametrize("adjust", ["holm", "bonferroni", "fdr_bh"])
def test_adjusted_p_values_match_statsmodels_multipletests(frame, adjust):
    result = analyze(frame, CorrelationSpec(("a", "b", "c", "d"), adjust=adjust))
    expected = multipletests(result.pairs["p_value"], method=adjust)[1]
    assert np.allclose(result.pairs["p_adjusted"], expected, rtol=1e-12)
    assert not any("multiple-testing" in w for w in result.warnings)


def test_without_correction_the_page_is_told_about_multiple_tests(frame):
    result = analyze(frame, CorrelationSpec(("a", "b", "c")))
    assert np.allclose(result.pairs["p_adjusted"], result.pairs["p_value"])
    assert any("3 correlations were tested" in w for w in result.warnings)
    assert any("pairwise deletion" in w for w in result.warnings)


def test_scatter_line_and_band_match_statsmodels_ols_mean_ci(frame):
    spec = CorrelationSpec(("a", "b", "c"), method="spearman", pair=("a", "b"))
    result = analyze(frame, spec)
    both = frame[["a", "b"]].dropna()
    ols = sm.OLS(both["b"].to_numpy(), sm.add_constant(both["a"].to_numpy())).fit()
    s = result.summary
    assert (s.intercept, s.slope) == pytest.approx(tuple(ols.params), rel=1e-10)
    assert s.pair_n == len(both) == len(result.scatter)
    assert s.pair_estimate == pytest.approx(stats.spearmanr(both["a"], both["b"]).statistic)
    assert s.pair_pearson_r == pytest.approx(stats.pearsonr(both["a"], both["b"]).statistic)
    grid = result.line["x"].to_numpy()
    pred = ols.get_prediction(sm.add_constant(grid)).summary_frame(alpha=0.05)
    assert np.allclose(result.line["fit"], pred["mean"], rtol=1e-10)
    assert np.allclose(result.line["ci_low"], pred["mean_ci_lower"], rtol=1e-10)
    assert np.allclose(result.line["ci_high"], pred["mean_ci_upper"], rtol=1e-10)
    assert grid.min() == both["a"].min() and grid.max() == both["a"].max()


def test_large_data_keeps_a_sample_of_points_but_uses_everyone():
    rng = np.random.default_rng(1)
    x = rng.normal(size=12_000)
    df = pd.DataFrame({"x": x, "y": x + rng.normal(size=12_000)})
    result = analyze(df, CorrelationSpec(("x", "y")))
    assert result.summary.pair_n == 12_000
    assert result.summary.points_shown == len(result.scatter) == 5000
    assert result.summary.pair_estimate == pytest.approx(stats.pearsonr(df.x, df.y).statistic)


def test_constant_column_has_no_correlation_and_is_named():
    df = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6], "b": [2.0, 1, 4, 3, 6, 5], "k": [3.0] * 6})
    result = analyze(df, CorrelationSpec(("a", "b", "k")))
    assert np.isnan(_row(result, "a", "k")["estimate"])
    assert any("'k'" in w for w in result.warnings)
    assert any("Fewer than 10" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (CorrelationSpec(("a",)), "at least two"),
        (CorrelationSpec(("a", "zzz")), "not in the data"),
        (CorrelationSpec(("a", "word")), "not numeric"),
        (CorrelationSpec(("a", "b"), method="kendall"), "Pearson or Spearman"),  # type: ignore[arg-type]
    ],
)
def test_clear_errors(spec, message):
    df = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 1, 4, 3], "word": ["x", "y", "z", "w"]})
    with pytest.raises(AnalysisError, match=message):
        analyze(df, spec)


def test_no_usable_pair_is_an_error():
    df = pd.DataFrame({"a": [1.0, np.nan, 3, np.nan], "b": [np.nan, 1, np.nan, 3]})
    with pytest.raises(AnalysisError, match="at least 3 patients"):
        analyze(df, CorrelationSpec(("a", "b")))


def _r_spearman_cases() -> list[tuple[str, dict]]:
    """tests/r/spearman.csv and its data, written by tests/r/spearman.R (R 4.2.2)."""
    results = pd.read_csv(R_REFERENCE / "spearman.csv")
    return [(row["case"], row) for row in results.to_dict("records")]


@pytest.fixture(scope="module")
def spearman_data() -> pd.DataFrame:
    return pd.read_csv(R_REFERENCE / "spearman_data.csv")


@pytest.mark.parametrize(("case", "reference"), _r_spearman_cases())
def test_spearman_p_value_equals_r_cor_test(case, reference, spearman_data):
    # R: cor.test(x, y, method = "spearman"): AS 89 without ties for n <= 1290 (exact for
    # n <= 9, Edgeworth series from 10), the t approximation with ties or above 1290.
    data = spearman_data[spearman_data["case"] == case]
    result = analyze(data[["x", "y"]], CorrelationSpec(("x", "y"), method="spearman"))
    row = result.pairs.iloc[0]
    n = reference["n"]
    assert row["n"] == n
    assert row["estimate"] == pytest.approx(reference["rho"], abs=1e-12)
    assert row["p_value"] == pytest.approx(reference["p_value"], rel=1e-9)
    if reference["ties"] or n > 1290:
        expected = "t approximation"
    else:
        expected = "exact (AS 89)" if n <= 9 else "Edgeworth series (AS 89)"
    assert row["p_method"] == expected
    assert result.summary.pair_p == row["p_value"]
    assert result.summary.pair_p_method == expected


def test_pairs_columns_end_with_p_method(frame):
    result = analyze(frame, CorrelationSpec(("a", "b", "c")))
    assert tuple(result.pairs.columns) == CORRELATION_PAIR_COLUMNS
    assert CORRELATION_PAIR_COLUMNS[-1] == "p_method"


def test_as89_tails_by_hand():
    # n = 3: S over the 6 permutations is 0, 2, 2, 6, 6, 8.
    assert prho(3, 6, lower_tail=False) == pytest.approx(3 / 6)
    assert prho(3, 2, lower_tail=True) == pytest.approx(1 / 6)
    assert prho(3, 0, lower_tail=False) == 1.0 and prho(3, 9, lower_tail=False) == 0.0
    # ?cor.test's Hollander & Wolfe example: S = 48, n = 9, two-sided p = 0.09679784.
    assert 2 * prho(9, 50, lower_tail=True) == pytest.approx(0.0967978395061728, rel=1e-12)
