"""How numbers read in MedStat's tables: ORs and CIs to 2 decimals, p to 3, never a raw NaN.

An interval whose ends read the same at 2 decimals ("1.00–1.00", a per-unit OR of a lab value)
gets the decimals that tell them apart; the tables then suggest a scale that reads better.
"""

from __future__ import annotations

import math
from collections.abc import Callable

DASH = "—"  # shown wherever a value does not exist (never "nan")
DECIMALS = 2  # ratios and CIs
MAX_DECIMALS = 8  # beyond this the scale, not the decimals, must change
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


def fmt_ratio(value: object, decimals: int = DECIMALS) -> str:
    """An odds ratio to 2 decimals; extreme values (from separation) say so instead."""
    if not is_number(value):
        return DASH
    x = float(value)  # type: ignore[arg-type]
    if x >= 1e4:
        return ">9999"
    smallest = 10.0**-decimals
    if 0 < x < smallest / 2:
        return f"<{smallest:.{decimals}f}"
    return f"{x:.{decimals}f}"


def readable_decimals(low: object, high: object, text: Callable[[float], str] = fmt_ratio) -> int:
    """2, or, when the interval's ends read the same at 2 decimals, enough to tell them apart:
    two significant digits of its width (1.0020–1.0042), at most MAX_DECIMALS."""
    if not (is_number(low) and is_number(high)):
        return DECIMALS
    lo, hi = float(low), float(high)  # type: ignore[arg-type]
    same = text(lo) == text(hi) and not text(lo).startswith((">", "<"))  # not the extremes
    if not same or hi <= lo:
        return DECIMALS
    return min(MAX_DECIMALS, max(DECIMALS + 1, 1 - math.floor(math.log10(hi - lo))))


def fmt_ci(low: object, high: object, decimals: int | None = None) -> str:
    """'1.40–3.80' (more decimals when the ends would read the same), or a dash."""
    if not (is_number(low) and is_number(high)):
        return DASH
    d = readable_decimals(low, high) if decimals is None else decimals
    return f"{fmt_ratio(low, d)}–{fmt_ratio(high, d)}"


def fmt_or_cell(estimate: object, low: object, high: object, p: object) -> str:
    """finalfit-style cell: '2.31 (1.40–3.80, p=0.001)', or 'not estimable'."""
    if not is_number(estimate) or float(estimate) <= 0:  # type: ignore[arg-type]
        return NOT_ESTIMABLE
    d = readable_decimals(low, high)
    parts = [part for part in (fmt_ci(low, high, d), p_phrase(p)) if part != DASH]
    inner = ", ".join(parts)
    return f"{fmt_ratio(estimate, d)} ({inner})" if inner else fmt_ratio(estimate, d)


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
