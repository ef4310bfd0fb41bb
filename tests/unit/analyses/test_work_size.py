"""The size of an analysis before it runs: what tells short work from long work."""

from __future__ import annotations

from analyses.specs import CorrelationSpec, OutcomeSpec, SampleSizeSpec
from analyses.work_size import columns_used, work_cells

COLUMNS = ("died", "age", "sex", "bmi", "site")


def _outcome(**kw) -> OutcomeSpec:
    args = dict(outcome="died", event="Yes", covariates=("age", "sex"))
    args.update(kw)
    return OutcomeSpec(**args)


def test_the_columns_a_spec_names_are_counted_once():
    spec = _outcome(categorical=("sex",), force=("age",))
    assert columns_used(spec, COLUMNS) == 3  # died, age, sex; "Yes" is a level, not a column


def test_cells_grow_with_rows_and_columns():
    assert work_cells(500, COLUMNS, _outcome()) == 500 * 3
    assert work_cells(20_000, COLUMNS, _outcome()) == 20_000 * 3


def test_bootstrap_subgroups_and_firth_multiply_the_passes():
    plain = work_cells(500, COLUMNS, _outcome())
    assert work_cells(500, COLUMNS, _outcome(bootstrap=200)) == plain * 201
    assert work_cells(500, COLUMNS, _outcome(subgroups=("site",))) == 500 * 4 * 2
    assert work_cells(500, COLUMNS, _outcome(method="firth")) == plain * 3


def test_a_correlation_matrix_pairs_every_column():
    spec = CorrelationSpec(columns=("age", "bmi"))
    assert work_cells(1000, COLUMNS, spec) == 1000 * 2 * 2


def test_a_calculation_without_data_is_no_work():
    assert work_cells(0, (), SampleSizeSpec(family="proportions")) == 0
