"""Interaction effects per level and subgroup effects against R (tests/r/interactions.R).

Reference: R 4.2.2 glm (binomial, Poisson), lm and survival 3.5-3 coxph (Efron) with an
exposure × modifier term; the effect per level is the sum of the exposure's and the product's
coefficients with its SE from vcov() (Wald CI: t on the residual df for lm, z otherwise),
the interaction p is the likelihood-ratio test of the products (logLik difference, as
anova(test = "LRT")), and the subgroup rows refit the model without the modifier in each of
its levels. Stored in tests/r/interactions.csv; 1e-3 relative on estimates and CIs (they
agree to ~1e-8), 1e-6 on log-likelihoods. Public data: infert (R datasets), quine (MASS),
warpbreaks (R datasets), lung and veteran (R survival).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analyses.effect_models import Response
from analyses.encoding import encode_factor, encode_numeric
from analyses.errors import AnalysisError
from analyses.interactions import interaction_effects
from analyses.subgroups import ALL_PATIENTS, subgroup_effects

ROOT = Path(__file__).resolve().parents[2]
R = pd.read_csv(ROOT / "r" / "interactions.csv", keep_default_na=False)


def _cov(df, name, factor):
    return encode_factor(df[name], None)[0] if factor else encode_numeric(df[name])


def scenario(name: str):
    """(response, covariates, exposure, modifier, exposure level) as in interactions.R."""
    data = ROOT / "data"
    if name == "infert":
        df = pd.read_csv(data / "infert.csv")
        response = Response("logistic", df["case"].to_numpy(float))
        covs = [_cov(df, "age", False), _cov(df, "parity", False)]
        return response, covs, _cov(df, "spontaneous", False), _cov(df, "education", True), ""
    if name == "quine":
        df = pd.read_csv(data / "quine.csv")
        response = Response("linear", df["Days"].to_numpy(float))
        covs = [_cov(df, "Age", True), _cov(df, "Lrn", True)]
        return response, covs, _cov(df, "Sex", True), _cov(df, "Eth", True), "M"
    if name == "warpbreaks":
        df = pd.read_csv(data / "warpbreaks.csv")
        response = Response("poisson", df["breaks"].to_numpy(float))
        return response, [], _cov(df, "wool", True), _cov(df, "tension", True), "B"
    if name == "lung":
        df = pd.read_csv(data / "lung.csv", na_values=".")
        df = df.dropna(subset=["time", "status", "age", "sex", "ph.karno"])
        event = (df["status"] == 2).to_numpy(float)
        response = Response("cox", event, time=df["time"].to_numpy(float))
        covs = [_cov(df, "ph.karno", False)]
        return response, covs, _cov(df, "age", False), _cov(df, "sex", True), ""
    df = pd.read_csv(data / "veteran.csv")
    response = Response("cox", df["status"].to_numpy(float), time=df["time"].to_numpy(float))
    covs = [_cov(df, "karno", False)]
    return response, covs, _cov(df, "trt", False), _cov(df, "celltype", True), ""


SCENARIOS = ("infert", "quine", "warpbreaks", "lung", "veteran")


def _check(ours: pd.DataFrame, reference: pd.DataFrame, level_column: str) -> None:
    assert len(ours) == len(reference)
    ours = ours.set_index(level_column)
    for ref in reference.itertuples():
        row = ours.loc[ref.modifier_level]
        for column in ("estimate", "ci_low", "ci_high"):
            assert row[column] == pytest.approx(float(getattr(ref, column)), rel=1e-3), column
        assert row["p_value"] == pytest.approx(float(ref.p_value), rel=1e-3)
        assert row["interaction_p"] == pytest.approx(float(ref.interaction_p), rel=1e-3)


@pytest.mark.parametrize("name", SCENARIOS)
def test_effects_per_level_and_lr_test_match_r(name):
    response, covs, exposure, modifier, _ = scenario(name)
    base = np.ones(len(response.y), dtype=bool)
    rows, full = interaction_effects(response, covs, exposure, modifier, base)
    reference = R[(R["scenario"] == name) & (R["what"] == "interaction")]
    _check(pd.DataFrame(rows), reference, "modifier_level")
    assert full.loglik == pytest.approx(float(reference["loglik"].iloc[0]), rel=1e-6)
    assert {r["interaction_df"] for r in rows} == {len(modifier.levels) - 1}


@pytest.mark.parametrize("name", SCENARIOS)
def test_subgroup_effects_match_r(name):
    response, covs, exposure, modifier, _ = scenario(name)
    base = np.ones(len(response.y), dtype=bool)
    table, _ = subgroup_effects(response, covs, exposure, [modifier], base)
    assert table["subgroup"].iloc[0] == ALL_PATIENTS
    levels = table[table["subgroup"] == modifier.name]
    reference = R[(R["scenario"] == name) & (R["what"] == "subgroup")]
    _check(levels, reference, "subgroup_level")
    n = dict(zip(levels["subgroup_level"], levels["n"], strict=True))
    for ref in reference.itertuples():
        assert n[ref.modifier_level] == int(ref.n)
    # The levels partition the patients of the first row.
    assert levels["n"].sum() == table["n"].iloc[0]


def test_refusals_name_the_level_and_what_to_do():
    response, covs, exposure, modifier, _ = scenario("infert")
    base = np.ones(len(response.y), dtype=bool)
    # A level with no events.
    y = response.y.copy()
    y[modifier.codes == 0] = 0
    with pytest.raises(AnalysisError, match="education = '0-5yrs' has the event"):
        subgroup_effects(Response("logistic", y), covs, exposure, [modifier], base)
    # A subgroup with one level among the patients.
    only = base & (modifier.codes == 1)
    with pytest.raises(AnalysisError, match="one level"):
        subgroup_effects(response, covs, exposure, [modifier], only)
    # The exposure constant within a level.
    values = exposure.values.copy()
    values[modifier.codes == 2] = 1.0
    constant = type(exposure)(exposure.name, values)
    with pytest.raises(AnalysisError, match="is the same for every patient with education"):
        interaction_effects(response, covs, constant, modifier, base)


def test_progress_names_the_subgroup_level(monkeypatch):
    import analyses.subgroups as subgroups

    response, covs, exposure, modifier, _ = scenario("warpbreaks")
    base = np.ones(len(response.y), dtype=bool)
    seen: list[str] = []
    monkeypatch.setattr(subgroups, "progress", seen.append)
    subgroup_effects(response, covs, exposure, [modifier], base)
    assert "Subgroup tension: level 2 of 3" in seen


def test_cancel_stops_between_subgroup_levels(monkeypatch):
    """A cancel during the subgroup models stops at the next checkpoint (each model fit)."""
    import analyses.subgroups as subgroups
    from analyses.cancellation import Cancelled, CancelToken, cancellable, progress

    response, covs, exposure, modifier, _ = scenario("lung")
    base = np.ones(len(response.y), dtype=bool)
    token = CancelToken()
    seen: list[str] = []

    def cancel_at_second_level(text: str) -> None:
        seen.append(text)
        if text.endswith("level 2 of 2"):
            token.cancel()
        progress(text)

    monkeypatch.setattr(subgroups, "progress", cancel_at_second_level)
    with pytest.raises(Cancelled), cancellable(token):
        subgroup_effects(response, covs, exposure, [modifier], base)
    assert seen[-1] == "Subgroup sex: level 2 of 2"
