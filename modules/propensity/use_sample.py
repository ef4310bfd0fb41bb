"""'Use the matched sample in every tab': the tab's last result as a cleaning step.

The card shows the button under a current result; the server (same module id as the tab, so
it reads the card's button) adds a prep/matched_sample.py step to the one history the data
tabs share: every tab then sees the matched (or weighted) patients with their weights, the
step is listed and undone on the Data cleaning tab like any other.
"""

from __future__ import annotations

from htmltools import Tag, tags
from shiny import module, reactive, ui

from modules.propensity.view import PropensityView
from modules.shared.formatting import fmt_count
from prep.matched_sample import SET, WEIGHT, sample_step

NAME = "propensity"


def card(view: PropensityView) -> Tag:
    """What the step does, and the button."""
    s = view.summary
    matched = s.method == "matching"
    n = s.n_matched_treated + s.n_matched_control
    what = (
        f"Keeps the {fmt_count(n)} matched patients and adds their weight ({WEIGHT})"
        + (f" and matched set ({SET})" if matched and not s.replace else "")
        if matched
        else f"Keeps the {fmt_count(n)} weighted patients and adds their weight ({WEIGHT})"
    )
    label = (
        "Use the matched sample in every tab" if matched else "Use the weighted sample in every tab"
    )
    return tags.div(
        tags.p(
            what + ". Every tab then analyses this sample; undo it on the Data cleaning tab. "
            "Tabs that do not read weights (Table 1 counts, for example) show the patients "
            "unweighted: with 1:1 matching without replacement every weight is 1.",
            class_="mb-2",
        ),
        ui.input_action_button("use_sample", label, class_="btn-outline-primary"),
    )


@module.server
def _server(input, output, session, record, steps):
    @reactive.effect
    @reactive.event(input.use_sample)
    def _use():
        run = next((r for r in record.runs() if r.tab == NAME), None)
        if run is None or run.stale:
            ui.notification_show(
                "Run the propensity scores on the data as it is now first: "
                + (run.stale if run is not None else "there is no result yet."),
                type="warning", duration=10,
            )  # fmt: skip
            return
        s = run.result.summary
        step = sample_step(run.fingerprint, run.result.scores, s.method, run.spec.treatment)
        steps.add(step)
        ui.notification_show(
            f"{step.describe()} added to the cleaning steps: every tab now uses "
            f"{fmt_count(len(step.rows))} patients. Undo it on the Data cleaning tab.",
            type="message", duration=10,
        )  # fmt: skip


def use_sample_server(id: str, *, record, steps) -> None:
    """The button's server, beside the tab's own (app.py)."""
    if record is not None and steps is not None:
        _server(id, record=record, steps=steps)
