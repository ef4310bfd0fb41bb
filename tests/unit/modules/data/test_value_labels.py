"""The value-labels card's pure builders: which columns take labels, the editor escaped."""

from __future__ import annotations

import pandas as pd

from modules.data.value_labels import coded_columns, editor_table
from utils.data_io import dataset_from_frame

HOSTILE = "<b onmouseover=alert(1)>x</b>"


def test_columns_of_codes_or_groups_take_labels():
    df = pd.DataFrame({"age": [30.5, 45.1, 50.2], "sex": [1, 2, 1], "id": ["a", "b", "c"]})
    assert list(coded_columns(dataset_from_frame(df))) == ["sex"]


def test_the_value_label_editor_escapes_values_and_ids_are_indexes():
    counts = pd.DataFrame({"group": ["I", HOSTILE], "n": [2, 1], "percent": [66.7, 33.3]})
    html = str(editor_table(("I", HOSTILE), counts, gen=3))
    assert "<b onmouseover" not in html
    assert 'id="vl_3_0"' in html and 'id="vl_3_1"' in html
