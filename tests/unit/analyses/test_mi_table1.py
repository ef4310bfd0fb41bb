"""Table 1 on imputed data: pooled means and percentages by group, the observed beside them."""

import numpy as np
import pandas as pd
from scipy import stats

from analyses import imputation
from analyses.mi_table1 import pooled_summary
from analyses.specs import ImputationSpec, Table1Spec


def _data(n=200, seed=3):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.normal(60, 10, n).round(),
            "sex": rng.choice(["F", "M"], n),
            "arm": rng.choice(["A", "B"], n),
            "lab": rng.normal(size=n),
        }
    )


SPEC = Table1Spec(("age", "sex"), group="arm", categorical=("sex", "arm"))


def test_complete_variables_pool_to_their_observed_summaries():
    df = _data()
    df.loc[::5, "lab"] = np.nan  # imputed, but not in the table
    imputed = imputation.analyze(df, ImputationSpec(("age", "sex", "arm", "lab"), m=4))
    table = pooled_summary(df, imputed, SPEC).table.set_index(["variable", "level", "group"])
    np.testing.assert_allclose(table.estimate, table.cc_estimate, rtol=1e-12)
    overall = df.age
    row = table.loc[("age", "", "Overall")]
    assert row.n_observed == len(df)
    half = stats.t.ppf(0.975, len(df) - 1) * overall.std() / np.sqrt(len(df))
    assert abs((row.ci_high - row.ci_low) / 2 - half) / half < 0.01  # BR df ~ n - 1 without b
    women_b = table.loc[("sex", "F", "B")]
    in_b = df[df.arm == "B"]
    assert women_b.estimate == 100 * (in_b.sex == "F").mean()


def test_missing_values_are_pooled_and_counted_apart():
    df = _data()
    rng = np.random.default_rng(4)
    df.loc[rng.uniform(size=len(df)) < 0.3, "age"] = np.nan
    df.loc[rng.uniform(size=len(df)) < 0.3, "sex"] = None
    imputed = imputation.analyze(df, ImputationSpec(("age", "sex", "arm", "lab"), m=5))
    result = pooled_summary(df, imputed, SPEC)
    table = result.table.set_index(["variable", "level", "group"])
    age = table.loc[("age", "", "Overall")]
    assert age.n_observed == df.age.notna().sum() < len(df)
    assert 0 < age.fmi < 1 and age.ci_low < age.estimate < age.ci_high
    # The pooled mean is the mean of the m data sets' means.
    means = [imputation.complete(df, imputed, i).age.mean() for i in range(1, 6)]
    assert np.isclose(age.estimate, np.mean(means))
    sexes = table.loc[("sex", slice(None), "A")]
    assert np.isclose(sexes.estimate.sum(), 100.0)
    assert result.fit.m == 5 and result.fit.n == len(df)
