"""What a figure export costs, and what the HTML reports weigh with figures as SVG.

Run: .venv/bin/python -m bench.figure_export   (writes bench/results/figure_export.json)

A Kaplan-Meier figure and a hazard-ratio forest plot (1,000 patients, 3 groups, 4 covariates)
are exported through modules/shared/figure_export.figure_image as the app does it: the first
export starts the figure browser (cold), the rest reuse it (warm). The browser's processes are
measured while it runs: RSS summed (shared pages counted once per process) and PSS summed (each
shared page split between its users: what the browser really adds). The survival and Table 1
reports are written twice: as before (plotly.js inline, the figure browser made unavailable)
and as now (figures as inline SVG).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import pandas as pd
import psutil

import logic
from analyses.specs import SurvivalSpec, Table1Spec
from bench import harness
from modules.shared import figure_export as fe
from modules.survival import figures as km_figures
from modules.survival import report as survival_report
from modules.survival import view as survival_view
from modules.table1 import export as table1_export
from modules.table1.view import Table1View
from utils.data_io import dataset_from_frame
from utils.figure_renderer import FigureRenderer

REPEATS = 5


def timed(work, repeats: int = REPEATS) -> dict[str, float]:
    return harness.timed(work, repeats)  # this bench's default number of calls


MB = 2**20


def cohort(n: int = 1000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = rng.choice(["A", "B", "C"], n)
    age = rng.normal(62, 12, n).round()
    hazard = 0.002 * np.exp(0.03 * (age - 62) + np.where(group == "B", 0.4, 0.0))
    time_ = rng.exponential(1 / hazard).round() + 1
    censor = rng.uniform(200, 1500, n).round()
    return pd.DataFrame(
        {
            "time": np.minimum(time_, censor),
            "status": (time_ <= censor).astype(int),
            "arm": group,
            "age": age,
            "bmi": rng.normal(27, 4, n).round(1),
            "sex": rng.choice(["Female", "Male"], n),
            "diabetes": rng.choice(["No", "Yes"], n, p=[0.8, 0.2]),
        }
    )


def browser_memory(renderer: FigureRenderer) -> dict[str, float]:
    rss = pss = 0
    procs = renderer.processes()
    for proc in procs:
        try:
            info = proc.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return {"processes": len(procs), "rss_sum_mb": rss / MB, "pss_sum_mb": pss / MB}


class Unavailable(FigureRenderer):
    """A figure browser that cannot draw: the reports as they were (plotly.js inline)."""

    def render(self, *args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("unavailable")


def svg_with_text(fig, width_mm: float) -> bytes:
    """The SVG as it was before outlines: Chromium's own SVG, its text naming Arial."""
    width, height = fe.print_size(fig, width_mm)
    return fe.renderer().render(fe.print_layout(fig).to_dict(), "svg", width, height)


def measure() -> dict[str, Any]:
    df = cohort()
    ds = dataset_from_frame(df, "cohort.csv")
    spec = SurvivalSpec(
        event="status",
        time="time",
        event_level="1",
        group="arm",
        covariates=("age", "bmi", "sex", "diabetes"),
        categorical=("arm", "sex", "diabetes"),
    )
    view = survival_view.make_view(logic.run("survival", ds, spec), ds, spec)
    km, forest = km_figures.km_figure(view), km_figures.forest_figure(view)
    t1spec = Table1Spec(variables=("age", "bmi", "arm", "diabetes"), group="sex",
                        categorical=("arm", "diabetes"))  # fmt: skip
    t1view = Table1View(logic.run("table1", ds, t1spec), ds.labels(), ds.name)

    renderer = FigureRenderer(idle_s=600)
    fe.set_renderer(renderer)
    try:
        start = time.perf_counter()
        fe.figure_image(km, "svg", 84)
        cold_ms = (time.perf_counter() - start) * 1000
        memory = browser_memory(renderer)
        warm = {
            "km svg 84 mm": timed(lambda: fe.figure_image(km, "svg", 84)),
            "km svg 84 mm, text naming a font (before)": timed(lambda: svg_with_text(km, 84)),
            "km pdf 84 mm": timed(lambda: fe.figure_image(km, "pdf", 84)),
            "km png 84 mm 300 dpi": timed(lambda: fe.figure_image(km, "png", 84, 300)),
            "km tiff 174 mm 600 dpi": timed(lambda: fe.figure_image(km, "tiff", 174, 600)),
            "forest svg 174 mm": timed(lambda: fe.figure_image(forest, "svg", 174)),
            "forest svg 174 mm, text naming a font (before)": timed(
                lambda: svg_with_text(forest, 174)
            ),
            "forest tiff 174 mm 600 dpi": timed(lambda: fe.figure_image(forest, "tiff", 174, 600)),
        }
        sizes = {
            "km tiff 174 mm 600 dpi": len(fe.figure_image(km, "tiff", 174, 600)),
            "km svg 84 mm": len(fe.figure_image(km, "svg", 84)),
            "km svg 84 mm, text naming a font (before)": len(svg_with_text(km, 84)),
            "forest svg 174 mm": len(fe.figure_image(forest, "svg", 174)),
            "forest svg 174 mm, text naming a font (before)": len(svg_with_text(forest, 174)),
            "km pdf 84 mm": len(fe.figure_image(km, "pdf", 84)),
        }
        memory_after = browser_memory(renderer)
        reports_now = {
            "survival": len(survival_report.html_report(view).encode()),
            "table1": len(table1_export.html_report(t1view).encode()),
        }
        start = time.perf_counter()
        survival_report.html_report(view)
        report_svg_ms = (time.perf_counter() - start) * 1000
        closed_procs = renderer.processes()
        renderer.close()
        left = [p for p in closed_procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        fe.set_renderer(Unavailable())
        reports_before = {
            "survival": len(survival_report.html_report(view).encode()),
            "table1": len(table1_export.html_report(t1view).encode()),
        }
    finally:
        fe.set_renderer(None)
        renderer.close()
    return {
        "cold_first_export_ms": cold_ms,
        "warm_ms": warm,
        "file_bytes": sizes,
        "browser_memory": memory,
        "browser_memory_after_exports": memory_after,
        "processes_left_after_close": len(left),
        "report_bytes_before": reports_before,
        "report_bytes_now": reports_now,
        "survival_report_with_2_svg_ms": report_svg_ms,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    argparse.ArgumentParser(description=__doc__).parse_args(argv)
    result = measure()
    rows = [("first export (browser starts)", result["cold_first_export_ms"])]
    rows += [(k, v["median"]) for k, v in result["warm_ms"].items()]
    harness.table("figure export (ms; warm: median)", ["what", "ms"], rows)
    m = result["browser_memory_after_exports"]
    harness.table("figure file bytes", ["file", "bytes"], list(result["file_bytes"].items()))
    harness.out(
        f"figure browser: {m['processes']} processes, RSS summed {m['rss_sum_mb']:.0f} MB, "
        f"PSS summed {m['pss_sum_mb']:.0f} MB; left after close: "
        f"{result['processes_left_after_close']}"
    )
    harness.table(
        "HTML report bytes: plotly.js inline (before) vs inline SVG (now)",
        ["report", "before", "now", "ratio"],
        [
            (k, result["report_bytes_before"][k], v, result["report_bytes_before"][k] / v)
            for k, v in result["report_bytes_now"].items()
        ],
    )
    harness.write_result("figure_export", "python -m bench.figure_export", result)
    return result


if __name__ == "__main__":
    main()
