"""The label cascade's decisions: hard negatives, abbreviations, degraded mode, recodes.

Reference: the expected groups are clinical facts (Type 1 and Type 2 diabetes are different
diseases; HTN is hypertension), as in bench/data/messy_labels.csv.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analyses.errors import AnalysisError
from matching.clustering import average_linkage
from matching.embeddings import EmbeddingsUnavailable
from matching.normalize import canonical
from matching.proposals import Proposal
from matching.recode import apply_recode, recode_map_frame, recode_map_json
from matching.similarity import (
    MAX_LABELS,
    Harmonization,
    HarmonizeSpec,
    analyze,
    harmonize_labels,
)
from utils import codec
from utils.data_io import dataset_from_frame
from utils.dataset import Dataset

OFF = HarmonizeSpec(embeddings=False)

HARD_NEGATIVES = [
    ("Type 1 DM", "Type 2 DM"),
    ("Type I diabetes", "type II diabetes"),
    ("Hepatitis B", "Hepatitis C"),
    ("A+", "A-"),
    ("A pos", "AB pos"),
    ("STEMI", "NSTEMI"),
    ("CKD 3", "CKD 4"),
    ("CKD 3a", "CKD 3b"),
    ("10 mg", "20 mg"),
    ("Superficial SSI", "Deep SSI"),
    ("Positive", "Negative"),
    ("Pre-op", "Post-op"),
    ("preoperative", "postoperative"),
    ("Hypertension", "Hypotension"),
    ("Male", "Female"),
    ("Left", "Right"),
    ("Never smoker", "Current smoker"),
    ("Ex-smoker", "Smoker"),
    ("Benign", "Malignant"),
    ("Yes", "No"),
]

SAME = [
    ("HTN", "Hypertension"),
    ("high blood pressure", "hypertension"),
    ("T2DM", "Type 2 diabetes mellitus"),
    ("Type II DM", "type 2 DM"),
    ("ICU", "Intensive care"),
    ("LTFU", "Lost to follow-up"),
    ("GA", "General anaesthesia"),
    ("ESRD", "end-stage renal disease"),
    ("COPD", "chronic obstructive pulmonary disease"),
    ("PE", "Pulmonary embolism"),
    ("CVA", "cerebrovascular accident"),
    ("Anaemia", "anemia"),
    ("Oedema", "edema"),
    ("M", "Male"),
    ("A+", "A positive"),
    ("10mg", "10 MG"),
    ("CKD stage III", "CKD 3"),
    ("Non-smoker", "never smoker"),
    ("postop", "Post-op"),
    ("Male", "male "),
]


def grouped(result: Harmonization, a: str, b: str) -> bool:
    return result.mapping[a] == result.mapping[b]


@pytest.mark.parametrize(("a", "b"), HARD_NEGATIVES)
def test_hard_negatives_are_never_merged(a: str, b: str) -> None:
    # With a fake model that calls everything identical, the guards must still hold.
    def same_vector(texts):
        return {t: np.ones(4, dtype=np.float32) / 2 for t in texts}

    for spec, embed in ((OFF, None), (HarmonizeSpec(low=0.0, high=101.0), same_vector)):
        result = harmonize_labels((a, b, a), spec, embed=embed)
        assert not grouped(result, a, b)


@pytest.mark.parametrize(("a", "b"), SAME)
def test_variants_and_abbreviations_are_merged(a: str, b: str) -> None:
    result = harmonize_labels((a, b), OFF)
    assert grouped(result, a, b)


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("PE", "Pulmonary embolism"),
        ("COPD", "chronic obstructive pulmonary disease"),
        ("CVA", "cerebrovascular accident"),
        ("T2DM", "type 2 diabetes mellitus"),
    ],
)
def test_an_abbreviation_and_its_spelling_in_full_have_one_canonical_text(short, full) -> None:
    """The expansion's words go through the same list as typed words ('pulmonary' -> 'lung')."""
    assert canonical(short).text == canonical(full).text


def test_abbreviations_are_what_merges_them() -> None:
    without = HarmonizeSpec(embeddings=False, abbreviations=False)
    assert not grouped(harmonize_labels(("HTN", "Hypertension"), without), "HTN", "Hypertension")


def test_canonical_is_the_most_frequent_and_every_label_is_mapped() -> None:
    labels = ["male"] * 2 + ["Male"] * 5 + ["M"] + ["Female"] * 4 + ["F"] * 6 + ["Unknown"]
    result = harmonize_labels(tuple(labels), OFF)
    assert result.mapping == {
        "male": "Male",
        "Male": "Male",
        "M": "Male",
        "Female": "F",
        "F": "F",
        "Unknown": "Unknown",
    }
    assert result.groups[0] == ("F", "Female")  # largest group first, canonical first
    assert result.counts["Male"] == 5


def test_stats_count_every_pair_once() -> None:
    labels = ("Male", "male", "M", "Female", "woman", "Type 1", "Type 2")
    result = harmonize_labels(labels, OFF)
    s = result.stats
    assert s["pairs"] == 21
    assert s["early_exits"] + s["band_pairs"] == s["pairs"]
    assert (
        s["exact_pairs"] + s["guarded_pairs"] + s["fuzzy_same"] + s["fuzzy_different"]
        == (s["early_exits"])
    )
    assert s["embedded_labels"] == 0


def test_the_panel_totals_add_up_each_column_harmonised() -> None:
    from matching.similarity import totals

    before = totals()
    first = harmonize_labels(("Male", "male", "M", "Female", "woman", "Type 1", "Type 2"), OFF)
    second = harmonize_labels(("Yes", "yes ", "No"), OFF)
    after = totals()
    assert after["columns"] - before["columns"] == 2
    assert after["pairs"] - before["pairs"] == first.stats["pairs"] + second.stats["pairs"] == 24
    early = first.stats["early_exits"] + second.stats["early_exits"]
    assert after["early_exits"] - before["early_exits"] == early
    assert after["embedded_labels"] == before["embedded_labels"]
    assert after["columns_with_model"] == before["columns_with_model"]


def test_a_column_settled_by_exact_and_fuzzy_never_calls_the_model() -> None:
    calls = []

    def spy(texts):
        calls.append(list(texts))
        raise AssertionError("the model should not be needed")

    result = harmonize_labels(("Male", "male", "M", "Female", "F", "female "), embed=spy)
    assert calls == []
    assert result.mode == "rapidfuzz"
    assert result.stats["band_pairs"] == 0


def test_the_model_is_asked_only_about_the_uncertain_band() -> None:
    seen: list[str] = []
    vectors = {"white": [1, 0], "caucasian": [1, 0], "black": [0, 1]}

    def fake(texts):
        seen.extend(texts)
        return {t: np.asarray(vectors.get(t, [0.6, 0.8]), dtype=np.float32) for t in texts}

    spec = HarmonizeSpec(low=0.0, high=90.0, fuzzy_weight=0.2)
    result = harmonize_labels(("White", "Caucasian", "Black", "WHITE"), spec, embed=fake)
    assert set(seen) == {"white", "caucasian", "black"}  # "WHITE" is exact: no new text
    assert result.mode == "embeddings"
    assert grouped(result, "White", "Caucasian")  # cosine 1 lifts a low fuzzy score
    assert not grouped(result, "White", "Black")  # cosine 0 leaves them apart
    assert result.stats["embedded_labels"] == 3


def test_without_the_model_the_cascade_runs_on_rapidfuzz_and_says_why() -> None:
    def broken(texts):
        raise EmbeddingsUnavailable("not enough memory for the embedding model")

    labels = ("White", "Caucasian", "Hypertension", "HTN", "Type 1 DM", "T1DM")
    degraded = harmonize_labels(labels, HarmonizeSpec(low=0.0), embed=broken)
    plain = harmonize_labels(labels, HarmonizeSpec(low=0.0, embeddings=False))
    assert degraded.mode == "rapidfuzz"
    assert "memory" in degraded.note
    assert degraded.mapping == plain.mapping
    assert grouped(degraded, "HTN", "Hypertension") and grouped(degraded, "T1DM", "Type 1 DM")


def test_average_linkage_does_not_chain() -> None:
    # a~b and b~c are close, a and c are not: single-link would make one group of three.
    sim = np.array([[1.0, 0.8, 0.1], [0.8, 1.0, 0.8], [0.1, 0.8, 1.0]])
    labels = average_linkage(sim, np.zeros((3, 3), dtype=bool), cut=0.7)
    assert labels.tolist() == [0, 0, 1]


def test_cannot_link_keeps_groups_apart_whatever_the_average() -> None:
    sim = np.full((3, 3), 0.95)
    cannot = np.zeros((3, 3), dtype=bool)
    cannot[0, 2] = cannot[2, 0] = True
    labels = average_linkage(sim, cannot, cut=0.5)
    assert labels[0] != labels[2]


def test_normalisation_folds_accents_spelling_and_numerals() -> None:
    assert canonical("Anémie  ").text == canonical("anemie").text
    assert canonical("Oesophagitis").text == canonical("esophagitis").text
    assert canonical("Stage IV").keys == canonical("stage 4").keys
    assert canonical("Grade I").text == canonical("grade 1").text
    assert canonical("A posiive").keys == canonical("A+").keys  # a typo in a guard word


def test_analyze_reads_the_spec_column_and_refuses_free_text() -> None:
    df = pd.DataFrame({"id": ["1", "2", "3"], "sex": ["Male", "male", "F"]})
    result = analyze(df, HarmonizeSpec(column="sex", embeddings=False))
    assert set(result.mapping) == {"Male", "male", "F"}
    with pytest.raises(AnalysisError, match="no column"):
        analyze(df, HarmonizeSpec(column="nope", embeddings=False))
    many = pd.DataFrame({"note": [f"free text {i}" for i in range(MAX_LABELS + 1)]})
    with pytest.raises(AnalysisError, match="free text"):
        analyze(many, OFF)


def test_result_round_trips_through_the_shared_cache_codec() -> None:
    result = harmonize_labels(("Male", "M", "Female", "F", "HTN"), OFF)
    again = codec.from_json(codec.to_json(result), [Harmonization, Proposal])
    assert again == result


def sex_dataset() -> Dataset:
    df = pd.DataFrame(
        {"sex": ["Male", "male", "M", "Female", "F", None], "age": [50, 60, 70, 40, 30, 20]}
    )
    return dataset_from_frame(df, name="t.csv")


def test_recode_makes_a_new_dataset_and_undo_returns_the_parent() -> None:
    parent = sex_dataset()
    assert parent.meta("sex").kind == "categorical"
    mapping = {"male": "Male", "M": "Male", "F": "Female", "Male": "Male"}
    child = apply_recode(parent, "sex", mapping)
    assert child.fingerprint != parent.fingerprint
    assert child.df["sex"].tolist()[:5] == ["Male", "Male", "Male", "Female", "Female"]
    assert pd.isna(child.df["sex"].iloc[5])
    assert child.meta("sex").kind == "binary" and child.meta("sex").levels == ("Female", "Male")
    assert parent.df["sex"].tolist()[:3] == ["Male", "male", "M"]  # the original is untouched
    # The same recode of the same parent gives the same fingerprint (cache hits stay valid);
    # undo is the parent itself.
    assert apply_recode(parent, "sex", dict(reversed(mapping.items()))).fingerprint == (
        child.fingerprint
    )
    assert apply_recode(parent, "sex", {"F": "Woman"}).fingerprint != child.fingerprint


def test_recode_map_lists_only_the_changes() -> None:
    steps = [("sex", {"male": "Male", "Male": "Male", "F": "Female"})]
    frame = recode_map_frame(steps)
    assert frame.to_dict("records") == [
        {"column": "sex", "original": "F", "recoded_as": "Female", "change": "merged"},
        {"column": "sex", "original": "male", "recoded_as": "Male", "change": "merged"},
    ]
    assert '"male": "Male"' in recode_map_json(steps)
