"""Forest plots with absurd estimates, rendered in chromium: ticks drawn and time to draw.

Once, an OR of 1e200 stretched the outcome tab's log axis over 400 decades: 1,399 ticks, and
the browser took 227 s (measured with the previous builder, commit 640a4e9) to draw the plot.
This renders each tab's forest plot with estimates of 1e-300 and 1e300 and CIs to 0 and
infinity, with plotly.js inline as in the HTML report, and times it until the ticks are there.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import tempfile
import time
import typing
from pathlib import Path
from typing import Any

import pandas as pd

from bench import harness

NAME = "forest_render"
COMMAND = ".venv/bin/python -m bench.forest_render"
CHROMIUM = "/usr/bin/chromium"
GOAL_TICKS = 20
GOAL_RENDER_MS = 15_000  # mostly parsing the 4 MB of plotly.js on a busy 2-core host
ABSURD = [
    (1e-300, 1e-301, 1e-299),
    (1e300, 1e299, math.inf),
    (2.0, 0.0, math.inf),
    (1.5, 1.2, 1.9),
    (math.nan, math.nan, math.nan),
]


def _table(columns) -> pd.DataFrame:
    rows = [
        {"variable": f"v{i}", "level": "", "is_reference": False, "n": 10, "events": 5,
         "estimate": e, "ci_low": lo, "ci_high": hi, "p_value": 0.5, "global_p": 0.5}
        for i, (e, lo, hi) in enumerate(ABSURD)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(columns))


def neutral_record(cls, **given):
    """A fit record with neutral values (NaN, 0, "", (), None) besides the given ones."""
    hints = typing.get_type_hints(cls)
    neutral = {str: "", int: 0, float: math.nan, bool: False}
    values = {
        f.name: None
        if type(None) in typing.get_args(hints[f.name])
        else neutral.get(hints[f.name], ())
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING
    }
    return cls(**{**values, **given})


def figures() -> dict[str, Any]:
    """Each tab's forest plot of the absurd rows."""
    from analyses import results as r
    from analyses.fit_records import OutcomeFit, RegressionFit, SurvivalFit
    from analyses.survival_cox import HR_COLUMNS
    from modules.outcome import figures as outcome_figures
    from modules.outcome.result_view import ResultView
    from modules.regression import figures as regression_figures
    from modules.regression.view import RegressionView
    from modules.survival import figures as survival_figures
    from modules.survival.view import SurvivalView

    out = _table(r.MULTIVARIABLE_COLUMNS)
    reg = _table(r.REGRESSION_MULTIVARIABLE_COLUMNS)
    cox = _table(HR_COLUMNS)
    empty = pd.DataFrame()
    survival = r.SurvivalResult(
        empty, empty, pd.DataFrame({"group": []}), empty, cox, cox, empty,
        neutral_record(SurvivalFit, covariates_in_model=("v0", "v1")),
    )  # fmt: skip
    regression = r.RegressionResult(
        reg, reg, neutral_record(RegressionFit, family="poisson"), empty, empty
    )
    return {
        "outcome": outcome_figures.forest_plot(
            ResultView(r.OutcomeResult(out, out, neutral_record(OutcomeFit)), "y", "Yes", "No")
        ),
        "regression": regression_figures.forest_plot(RegressionView(regression)),
        "survival": survival_figures.forest_figure(SurvivalView(survival, "status", None, "t")),
    }


def render(page: Any, html_path: Path) -> tuple[float, int]:
    """Milliseconds from opening the file until plotly has drawn the x ticks, and their number."""
    started = time.perf_counter()
    page.goto(html_path.as_uri(), timeout=600_000)
    page.wait_for_function("document.querySelectorAll('#f .xtick').length > 0", timeout=600_000)
    ms = (time.perf_counter() - started) * 1000
    return ms, int(page.evaluate("document.querySelectorAll('#f .xtick').length"))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    argparse.ArgumentParser(description=__doc__).parse_args(argv)
    from playwright.sync_api import sync_playwright

    from modules.shared.figures import figure_html

    runs = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        for tab, fig in figures().items():
            path = Path(tmp) / f"{tab}.html"
            path.write_text(f"<html><body>{figure_html(fig, 'f', include_plotlyjs=True)}</body>")
            page = browser.new_page()
            ms, ticks = render(page, path)
            page.close()
            lo, hi = fig.layout.xaxis.range
            runs.append(
                {
                    "tab": tab,
                    "axis": f"{10**lo:.3g}–{10**hi:.3g}",
                    "ticks": ticks,
                    "render_ms": round(ms),
                    "goal_met": ticks <= GOAL_TICKS and ms <= GOAL_RENDER_MS,
                }
            )
        browser.close()
    harness.table(
        "Forest plots of estimates 1e-300 and 1e300, CIs to 0 and infinity, in chromium",
        ["tab", "axis", "x ticks", "render ms", "goal"],
        [
            [r["tab"], r["axis"], r["ticks"], r["render_ms"], "met" if r["goal_met"] else "MISSED"]
            for r in runs
        ],
    )
    payload = {
        "goal": f"at most {GOAL_TICKS} ticks and drawn within {GOAL_RENDER_MS / 1000:g} s",
        "units": "milliseconds",
        "before": {"outcome, OR 1e200, builder of 640a4e9": {"ticks": 1399, "render_ms": 226945}},
        "notes": (
            "render = opening the figure's HTML (plotly.js inline, as in the report) in a new "
            "chromium page until its x ticks exist; most of it is parsing plotly.js"
        ),
        "runs": runs,
    }
    path = harness.write_result(NAME, COMMAND, payload)
    harness.out(f"wrote {path.relative_to(harness.ROOT)}")
    return payload


if __name__ == "__main__":
    main()
