"""The Agreement tab: kappa, ICC and Bland–Altman for raters or methods rating the same subjects."""

from __future__ import annotations

from htmltools import tags

from modules.agreement import controls as ac
from modules.agreement import documents as ad
from modules.agreement import report
from modules.agreement import view as av
from modules.agreement.figures import bland_altman_plot
from modules.shared.analysis_tab import (
    AnalysisTab,
    Card,
    all_numbers_download,
    figure_card,
    report_download,
    warnings_card,
)
from modules.shared.controls import Radio, Select, Settings
from modules.shared.figures import plot_div


def _wide(s: Settings) -> bool:
    return s["layout"] == "wide"


def _long(s: Settings) -> bool:
    return s["layout"] == "long"


def _pairs(s: Settings) -> dict[str, str]:
    return ac.pair_choices(s.ds, s["layout"], s["raters"], s["rater"])


def _pair_shown(s: Settings) -> bool:
    return s["scale"] == "continuous" and len(_pairs(s)) > 2


def _second_default(s: Settings, choices) -> str | None:
    return next((c for c in choices if c != s["ba_first"]), None)


CONTROLS = (
    Radio("layout", "Layout of the ratings", ac.LAYOUTS, default="wide"),
    Select("raters", "Rating columns (one per rater or method)",
           choices=lambda s: ac.all_columns(s.ds), multiple=True, visible=_wide,
           placeholder="choose two or more"),
    Select("subject", "Subject (who was rated)", choices=lambda s: ac.all_columns(s.ds),
           default=lambda s, choices: None, visible=_long, placeholder="choose a column"),
    Select("rater", "Rater", choices=lambda s: ac.all_columns(s.ds),
           default=lambda s, choices: None, visible=_long, placeholder="choose a column"),
    Select("rating", "Rating", choices=lambda s: ac.all_columns(s.ds),
           default=lambda s, choices: None, visible=_long, placeholder="choose a column"),
    Radio("scale", "The ratings are", ac.SCALES, default="continuous"),
    Select("ba_first", "Bland–Altman: first", choices=_pairs, visible=_pair_shown),
    Select("ba_second", "Bland–Altman: second (difference = second − first)", choices=_pairs,
           default=_second_default, visible=_pair_shown),
)  # fmt: skip


def build_spec(s: Settings):
    return ac.agreement_spec(
        s.ds, s["layout"], s["raters"], s["subject"], s["rater"], s["rating"], s["scale"],
        s["ba_first"], s["ba_second"],
    )  # fmt: skip


def _kappa(view: av.AgreementView):
    if view.summary.scale == "continuous":
        return ad.kappa_table(view)  # a line saying kappa is for categories
    return tags.div(ad.kappa_table(view), ad.crosstab_table(view))


def _ba_figure(view: av.AgreementView):
    return bland_altman_plot(view) if view.summary.scale == "continuous" else None


def _ba_stem(view: av.AgreementView) -> tuple[str, ...]:
    """bland_altman_<first>_vs_<second>: the file says which two were compared."""
    s = view.summary
    return ("bland_altman", view.rater(s.ba_first), "vs", view.rater(s.ba_second))


def _bland_altman(view: av.AgreementView, fig):
    if fig is None:
        return ad.limits_table(view)  # a line saying Bland–Altman is for measurements
    plot = plot_div(fig, "agreement-bland-altman", "agreement-bland-altman-container")
    return tags.div(plot, ad.limits_table(view))


CARDS = (
    warnings_card("agreement-warnings-list", empty=None),
    Card("key", "Agreement in brief", av.key_numbers),
    Card("kappa", "Kappa (categories)", _kappa),
    Card("icc", "Intraclass correlation (measurements)", ad.icc_table, full_screen=True),
    figure_card("bland_altman", "Bland–Altman (two measurements)", _ba_figure, _ba_stem,
                _bland_altman),
)  # fmt: skip

TAB = AnalysisTab(
    name="agreement",
    title="Agreement settings",
    run_label="Run agreement",
    idle="Choose the raters' columns (or the long layout's columns), then press Run.",
    controls=CONTROLS,
    build_spec=build_spec,
    make_view=av.make_view,
    done_text=av.done_text,
    cards=CARDS,
    downloads=(report_download(report.html_report), all_numbers_download(report.tables_csv)),
    tables=ad.tables,
    downloads_note="The Word file holds every table as a journal prints it, with its notes; the "
    "CSV download is a .zip of one file per table, each as shown. The report is a single HTML "
    "file with the tables and the plot; it opens offline. 'All numbers' is every estimate with "
    "its CI and p in long form, unrounded, for checking or re-plotting elsewhere.",
    file_stem=report.file_stem,
    what="The agreement analysis",
    fewer="raters",
)
