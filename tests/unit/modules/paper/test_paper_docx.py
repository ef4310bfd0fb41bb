"""The paper document: methods on top, then each run's tables (every cell the TableDoc's),
numbered in paper order; and the methods document alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyses import outcome, table1
from analyses.specs import OutcomeSpec, Table1Spec
from modules.outcome.tab import TAB as OUTCOME
from modules.paper.paper_docx import methods_docx, numbered, paper_docx
from modules.paper.sections import sections
from modules.shared.methods_text import RunFacts, methods_text
from modules.shared.session_record import Run, paper_order
from modules.table1.tab import TAB as TABLE1
from tests.unit.modules.shared.docx_reading import cell_texts, open_docx, paragraph_before
from utils.data_io import read_table

ROOT = Path(__file__).resolve().parents[4]
VERSIONS = {"medstat": "0.1.0", "python": "3.11.7", "statsmodels": "0.15.0", "scipy": "1.17.1"}


@pytest.fixture(scope="module")
def runs() -> list[Run]:
    ds = read_table(ROOT / "data/example_clinical.csv")
    made = []
    for name, tab, module, spec in (
        (
            "table1",
            TABLE1,
            table1,
            Table1Spec(
                ("age", "sex", "asa_class"), group="complication", categorical=("sex", "asa_class")
            ),
        ),
        (
            "outcome",
            OUTCOME,
            outcome,
            OutcomeSpec("complication", ("age", "sex"), event="Yes", categorical=("sex",)),
        ),
    ):
        view = tab.make_view(module.analyze(ds.df, spec), ds, spec)
        made.append(Run(name, name, spec, ds.fingerprint, view, "", tab))
    return made


def test_paper_has_the_methods_then_every_table_numbered(runs):
    methods = methods_text([RunFacts(r.kind, r.spec, r.result) for r in runs], VERSIONS)
    document = open_docx(paper_docx(methods, sections(runs)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Statistical analysis"
    assert texts[1].startswith("Baseline characteristics. ")
    assert any(t.startswith("Outcome analysis. ") for t in texts)
    assert "References" in texts
    docs = [d for r in runs for d in r.declaration.tables(r.view)]
    assert len(docs) >= 2 and len(document.tables) == len(docs)
    for n, (table, doc) in enumerate(zip(document.tables, docs), 1):
        caption = paragraph_before(document, table)
        assert caption.startswith(f"Table {n}. ")
        assert caption.count("Table ") == 1  # Table 1's own "Table 1." is not doubled
        cells = cell_texts(table)
        body = cells[1 + bool(doc.spans) :]
        assert [row[0] for row in body] == [r.cells[0] for r in doc.rows]
        assert body == [
            [c + (r.marks[j] if r.marks else "") for j, c in enumerate(r.cells)] for r in doc.rows
        ]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 2")]
    assert headings[-2:] == ["Baseline characteristics", "Outcome analysis"]


def test_methods_document_alone(runs):
    methods = methods_text([RunFacts(r.kind, r.spec, r.result) for r in runs[:1]], VERSIONS)
    texts = [p.text for p in open_docx(methods_docx(methods)).paragraphs]
    assert texts[1].startswith("Baseline characteristics. ")
    assert not any("Outcome" in t or "odds" in t for t in texts)
    empty = [p.text for p in open_docx(methods_docx(methods_text([], VERSIONS))).paragraphs]
    assert empty == ["Statistical analysis", "No analysis has been run yet."]


def test_numbering_replaces_a_number_the_title_had(runs):
    doc = runs[0].declaration.tables(runs[0].view)[0]
    assert doc.title.startswith("Table 1. ")
    assert numbered(doc, 3).title == "Table 3. " + doc.title.removeprefix("Table 1. ")


def test_paper_order_puts_table1_and_outcome_first():
    assert paper_order(["correlation", "agreement", "outcome", "survival", "table1"]) == [
        "table1",
        "outcome",
        "survival",
        "correlation",
        "agreement",
    ]


def test_a_declared_figure_is_rendered_or_named(runs, monkeypatch):
    """Cards that declare a figure (figure_download.FigureOut: build(view)) go into the paper
    as images; one that cannot be rendered is named in its section, never a gap."""
    from types import SimpleNamespace

    import plotly.graph_objects as go

    from modules.paper import sections as paper_sections

    png = one_pixel_png()
    card = SimpleNamespace(title="SMD plot", figure=SimpleNamespace(build=lambda v: go.Figure()))
    tab = SimpleNamespace(tables=None, cards=(card,))
    run = Run("table1", "table1", runs[0].spec, "fp", runs[0].view, "", tab)
    monkeypatch.setattr(paper_sections, "_render", lambda fig: png)
    drawn = paper_sections.sections([run])[0]
    assert [f.caption for f in drawn.figures] == ["SMD plot (baseline characteristics)"]
    document = open_docx(paper_docx(methods_text([], VERSIONS), [drawn]))
    assert len(document.inline_shapes) == 1
    assert "Figure 1. SMD plot (baseline characteristics)" in [p.text for p in document.paragraphs]
    monkeypatch.setattr(paper_sections, "_render", lambda fig: None)
    failed = paper_sections.sections([run])[0]
    assert failed.figures == () and failed.note == "Not rendered: SMD plot."


def one_pixel_png() -> bytes:
    """A valid 1 x 1 PNG, written by hand (no imaging library needed)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
