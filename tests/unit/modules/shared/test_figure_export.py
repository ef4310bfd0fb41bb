"""figure_image: valid SVG/PDF, raster pixel size and dpi, print layout, sizes refused, names.

These draw through the real Chromium (kaleido); one renderer serves the whole file."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
import xml.etree.ElementTree as ET

import plotly.graph_objects as go
import pytest
from PIL import Image, ImageChops, ImageStat
from pypdf import PdfReader

from modules.shared import figure_export as fe
from utils.figure_renderer import FigureRenderer

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian chromium")

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def renderer():
    r = FigureRenderer(idle_s=600, timeout_s=60)
    old = fe.set_renderer(r)
    yield r
    r.close()
    fe.set_renderer(old)
    assert r.processes() == []


def km_like() -> go.Figure:
    fig = go.Figure(
        [
            go.Scatter(x=[0, 5, 10], y=[1, 0.8, 0.6], name="1", mode="lines"),
            go.Scatter(x=[0, 5, 10], y=[1, 0.9, 0.7], name="2", mode="lines"),
        ]
    )
    fig.update_layout(xaxis_title="time", yaxis_title="Survival probability", legend_title="sex")
    return fig


def svg_drawn(svg: bytes, renderer: FigureRenderer, width: int, height: int) -> Image.Image:
    """The SVG file as Chromium draws it (an <img> of it filling a blank figure), grey 0-255."""
    source = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    page = go.Figure(layout={"width": width, "height": height, "margin": dict.fromkeys("lrtb", 0),
                             "xaxis": {"visible": False}, "yaxis": {"visible": False},
                             "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff"})  # fmt: skip
    page.add_layout_image(source=source, xref="paper", yref="paper", x=0, y=1, sizex=1, sizey=1,
                          xanchor="left", yanchor="top", sizing="stretch")  # fmt: skip
    png = renderer.render(page.to_dict(), "png", width, height)
    return Image.open(io.BytesIO(png)).convert("L")


def test_svg_is_xml_sized_in_mm_its_text_drawn_as_outlines(renderer):
    data = fe.figure_image(km_like(), "svg", width_mm=84)
    root = ET.fromstring(data)  # valid XML
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("width") == "84.00mm"
    _, _, box_w, box_h = (float(v) for v in root.get("viewBox").split())
    assert float(root.get("height")[:-2]) == pytest.approx(84 * box_h / box_w, abs=0.01)
    # No font is named, so none is missing: no text, no font-family, no @font-face to resolve.
    assert list(root.iter(f"{SVG_NS}text")) == []
    assert b"font-family" not in data and b"@font-face" not in data
    assert len(list(root.iter(f"{SVG_NS}path"))) > 20  # the letters, as outlines
    # Nothing remote: every link is to a part of the file itself.
    links = [v for el in root.iter() for k, v in el.attrib.items() if k.endswith("href")]
    assert links and all(link.startswith("#") for link in links)
    assert b"http://" not in data.replace(b"http://www.w3.org/", b"")
    assert b"https://" not in data


def pdf_drawn(pdf: bytes, width: int, height: int) -> Image.Image:
    """The PDF rasterised by poppler (not Chromium), grey 0-255."""
    png = subprocess.run(
        ["pdftocairo", "-png", "-singlefile", "-scale-to-x", str(width), "-scale-to-y",
         str(height), "fd://0", "-"], input=pdf, capture_output=True, check=True,
    ).stdout  # fmt: skip
    return Image.open(io.BytesIO(png)).convert("L")


def test_svg_draws_what_the_pdf_draws_axis_titles_included(renderer):
    fig = km_like()
    width, height = fe.print_size(fig, 84)
    drawn = svg_drawn(fe.figure_image(fig, "svg", width_mm=84), renderer, width, height)
    # The same picture as the PDF (fonts embedded), drawn by another renderer.
    pdf = pdf_drawn(fe.figure_image(fig, "pdf", width_mm=84), width, height)
    assert ImageStat.Stat(ImageChops.difference(drawn, pdf)).mean[0] < 4  # anti-aliasing
    # Where the x-axis title is (bottom centre) the SVG draws its letters; with the title in
    # white (the same layout) the same place is blank.
    where = (width // 3, height - 24, 2 * width // 3, height)
    assert drawn.crop(where).getextrema()[0] < 80
    fig.update_xaxes(title_font_color="#ffffff")
    untitled = svg_drawn(fe.figure_image(fig, "svg", width_mm=84), renderer, width, height)
    assert untitled.crop(where).getextrema()[0] > 240


def test_pdf_parses_at_its_printed_width_with_fonts_embedded(renderer):
    data = fe.figure_image(km_like(), "pdf", width_mm=174)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    width_mm = float(page.mediabox.width) / 72 * 25.4
    assert width_mm == pytest.approx(174, abs=0.5)
    assert "Survival probability" in page.extract_text()
    fonts = page["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        if "/DescendantFonts" in font:
            font = font["/DescendantFonts"][0].get_object()
        descriptor = font["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


@pytest.mark.parametrize(("fmt", "width_mm", "dpi"), [("png", 84, 300), ("tiff", 174, 600)])
def test_raster_has_pixel_size_and_dpi(renderer, fmt, width_mm, dpi):
    data = fe.figure_image(km_like(), fmt, width_mm=width_mm, dpi=dpi)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == fmt.upper()
        assert image.width == round(width_mm / 25.4 * dpi)
        assert image.mode == "RGB"
        got = image.info["dpi"]
        assert got[0] == pytest.approx(dpi, abs=0.5) and got[1] == pytest.approx(dpi, abs=0.5)
        # Height keeps the printed aspect (three quarters of the width here).
        css_w = fe.mm_to_px(width_mm)
        assert image.height == round(round(css_w * 0.75) * image.width / css_w)


def test_own_height_keeps_the_screen_shape_but_rows_stay_readable():
    fig = km_like()
    fig.update_layout(height=500)
    assert fe.print_size(fig, 84) == (317, 300)  # 0.6 of its height at least
    assert fe.print_size(fig, 174) == (658, 470)  # its shape on a 700 px card
    root = ET.fromstring(fe.figure_image(fig, "svg", width_mm=84))
    _, _, box_w, box_h = (float(v) for v in root.get("viewBox").split())
    assert box_h / box_w == pytest.approx(300 / 317, abs=0.01)


def test_title_is_left_out_unless_asked(renderer):
    fig = km_like()
    fig.update_layout(title="Overall survival")
    words = lambda data: PdfReader(io.BytesIO(data)).pages[0].extract_text()  # noqa: E731
    assert "Overall survival" not in words(fe.figure_image(fig, "pdf"))
    assert "Overall survival" in words(fe.figure_image(fig, "pdf", title=True))


def test_figure_is_not_changed_by_export(renderer):
    fig = km_like()
    before = fig.to_json()
    fe.figure_image(fig, "svg")
    assert fig.to_json() == before


@pytest.mark.parametrize(
    ("fmt", "width", "dpi", "words"),
    [("gif", 84, 300, "format"), ("png", 10, 300, "between"), ("png", 84, 72, "300 or 600")],
)
def test_bad_choices_get_a_sentence_without_drawing(fmt, width, dpi, words):
    with pytest.raises(ValueError, match=words):
        fe.figure_image(km_like(), fmt, width_mm=width, dpi=dpi)


def test_a_figure_that_would_fetch_is_refused_before_drawing():
    fig = km_like()
    fig.add_layout_image(source="https://example.org/logo.png", x=0, y=0)
    with pytest.raises(ValueError, match="embedded"):
        fe.figure_image(fig, "svg")


def test_print_layout_uses_journal_font_and_small_margins():
    printed = fe.print_layout(km_like())
    assert printed.layout.font.size == fe.FONT_PX
    assert printed.layout.font.family.startswith("Arial")
    assert printed.layout.margin.l < 20


def test_print_layout_keeps_room_for_a_forest_plots_estimate_column_and_legend():
    fig = km_like()
    fig.update_layout(
        margin={"l": 10, "r": 210, "t": 60, "b": 60},
        legend={"orientation": "h", "y": -0.18},
    )
    fig.add_annotation(x=1.02, xref="paper", y=1.0, yref="paper", text="<b>OR (95% CI)</b>",
                       font={"size": 12}, showarrow=False)  # fmt: skip
    printed = fe.print_layout(fig)
    assert printed.layout.margin.r == 175  # the column's room, at the print font's scale
    assert printed.layout.margin.t > 8  # the heading above the plot
    assert printed.layout.annotations[0].font.size == fe.FONT_PX
    assert printed.layout.legend.yref == "container"  # at the foot, off the axis title


def test_mm_to_px():
    assert fe.mm_to_px(84) == 317
    assert fe.mm_to_px(174) == 658


@pytest.mark.parametrize(
    ("parts", "name"),
    [
        (("km", "by", "Sex"), "km_by_sex.svg"),
        (("forest", "adjusted OR"), "forest_adjusted_or.svg"),
        (("roc", "Troponin I (ng/L)"), "roc_troponin_i_ng_l.svg"),
        (("roc", "../../etc/passwd"), "roc_etc_passwd.svg"),
        (("km", "Âge à l'inclusion"), "km_age_a_l_inclusion.svg"),
        (("", "<>"), "figure.svg"),
    ],
)
def test_file_names_say_what_the_figure_is(parts, name):
    assert fe.figure_file_name(*parts, fmt="svg") == name
