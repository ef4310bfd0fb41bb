"""The Propensity scores tab: the score model, matching or weighting, balance and the effect."""

from __future__ import annotations

from modules.propensity import controls as pc
from modules.propensity import documents as docs
from modules.propensity import report
from modules.propensity import view as pv
from modules.propensity.figures import love_plot, overlap_plot
from modules.propensity.use_sample import card as use_sample_card
from modules.shared.analysis_tab import (
    AnalysisTab,
    Card,
    all_numbers_download,
    plot_card,
    report_download,
    warnings_card,
)
from modules.shared.controls import Checkbox, Numeric, Radio, Select, Settings, level_choices

REPLACE = {"without": "Each control used once (without replacement)",
           "with": "Controls may be reused (with replacement)"}  # fmt: skip
STABILISE = {"yes": "Stabilised weights", "no": "Unstabilised weights"}


def _matching(s: Settings) -> bool:
    return s["method"] == "matching"


def _weighting(s: Settings) -> bool:
    return s["method"] == "weighting"


def _treated_default(s: Settings, choices) -> str | None:
    levels = list(choices)
    return levels[1] if len(levels) == 2 else None


def _event_default(s: Settings, choices) -> str | None:
    levels = list(choices)
    return levels[-1] if levels else None


CONTROLS = (
    Select("treatment", "Treatment (two values)", choices=lambda s: pc.treatment_choices(s.ds),
           default=lambda s, choices: None, placeholder="choose a column"),
    Select("treated", "Treated group (the other is the control)",
           choices=lambda s: level_choices(s, s["treatment"]), default=_treated_default,
           visible=lambda s: s["treatment"] is not None),
    Select("covariates", "Covariates of the propensity model",
           choices=lambda s: pc.covariate_choices(s.ds, s["treatment"], s["outcome"]),
           default=lambda s, choices: [], multiple=True, placeholder="choose covariates",
           visible=lambda s: s["treatment"] is not None),
    Radio("method", "Method", pc.METHODS, default="matching"),
    Radio("estimand", "Effect", pc.ESTIMANDS, default="ATE", visible=_weighting),
    Numeric("ratio", "Controls per treated patient (1:k)", 1, min=1, max=10, step=1,
            visible=_matching),
    Radio("replace", "Controls", REPLACE, default="without", visible=_matching),
    Numeric("caliper", "Caliper in SDs of the logit of the score (empty: none)", 0.2, min=0.01,
            max=5, step=0.05, visible=_matching),
    Select("order", "Matching order", choices=lambda s: pc.ORDERS, visible=_matching),
    Numeric("seed", "Random seed (the same seed gives the same matches)", 12345, min=0,
            step=1, visible=lambda s: _matching(s) and s["order"] == "random"),
    Select("exact", "Match exactly on", choices=lambda s: pc.covariate_choices(
        s.ds, s["treatment"], s["outcome"]), default=lambda s, choices: [], multiple=True,
        placeholder="none", visible=_matching),
    Radio("stabilise", "Weights", STABILISE, default="yes",
          visible=lambda s: _weighting(s) and s["estimand"] == "ATE"),
    Numeric("truncate", "Truncate weights at percentile p and 100 − p (empty: none)", None,
            min=0.1, max=49, step=0.5, visible=_weighting),
    Checkbox("trim", "Leave out patients outside the common support of the scores"),
    Select("outcome", "Outcome (optional)", choices=lambda s: pc.outcome_choices(
        s.ds, s["treatment"]), default=lambda s, choices: None, placeholder="none"),
    Select("event", "Event (the outcome's value counted)",
           choices=lambda s: level_choices(s, s["outcome"]), default=_event_default,
           visible=lambda s: pc.outcome_type(s.ds, s["outcome"]) == "binary"
           and s["outcome"] is not None),
    Select("time", "Follow-up time (optional: a hazard ratio, the outcome as the event)",
           choices=lambda s: pc.time_choices(s.ds, s["outcome"]),
           default=lambda s, choices: None, placeholder="none",
           visible=lambda s: pc.outcome_type(s.ds, s["outcome"]) == "binary"
           and s["outcome"] is not None),
)  # fmt: skip


def build_spec(s: Settings):
    return pc.propensity_spec(
        s.ds, s["treatment"], s["treated"], s["covariates"], s["method"], s["estimand"],
        s["ratio"], s["replace"] == "with", s["caliper"], s["order"], s["seed"], s["exact"],
        s["stabilise"] != "no", s["truncate"], bool(s["trim"]), s["outcome"], s["event"],
        s["time"],
    )  # fmt: skip


CARDS = (
    warnings_card("propensity-warnings-list", empty=None),
    Card("key", "Propensity scores in brief", pv.key_numbers),
    Card("balance", "Covariate balance", docs.balance_table, full_screen=True),
    plot_card("love_plot", "Love plot", love_plot, "propensity-love-plot",
              "propensity-love-plot-container",
              stem=lambda v: ("love_plot", v.label(v.treatment))),
    plot_card("overlap_plot", "Overlap of the scores", overlap_plot, "propensity-overlap",
              "propensity-overlap-container",
              stem=lambda v: ("propensity_overlap", v.label(v.treatment))),
    Card("sample", "Matched or weighted sample", docs.sample_table),
    Card("use", "Use the sample in every tab", use_sample_card),
    Card("effect", "Treatment effect", docs.effect_table),
    Card("model", "Propensity model", docs.model_table),
)  # fmt: skip

TAB = AnalysisTab(
    name="propensity",
    title="Propensity score settings",
    run_label="Run propensity scores",
    idle="Choose the treatment and the covariates, then press Run.",
    controls=CONTROLS,
    build_spec=build_spec,
    make_view=pv.make_view,
    done_text=pv.done_text,
    cards=CARDS,
    downloads=(report_download(report.html_report), all_numbers_download(report.tables_csv)),
    tables=docs.tables,
    downloads_note="The Word file holds every table as a journal prints it, with its notes; the "
    "CSV download is a .zip of one file per table. The report is a single HTML file with the "
    "tables and both plots; it opens offline. 'All numbers' is every estimate, balance row and "
    "the score and weight of each patient, unrounded.",
    file_stem=lambda view: "medstat_propensity",
    what="The propensity-score analysis",
)
