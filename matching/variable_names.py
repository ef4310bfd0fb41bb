"""A column name or a codebook label as comparable words: "Age (years)" and "age_yrs" -> "age".

Splits snake_case, camelCase, dots and digits; drops units ("(years)", "mg/dL", "_kg");
expands the abbreviations column names use (sbp, bmi, hb, los...); then the label
normalisation (matching/normalize.py) adds clinical abbreviations, spelling and guard keys, so
"sbp_pre" and "sbp_post" keep different keys and never match.
"""

from __future__ import annotations

import functools
import re

from matching.normalize import Canon, canonical, fold

# Column-name abbreviations -> words (after lower-casing and splitting).
NAME_TOKENS: dict[str, str] = {
    "yrs": "years",
    "yr": "years",
    "wt": "weight",
    "ht": "height",
    "hgt": "height",
    "sbp": "systolic blood pressure",
    "dbp": "diastolic blood pressure",
    "sysbp": "systolic blood pressure",
    "diabp": "diastolic blood pressure",
    "map": "mean arterial pressure",
    "bp": "blood pressure",
    "hr": "heart rate",
    "pulse": "heart rate",
    "rr": "respiratory rate",
    "temp": "temperature",
    "spo2": "oxygen saturation",
    "sat": "saturation",
    "bmi": "body mass index",
    "hb": "hemoglobin",
    "hgb": "hemoglobin",
    "haemoglobin": "hemoglobin",
    "wbc": "white blood cell",
    "plt": "platelet",
    "creat": "creatinine",
    "cr": "creatinine",
    "alb": "albumin",
    # Electrolytes: as a column name "ca" is the lab value, not the label list's "cancer".
    "na": "sodium",
    "k": "potassium",
    "ca": "calcium",
    "cl": "chloride",
    "phos": "phosphate",
    "chol": "cholesterol",
    "ldl": "ldl cholesterol",
    "hdl": "hdl cholesterol",
    "trig": "triglyceride",
    "tg": "triglyceride",
    "glu": "glucose",
    "gluc": "glucose",
    "egfr": "estimated glomerular filtration rate",
    "gfr": "glomerular filtration rate",
    "etoh": "alcohol",
    "prev": "previous",
    "prior": "previous",
    "ebl": "estimated blood loss",
    "hba1c": "glycated hemoglobin",
    "a1c": "glycated hemoglobin",
    "dob": "date birth",
    "dx": "diagnosis",
    "tx": "treatment",
    "rx": "treatment",
    "adm": "admission",
    "admit": "admission",
    "disch": "discharge",
    "dc": "discharge",
    "los": "length stay",
    "dt": "date",
    "fu": "follow up",
    "fup": "follow up",
    "comp": "complication",
    "compl": "complication",
    "complications": "complication",
    "smk": "smoker",
    "smoke": "smoker",
    "gender": "sex",
    "dm": "diabetes",
    "diab": "diabetes",
    "asa": "asa",
    "ecog": "ecog",
    "mort": "mortality",
    "surg": "operative",
    "proc": "procedure",
    "grp": "group",
    "trt": "treatment",
    "hosp": "hospital",
    "wk": "week",
    "wks": "week",
    "mo": "month",
    "mos": "month",
    "mth": "month",
    "num": "number",
    "nr": "number",
    "no": "number",  # in a name "bed_no", "no_of_visits": a number, not a negation
    "n": "number",
}
# Units: dropped from both sides unless nothing else is left.
_UNIT_WORDS = (
    "years year months month weeks week days day hours hour hrs h minutes min mins seconds "
    "kg g mg mcg ug ng pg cm mm m mmhg bpm percent pct iu u mmol umol mol dl ml l meq "
    "kg/m2 m2 per gdl mgdl mgl gl mmoll umoll kgm2 mmolmol"
)
UNITS = frozenset(_UNIT_WORDS.split())
# A letter after a number is a unit: "30d", "6m", "5y".
_UNIT_LETTERS = frozenset("dhmwy")
_NUMBERED_LETTERS = {"d": "day", "w": "week", "m": "month", "y": "year", "v": "visit"}
# camelCase boundaries; not after one lower-case letter that follows a capital or starts the
# name, so "eGFR", "SpO2" and "HbA1c" stay whole while "prevMI" splits.
_CAMEL = re.compile(r"(?<=[a-z]{2})(?=[A-Z])|(?<=[A-Z]{2})(?=[A-Z][a-z])")
_BRACKETS = re.compile(r"[(\[{][^)\]}]*[)\]}]")
_UNIT_RATIO = re.compile(
    r"\b(mg|g|mmol|umol|mcg|ug|ng|pg|iu|u|meq|kg|ml|cells|x10\^?9)\s*(/|per)\s*(dl|l|ml|m2|kg|h)\b"
)
_WORDS = re.compile(r"[^a-z0-9]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")


def name_words(text: str) -> list[str]:
    """Lower-case words of a name or label, units and bracketed notes dropped."""
    spaced = _CAMEL.sub(" ", str(text))
    fold_text = fold(spaced)
    without = _BRACKETS.sub(" ", fold_text)
    if not without.strip():  # "(years)" alone keeps its words
        without = fold_text
    without = _UNIT_RATIO.sub(" ", without.replace("?", " "))
    # Known abbreviations holding digits ("spo2", "hba1c") stay whole; others split ("visit2").
    words = [
        part
        for w in _WORDS.split(without)
        if w
        for part in ([w] if w in NAME_TOKENS else _LETTER_DIGIT.split(w))
    ]
    words = [
        w for i, w in enumerate(words) if not (w in _UNIT_LETTERS and i and words[i - 1].isdigit())
    ]
    # A letter before a number names it: "d3" is day 3, "v2" visit 2.
    words = [
        _NUMBERED_LETTERS.get(w, w) if i + 1 < len(words) and words[i + 1].isdigit() else w
        for i, w in enumerate(words)
    ]
    expanded = [part for w in words for part in NAME_TOKENS.get(w, w).split()]
    kept = [w for w in expanded if w not in UNITS]
    return kept or expanded


@functools.lru_cache(maxsize=8192)
def variable_canon(text: str) -> Canon:
    """The comparison form of a column name or a codebook variable/label (cached)."""
    return canonical(" ".join(name_words(text)))
