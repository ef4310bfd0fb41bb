"""The multiple-imputation card of the Data cleaning tab: choose the variables, m, iterations
and the seed, impute (an extended task through logic.run: cached, admitted by the memory
manager, progress "Imputation 7 of 20", cancellable), see what is missing, the pattern and the
convergence plot. The settings become the session's (`CleaningSteps.imputation`): the data stay
as they are, and the model tabs offer to run "also on the imputed data"."""

from __future__ import annotations

import logging
from collections.abc import Callable

from shiny import module, reactive, render, req, ui

import logic
from analyses.specs import DEFAULT_SEED
from modules.cleaning import imputation_view as iv
from modules.shared.background import run_in_worker
from modules.shared.cleaning_steps import CleaningSteps
from modules.shared.column_roles import scanned, without_codes
from modules.shared.csv_safety import BOM, csv_text
from modules.shared.figure_download import serve_figure
from modules.shared.figure_labels import apply_labels
from modules.shared.figures import plot_div
from modules.shared.inputs import CHOICES, NUMBER, read
from modules.shared.session_state import TabState
from modules.shared.status import warnings_block
from modules.shared.tables import doc_table
from utils.dataset import FACTOR_KINDS, NUMERIC_KINDS, Dataset

log = logging.getLogger(__name__)
MAX_DEFAULT = 30  # variables ticked by default: a wide file's first columns only


@module.ui
def imputation_ui():
    return ui.card(
        ui.card_header("Multiple imputation (chained equations)"),
        ui.p(
            "The data stay as they are: once imputed, the Outcome, Regression, Survival and "
            "Table 1 tabs offer to run also on the imputed data, pooled by Rubin's rules. "
            "Include the outcome and "
            "every variable of the analyses.",
            class_="small text-muted",
        ),
        ui.output_ui("controls"),
        ui.div(
            ui.input_task_button("run", "Impute", label_busy="Imputing…", class_="btn-primary"),
            ui.input_action_button("cancel", "Cancel", class_="btn-outline-secondary ms-2"),
            ui.input_action_button(
                "remove", "Stop using the imputation", class_="btn-outline-danger ms-2"
            ),
            class_="mt-2",
        ),
        ui.output_ui("status"),
        ui.output_ui("results"),
        ui.output_ui("convergence_panel"),
        ui.download_button("download_pattern", "Missing values and pattern (CSV)",
                           class_="btn-sm mt-2"),
    )  # fmt: skip


def eligible(ds: Dataset) -> list[str]:
    """Numbers and categories that are not identifiers: what can be imputed or predict.

    Identifiers are looked for among the first SCAN_COLUMNS only, as every tab's defaults are:
    a pass over all 16,000 columns of a wide file on each draw held the event loop."""
    kinds = FACTOR_KINDS | NUMERIC_KINDS
    names = [c for c, m in ds.columns.items() if m.kind in kinds]
    head = scanned(names)
    codes = set(head) - set(without_codes(ds, head))
    return [c for c in names if c not in codes]


@module.server
def imputation_server(
    input, output, session, dataset: Callable[[], Dataset | None], steps: CleaningSteps,
    tab: TabState, record=None,
):  # fmt: skip
    shown: reactive.Value = reactive.value(None)  # the ImputationResult on the page
    note = reactive.value(("idle", ""))
    token: list[logic.CancelToken] = []
    invoked: list = []  # the settings of the imputation running (they become the session's)

    @render.ui
    def controls():
        ds = dataset()
        if ds is None:
            return ui.p("Load data on the Data tab first.", class_="text-muted")
        choices = {c: ds.label(c) for c in eligible(ds)}
        with reactive.isolate():
            current = steps.imputation()
        chosen = list(current.variables) if current else list(choices)[:MAX_DEFAULT]
        return ui.TagList(
            ui.input_selectize("variables", "Variables of the imputation model", choices,
                               selected=[c for c in chosen if c in choices], multiple=True,
                               width="100%"),
            ui.layout_columns(
                ui.input_numeric("m", "Imputations (m)", current.m if current else 20, min=2,
                                 max=100, step=1),
                ui.input_numeric("iterations", "Iterations", current.iterations if current
                                 else 10, min=1, max=50, step=1),
                ui.input_numeric("seed", "Seed (the same seed gives the same data sets)",
                                 current.seed if current else DEFAULT_SEED, min=0, step=1),
            ),
        )  # fmt: skip

    @reactive.extended_task
    async def imputing(ds: Dataset, spec, cancel: logic.CancelToken):
        return await run_in_worker(
            logic.run, "imputation", ds, spec, cancel=cancel, owner=tab.owner, share=tab.share
        )

    @reactive.effect
    @reactive.event(input.run, ignore_init=True)
    def _start():
        ds = dataset()
        if ds is None:
            _fail("Load data on the Data tab first.")
            return
        try:
            spec = logic.imputation_spec(
                ds,
                read(input, "variables", CHOICES) or (),
                m=read(input, "m", NUMBER),
                iterations=read(input, "iterations", NUMBER),
                seed=read(input, "seed", NUMBER),
            )
        except logic.AnalysisError as exc:
            _fail(str(exc))
            return
        _invoke(ds, spec, "Starting the imputation…")

    def _invoke(ds: Dataset, spec, text: str) -> None:
        token[:] = [logic.CancelToken()]
        invoked[:] = [spec]
        note.set(("running", text))
        imputing.invoke(ds, spec, token[0])

    @reactive.effect
    @reactive.event(input.cancel, ignore_init=True)
    def _cancel():
        if token:
            token[0].cancel()
        imputing.cancel()
        note.set(("idle", "Imputation cancelled: nothing changed."))

    @reactive.effect
    @reactive.event(input.remove, ignore_init=True)
    def _remove():
        steps.imputation.set(None)
        shown.set(None)
        note.set(("idle", "Imputation no longer used: the analyses run on the complete cases."))

    @reactive.effect
    def _collect():
        status = imputing.status()
        if status == "success":
            result = imputing.result()
            shown.set(result)
            steps.imputation.set(invoked[0] if invoked else None)
            note.set(("done", _done_text(result)))
        elif status == "error":
            try:
                imputing.result()
            except logic.Cancelled:
                note.set(("idle", "Imputation cancelled: nothing changed."))
            except ValueError as exc:  # AnalysisError, ServerBusy: sentences for users
                _fail(str(exc))
            except Exception:
                log.exception("imputation failed")
                _fail("The imputation failed (an unexpected error, logged).")

    @reactive.effect
    def _restore():
        """After a reload or an opened project: the settings are the session's; their result
        comes from the cache, or is made again through it (another worker, evicted) with the
        same seed, so the card and the pooled tabs show the same imputations as before."""
        spec, ds = steps.imputation(), dataset()
        with reactive.isolate():
            if spec is None or ds is None or shown() is not None:
                return
            if imputing.status() == "running":
                return
        found = logic.cached("imputation", ds, spec, owner=tab.owner)
        if found is not None:
            shown.set(found)
            note.set(("done", _done_text(found)))
        else:
            _invoke(ds, spec, "Restoring the imputation…")

    def _done_text(result) -> str:
        return (f"Imputed: {result.info.m} data sets. The Outcome, Regression, Survival and "
                "Table 1 tabs can now run also on the imputed data.")  # fmt: skip

    def _fail(message: str) -> None:
        note.set(("error", f"Not imputed: {message}"))

    @render.ui
    def status():
        kind, text = note()
        if imputing.status() == "running":
            reactive.invalidate_later(0.5)
            kind = "running"
            text = (token[0].progress if token else "") or "Starting the imputation…"
        if not text:
            return None
        theme = {"idle": "light", "done": "success", "error": "danger", "running": "primary"}
        return ui.div(text, class_=f"alert alert-{theme[kind]} py-2 mt-2",
                      id="imputation-status", data_state=kind)  # fmt: skip

    def label(name: str) -> str:
        ds = dataset()
        return ds.label(name) if ds is not None and name in ds.columns else name

    @reactive.calc
    def convergence():
        result = shown()
        return None if result is None else iv.convergence_figure(result, label)

    words = serve_figure("convergence", convergence, lambda: ("imputation_convergence",), input,
                         tab, "cleaning.figure.convergence")  # fmt: skip
    if record is not None:
        record.register_figure("cleaning.figure.convergence", words)

    @render.ui
    def results():
        result = shown()
        if result is None:
            return None
        return ui.TagList(
            warnings_block(result.warnings, element_id="imputation-warnings", empty=None),
            doc_table(iv.missing_doc(result, label), table_id="imputation-missing"),
            doc_table(iv.pattern_doc(result, label), table_id="imputation-pattern"),
            plot_div(apply_labels(convergence(), words()), "imputation-convergence",
                     "imputation-convergence-container"),
            ui.p(iv.methods_sentence(result, label), class_="small", id="imputation-methods"),
        )  # fmt: skip

    @render.download_button(filename="missing_values.csv")
    def download_pattern():
        result = shown()
        req(result is not None)
        missing = result.missing.assign(label=[label(v) for v in result.missing["variable"]])
        yield BOM + csv_text(missing) + "\n" + csv_text(result.pattern)
