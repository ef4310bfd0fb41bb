"""Row filters: which rows stay, how missing values count, the flow of rows, refusals."""

import pytest

from prep.filters import checked_filter, filter_step, ops_for
from prep.flow import flow_frame
from utils.data_error import DataError


def kept(dataset, column, op, values=(), reason=""):
    step = filter_step(dataset, column, op, values, reason=reason)
    after, flow = step.apply_with_flow(dataset)
    return step, after, flow


def test_a_comparison_excludes_missing_values_and_counts_them(patients):
    step, after, flow = kept(patients, "age", ">=", ["40"])
    assert after.df["age"].tolist() == [40, 50, 60, 70, 80, 90]
    assert (flow.before, flow.excluded, flow.missing, flow.after) == (10, 4, 1, 6)
    assert (flow.condition, flow.reason) == ("age ≥ 40", "age < 40")
    assert after.meta("age").n_missing == 0  # meta described again for the rows left
    assert after.fingerprint != patients.fingerprint


def test_not_equal_and_not_one_of_keep_missing_values(patients):
    _, after, flow = kept(patients, "stage", "not_in", ["IV"], reason="stage IV")
    assert len(after.df) == 8 and flow.missing == 0 and flow.reason == "stage IV"
    _, after, _ = kept(patients, "age", "!=", ["10"])
    assert len(after.df) == 9


def test_between_orders_its_ends_and_dates_compare_as_dates(patients):
    step, after, _ = kept(patients, "age", "between", ["60", "30"])
    assert step.values == ("30", "60") and len(after.df) == 4
    step, after, _ = kept(patients, "visit", ">=", ["10/01/2024"])
    assert step.values == ("2024-01-10",) and len(after.df) == 5


def test_known_keeps_complete_rows(patients):
    _, after, flow = kept(patients, "stage", "known")
    assert len(after.df) == 9 and flow.missing == 1 and flow.reason == "stage missing"


def test_a_filter_that_excludes_nobody_is_kept_for_the_diagram(patients):
    _, after, flow = kept(patients, "weight", ">=", ["18"])
    assert len(after.df) == 10 and flow.excluded == 0


@pytest.mark.parametrize(
    ("column", "op", "values", "says"),
    [
        ("age", ">=", ["500"], "leaves no rows (all 10 would be excluded). Nothing changed"),
        ("age", ">=", ["old"], "Type a number to compare 'age' with (not 'old')"),
        ("age", "between", ["1"], "two values (from and to)"),
        ("stage", ">=", ["2"], "does not fit 'stage'"),
        ("stage", "in", ["V"], "'V' is not a value of 'stage'"),
        ("stage", "in", [], "Choose at least one level"),
        ("visit", ">", ["someday"], "not a date MedStat can read"),
        ("nope", ">", ["1"], "There is no column named 'nope'"),
    ],
)
def test_bad_filters_are_refused_in_words(patients, column, op, values, says):
    with pytest.raises(DataError) as caught:
        checked_filter(patients, column, op, values)
    assert says in str(caught.value)


def test_ops_fit_the_column(patients):
    assert "in" in ops_for(patients, "sex") and ">=" in ops_for(patients, "sex")
    assert ops_for(patients, "stage") == ("in", "not_in", "known")
    assert "between" in ops_for(patients, "visit") and "in" not in ops_for(patients, "visit")


def test_the_flow_table_has_a_row_per_stage(patients):
    from prep.flow import Flow

    _, middle, first = kept(patients, "age", ">=", ["40"])
    _, _, second = kept(middle, "sex", "not_in", ["2"])
    table = flow_frame(Flow("patients.csv", 10, (first, second)))
    assert table["remaining"].tolist() == [10, 6, 3]
    assert table["excluded"].tolist() == [0, 4, 3]
    assert table["of_which_missing"].tolist() == [0, 1, 0]
    assert table["condition"].tolist() == ["Rows in patients.csv", "age ≥ 40", "sex is not 2"]


def test_after_a_filter_levels_gone_and_blank_cells_are_counted_again():
    import pandas as pd

    from utils.data_io import dataset_from_frame

    df = pd.DataFrame(
        {
            "age": [10, 20, 30, 40],
            "arm": ["A", "A", "B", "C"],
            "note": ["", " ", "ok", "fine"],
            "id": ["p1", "p2", "p3", "p4"],
        }
    )
    ds = dataset_from_frame(df)
    assert ds.meta("note").n_missing == 2
    after = filter_step(ds, "age", ">=", ["20"]).apply(ds)
    assert after.meta("arm").levels == ("A", "B", "C")
    assert after.meta("note").n_missing == 1 and after.meta("id").kind == ds.meta("id").kind
    after = filter_step(ds, "age", ">=", ["30"]).apply(ds)
    assert after.meta("arm").levels == ("B", "C") and after.meta("note").n_missing == 0
