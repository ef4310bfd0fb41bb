"""Remake docs/word_table1.png: the README's picture of a Word table the app produces.

NEEDS LibreOffice (`soffice`) and poppler (`pdftoppm`), which MedStat itself never uses; on
Debian: `apt-get install --no-install-recommends libreoffice-writer-nogui poppler-utils
fonts-crosextra-carlito` (Carlito has Calibri's metrics, so the page breaks as in Word).
Not part of `make test`. Run from the repository root:

    .venv/bin/python docs/make_word_picture.py [--keep DIR]

It runs Table 1 and the Outcome analysis on data/example_clinical.csv through the tabs'
own declarations (settings -> spec -> logic.run -> view -> `tables`) and writes the Word
files exactly as the Tables (Word) download does (`tables_docx`). LibreOffice turns the
Table 1 file into a PDF; its first page becomes a PNG cropped to the table.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageChops  # noqa: E402

import logic  # noqa: E402
from modules.outcome.tab import TAB as OUTCOME  # noqa: E402
from modules.shared.controls import MISSING, Raw, resolve  # noqa: E402
from modules.shared.docx_tables import tables_docx  # noqa: E402
from modules.table1.tab import TAB as TABLE1  # noqa: E402
from utils import data_io  # noqa: E402

DATA = ROOT / "data" / "example_clinical.csv"
PICTURE = ROOT / "docs" / "word_table1.png"
DPI = 130  # readable on GitHub at its natural size, and well under 200 KB
MARGIN = 16  # pixels of white kept around the table
# What a user picks in each tab; everything else stays at the tab's default.
CHOICES = (
    (TABLE1, {"group": "complication"}),
    (OUTCOME, {"outcome": "complication"}),
)


def word_file(tab, chosen: dict, dataset) -> bytes:
    """The tab's Tables (Word) download with `chosen` settings (the rest at their defaults)."""
    settings = resolve(tab.declared, dataset, Raw(lambda i, _kind: chosen.get(i, MISSING), {}))
    spec = tab.build_spec(settings)
    result = logic.run(tab.analysis_kind, dataset, spec)
    view = tab.with_options(tab.make_view(result, dataset, spec), tab.view_options(settings))
    return tables_docx(tab.tables(view))


def to_pdf(docx: Path) -> Path:
    """LibreOffice's rendering of a .docx (it fails loudly on a file it cannot read)."""
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(docx.parent), str(docx)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = docx.with_suffix(".pdf")
    if not pdf.exists():
        raise SystemExit(f"LibreOffice wrote no PDF for {docx.name}")
    return pdf


def first_page_png(pdf: Path) -> Image.Image:
    out = subprocess.run(
        ["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", str(pdf)],
        check=True,
        capture_output=True,
    ).stdout
    return Image.open(io.BytesIO(out)).convert("RGB")


def cropped(page: Image.Image) -> Image.Image:
    """The page without its blank margins: the caption, the table and its notes."""
    blank = Image.new("RGB", page.size, "white")
    box = ImageChops.difference(page, blank).getbbox()
    if box is None:
        raise SystemExit("The rendered page is blank.")
    left, top, right, bottom = box
    return page.crop(
        (
            max(left - MARGIN, 0),
            max(top - MARGIN, 0),
            min(right + MARGIN, page.width),
            min(bottom + MARGIN, page.height),
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="also leave the .docx and .pdf files here")
    args = parser.parse_args()
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: see the top of {Path(__file__).name}.")
    dataset = data_io.read_table(str(DATA))
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for tab, chosen in CHOICES:
            docx = work / f"{tab.name}_tables.docx"
            docx.write_bytes(word_file(tab, chosen, dataset))
            pdf = to_pdf(docx)
            print(f"{docx.name}: LibreOffice converted it ({pdf.stat().st_size:,} bytes of PDF)")
            if tab is TABLE1:
                picture = cropped(first_page_png(pdf))
        picture = picture.quantize(colors=64)  # black text on white: a small palette PNG
        picture.save(PICTURE, optimize=True)
    print(f"{PICTURE.relative_to(ROOT)}: {picture.width}x{picture.height}, "
          f"{PICTURE.stat().st_size / 1024:.0f} KB")  # fmt: skip


if __name__ == "__main__":
    main()
