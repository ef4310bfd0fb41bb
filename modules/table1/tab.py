"""The Table 1 tab: baseline characteristics, overall and by group, with tests and SMDs."""

from __future__ import annotations

from modules.shared.analysis_tab import (
    AnalysisTab,
    Card,
    figure_card,
    report_download,
    warnings_card,
)
from modules.shared.controls import Checkboxes, Radio, Select, Settings
from modules.shared.figures import plot_div
from modules.shared.imputation_option import IMPUTED_CONTROL, with_imputation
from modules.table1 import controls as tc
from modules.table1 import document, export, plot, pooled
from modules.table1 import view as table1_view
from modules.table1.view import Table1View

CONTROLS = (
    Select("group", "Group by", choices=lambda s: tc.group_choices(s.ds),
           default=lambda s, choices: tc.NO_GROUP),
    # The choices do not depend on the group: switching it never drops a variable (the
    # grouping column is simply not a row of its own table).
    Select("variables", "Variables (ids, free text and dates are left out; the group column "
           "is not a row)", choices=lambda s: tc.variable_choices(s.ds, None),
           default=lambda s, choices: tc.default_variables(s.ds, None), multiple=True),
    # Not "summary": the page's Table 1 is table#table1-summary (one id, one element).
    Radio("numbers_as", "Numbers shown as", tc.SUMMARIES, default="auto", was="summary"),
    Select("median", "Always median [IQR]",
           choices=lambda s: tc.numeric_variables(s.ds, s["variables"] or ()), multiple=True,
           placeholder="none"),
    Checkboxes("show", "Show", tc.SHOW, default=tuple(tc.SHOW)),
    IMPUTED_CONTROL,
)  # fmt: skip


def build_spec(s: Settings):
    spec = tc.table1_spec(
        s.ds, s["variables"] or (), s["group"], s["numbers_as"], s["median"] or ()
    )
    return with_imputation(spec, s)


def with_options(view: Table1View, shown: frozenset[str]) -> Table1View:
    """What the Show boxes ask for: columns of the table, not a new analysis."""
    return view.with_options(
        show_overall="overall" in shown,
        show_p="p" in shown,
        show_smd="smd" in shown,
        show_missing="missing" in shown,
    )


def smd_plot(view: Table1View, fig):
    if fig is None:
        return table1_view.plot_note(view)
    # The container takes the figure's own height, not the card's.
    height = f"height: {fig.layout.height}px;"
    return plot_div(fig, "table1-plot", "table1-plot-container", style=height)


CARDS = (
    warnings_card("table1-warnings", empty=None),
    Card("table", "Table 1", document.table_tag, full_screen=True),
    figure_card(
        "plot",
        "Standardised mean differences",
        plot.love_plot,
        lambda v: ("smd", "by", v.label(v.group) if v.group else ""),
        smd_plot,
    ),
    Card("pooled", None, pooled.pooled_tag),
)

TAB = AnalysisTab(
    name="table1",
    title="Table 1 settings",
    run_label="Make Table 1",
    idle="Choose the variables (and a group), then press Make Table 1.",
    controls=CONTROLS,
    build_spec=build_spec,
    make_view=lambda result, ds, spec: Table1View(result, ds.labels(), ds.name),
    done_text=table1_view.done_text,
    view_options=lambda s: frozenset(s["show"] or ()),
    with_options=with_options,
    cards=CARDS,
    downloads=(report_download(export.html_report),),
    tables=pooled.with_pooled(document.tables),
    downloads_note="The Word file is the table as a journal prints it, with its notes. The CSV "
    "holds the table as shown, with the test of each row, and opens in Excel. The report opens "
    "offline with the plot.",
    what="Table 1",
    fewer="variables",
    file_stem=export.file_stem,
)
