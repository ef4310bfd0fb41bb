"""A one-page PDF as SVG with every letter drawn as an outline: no font named, none needed.

Why outlines (docs/ARCHITECTURE.md, "Figures for journals"): an SVG that names a font draws in
whatever font the reader has, and an embedded web font (@font-face) is honoured by browsers
only; Illustrator, Inkscape, librsvg (LibreOffice, many submission systems' converters) and
Office ignore it and substitute. Outlines draw the same everywhere. The PDF the figure browser
writes already holds Chromium's exact layout with its fonts embedded as subsets, so converting
that PDF (poppler's `pdftocairo -svg`, the PDF import Inkscape itself uses) gives an SVG that
is the PDF's drawing, glyph for glyph: each glyph once as a <symbol> path, placed by <use>.

`pdf_to_svg` blocks for ~50 ms in a small child process: call it off the event loop.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time

log = logging.getLogger(__name__)

PDFTOCAIRO = "pdftocairo"  # Debian's poppler-utils (Makefile system-deps, Dockerfile)
TIMEOUT_S = 30.0


class OutlineError(RuntimeError):
    """The PDF could not be converted (the converter is missing, failed or timed out)."""


def pdf_to_svg(pdf: bytes, timeout_s: float = TIMEOUT_S) -> bytes:
    """The first page of `pdf` as SVG bytes, its text as glyph outlines (sizes in points)."""
    program = shutil.which(PDFTOCAIRO)
    if program is None:
        raise OutlineError(
            "SVG export needs poppler-utils (pdftocairo) on the server; download the PDF, "
            "or ask the administrator to install it."
        )
    started = time.perf_counter()
    try:
        done = subprocess.run(  # noqa: S603 (a fixed program, no shell, the bytes on stdin)
            [program, "-svg", "-f", "1", "-l", "1", "fd://0", "-"],
            input=pdf,
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:  # run() kills the child before raising
        raise OutlineError(f"Converting the figure to SVG took over {timeout_s:.0f} s.") from exc
    if done.returncode != 0 or not done.stdout.lstrip().startswith(b"<?xml"):
        detail = done.stderr.decode("utf-8", "replace").strip()[:200]
        log.warning("pdftocairo failed (exit %s): %s", done.returncode, detail)
        raise OutlineError("The figure could not be converted to SVG; the PDF download works.")
    log.info("figure svg outlines in %.0f ms", (time.perf_counter() - started) * 1000)
    return done.stdout
