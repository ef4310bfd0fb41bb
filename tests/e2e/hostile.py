"""A hostile CSV (script, markup and formula payloads in names, levels and cells) and the checks
that prove none of it ran: shared by the security and session browser tests."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from pathlib import Path

from playwright.sync_api import Download, Page, expect

from tests.e2e.helpers import open_tab, run_outcome

SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=2">'
SVG = '"><svg onload=window.__xss=3>'
JS_LINK = "javascript:window.__xss=4"
ANCHOR = '<a href="javascript:window.__xss=5">link</a>'
PAYLOADS = (SCRIPT, IMG, SVG, JS_LINK)

OUTCOME = f"outcome {SVG}"
AGE = f"age {SCRIPT}"
GROUP = f"grp {IMG}"
FORMULA = '=HYPERLINK("http://x","y")'
NOTE = f"note {JS_LINK}"
FORMULA_LEVELS = ("=1+1", "+SUM(1,1)", "-1+A1", "@SUM(1)")
COLUMNS = ("id", OUTCOME, AGE, GROUP, FORMULA, "@crp", "+bmi", "time", "status", NOTE)
# Cells a spreadsheet would run as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Everything a payload could have left in a page or a downloaded report: the page's marker, a
# dialog is checked by the caller, and elements or attributes markup would have created.
# Plotly's own <script> holds the names JSON-escaped, so scripts are matched on their whole text;
# selectize's own remove buttons are javascript:void(0) links, so links are matched on the payload.
DOM_PROBE = r"""() => ({
  xss: typeof window.__xss === 'undefined' ? null : String(window.__xss),
  injected: [...document.querySelectorAll(
      'img[src="x"], svg[onload], [onerror], [onload], iframe, object, embed'
    )].map(e => e.outerHTML.slice(0, 120)),
  links: [...document.querySelectorAll('a[href]')]
      .filter(a => /^\s*javascript:/i.test(a.href) && a.href.includes('__xss'))
      .map(a => a.outerHTML.slice(0, 120)),
  scripts: [...document.scripts]
      .filter(s => /^\s*window\.__xss\s*=/.test(s.textContent))
      .map(s => s.outerHTML.slice(0, 120)),
})"""


def write_hostile_csv(path: Path, rows: int = 160, seed: int = 7) -> Path:
    """160 patients whose names, levels and cells carry the payloads; a fittable outcome."""
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(rows):
            group = rng.choice([SCRIPT, SVG, JS_LINK])
            age = rng.randint(20, 80)
            risk = 0.2 + 0.4 * (age > 50) + 0.15 * (group == SCRIPT)
            event = rng.random() < risk
            writer.writerow(
                [
                    f"P{i:04d}",
                    IMG if event else "no",
                    age,
                    group,
                    rng.choice(FORMULA_LEVELS),
                    round(rng.gauss(10 + 5 * event, 4), 1),
                    round(rng.gauss(26, 4), 1),
                    rng.randint(5, 900),
                    int(rng.random() < 0.6),
                    ANCHOR,
                ]
            )
    return path


def assert_nothing_ran(page: Page) -> None:
    """No dialog, no window.__xss, no element or link that a payload would have created."""
    found = page.evaluate(DOM_PROBE)
    assert found == {"xss": None, "injected": [], "links": [], "scripts": []}, found
    assert page.dialogs == []  # type: ignore[attr-defined]


def download(page: Page, button: str) -> Path:
    """Click a download link and return the saved file."""
    with page.expect_download(timeout=30_000) as info:
        page.locator(f"#{button}").click()
    saved: Download = info.value
    assert saved.failure() is None
    return Path(saved.path())


def csv_text_of(path: Path) -> str:
    """The text of a CSV download; of a .zip of CSVs (a tab with several tables), all of them."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return "\n".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())
    return path.read_text(encoding="utf-8-sig")


def csv_cells(text: str) -> list[str]:
    """Every cell of a CSV text, headings included, as a spreadsheet would split them."""
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def formula_cells(text: str) -> list[str]:
    """Cells of a CSV that a spreadsheet would run: they start with a formula character and are
    not plain numbers (a negative number is data, '-1+A1' is a formula)."""
    return [c for c in csv_cells(text) if c.startswith(FORMULA_START) and not _is_number(c)]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def open_report(page: Page, path: Path) -> Page:
    """Open a downloaded HTML file in a new tab of the same browser, recording dialogs."""
    report = page.context.new_page()
    report.dialogs = []  # type: ignore[attr-defined]
    report.on("dialog", lambda d: (report.dialogs.append(d.message), d.dismiss()))
    html = path.with_suffix(".html")
    path.rename(html)  # Playwright saves downloads without an extension
    report.goto(html.as_uri())
    report.wait_for_load_state("load")
    return report


def run_outcome_after_upload(page: Page, covariate: str) -> None:
    """Run once the covariate list shows the new file's columns: right after an upload the
    previous data's list is still on screen, and a run then would use its stale columns."""
    open_tab(page, "Outcome analysis")
    items = page.locator("#outcome-covariates + .selectize-control .item", has_text=covariate)
    expect(items.first).to_be_visible(timeout=30_000)
    run_outcome(page)
