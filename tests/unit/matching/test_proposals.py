"""Merge proposals (matching/proposals.py): the reason shown, calibrated confidence, the tick."""

from __future__ import annotations

import numpy as np

from matching.proposals import CALIBRATION, TICK_AT, calibrated, kind_and_reason
from matching.similarity import HarmonizeSpec, harmonize_labels

OFF = HarmonizeSpec(embeddings=False)


def test_each_reason_says_how_the_labels_were_found_alike() -> None:
    assert kind_and_reason("male ", "Male", True, False) == ("case", "same letters, different case")
    assert kind_and_reason("Pre-op", "preop", True, False)[1] == (
        "same letters, different punctuation"
    )
    assert kind_and_reason("HTN", "Hypertension", True, False) == (
        "abbreviation",
        "abbreviation of 'Hypertension'",
    )
    assert kind_and_reason("Hypertension", "HTN", True, False)[1] == "'HTN' is its abbreviation"
    assert kind_and_reason("Anaemia", "anemia", True, False)[1] == "same words, written differently"
    assert kind_and_reason("Pancreatits", "Pancreatitis", False, False)[1] == "typo: 1 letter"
    assert kind_and_reason("Apendicits", "Appendicitis", False, False)[1] == "typo: 2 letters"
    assert kind_and_reason("White", "Caucasian", False, True)[1] == "similar meaning (model)"


def test_confidence_is_the_calibration_table_and_only_high_confidence_is_ticked() -> None:
    assert calibrated("case", 1.0) >= TICK_AT
    assert calibrated("typo", 0.95) >= TICK_AT
    assert calibrated("typo", 0.85) < TICK_AT
    assert calibrated("model", 0.99) < TICK_AT  # the model's word alone is never pre-ticked
    for bins in CALIBRATION.values():
        lows = [low for low, _ in bins]
        assert lows == sorted(lows, reverse=True) and lows[-1] == 0.0
        shares = [share for _, share in bins]
        assert shares == sorted(shares, reverse=True)  # monotone in the score


def test_every_grouped_label_has_a_proposal_and_ticks_follow_confidence() -> None:
    labels = ["Appendicitis"] * 6 + ["appendicitis"] * 3 + ["Apendicits", "HTN", "Hypertension"]
    result = harmonize_labels(labels, OFF)
    heads = {g[0] for g in result.groups}
    assert set(result.proposals) == {m for g in result.groups for m in g[1:]}
    assert not heads & set(result.proposals)
    case = result.proposals["appendicitis"]
    assert (case.into, case.ticked) == ("Appendicitis", True)
    typo = result.proposals["Apendicits"]
    assert typo.reason == "typo: 2 letters" and typo.confidence < TICK_AT and not typo.ticked
    for p in result.proposals.values():
        assert p.ticked == (p.confidence >= TICK_AT)


def test_a_pair_only_the_model_brings_together_is_shown_but_not_ticked() -> None:
    def identical(texts):  # a fake model that calls every pair the same
        return {t: np.full(4, 0.5, dtype=np.float32) for t in texts}

    spec = HarmonizeSpec(low=0.0, fuzzy_weight=0.0)  # the whole band to the model, its word
    result = harmonize_labels(("White", "Caucasian", "White"), spec, embed=identical)
    assert result.mode == "embeddings"
    assert result.mapping["Caucasian"] == result.mapping["White"]
    proposal = result.proposals["Caucasian"]
    assert proposal.reason == "similar meaning (model)"
    assert not proposal.ticked
