"""The "Download figure" panel under every figure: format, width, dpi, the words, the file.

The framework (tab_server.py) serves one panel per declared figure (`FigureOut` on a Card), so
no tab builds its own; the Data cleaning tab's flow diagram uses the same `serve_figure`.
The user's words (figure_labels.py) are applied to the figure on the page and in the file, and
kept in the tab's saved state under the figure's key: a reload finds them again. They are a
display choice, so they never mark the result out of date. The file is drawn in the worker
pool (figure_export.figure_image, ~0.2 s warm, ~2 s when the figure browser starts).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from shiny import reactive, render, req, ui

from modules.shared import figure_export as fx
from modules.shared.background import run_in_worker
from modules.shared.figure_labels import (
    WITH_TITLE,
    EditableText,
    apply_labels,
    clean_edits,
    editable_texts,
)
from modules.shared.inputs import FLAG, NUMBER, TEXT, read
from modules.shared.outputs import named_output
from modules.shared.session_state import TabState
from utils.svg_outlines import OutlineError

log = logging.getLogger(__name__)

FORMAT_CHOICES = {
    "svg": "SVG (vector)",
    "pdf": "PDF (vector)",
    "png": "PNG",
    "tiff": "TIFF",
}
WIDTH_CHOICES = {
    "single": f"Single column ({fx.SINGLE_MM:.0f} mm)",
    "double": f"Double column ({fx.DOUBLE_MM:.0f} mm)",
    "custom": "Custom width (mm)",
}
DPI_CHOICES = {str(d): f"{d} dpi" for d in fx.DPIS}
FONT_NOTE = (
    "SVG and PDF are vector: the PDF embeds its fonts (its text can be selected); the SVG "
    "draws every letter as an outline, so it looks the same in any program and needs no "
    "font. PNG and TIFF carry their dpi."
)


@dataclass(frozen=True)
class FigureOut:
    """A figure a card draws and offers as a file: `build(view)` (None when there is none) and
    `stem(view)`, the words of its file name: ("km", "by", group) gives km_by_sex.svg."""

    key: str
    build: Callable[[Any], go.Figure | None]
    stem: Callable[[Any], Sequence[str]]
    width: str = "single"  # the width offered first: "double" for a diagram or two panels


def panel_ui(
    key: str, texts: Sequence[EditableText], edits: dict[str, str], width: str = "single"
) -> ui.Tag:
    """The closed panel under a figure; its words stand as the user left them."""
    fields = [
        ui.input_text(f"{key}_t{i}", t.label, value=edits.get(t.key, t.text))
        for i, t in enumerate(texts)
    ]
    if any(t.key == "title" for t in texts):
        fields.append(
            ui.input_checkbox(
                f"{key}_{WITH_TITLE}",
                "Keep the title in the file (journals put it in the caption)",
                value=edits.get(WITH_TITLE) == "1",
            )
        )
    return ui.tags.details(
        ui.tags.summary("Download figure (SVG, PDF, PNG, TIFF) and edit its labels"),
        ui.div(
            ui.input_select(f"{key}_format", "Format", FORMAT_CHOICES, selected="svg"),
            ui.input_select(f"{key}_width", "Width", WIDTH_CHOICES, selected=width),
            ui.panel_conditional(  # only what applies: a custom width, a raster's dpi
                f"input.{key}_width === 'custom'",
                ui.input_numeric(f"{key}_mm", "Custom width (mm)", value=120, min=30, max=300),
            ),
            ui.panel_conditional(
                f"['png', 'tiff'].includes(input.{key}_format)",
                ui.input_select(f"{key}_dpi", "Resolution", DPI_CHOICES, selected="300"),
            ),
            class_="d-flex gap-2 flex-wrap medstat-figure-size",
        ),
        ui.div(*fields, class_="medstat-figure-labels") if fields else None,
        ui.div(
            ui.input_action_button(f"{key}_apply", "Apply labels", class_="btn-outline-secondary"),
            ui.download_button(f"{key}_download", "Download figure", class_="btn-outline-primary"),
            class_="d-flex gap-2 mb-1",
        ),
        ui.p(FONT_NOTE, class_="small text-muted mb-0"),
        class_="medstat-figure-export mt-2",
    )


def chosen_size(fmt: str, width: str, custom: float | None, dpi: str) -> tuple[float, int]:
    """(width in mm, dpi) from the panel's choices; ValueError with a sentence when unusable."""
    if width == "custom":
        if custom is None:
            raise ValueError("Type the custom width in millimetres (30 to 300).")
        width_mm = float(custom)
    else:
        width_mm = fx.WIDTHS.get(width, fx.SINGLE_MM)
    dots = int(dpi) if dpi in DPI_CHOICES else fx.DPIS[0]
    fx.check_size(width_mm, dots)
    return width_mm, dots


def serve_figure(
    key: str,
    figure: Callable[[], go.Figure | None],
    stem: Callable[[], Sequence[str]],
    input: Any,
    state: TabState,
    saved_key: str,
    enabled: Callable[[], bool] = lambda: True,
    width: str = "single",
) -> Callable[[], dict[str, str]]:
    """Register the panel, its Apply button and its download under `key` in the current module
    session; returns the user's words for the figure (a reactive value)."""
    edits: reactive.Value[dict[str, str]] = reactive.value(dict(state.saved(saved_key) or {}))
    shown: reactive.Value[tuple[EditableText, ...]] = reactive.value(())
    present = reactive.value(False)  # is there a figure at all

    @reactive.effect
    def _texts():
        fig = figure()
        texts = tuple(editable_texts(fig)) if fig is not None else ()
        with reactive.isolate():
            if shown() != texts:
                shown.set(texts)
            if present() != (fig is not None):
                present.set(fig is not None)

    def typed() -> dict[str, str]:
        """The words in the panel now, as edits of the figure's own."""
        out = dict(edits())
        for i, t in enumerate(shown()):
            value = read(input, f"{key}_t{i}", TEXT)
            if isinstance(value, str):
                if value.strip() and value.strip() != t.text:
                    out[t.key] = value
                else:
                    out.pop(t.key, None)
        if any(t.key == "title" for t in shown()):
            out[WITH_TITLE] = "1" if read(input, f"{key}_{WITH_TITLE}", FLAG) else ""
        return clean_edits(out)

    def remember(new: dict[str, str]) -> None:
        if new != edits():
            edits.set(new)
            state.keep(saved_key, new)

    @named_output(f"{key}_panel")
    def _panel():
        texts = shown()  # drawn again only when the figure's texts change (or it comes or goes)
        if not present():
            return None
        with reactive.isolate():
            return panel_ui(key, texts, edits(), width)

    @reactive.effect
    @reactive.event(input[f"{key}_apply"], ignore_init=True)
    def _apply():
        remember(typed())

    def file_name() -> str:
        fmt = read(input, f"{key}_format", TEXT)
        return fx.figure_file_name(*stem(), fmt=fmt if fmt in fx.FORMATS else "svg")

    async def handler():
        req(enabled())
        fig = figure()
        req(fig is not None)
        new = typed()
        remember(new)  # what was typed is what the file shows, and it is kept
        fmt = read(input, f"{key}_format", TEXT)
        fmt = fmt if fmt in fx.FORMATS else "svg"
        try:
            width_mm, dpi = chosen_size(
                fmt,
                read(input, f"{key}_width", TEXT) or "single",
                read(input, f"{key}_mm", NUMBER),
                read(input, f"{key}_dpi", TEXT) or "300",
            )
        except ValueError as exc:
            ui.notification_show(str(exc), type="error", duration=8)
            req(False)
        started = time.perf_counter()
        try:
            data = await run_in_worker(
                fx.figure_image,
                apply_labels(fig, new),
                fmt,
                width_mm,
                dpi,
                title=new.get(WITH_TITLE) == "1",
                share=state.share,
            )
        except Exception as exc:  # a sentence for the user; the server carries on
            log.warning("figure export %s failed: %s", fmt, exc)
            ui.notification_show(export_failure(exc), type="error", duration=10)
            req(False)
        log.info(
            "figure export %s %.0f mm %d dpi %.0f ms",
            fmt,
            width_mm,
            dpi,
            (time.perf_counter() - started) * 1000,
        )
        yield data

    handler.__name__ = f"{key}_download"
    render.download_button(filename=file_name, media_type=_media_type(input, key))(handler)
    return edits


def _media_type(input: Any, key: str) -> Callable[[], str]:
    def media_type() -> str:
        fmt = read(input, f"{key}_format", TEXT)
        return fx.MEDIA_TYPES.get(fmt, "application/octet-stream")

    return media_type


def export_failure(exc: BaseException) -> str:
    """What the user reads when a figure could not be made: what happened, what to do."""
    if isinstance(exc, MemoryError) or type(exc).__name__ == "MemoryRefused":
        return f"The figure could not be made now: {exc}"
    if isinstance(exc, OutlineError):  # its sentence names what to do (the PDF works)
        return str(exc)
    return (
        "The figure could not be made (the drawing service failed or took too long). "
        "Your results and labels are kept; try again, or choose SVG."
    )
