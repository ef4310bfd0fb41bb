"""Each proposed merge, with the reason it is proposed and a calibrated confidence.

A proposal is one label going into its group's canonical label. Its reason says how the two
were found alike, in words a reader can check ("same letters, different case", "typo: 1
letter", "abbreviation of 'Hypertension'", "same words, written differently", "similar
meaning (model)"); its confidence is the share of proposals of that kind and score that were
right on the labelled benchmark (bench/data/messy_labels.csv, measured by
bench/calibration.py: the table below is its output).
Only a proposal at TICK_AT or above is pre-ticked; the others are shown for the user to tick.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from matching import abbreviations as ab
from matching.normalize import fold
from matching.opposites import is_acronym, raw_tokens

TICK_AT = 0.95  # calibrated confidence at or above which a proposal is pre-ticked
TYPO_LETTERS = 2  # at most this many letters apart (OSA: a swap is one) is a typo
# kind -> ((lowest score, confidence), ...) highest first; from bench/calibration.py
# (bench/results/calibration.json): binned share of right merges, (right + 1) / (n + 2).
CALIBRATION: dict[str, tuple[tuple[float, float], ...]] = {
    "case": ((0.0, 0.99),),  # 84 of 84 right
    "spelling": ((0.0, 0.99),),  # 91 of 91
    "abbreviation": ((0.0, 0.99),),  # 148 of 148
    "typo": ((0.9, 0.96), (0.8, 0.83), (0.0, 0.67)),  # 24/24, 4/4, 1/1
    "fuzzy": ((0.9, 0.99), (0.0, 0.83)),  # 119/119, 9/10
    "model": ((0.8, 0.89), (0.0, 0.8)),  # 7/7, 3/3 (with the model)
}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Proposal:
    """One label proposed to merge into `into`: why, how sure, and whether Apply takes it."""

    label: str
    into: str
    kind: str  # case, spelling, abbreviation, typo, fuzzy or model (keys of CALIBRATION)
    reason: str  # shown to the user
    score: float  # the cascade's similarity of the two, 0-1
    confidence: float  # calibrated: the share of such proposals that were right
    ticked: bool  # pre-ticked: confidence >= TICK_AT


def _abbreviates(label: str) -> bool:
    """Does the label hold a word the abbreviation list expands ('HTN', 'T2DM', 'M')?"""
    shouting = not any(c.islower() for c in label)
    for token in raw_tokens(label):
        low = token.lower()
        if low in ab.TOKENS and (is_acronym(token, shouting) or len(low) <= 3):
            return True
    return fold(label) in ab.WHOLE_LABELS


def kind_and_reason(label: str, into: str, same_canonical: bool, by_model: bool) -> tuple[str, str]:
    """How `label` was found alike to `into`, as a kind and a sentence."""
    a, b = fold(label), fold(into)
    if a == b:
        return "case", "same letters, different case"
    if _NON_ALNUM.sub("", a) == _NON_ALNUM.sub("", b):
        return "case", "same letters, different punctuation"
    if same_canonical:
        if _abbreviates(label):
            return "abbreviation", f"abbreviation of '{into}'"
        if _abbreviates(into):
            return "abbreviation", f"'{into}' is its abbreviation"
        return "spelling", "same words, written differently"
    if by_model:
        return "model", "similar meaning (model)"
    letters = OSA.distance(a, b)
    if letters <= TYPO_LETTERS:
        return "typo", f"typo: {letters} letter{'s' if letters > 1 else ''}"
    return "fuzzy", "similar spelling"


def calibrated(kind: str, score: float) -> float:
    """The share of proposals of this kind and score that were right on the benchmark."""
    for lowest, confidence in CALIBRATION[kind]:
        if score >= lowest:
            return confidence
    return CALIBRATION[kind][-1][1]


def propose(label: str, into: str, score: float, same_canonical: bool, by_model: bool) -> Proposal:
    """The proposal to merge `label` into `into` at the cascade's `score` (0-1)."""
    kind, reason = kind_and_reason(label, into, same_canonical, by_model)
    score = round(score, 3)  # float32 scores: 90/100 is 0.8999999, which is 0.9 here
    confidence = calibrated(kind, score)
    return Proposal(label, into, kind, reason, score, confidence, confidence >= TICK_AT)
