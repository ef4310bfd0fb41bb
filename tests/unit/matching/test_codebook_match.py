"""Codebook variables to data columns: one to one, units and abbreviations folded, guards kept.

Rapidfuzz only (embeddings=False) so the decisions are exact and fast; the model may only
raise a band pair's score, which these cases do not need.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matching.codebook import Codebook, CodebookEntry
from matching.codebook_match import CodebookSpec, match_codebook
from matching.embeddings import EmbeddingsUnavailable


def book(*entries: CodebookEntry) -> Codebook:
    return Codebook(name="cb.csv", fingerprint="f" * 32, entries=entries)


def frame(*names: str) -> pd.DataFrame:
    return pd.DataFrame({n: ["1", "2", "3"] for n in names})


def proposed(result) -> dict[str, str | None]:
    return {m.variable: m.column for m in result.variables}


def test_label_with_units_matches_an_abbreviated_column() -> None:
    cb = book(
        CodebookEntry("AGE_AT_ENTRY", "Age (years)", "numeric"),
        CodebookEntry("weight", "Body weight (kg)", "numeric"),
        CodebookEntry("bmi_calc", "Body mass index (kg/m2)", "numeric"),
    )
    result = match_codebook(frame("pt_wt_kg", "age_yrs", "BMI"), CodebookSpec(cb, embeddings=False))
    assert proposed(result) == {"AGE_AT_ENTRY": "age_yrs", "weight": "pt_wt_kg", "bmi_calc": "BMI"}
    assert result.unmatched_variables == () and result.unmatched_columns == ()
    age = result.variables[0]
    assert age.score >= 0.9 and not age.unsure


def test_pre_and_post_are_never_swapped() -> None:
    cb = book(
        CodebookEntry("sbp_before", "Systolic blood pressure before surgery (mmHg)", "numeric"),
        CodebookEntry("sbp_after", "Systolic blood pressure after surgery (mmHg)", "numeric"),
    )
    for columns in (
        ("sbp_pre", "sbp_post"),
        ("SBP_post_op", "SBP_preop"),
        ("postop_sbp", "preop_sbp"),
    ):
        result = match_codebook(frame(*columns), CodebookSpec(cb, embeddings=False))
        got = proposed(result)
        assert "pre" in got["sbp_before"].lower() and "post" in got["sbp_after"].lower(), got


def test_numbered_visits_match_their_own_number() -> None:
    cb = book(
        CodebookEntry("v1_hb", "Haemoglobin visit 1"), CodebookEntry("v2_hb", "Haemoglobin visit 2")
    )
    result = match_codebook(frame("hb_visit2", "hb_visit1"), CodebookSpec(cb, embeddings=False))
    assert proposed(result) == {"v1_hb": "hb_visit1", "v2_hb": "hb_visit2"}


def test_unmatched_on_both_sides_are_listed() -> None:
    cb = book(
        CodebookEntry("sex", "Sex", "categorical", ("Male", "Female")),
        CodebookEntry("hiv_status", "HIV serostatus", "categorical"),
    )
    result = match_codebook(
        frame("gender", "ward", "bed_number"), CodebookSpec(cb, embeddings=False)
    )
    assert proposed(result) == {"sex": "gender", "hiv_status": None}
    assert result.unmatched_variables == ("hiv_status",)
    assert set(result.unmatched_columns) == {"ward", "bed_number"}


def test_one_to_one_even_when_two_variables_like_the_same_column() -> None:
    cb = book(
        CodebookEntry("crp", "C-reactive protein (mg/L)"), CodebookEntry("crp_day3", "CRP on day 3")
    )
    result = match_codebook(frame("crp", "crp_d3"), CodebookSpec(cb, embeddings=False))
    got = proposed(result)
    assert got["crp"] == "crp" and got["crp_day3"] == "crp_d3"
    assert len({c for c in got.values() if c}) == 2


def test_a_mid_band_match_is_marked_unsure() -> None:
    cb = book(CodebookEntry("length_of_stay", "Length of hospital stay (days)", "numeric"))
    result = match_codebook(frame("hospital_days", "ward"), CodebookSpec(cb, embeddings=False))
    match = result.variables[0]
    if match.column is not None:  # a weak proposal must say so
        assert match.unsure


def test_values_of_matched_categorical_columns_come_with_the_result() -> None:
    cb = book(CodebookEntry("sex", "Sex", "categorical", ("Male", "Female"), ("1", "2")))
    df = pd.DataFrame({"gender": ["M", "male ", "F", "1", "2", "unknown"]})
    result = match_codebook(df, CodebookSpec(cb, embeddings=False))
    values = {v.label: v.value for v in result.values["sex"]}
    assert values == {
        "M": "Male",
        "male": "Male",
        "F": "Female",
        "1": "Male",
        "2": "Female",
        "unknown": None,
    }


def test_degraded_mode_when_the_model_cannot_run() -> None:
    def broken(texts):
        raise EmbeddingsUnavailable("not enough memory for the embedding model")

    cb = book(CodebookEntry("los", "Length of hospital stay (days)", "numeric"))
    result = match_codebook(frame("hosp_stay_len", "ward"), CodebookSpec(cb), embed=broken)
    assert result.mode == "rapidfuzz" and "memory" in result.note


def test_the_model_is_asked_only_about_band_pairs_and_may_raise_them() -> None:
    asked: list[str] = []

    def embed(texts):
        asked.extend(texts)
        return {t: np.ones(4, dtype=np.float32) / 2 for t in texts}  # every cosine 1.0

    cb = book(
        CodebookEntry("age", "Age (years)", "numeric"), CodebookEntry("los", "Length of stay")
    )
    result = match_codebook(frame("age", "stay_length_total", "zzz"), CodebookSpec(cb), embed=embed)
    assert "age" not in asked  # settled exactly, never embedded
    assert proposed(result)["age"] == "age"
    assert result.mode == "embeddings" or not asked


def test_the_cache_key_holds_the_codebook_digest_not_its_content() -> None:
    from utils.cache import make_key

    a = book(CodebookEntry("age", "Age"))
    b = Codebook(name="other.csv", fingerprint="f" * 32, entries=a.entries)
    c = Codebook(name="cb.csv", fingerprint="e" * 32, entries=a.entries)
    key = make_key("codebook", "1", "data", CodebookSpec(a))
    assert make_key("codebook", "1", "data", CodebookSpec(b)) == key
    assert make_key("codebook", "1", "data", CodebookSpec(c)) != key


def test_a_column_that_only_adds_a_qualifier_is_proposed_but_unsure() -> None:
    cb = book(CodebookEntry("mace", "Major adverse cardiac event", "categorical"))
    result = match_codebook(frame("MACE_1yr", "ward"), CodebookSpec(cb, embeddings=False))
    match = result.variables[0]
    assert match.column == "MACE_1yr" and match.unsure


def test_opposite_qualifiers_still_never_match() -> None:
    cb = book(CodebookEntry("sbp_pre", "Systolic blood pressure before surgery"))
    result = match_codebook(frame("sbp_post", "ward"), CodebookSpec(cb, embeddings=False))
    assert result.variables[0].column is None


def test_no_in_a_column_name_is_a_number_not_a_negation() -> None:
    cb = book(
        CodebookEntry("visits", "Number of visits", "numeric"), CodebookEntry("bed", "Bed number")
    )
    result = match_codebook(frame("no_of_visits", "bed_no"), CodebookSpec(cb, embeddings=False))
    assert proposed(result) == {"visits": "no_of_visits", "bed": "bed_no"}


def test_electrolyte_columns_match_their_names_in_full() -> None:
    """Lab columns are often named by their symbol; 'ca' there is calcium, not cancer."""
    cb = book(
        CodebookEntry("sodium", "Serum sodium (mmol/L)", "numeric"),
        CodebookEntry("potassium", "Serum potassium (mmol/L)", "numeric"),
        CodebookEntry("calcium", "Serum calcium (mmol/L)", "numeric"),
        CodebookEntry("cancer", "History of cancer"),
    )
    data = frame("Na", "K", "ca_total", "cancer_hx")
    result = match_codebook(data, CodebookSpec(cb, embeddings=False))
    assert proposed(result) == {
        "sodium": "Na",
        "potassium": "K",
        "calcium": "ca_total",
        "cancer": "cancer_hx",
    }
