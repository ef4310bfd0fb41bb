"""The Regression page's view of a result: labels, number formats, fit figures and boxes.

Pure builders; every string from the user's file goes through htmltools tags, which escape it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from htmltools import TagList, tags
from shiny import ui

from analyses.fit_records import RegressionFit
from analyses.results import RegressionResult
from modules.shared.formatting import (
    DASH,
    DECIMALS,
    fmt_count,
    fmt_number,
    fmt_p,
    fmt_ratio,
    is_number,
    p_phrase,
    readable_decimals,
)
from modules.shared.labelled import Labelled

FAMILY_NAMES = {
    "linear": "Linear regression (least squares)",
    "poisson": "Poisson regression",
    "negbin": "Negative binomial regression (NB2)",
}
MODEL_CHOICES = {
    "auto": "Automatic (from the outcome's type)",
    "linear": "Linear regression",
    "count": "Count: Poisson, negative binomial if overdispersed",
    "poisson": "Poisson regression",
    "negbin": "Negative binomial regression",
}


@dataclass(frozen=True)
class RegressionView(Labelled):
    """A RegressionResult with what the page needs to show it: labels and the data's name."""

    result: RegressionResult
    labels: Mapping[str, str] = field(default_factory=dict)
    dataset_name: str = ""

    @property
    def fit(self) -> RegressionFit:
        return self.result.fit

    @property
    def ratio(self) -> bool:
        """True when estimates are rate ratios (count models), False for coefficients."""
        return self.fit.family != "linear"

    @property
    def estimate_name(self) -> str:
        return "IRR" if self.ratio else "Coefficient"

    @property
    def outcome_label(self) -> str:
        return self.label(self.fit.outcome)


def fmt_estimate(value: object, ratio: bool, decimals: int = DECIMALS) -> str:
    """A rate ratio to 2 decimals, or a coefficient to 3 significant-looking decimals; more
    decimals when asked (an interval whose ends would read the same)."""
    if not is_number(value):
        return DASH
    if ratio:
        return fmt_ratio(value, decimals)
    x = float(value)  # type: ignore[arg-type]
    if decimals > DECIMALS:
        return f"{x:.{decimals}f}"
    return f"{x:.3g}" if 0 < abs(x) < 0.01 else f"{x:.2f}"


def estimate_decimals(low: object, high: object, ratio: bool) -> int:
    """2, or enough to tell the interval's ends apart (see formatting.readable_decimals)."""
    return readable_decimals(low, high, text=estimate_text(ratio))


def estimate_text(ratio: bool) -> Callable[[float], str]:
    """An estimate at 2 decimals, for asking whether two of them read the same ("0.00 to 0.00"
    from a per-unit coefficient gets fixed decimals and advice, not "4e-06 to 5e-06")."""
    return fmt_ratio if ratio else (lambda value: fmt_number(value, DECIMALS))


def fmt_interval(low: object, high: object, ratio: bool, decimals: int | None = None) -> str:
    """'1.40–3.80' for ratios; 'to' for coefficients, whose ends may be negative."""
    if not (is_number(low) and is_number(high)):
        return DASH
    d = estimate_decimals(low, high, ratio) if decimals is None else decimals
    sep = "–" if ratio else " to "
    return f"{fmt_estimate(low, ratio, d)}{sep}{fmt_estimate(high, ratio, d)}"


def estimate_cell(row, ratio: bool) -> str:
    """finalfit-style cell: '2.31 (1.40–3.80, p=0.001)'."""
    if not is_number(row.estimate):
        return "not estimable"
    d = estimate_decimals(row.ci_low, row.ci_high, ratio)
    inner = [fmt_interval(row.ci_low, row.ci_high, ratio, d), p_phrase(row.p_value)]
    inner = [x for x in inner if x != DASH]
    text = fmt_estimate(row.estimate, ratio, d)
    return f"{text} ({', '.join(inner)})" if inner else text


def done_text(view: RegressionView, seconds: float) -> str:
    """The status line after a run: patients analysed and the model fitted."""
    n = fmt_count(view.fit.n_used)
    return f"Done in {seconds:.1f} s: {n} patients analysed. {family_name(view)}."


def family_name(view: RegressionView) -> str:
    return FAMILY_NAMES.get(view.fit.family, DASH)


def fit_rows(view: RegressionView) -> list[tuple[str, str, str]]:
    """(heading, value, note) of each fit figure, for value boxes and the report's table."""
    m = view.fit
    patients = (
        "Patients analysed",
        fmt_count(m.n_used),
        f"of {fmt_count(m.n_total)} · {fmt_count(m.n_excluded)} excluded",
    )
    if not view.ratio:
        f_note = f"F({m.f_df1}, {m.f_df2}) = {fmt_number(m.f_statistic)}"
        return [
            patients,
            ("R²", fmt_number(m.r2, 3), f"adjusted R² {fmt_number(m.adj_r2, 3)}"),
            ("Residual SE", fmt_number(m.residual_se, 3), f"on {m.residual_df} df"),
            ("Overall F test p", fmt_p(m.f_p), f_note),
            ("AIC", fmt_number(m.aic, 1), f"BIC {fmt_number(m.bic, 1)}"),
        ]
    dispersion = m.screening_dispersion
    rows = [
        patients,
        ("Model", family_name(view).split(" (")[0], _family_reason(m)),
        (
            "Poisson dispersion (χ²/df)",
            fmt_number(dispersion),
            f"above {m.overdispersion_threshold:g} = overdispersed",
        ),
    ]
    if m.family == "negbin":
        rows.append(("NB θ (1/α)", fmt_number(m.theta, 3), f"α = {fmt_number(m.alpha, 3)}"))
    rows += [
        (
            "LR test p",
            fmt_p(m.lr_p),
            f"χ² {fmt_number(m.lr_chi2)}, df {m.lr_df}",
        ),
        ("AIC", fmt_number(m.aic, 1), f"deviance {fmt_number(m.deviance, 1)}"),
    ]
    return rows


def _family_reason(m: RegressionFit) -> str:
    return {
        "overdispersion": "chosen: counts overdispersed",
        "no overdispersion": "chosen: no overdispersion",
    }.get(m.family_reason, "as requested")


def fit_boxes(view: RegressionView) -> TagList:
    """Value boxes of the model fit and one line naming the model and its covariates."""
    boxes = [ui.value_box(h, v, n, id=f"fit_{i}") for i, (h, v, n) in enumerate(fit_rows(view))]
    m = view.fit
    screen = m.screen_p
    selection = "all candidates" if screen is None else f"univariable p < {screen:g} or forced"
    line = tags.p(
        tags.strong("Model: "),
        family_name(view),
        tags.span(" · ", class_="text-muted"),
        tags.strong("Outcome: "),
        view.outcome_label,
        *(
            [
                tags.span(" · ", class_="text-muted"),
                tags.strong("Exposure (offset): "),
                f"log({view.label(m.exposure)})",
            ]
            if m.exposure
            else []
        ),  # fmt: skip
        tags.span(" · ", class_="text-muted"),
        tags.strong("In the model "),
        f"({selection}): ",
        ", ".join(view.label(c) for c in m.covariates_in_model) or DASH,
        class_="mt-2 mb-0",
        id="regression-method",
    )
    return TagList(ui.layout_column_wrap(*boxes, width="190px", fill=False), line)
