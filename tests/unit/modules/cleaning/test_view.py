"""The Data cleaning tab's pure builders: escaping, the mapping the user chose, stats, CSV."""

from __future__ import annotations

import pandas as pd

from matching.similarity import HarmonizeSpec, harmonize_labels
from modules.cleaning import view as cv
from utils.data_io import dataset_from_frame

EVIL = "<img src=x onerror=alert(1)>"


def result_for(labels):
    return harmonize_labels(tuple(labels), HarmonizeSpec(embeddings=False))


def test_labels_from_the_file_are_escaped() -> None:
    result = result_for([EVIL, EVIL + " ", "Male", "male"])
    html = str(cv.groups_editor(result, gen=1))
    assert EVIL not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_chosen_mapping_follows_accept_edit_split_and_reject() -> None:
    labels = ["Male"] * 5 + ["male", "M"] + ["Female"] * 4 + ["F", "woman"]
    result = result_for(labels)
    groups = dict(cv.proposed(result))
    male = next(g for g, m in groups.items() if m[0] == "Male")
    female = next(g for g, m in groups.items() if m[0] == "Female")
    assert groups[male] == ("Male", "M", "male") and groups[female] == ("Female", "F", "woman")

    values = {cv.merge_id(1, male): True, cv.name_id(1, male): "Male"}
    values |= {cv.member_id(1, male, m): True for m in range(3)}
    values |= {cv.merge_id(1, female): True, cv.name_id(1, female): " Woman  "}
    values |= {cv.member_id(1, female, m): m != 1 for m in range(3)}  # split "F" out
    mapping = cv.chosen_mapping(result, 1, values.get)
    assert mapping == {"M": "Male", "male": "Male", "Female": "Woman", "woman": "Woman"}

    values[cv.merge_id(1, female)] = False  # reject the group
    assert cv.chosen_mapping(result, 1, values.get) == {"M": "Male", "male": "Male"}
    # Inputs of an older result (another generation) never count.
    assert cv.chosen_mapping(result, 2, values.get) == {}


def test_stats_line_says_when_the_model_was_not_used_and_why() -> None:
    result = result_for(["Male", "male", "Female"])
    text = str(cv.stats_line(result, {"running": 0.0}))
    assert "3 pairs: 3 decided by exact or fuzzy matching (100%)" in text
    assert "not needed" in text and "Embedding model not running (no memory used)" in text
    degraded = harmonize_labels(("White", "Caucasian"), HarmonizeSpec(low=0.0), embed=_broken)
    line = str(cv.stats_line(degraded, {"running": 0.0}))
    assert "rapidfuzz only: not enough memory" in line


def _broken(texts):
    from matching.embeddings import EmbeddingsUnavailable

    raise EmbeddingsUnavailable("not enough memory for the embedding model")


def test_cleanable_columns_are_factors_and_text() -> None:
    df = pd.DataFrame({"age": [40.5, 51.2, 62.3, 70.1], "sex": ["M", "F", "M", "male"]})
    assert cv.cleanable_columns(dataset_from_frame(df)) == {"sex": "sex"}


def test_cleaned_csv_neutralises_formulas() -> None:
    df = pd.DataFrame({"sex": ["=HYPERLINK(1)", "M"], "age": [1, 2]})
    text = cv.cleaned_csv(dataset_from_frame(df))
    assert text.splitlines()[1] == '"\'=HYPERLINK(1)",1'


def test_history_lists_applied_steps_with_labels() -> None:
    tag = cv.history_list([("sex", {"M": "Male", "male": "Male"})], {"sex": "Sex <b>"})
    html = str(tag)
    assert "Sex &lt;b&gt;: 2 label(s) merged into 1" in html


def test_a_doubtful_proposal_starts_unticked_with_its_reason_escaped() -> None:
    labels = ["Appendicitis"] * 6 + ["appendicitis"] * 3 + ["Apendicits"] + [EVIL, EVIL.upper()]
    result = result_for(labels)
    html = str(cv.groups_editor(result, gen=1))
    group = next(g for g, m in cv.proposed(result) if m[0] == "Appendicitis")
    members = dict(cv.proposed(result))[group]
    typo = members.index("Apendicits")
    case = members.index("appendicitis")
    typo_box = html.split(f'id="{cv.member_id(1, group, typo)}"')[1].split(">")[0]
    case_box = html.split(f'id="{cv.member_id(1, group, case)}"')[1].split(">")[0]
    assert "checked" not in typo_box and "checked" in case_box
    assert "typo: 2 letters" in html and "same letters, different case" in html
    assert EVIL not in html and EVIL.upper() not in html


def test_history_names_the_steps_that_no_longer_fit() -> None:
    from prep.filters import RowFilter

    steps = [RowFilter("age", ">=", ("18",)), ("sex", {"M": "Male"})]
    skipped = ("Step 2 (sex: 1 label(s) merged) was not applied: there is no column 'sex' <i>.",)
    html = str(cv.history_list(steps, {}, skipped))
    assert "Rows kept where age ≥ 18" in html
    assert 'id="cleaning-skipped"' in html and "no column 'sex' &lt;i&gt;" in html


def test_cleaned_csv_is_written_as_the_upload_was_and_reads_back_in_each_style(tmp_path) -> None:
    import io

    from modules.shared.table_csv import STYLES
    from modules.shared.table_downloads import style_key
    from utils.data_io import read_table

    path = tmp_path / "eu.csv"
    path.write_text(
        "age;crp;site\n61,5;3,25;Lyon, Sud\n70,1;4,4;Nice\n55;1;Lille\n", encoding="utf-8"
    )
    ds = read_table(path)
    assert style_key(ds, None) == "semicolon"  # the upload's own style starts the choice
    expected = ds.df.reset_index(drop=True)
    for key, style in STYLES.items():
        text = cv.cleaned_csv(ds, style)
        if key == "semicolon":  # `;` between cells, a decimal comma in the numbers (quoted by
            # pandas; Excel, LibreOffice, R's read.csv2 and pandas read them as numbers)
            assert text.splitlines()[1] == '"61,5";"3,25";"Lyon, Sud"'
        else:
            assert text.splitlines()[1] == '61.5,3.25,"Lyon, Sud"'
        back = pd.read_csv(io.StringIO(text), sep=style.sep, decimal=style.decimal)
        assert pd.api.types.is_float_dtype(back["age"]) and pd.api.types.is_float_dtype(back["crp"])
        assert back["age"].tolist() == expected["age"].tolist() == [61.5, 70.1, 55.0]
        assert back["crp"].tolist() == expected["crp"].tolist()
        assert back["site"].tolist() == expected["site"].astype(str).tolist()
