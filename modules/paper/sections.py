"""The paper's sections from the session's runs: each tab's tables and figures, with captions.

Tables are the tabs' declared TableDocs (`AnalysisTab.tables`). Figures are the cards that
declare one (`Card.figure.build(view)`, the figure-export framework), rendered to PNG by
`modules/shared/figure_export.figure_image`; where that is not available or a figure cannot be
rendered, the section says so instead of leaving a silent gap. Runs in the worker pool: a
figure takes a headless browser's render.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from typing import Any

from modules.paper.paper_docx import PaperFigure, Section
from modules.shared.session_record import Run

log = logging.getLogger(__name__)

TITLES = {
    "table1": "Baseline characteristics",
    "outcome": "Outcome analysis",
    "regression": "Regression",
    "survival": "Survival analysis",
    "diagnostic": "Diagnostic accuracy",
    "correlation": "Correlation",
}
WIDTH_MM = 174.0  # a double-column figure
DPI = 300


def title_of(tab: str) -> str:
    return TITLES.get(tab, tab.replace("_", " ").capitalize())


def sections(runs: Sequence[Run]) -> list[Section]:
    """One section per run, in the runs' (paper) order."""
    return [_section(run) for run in runs]


def _section(run: Run) -> Section:
    tab = run.declaration
    title = title_of(run.tab)
    tables = tuple(tab.tables(run.view)) if tab is not None and tab.tables else ()
    figures, problems = [], []
    for card in getattr(tab, "cards", ()):
        out = getattr(card, "figure", None)  # figure_download.FigureOut: build(view) -> figure
        if out is None:
            continue
        fig = out.build(run.view)
        if fig is None:
            continue
        png = _render(fig)
        if png is None:
            problems.append(card.title or "a figure")
        else:
            figures.append(PaperFigure(png, f"{card.title} ({title.lower()})", WIDTH_MM))
    note = f"Not rendered: {', '.join(problems)}." if problems else ""
    return Section(title, tables, tuple(figures), note)


def _render(fig: Any) -> bytes | None:
    try:  # the figure-export framework (branch figures-out) draws journal images
        export = importlib.import_module("modules.shared.figure_export")
    except ImportError:
        return None
    try:
        return export.figure_image(fig, "png", WIDTH_MM, DPI)
    except Exception:  # a figure that cannot be drawn is named in the paper, never a traceback
        log.exception("paper: a figure could not be rendered")
        return None
