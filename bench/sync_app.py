"""The comparison app for bench/concurrency.py: the analysis runs synchronously inside a render
function, as the seed app ran it, so it holds the event loop that every session shares.

Same data and the same logic.run as the real app; only the extended task is missing.
Run by the benchmark as `shiny run bench/sync_app.py` with MEDSTAT_BENCH_CSV set.
"""

from __future__ import annotations

import os
from pathlib import Path

from shiny import App, reactive, render, ui

import logic
from bench.data_gen import OUTCOME, covariate_names
from utils import data_io

PATH = Path(os.environ["MEDSTAT_BENCH_CSV"])
DATASET = data_io.read_table(PATH, name=PATH.name)

app_ui = ui.page_fluid(
    ui.input_numeric("screen_p", "Screening p", 0.2, min=0.001, max=1),
    ui.input_radio_buttons("method", "Method", ["auto", "logit", "firth"], selected="firth"),
    ui.input_action_button("run", "Run analysis"),
    ui.output_text("result"),
    ui.input_text("note", "Note", ""),
    ui.output_text("echo"),
)


def server(input, output, session):
    @render.text
    @reactive.event(input.run)
    def result():
        # Deliberately blocking: this is the pattern the extended task replaces.
        spec = logic.outcome_spec(
            DATASET,
            OUTCOME,
            covariate_names(13),
            event="Yes",
            method=input.method(),
            screen_p=input.screen_p(),
        )
        fitted = logic.run("outcome", DATASET, spec)
        return f"{fitted.fit.method}: {fitted.fit.n_used} patients"

    @render.text
    def echo():
        return input.note()


app = App(app_ui, server)
