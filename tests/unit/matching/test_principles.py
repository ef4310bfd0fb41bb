"""The principles (matching/principles.py, opposites.py): pairs kept apart before any score.

Each principle is tested by the kind of pair it blocks, through the cascade with rapidfuzz only
and with a fake model that calls every pair identical (thresholds opened wide), so a pair that
is kept apart here is kept apart whatever a score says.
"""

from __future__ import annotations

import numpy as np
import pytest

from matching.cross_match import score_cross
from matching.normalize import canonical
from matching.opposites import parse_label
from matching.principles import PRINCIPLES, blocked, why_apart
from matching.similarity import HarmonizeSpec, harmonize_labels

OFF = HarmonizeSpec(embeddings=False)
WIDE_OPEN = HarmonizeSpec(low=0.0, high=101.0, cut=0.01)


def identical(texts):
    """The worst model: every text the same vector, every cosine 1."""
    return {t: np.full(4, 0.5, dtype=np.float32) for t in texts}


# (label, label, the principle that keeps them apart)
BLOCKED = [
    ("NSCLC", "SCLC", "negation"),
    ("nsclc", "sclc", "negation"),
    ("non-small cell lung cancer", "small cell lung cancer", "negation"),
    ("typical carcinoid", "atypical carcinoid", "negation"),
    ("typical", "atypical", "negation"),
    ("resectable", "unresectable", "negation"),
    ("operable", "inoperable", "negation"),
    ("continued", "discontinued", "negation"),
    ("symptomatic", "asymptomatic", "negation"),
    ("STEMI", "NSTEMI", "negation"),
    ("hyperthyroidism", "hypothyroidism", "prefix"),
    ("preoperative", "postoperative", "prefix"),
    ("tachycardia", "bradycardia", "prefix"),
    ("microcytic anaemia", "macrocytic anaemia", "prefix"),
    ("SVT", "VT", "prefix"),
    ("leukocytosis", "leukopenia", "suffix"),
    ("colectomy", "colostomy", "suffix"),
    ("HER2+", "HER2-", "words"),
    ("HER2+", "HER2\u2212", "words"),  # a typographic minus
    ("FIGO IB1", "FIGO IB2", "numbers"),
    ("ER positive", "ER negative", "words"),
    ("Left", "Right", "words"),
    ("left", "bilateral", "words"),
    ("High", "Low", "words"),
    ("stage II", "stage III", "numbers"),
    ("stage IIIA", "stage IIIB", "numbers"),
    ("CKD 3a", "CKD 3b", "numbers"),
    ("Grade 1", "Grade 2", "numbers"),
    ("5 mg", "10 mg", "numbers"),
    ("5 mg", "5 mcg", "numbers"),
    ("5 mg", "5 mg/day", "numbers"),
    ("HFrEF", "HFpEF", "words"),
    ("dMMR", "pMMR", "acronyms"),
    ("MMR deficient", "MMR proficient", "words"),
    ("CR", "PR", "acronyms"),
]

# Pairs the principles must let through: the lists or the numerals say they are one thing.
ALLOWED = [
    ("stage II", "stage 2"),
    ("Grade I", "grade 1"),
    ("ASA III", "ASA 3"),
    ("stage IIIA", "stage 3A"),
    ("FIGO IB1", "FIGO 1B1"),
    ("HER2\u2212", "HER2 negative"),
    ("IDDM", "T1DM"),
    ("HTN", "Hypertension"),
    ("M", "Male"),
    ("Anaemia", "anemia"),
    ("HER2+", "HER2 positive"),
    ("NSTEMI", "non-ST elevation MI"),
    ("Pre-op", "preoperative"),
    ("5mg", "5 MG"),
]


@pytest.mark.parametrize(("a", "b", "principle"), BLOCKED)
def test_each_kind_of_opposite_is_blocked_by_its_principle(a, b, principle) -> None:
    assert why_apart(parse_label(a), parse_label(b)) == principle
    assert principle in PRINCIPLES


@pytest.mark.parametrize(("a", "b", "principle"), BLOCKED)
def test_a_blocked_pair_is_never_merged_whatever_the_scores(a, b, principle) -> None:
    for spec, embed in ((OFF, None), (WIDE_OPEN, identical)):
        result = harmonize_labels((a, b, a), spec, embed=embed)
        assert result.mapping[a] != result.mapping[b], (spec, principle)


@pytest.mark.parametrize(("a", "b"), ALLOWED)
def test_labels_that_mean_the_same_are_not_blocked(a, b) -> None:
    assert why_apart(parse_label(a), parse_label(b)) is None
    result = harmonize_labels((a, b), OFF)
    assert result.mapping[a] == result.mapping[b]


def test_the_model_cannot_merge_a_blocked_pair_and_is_not_even_asked() -> None:
    asked: list[str] = []

    def spy(texts):
        asked.extend(texts)
        return identical(texts)

    for pair in (("NSCLC", "SCLC"), ("typical carcinoid", "atypical carcinoid")):
        result = harmonize_labels(pair, HarmonizeSpec(low=0.0, high=101.0, cut=0.01), embed=spy)
        assert result.mapping[pair[0]] != result.mapping[pair[1]]
        assert result.stats["principle_pairs"] == 1
        assert result.stats["band_pairs"] == 0
    assert asked == []  # blocked pairs never reach the band the model scores


def test_the_codebook_matcher_keeps_the_principles_too() -> None:
    names = ["SCLC", "typical carcinoid", "HER2 positive"]
    columns = ["NSCLC", "atypical carcinoid", "HER2 negative"]
    scored = score_cross(
        [canonical(x) for x in names],
        [canonical(x) for x in columns],
        high=90.0,
        low=0.0,
        embed=identical,
        raw=(names, columns),
    )
    assert scored.conflict.diagonal().all()
    assert (scored.similarity.diagonal() == 0).all()


def test_typo_correction_never_crosses_an_opposite() -> None:
    assert canonical("hypotensive").text != canonical("hypertensive").text
    assert canonical("hypotension").text != canonical("hypertension").text
    assert canonical("decreased").text == "decreased"  # not 'deceased', which is 'died'


def test_missing_is_never_no() -> None:
    for missing in ("not recorded", "Not known", "not recoded"):
        assert canonical(missing).text == "unknown"
    result = harmonize_labels(("No", "no", "not recorded", "not recoded", "None"), OFF)
    assert result.mapping["not recoded"] == result.mapping["not recorded"] != result.mapping["No"]


def test_a_column_of_two_thousand_labels_is_blocked_in_one_pass() -> None:
    labels = [f"stage {i} {'left' if i % 2 else 'right'}" for i in range(2000)]
    parsed = [parse_label(x) for x in labels]
    matrix = blocked(parsed, parsed)
    assert matrix.shape == (2000, 2000)
    assert not matrix.diagonal().any()
    assert matrix[0, 1] and matrix[0, 2]
