"""How the outcome, regression and survival pages offer and show the scale of continuous
covariates: the sidebar control, the per-variable heading, the footnote, and the advice when a
per-unit estimate only reads as different from 1 (or 0) with many decimals.

Pure builders over a result's `scales` table (analyses/results.py SCALE_COLUMNS); a result
without one reads as every covariate per unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from analyses.effect_scale import fmt_increment
from modules.shared.controls import Radio
from modules.shared.formatting import DECIMALS, fmt_ratio, is_number, readable_decimals

INPUT_ID = "effect_scale"
CONTROL_LABEL = "Continuous covariates reported"
SCALE_CHOICES = {"unit": "per unit", "10": "per 10 units", "sd": "per SD", "iqr": "per IQR"}
MARK = "†"
# A suggestion of "per 10 units" when the SD is within about a factor of 3 of 10, otherwise
# per SD: either way the increment is of the order of the spread between patients.
TEN_UNITS_SD = (3.0, 30.0)
WHAT_PER = {
    "10": "per 10-unit increase",
    "sd": "per standard-deviation (SD) increase",
    "iqr": "per interquartile-range (IQR) increase",
}


# The sidebar control of the outcome, regression and survival tabs; its value goes into the
# spec's effect_scale (settings["effect_scale"] in each tab's build_spec).
EFFECT_SCALE_CONTROL = Radio(INPUT_ID, CONTROL_LABEL, SCALE_CHOICES, default="unit")


@dataclass(frozen=True)
class Scales:
    """Each continuous covariate's increment, its text and SD, from a result's scales table."""

    rows: Mapping[str, Mapping[str, object]] = field(default_factory=dict)

    @classmethod
    def of(cls, result: object) -> Scales:
        frame = getattr(result, "scales", None)
        if not isinstance(frame, pd.DataFrame) or frame.empty:
            return cls()
        return cls({str(r["variable"]): r for r in frame.to_dict("records")})

    def per(self, variable: str) -> float:
        """The increment the estimates of `variable` are per (1 when unknown)."""
        k = self.rows.get(variable, {}).get("per", 1.0)
        return float(k) if is_number(k) else 1.0  # type: ignore[arg-type]

    def text(self, variable: str) -> str:
        """'per SD (12.3)', 'per 10 units'; '' when per unit (the tables' default wording)."""
        row = self.rows.get(variable, {})
        return "" if row.get("scale", "unit") == "unit" else str(row.get("per_text", ""))

    def heading(self, label: str, variable: str) -> str:
        """'Age (years), per SD (12.3)', or the label alone per unit."""
        text = self.text(variable)
        return f"{label}, {text}" if text else label

    def used(self) -> list[str]:
        """The scales other than per unit in use, in the control's order."""
        seen = {str(r.get("scale")) for r in self.rows.values()}
        return [s for s in SCALE_CHOICES if s != "unit" and s in seen]

    def sd(self, variable: str) -> float:
        value = self.rows.get(variable, {}).get("sd", float("nan"))
        return float(value) if is_number(value) else float("nan")  # type: ignore[arg-type]


def scale_note(scales: Scales, estimate: str, patients: str) -> str | None:
    """The footnote when some covariate is not per unit; None keeps the per-unit wording.

    `patients` names whose values the SD and IQR come from, e.g. "patients with a known
    outcome".
    """
    used = scales.used()
    if not used:
        return None
    ways = " or ".join(WHAT_PER[s] for s in used)
    spread = [s for s in used if s in ("sd", "iqr")]
    source = ""
    if spread:
        names = " and ".join(s.upper() for s in spread)
        verb = "is that" if len(spread) == 1 else "are those"
        source = (
            f" The {names} of each covariate {verb} of its values among the {patients}, the "
            f"same for the crude and the adjusted {estimate}."
        )
    return (
        f"Continuous covariates: {estimate} {ways}, as written next to each name.{source} "
        "p-values do not depend on the scale."
    )


def needs_more_decimals(
    low: object, high: object, text: Callable[[float], str] = fmt_ratio
) -> bool:
    """True when the CI's ends read the same at the usual 2 decimals."""
    return readable_decimals(low, high, text) > DECIMALS


def suggestion(scales: Scales, variable: str) -> str | None:
    """The scale that would read well, from the covariate's SD; None when none is larger."""
    sd, per = scales.sd(variable), scales.per(variable)
    if not is_number(sd):
        return "per 10 units or per SD" if per < 10 else None
    if TEN_UNITS_SD[0] <= sd <= TEN_UNITS_SD[1] and per < 10:
        return f"per 10 units (its SD is {fmt_increment(sd)})"
    if sd > 1.5 * per:
        return f"per SD ({fmt_increment(sd)})"
    return None


def advice_notes(
    flagged: Iterable[str],
    scales: Scales,
    label: Mapping[str, str] | None,
    estimate: str,
    ratio: bool = True,
) -> list[str]:
    """One footnote per covariate whose estimate needed extra decimals, with a better scale."""
    out = []
    null = "1" if ratio else "0"
    estimate = estimate if estimate.isupper() else estimate.lower()  # OR, HR; coefficient
    for variable in dict.fromkeys(flagged):
        name = (label or {}).get(variable, variable)
        current = scales.text(variable) or "per unit"
        better = suggestion(scales, variable)
        advice = (
            f" Reported {better} it would read more easily: choose it under "
            f"“{CONTROL_LABEL}” and run again."
            if better
            else ""
        )
        out.append(
            f"{MARK} {name}: the {estimate} {current} is close to {null}, so it is shown with "
            f"more decimals.{advice}"
        )
    return out


def hard_to_read(frames: Iterable[pd.DataFrame], text: Callable[[float], str] = fmt_ratio) -> set:
    """Continuous covariates (level "") whose CI reads the same at 2 decimals in any table."""
    out = set()
    for frame in frames:
        if frame.empty:
            continue
        rows = frame[(frame["level"].astype(str) == "") & ~frame["is_reference"].astype(bool)]
        for r in rows.itertuples(index=False):
            if needs_more_decimals(r.ci_low, r.ci_high, text):
                out.add(str(r.variable))
    return out


def scale_columns(frame: pd.DataFrame, scales: Scales) -> pd.DataFrame:
    """`per` (the increment; empty for factors) and `per_text` of each row, for the CSV."""
    continuous = frame["level"].astype(str) == ""
    per = [scales.per(str(v)) if c else float("nan") for v, c in zip(frame["variable"], continuous)]
    text = [
        (scales.text(str(v)) or "per unit") if c else ""
        for v, c in zip(frame["variable"], continuous)
    ]
    return pd.DataFrame({"per": per, "per_text": text}, index=frame.index)


def flagged_variables(
    result: object, tables: Iterable[str], text: Callable[[float], str] = fmt_ratio
) -> set:
    """Continuous covariates whose estimate needed more decimals in these tables of a result."""
    return hard_to_read((getattr(result, t) for t in tables), text)


def variable_heading(result: object, label: str, variable: str, flagged: set) -> str:
    """'Age (years), per SD (12.3)', with the note's mark when one explains the row."""
    text = Scales.of(result).heading(label, variable)
    return f"{text} {MARK}" if variable in flagged else text


def scale_notes(
    result: object,
    label: Callable[[str], str],
    estimate: str,
    patients: str,
    tables: Iterable[str],
    text: Callable[[float], str] = fmt_ratio,
    ratio: bool = True,
) -> list[str]:
    """The footnotes of a table: what the continuous covariates' estimates are per, and advice
    for those that read as no effect at 2 decimals."""
    scales = Scales.of(result)
    note = scale_note(scales, estimate if estimate.isupper() else estimate.lower(), patients)
    flagged = sorted(flagged_variables(result, tables, text))
    advice = advice_notes(flagged, scales, {v: label(v) for v in flagged}, estimate, ratio)
    return ([note] if note else []) + advice


def per_wording(result: object) -> str:
    """How the first footnote says what continuous estimates are per."""
    return (
        "per one-unit increase"
        if not Scales.of(result).used()
        else "per the increment next to its name"
    )


def scale_caption(result: object) -> str:
    """' (continuous covariates per SD)' when some are not per unit, for table captions."""
    used = Scales.of(result).used()
    if not used:
        return ""
    return f" (continuous covariates {' or '.join(SCALE_CHOICES[s] for s in used)})"
