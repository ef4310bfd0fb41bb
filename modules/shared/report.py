"""What every HTML report shares: its style. (The CSV downloads: csv_safety.py.)"""

from __future__ import annotations

REPORT_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem;
       color: #212529; max-width: 1300px; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
.meta { color: #555; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.92rem; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 0.3rem 0;
          color: #212529; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: left;
         vertical-align: top; }
thead th { border-bottom: 2px solid #333; }
tr.first td { border-top: 1px solid #999; }
tr.ref td, tr.overall td { color: #666; }
td:first-child, tr.ref td:first-child { font-weight: 600; color: #212529; }
.medstat-table td:nth-child(n+5) { white-space: nowrap; }
tr.overall td { font-style: italic; }
/* A row's name is bold, but not a level (shared/tables.doc_table marks it as Bootstrap does on
   the page: fw-normal, ps-4/ps-5 by its depth) and not the notes in a table's foot. */
td.fw-normal { font-weight: 400 !important; }
td.ps-4 { padding-left: 1.5rem; } td.ps-5 { padding-left: 3rem; }
tfoot td, tfoot td:first-child { font-size: 0.82rem; font-weight: 400; color: #555;
                                 border-bottom: none; }
.warnings li { margin-bottom: 0.3rem; }
.medstat-figure svg { max-width: 100%; height: auto; display: block; }
/* Printed on A4: the page's width, wide tables wrap and shrink instead of running off it. */
@page { size: A4; margin: 15mm 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; }
  table { width: 100%; max-width: 100%; table-layout: auto; font-size: 8pt; }
  th, td { padding: 0.15rem 0.3rem; white-space: normal !important; overflow-wrap: break-word;
           hyphens: auto; }
  thead { display: table-header-group; }
  tr, .medstat-figure, .plotly-graph-div { break-inside: avoid; }
  .medstat-figure svg, .plotly-graph-div { max-width: 100% !important; }
}
"""
