"""How numbers read in MedStat's tables: ORs and CIs to 2 decimals, p to 3, never a raw NaN."""

from __future__ import annotations

import math

DASH = "—"  # shown wherever a value does not exist (never "nan")
REFERENCE = "Reference"
NOT_ESTIMABLE = "not estimable"  # in the model, but no finite estimate (separation, aliasing)


def is_number(value: object) -> bool:
    """True for a finite real number (bools and NaN/inf excluded)."""
    if isinstance(value, bool) or value is None:
        return False
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def fmt_number(value: object, decimals: int = 2) -> str:
    """A finite number with fixed decimals, or a dash."""
    return f"{float(value):.{decimals}f}" if is_number(value) else DASH  # type: ignore[arg-type]


def fmt_count(value: object) -> str:
    """A whole number with thousands separators, or a dash."""
    return f"{int(float(value)):,}" if is_number(value) else DASH  # type: ignore[arg-type]


def fmt_p(value: object) -> str:
    """A p-value to 3 decimals, '<0.001' below that, or a dash."""
    if not is_number(value):
        return DASH
    p = float(value)  # type: ignore[arg-type]
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def p_phrase(value: object) -> str:
    """'p=0.012' or 'p<0.001' for use inside an OR cell."""
    text = fmt_p(value)
    return text if text == DASH else ("p" + text if text.startswith("<") else "p=" + text)


def fmt_ratio(value: object) -> str:
    """An odds ratio to 2 decimals; extreme values (from separation) say so instead."""
    if not is_number(value):
        return DASH
    x = float(value)  # type: ignore[arg-type]
    if x >= 1e4:
        return ">9999"
    if 0 < x < 0.005:
        return "<0.01"
    return f"{x:.2f}"


def fmt_ci(low: object, high: object) -> str:
    """'1.40–3.80', or a dash when either end is missing."""
    if not (is_number(low) and is_number(high)):
        return DASH
    return f"{fmt_ratio(low)}–{fmt_ratio(high)}"


def fmt_or_cell(estimate: object, low: object, high: object, p: object) -> str:
    """finalfit-style cell: '2.31 (1.40–3.80, p=0.001)', or 'not estimable'."""
    if not is_number(estimate) or float(estimate) <= 0:  # type: ignore[arg-type]
        return NOT_ESTIMABLE
    parts = [part for part in (fmt_ci(low, high), p_phrase(p)) if part != DASH]
    inner = ", ".join(parts)
    return f"{fmt_ratio(estimate)} ({inner})" if inner else fmt_ratio(estimate)


def fmt_percent(value: object, decimals: int = 0) -> str:
    """A percentage such as '8%', or a dash."""
    return f"{float(value):.{decimals}f}%" if is_number(value) else DASH  # type: ignore[arg-type]


def text_or_dash(value: object) -> str:
    """A string cell with missing values (None, NaN, '') shown as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    text = str(value)
    return text if text.strip() and text.lower() != "nan" else DASH


METHOD_NAMES = {
    "logit": "Standard logistic regression",
    "firth": "Firth penalized logistic regression",
}


def method_name(method: object) -> str:
    """A reader's name for the estimator used."""
    return METHOD_NAMES.get(str(method), DASH if not method else str(method))
