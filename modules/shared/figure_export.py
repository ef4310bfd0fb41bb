"""Figures for journals: SVG and PDF (vector), PNG and TIFF at a dpi, at a width in millimetres.

`figure_image(fig, fmt, width_mm, dpi)` is the one way a figure becomes a file. The figure is
laid out at its printed size (1 CSS pixel = 1/96 inch: 84 mm is 317 px wide), in Arial or its
metric twin (Liberation Sans on Debian), 10 px text = 7.5 pt printed, the size journals ask for
in a single column; then drawn by one headless Chromium (utils/figure_renderer.py, kaleido):
- PDF: Chromium's PDF writer embeds the fonts it used as subsets (checked by the unit tests);
- SVG: that same PDF converted (utils/svg_outlines.py), every letter an outline, so the file
  names no font and draws the same in Illustrator, Inkscape, Office and browsers; the root's
  width and height are written in mm, so it opens at its printed size;
- PNG and TIFF: drawn at width_mm x dpi / 25.4 pixels and written by Pillow with the dpi in
  the file (PNG pHYs, TIFF XResolution), RGB on white, TIFF with lossless LZW.

Blocking (a render takes ~0.2 s warm, ~2 s when the browser starts): call it off the event
loop (a `slow` download runs in the worker pool).
"""

from __future__ import annotations

import io
import re
import unicodedata

import plotly.graph_objects as go
from PIL import Image

from modules.shared.figures import check_offline
from utils.figure_renderer import FigureRenderer
from utils.svg_outlines import pdf_to_svg

MM_PER_INCH = 25.4
CSS_DPI = 96  # a CSS pixel is 1/96 inch: the size plotly lays out in
SINGLE_MM = 84.0
DOUBLE_MM = 174.0
WIDTHS = {"single": SINGLE_MM, "double": DOUBLE_MM}
DPIS = (300, 600)
FORMATS = ("svg", "pdf", "png", "tiff")
MIN_MM, MAX_MM = 30.0, 300.0  # a custom width outside these is refused with a sentence
MAX_HEIGHT_MM = 400.0
FONT = "Arial, Liberation Sans, Helvetica, sans-serif"
FONT_PX = 10
SCREEN_PX = 700  # the width a card gives a figure on the page, which its own height suits
MEDIA_TYPES = {
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "png": "image/png",
    "tiff": "image/tiff",
}

_renderer: FigureRenderer | None = None


def renderer() -> FigureRenderer:
    """The figure browser in use: the server's one (logic, memory-admitted) unless one is set."""
    if _renderer is not None:
        return _renderer
    import logic  # the server's renderer; imported here so the pure helpers stand alone

    return logic.figure_renderer


def set_renderer(new: FigureRenderer | None) -> FigureRenderer | None:
    """Use another renderer (tests, benches; None: the server's again); returns the old one."""
    global _renderer
    old, _renderer = _renderer, new
    return old


def mm_to_px(mm: float) -> int:
    """Millimetres as CSS pixels (1/96 inch)."""
    return max(1, round(mm / MM_PER_INCH * CSS_DPI))


def check_size(width_mm: float, dpi: int) -> None:
    """Raise ValueError with a sentence for a width or dpi the export does not offer."""
    if not MIN_MM <= width_mm <= MAX_MM:
        raise ValueError(
            f"The figure width must be between {MIN_MM:.0f} and {MAX_MM:.0f} mm "
            f"(single column {SINGLE_MM:.0f} mm, double {DOUBLE_MM:.0f} mm)."
        )
    if dpi not in DPIS:
        raise ValueError(f"The resolution must be {' or '.join(map(str, DPIS))} dpi.")


def print_size(fig: go.Figure, width_mm: float, height_mm: float | None = None) -> tuple[int, int]:
    """(width, height) in CSS pixels for printing at width_mm. A figure that sets its height (a
    forest plot grows with its rows) keeps its shape as drawn on a SCREEN_PX-wide card, but no
    less than 0.6 of its height (its rows stay readable) nor 0.6 of the width; else three
    quarters of the width."""
    width = mm_to_px(width_mm)
    if height_mm is not None:
        return width, mm_to_px(min(height_mm, MAX_HEIGHT_MM))
    own = fig.layout.height
    height = (
        max(round(own * max(width / SCREEN_PX, 0.6)), round(width * 0.6))
        if own
        else round(width * 0.75)
    )
    return width, min(height, mm_to_px(MAX_HEIGHT_MM))


def print_layout(fig: go.Figure, title: bool = True) -> go.Figure:
    """A copy of the figure dressed for print: journal font and size, white ground, margins that
    grow to fit the labels instead of plotly's wide screen margins; without its title unless
    asked (journals put it in the caption)."""
    out = go.Figure(fig)
    if not title:
        out.layout.title.text = None
    has_title = bool(out.layout.title.text)
    # A margin the figure widened holds its own text (a forest plot's estimate column): kept,
    # at the print font's scale; the rest shrink to what the labels need (automargin).
    own = out.layout.margin
    kept = {side: max(8, round((getattr(own, side) or 0) * FONT_PX / 12)) for side in "lr"}
    out.update_layout(
        font={"family": FONT, "size": FONT_PX, "color": "#000000"},
        paper_bgcolor="#ffffff",
        margin={**{side: v if v > 40 else 8 for side, v in kept.items()}, "t": 8, "b": 8},
        width=None,
        height=None,
        autosize=True,
    )
    for note in out.layout.annotations:  # text placed by hand: the print size too
        if note.font.size:
            note.font.size = FONT_PX
        if note.yref == "paper" and (note.y or 0) >= 1:  # a heading above the plot: room
            out.layout.margin.t = 8 + 2 * FONT_PX
    legend = out.layout.legend
    if legend.orientation == "h" and legend.y is not None and legend.y < 0:
        # Below the plot at a fraction of a screen-high figure: on paper, the foot of the
        # figure, with room made for it, so it never sits on the axis title.
        out.update_layout(
            legend={"yref": "container", "y": 0, "yanchor": "bottom"}, margin={"b": 36}
        )
    if has_title:  # above everything, the legend included, pushing the plot down
        out.update_layout(
            title={"font": {"size": FONT_PX + 2}, "yref": "container", "y": 0.99,
                   "yanchor": "top", "automargin": True}
        )  # fmt: skip
    out.update_xaxes(automargin=True)
    out.update_yaxes(automargin=True)
    return out


def _svg_in_mm(svg: bytes, width_mm: float) -> bytes:
    """The root <svg> sized in millimetres, its height from its viewBox's shape (the viewBox
    keeps the drawing's coordinates)."""
    text = svg.decode("utf-8")
    start = text.index("<svg")
    end = text.index(">", start) + 1
    head = text[start:end]
    box = re.search(r'\sviewBox="([^"]*)"', head)
    _, _, box_w, box_h = (float(v) for v in box.group(1).replace(",", " ").split())
    height_mm = width_mm * box_h / box_w
    head = re.sub(r'\swidth="[^"]*"', f' width="{width_mm:.2f}mm"', head, count=1)
    head = re.sub(r'\sheight="[^"]*"', f' height="{height_mm:.2f}mm"', head, count=1)
    prolog = (
        text[:start] if text.startswith("<?xml") else '<?xml version="1.0" encoding="UTF-8"?>\n'
    )
    return (prolog + head + text[end:]).encode("utf-8")


def _raster(png: bytes, fmt: str, pixels: tuple[int, int], dpi: int) -> bytes:
    """The drawn PNG at exactly `pixels`, RGB on white, with its dpi written into the file."""
    with Image.open(io.BytesIO(png)) as drawn:
        image = drawn.convert("RGBA")
    ground = Image.new("RGBA", image.size, (255, 255, 255, 255))
    image = Image.alpha_composite(ground, image).convert("RGB")
    if image.size != pixels:  # Chromium rounds the scaled size; a pixel's difference at most
        image = image.resize(pixels, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if fmt == "tiff":
        image.save(out, format="TIFF", dpi=(dpi, dpi), compression="tiff_lzw")
    else:
        image.save(out, format="PNG", dpi=(dpi, dpi), optimize=True)
    return out.getvalue()


def figure_image(
    fig: go.Figure,
    fmt: str,
    width_mm: float = SINGLE_MM,
    dpi: int = 300,
    height_mm: float | None = None,
    title: bool = False,
) -> bytes:
    """The figure as an svg, pdf, png or tiff file printed `width_mm` wide (raster at `dpi`).

    Blocking; raises ValueError for a format or size not offered, RenderError when the browser
    fails (both carry a sentence for the user). The title is left out unless `title`."""
    if fmt not in FORMATS:
        raise ValueError(f"The format must be one of {', '.join(FORMATS)}.")
    check_size(width_mm, dpi)
    check_offline(fig)  # no map tiles or remote images: the browser fetches nothing
    width, height = print_size(fig, width_mm, height_mm)
    printed = print_layout(fig, title=title).to_dict()
    draw = renderer().render
    if fmt in ("svg", "pdf"):
        pdf = draw(printed, "pdf", width, height)
        return _svg_in_mm(pdf_to_svg(pdf), width_mm) if fmt == "svg" else pdf
    target_w = round(width_mm / MM_PER_INCH * dpi)
    scale = target_w / width
    target_h = round(height * scale)  # the height Chromium draws at this scale
    png = draw(printed, "png", width, height, scale=scale)
    return _raster(png, fmt, (target_w, target_h), dpi)


def slug(text: str, limit: int = 60) -> str:
    """A user's words as a safe file-name part: ASCII letters, digits and underscores."""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")[:limit].strip("_")


def figure_file_name(*parts: str, fmt: str) -> str:
    """`km_by_sex.svg`: what the figure is, from its kind and the user's variable names."""
    stem = "_".join(p for p in (slug(part) for part in parts) if p) or "figure"
    return f"{stem[:100].strip('_')}.{fmt}"
