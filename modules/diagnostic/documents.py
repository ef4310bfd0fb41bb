"""The diagnostic tab's publishable tables (TableDocs) and the page's tables drawn from them:
AUCs, the comparison of AUCs, accuracy at the cut-off and a 2×2 table per test. The page,
the report, the Word file and the CSV show the same display frames (view.py)."""

from __future__ import annotations

from htmltools import Tag, TagList, tags

from modules.diagnostic.view import (
    CI_NAMES,
    DiagnosticView,
    accuracy_frame,
    auc_frame,
    comparison_frame,
    cutoff_text,
    two_by_two_frame,
)
from modules.shared.table_doc import TableDoc, frame_doc
from modules.shared.tables import plain_doc_table


def auc_doc(view: DiagnosticView) -> TableDoc:
    notes = [
        "AUC: area under the ROC curve, with DeLong's 95% confidence interval. 0.5 = no better "
        "than chance, 1 = perfect. Direction: which values count as a positive test; "
        "automatic picks the group with the higher median as diseased (pROC's rule)."
    ]
    caption = f"Area under the ROC curve for {view.condition}"
    return frame_doc("diagnostic_auc", caption, auc_frame(view), footnotes=notes, text_columns=3)


def accuracy_doc(view: DiagnosticView) -> TableDoc:
    ci = CI_NAMES.get(view.info.ci_method, "")
    notes = [
        f"Proportions with {ci} 95% confidence intervals; likelihood ratios with log-method "
        "intervals (Simel et al. 1991). PPV and NPV use the prevalence of this sample; "
        "they change with prevalence. Youden = the cut-off maximising sensitivity + "
        "specificity.",
    ]
    caption = f"Accuracy at the cut-off, against {view.condition}"
    frame = accuracy_frame(view)
    return frame_doc("diagnostic_accuracy", caption, frame, footnotes=notes, text_columns=2)


def comparison_doc(view: DiagnosticView) -> TableDoc:
    notes = [
        "DeLong's test for two correlated ROC curves (as pROC::roc.test), on the patients "
        "with both tests. Difference = first AUC minus second."
    ]
    frame = comparison_frame(view)
    return frame_doc("diagnostic_comparison", "Comparison of AUCs", frame, footnotes=notes)


def two_by_two_docs(view: DiagnosticView) -> list[TableDoc]:
    out = []
    for i, cut in enumerate(view.result.cutoffs.itertuples(index=False)):  # type: ignore[attr-defined]
        caption = f"{view.label(cut.variable)}, positive if {cutoff_text(view, cut)}"
        frame = two_by_two_frame(view, cut).astype(str)
        out.append(frame_doc(f"diagnostic_2x2_{i + 1}", caption, frame))
    return out


def documents(view: DiagnosticView) -> tuple[TableDoc, ...]:
    """The tab's tables in the page's order (the comparison when two or more tests ran)."""
    comparison = [comparison_doc(view)] if len(view.result.comparisons) else []  # type: ignore[attr-defined]
    return (auc_doc(view), *comparison, accuracy_doc(view), *two_by_two_docs(view))


def auc_table(view: DiagnosticView, table_id: str | None = "diagnostic-auc-table") -> Tag:
    return plain_doc_table(auc_doc(view), table_id=table_id)


def accuracy_table(view: DiagnosticView, table_id: str | None = "diagnostic-accuracy-table") -> Tag:
    return plain_doc_table(accuracy_doc(view), table_id=table_id)


def comparison_table(
    view: DiagnosticView, table_id: str | None = "diagnostic-compare-table"
) -> Tag:
    if not len(view.result.comparisons):  # type: ignore[attr-defined]
        return tags.p("Choose two or more tests to compare their AUCs.", class_="text-muted")
    return plain_doc_table(comparison_doc(view), table_id=table_id)


def two_by_two_tables(view: DiagnosticView) -> TagList:
    """A 2×2 table per test, captioned with how the test was read."""
    return TagList(*[plain_doc_table(doc) for doc in two_by_two_docs(view)])
