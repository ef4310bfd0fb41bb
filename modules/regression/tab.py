"""The Regression tab: linear, Poisson and negative binomial models of a numeric outcome."""

from __future__ import annotations

from modules.regression import controls as rc
from modules.regression import figures
from modules.regression import tables as rt
from modules.regression import view as rv
from modules.shared import model_controls as mc
from modules.shared.analysis_tab import (
    AnalysisTab,
    Card,
    all_numbers_download,
    plot_card,
    report_download,
    warnings_card,
)
from modules.shared.controls import Radio, Select, Settings
from modules.shared.effect_scale import EFFECT_SCALE_CONTROL
from modules.shared.imputation_option import IMPUTED_CONTROL, with_imputation
from modules.shared.modifier_controls import modifier_controls, with_modifiers
from modules.shared.modifier_view import (
    modifiers_download,
    modifiers_figure_card,
    with_modifier_docs,
)
from modules.shared.pooled_view import pooled_card, with_pooled_docs

CONTROLS = (
    Select(
        "outcome",
        "Outcome",
        choices=lambda s: rc.outcome_choices(s.ds),
        default=lambda s, choices: rc.default_outcome(s.ds),
        empty="No continuous or count column to model.",
        placeholder=rc.OUTCOME_PLACEHOLDER,
    ),
    Radio("model", "Model", rv.MODEL_CHOICES, default="auto"),
    Select(
        "exposure",
        "Exposure for rates (offset: log of person-time or population)",
        choices=lambda s: rc.exposure_choices(s.ds, s["outcome"]),
        default=lambda s, choices: rc.NO_EXPOSURE,
        visible=lambda s: rc.rates_possible(s.ds, s["outcome"], s["model"]),
    ),
    mc.covariates_control(),
    *mc.SELECTION_CONTROLS,
    EFFECT_SCALE_CONTROL,
    *modifier_controls(lambda s: list(s["covariates"] or ()), lambda s: [s["outcome"]]),
    IMPUTED_CONTROL,
)


def build_spec(s: Settings):
    return with_imputation(with_modifiers(_spec(s), s), s)


def _spec(s: Settings):
    selection = mc.selection(s)
    covariates = selection.pop("covariates")
    exposure = s["exposure"] or None
    return rc.regression_spec(
        s.ds,
        s["outcome"] or "",
        covariates,
        model=s["model"],
        exposure=exposure,
        effect_scale=s["effect_scale"],
        **selection,
    )


CARDS = (
    Card("fit", "Model fit", rv.fit_boxes),
    warnings_card(empty="No warnings: the model fitted without problems."),
    Card("combined_table", "Univariable and multivariable analysis", rt.combined_table,
         full_screen=True),
    Card("multi_table", "Multivariable model", rt.multivariable_table, full_screen=True),
    plot_card("forest_plot", "Forest plot", figures.forest_plot, "regression-plot",
              "regression-forest",
              stem=lambda v: ("forest_adjusted", v.estimate_name, v.outcome_label)),
    plot_card("diagnostics_plot", "Residual diagnostics", figures.diagnostics_plot,
              "regression-diagnostics-plot", "regression-diagnostics",
              stem=lambda v: ("residuals", v.outcome_label), width="double"),
    modifiers_figure_card(lambda v: v.result, lambda v: v.label, rt.effect_of, "regression"),
    pooled_card(lambda v: v.result, lambda v: v.label, rt.effect_of, "regression"),
)  # fmt: skip

TAB = AnalysisTab(
    name="regression",
    title="Regression settings",
    run_label="Run regression",
    idle="Choose the outcome and covariates, then press Run regression.",
    controls=CONTROLS,
    build_spec=build_spec,
    make_view=lambda result, ds, spec: rv.RegressionView(result, ds.labels(), ds.name),
    done_text=rv.done_text,
    cards=CARDS,
    downloads=(
        report_download(rt.html_report),
        all_numbers_download(rt.tables_csv),
        modifiers_download(lambda view: view.result, lambda view: view.label),
    ),
    tables=with_pooled_docs(
        with_modifier_docs(
            rt.documents, lambda v: v.result, lambda v: v.label, rt.effect_of, "regression"
        ),
        lambda v: v.result,
        lambda v: v.label,
        rt.effect_of,
        "regression",
    ),
    downloads_note="The Word file holds both tables as a journal prints them, with their notes; "
    "the CSV download is a .zip of one file per table, each as shown. 'All numbers' is every "
    "table in long form, unrounded, for checking or re-plotting elsewhere.",
    file_stem=rt.file_stem,
)
