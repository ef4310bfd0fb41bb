"""The words a user changes before a download: found, applied escaped, bounded, kept apart."""

from __future__ import annotations

import html

import plotly.graph_objects as go
import pytest

from modules.shared.figure_download import chosen_size
from modules.shared.figure_labels import (
    MAX_CHARS,
    WITH_TITLE,
    apply_labels,
    clean_edits,
    editable_texts,
)


def km() -> go.Figure:
    fig = go.Figure(
        [
            go.Scatter(x=[0, 1], y=[1, 0.5], name="1 (n = 120)"),
            go.Scatter(x=[0, 1], y=[1, 0.6], name="2 (n = 80)"),
            go.Scatter(x=[0, 1], y=[1, 0.7], name="band", showlegend=False),
            go.Scatter(x=[0, 1], y=[1, 0.8], name=html.escape("<b>O'Brien</b>")),
        ]
    )
    fig.update_layout(
        title="Survival: death", xaxis_title="time", yaxis_title="Survival probability"
    )
    fig.update_layout(legend_title="sex")
    return fig


def forest() -> go.Figure:
    fig = go.Figure(go.Scatter(x=[1.2, 0.8], y=[0, 1], name="OR (95% CI)"))
    fig.update_yaxes(tickvals=[0, 1], ticktext=["<b>sex</b>", "&nbsp;&nbsp;1"])
    return fig


def test_texts_are_offered_as_the_user_reads_them():
    texts = {t.key: t for t in editable_texts(km())}
    assert texts["xaxis"].text == "time" and texts["xaxis"].label == "X axis title"
    assert texts["yaxis"].text == "Survival probability"
    assert texts["legend"].text == "sex"
    assert texts["title"].text == "Survival: death"
    assert "name:1 (n = 120)" in texts and "name:2 (n = 80)" in texts
    assert "name:band" not in texts  # not in the legend: not offered
    assert texts["name:<b>O'Brien</b>"].text == "<b>O'Brien</b>"  # unescaped for the form


def test_edits_are_applied_escaped_and_the_original_is_untouched():
    fig = km()
    out = apply_labels(
        fig,
        {
            "xaxis": "Days",
            "legend": "Sex",
            "name:1 (n = 120)": "Male (n = 120)",
            "name:<b>O'Brien</b>": "<script>x</script>",
            "title": "Overall survival",
        },
    )
    assert out.layout.xaxis.title.text == "Days"
    assert out.layout.legend.title.text == "Sex"
    assert out.layout.title.text == "Overall survival"
    names = [t.name for t in out.data]
    assert names[0] == "Male (n = 120)" and names[1] == "2 (n = 80)"
    assert "<script>" not in out.to_json() and "&lt;script&gt;" in names[3]
    assert fig.layout.xaxis.title.text == "time" and fig.data[0].name == "1 (n = 120)"


def test_row_labels_keep_their_markup():
    out = apply_labels(forest(), {"tick:1": "Male", "tick:sex": "Sex"})
    assert list(out.layout.yaxis.ticktext) == ["<b>Sex</b>", "&nbsp;&nbsp;Male"]


def test_the_title_flag_is_for_the_file_not_the_page():
    out = apply_labels(km(), {WITH_TITLE: "", "title": "Overall"})
    assert out.layout.title.text == "Overall"


def test_numbers_on_an_axis_are_not_offered_as_rows():
    fig = forest()
    fig.update_yaxes(ticktext=["1,000", "20%", "Age"])
    assert [t.text for t in editable_texts(fig) if t.key.startswith("tick:")] == ["Age"]


def test_keys_of_another_result_are_ignored():
    out = apply_labels(forest(), {"name:gone": "x", "xaxis": "no title to change"})
    assert [t.name for t in out.data] == ["OR (95% CI)"]
    assert out.layout.xaxis.title.text is None
    assert list(out.layout.yaxis.ticktext) == list(forest().layout.yaxis.ticktext)


def test_clean_edits_keeps_words_bounded_and_drops_junk():
    got = clean_edits({"xaxis": "  Days ", "yaxis": "", 3: "x", "legend": ["list"], WITH_TITLE: ""})
    assert got == {"xaxis": "Days"}
    assert len(clean_edits({"xaxis": "a" * 10_000})["xaxis"]) == MAX_CHARS
    assert clean_edits({WITH_TITLE: "1"}) == {WITH_TITLE: "1"}


@pytest.mark.parametrize(
    ("choice", "custom", "dpi", "expected"),
    [("single", None, "300", (84.0, 300)), ("double", 5, "600", (174.0, 600)),
     ("custom", 120, "300", (120.0, 300)), ("custom", 120, "1200", (120.0, 300))],
)  # fmt: skip
def test_chosen_size(choice, custom, dpi, expected):
    assert chosen_size("png", choice, custom, dpi) == expected


@pytest.mark.parametrize(("custom", "words"), [(None, "Type the custom"), (5, "between")])
def test_a_bad_custom_width_gets_a_sentence(custom, words):
    with pytest.raises(ValueError, match=words):
        chosen_size("svg", "custom", custom, "300")
