"""Outcome page builders: errors as sentences (never internals), warnings and fit boxes escaped."""

import logic
from modules import outcome_view


def test_error_messages():
    msg = "The outcome 'x' has only one value. Choose another outcome."
    assert outcome_view.error_message(logic.AnalysisError(msg)) == msg
    hidden = outcome_view.error_message(RuntimeError("/srv/app secret path, line 42"))
    assert "secret" not in hidden and "unexpected error" in hidden
    assert "memory" in outcome_view.error_message(MemoryError())


def test_warnings_block_escapes_and_puts_serious_first():
    html = str(outcome_view.warnings_block(["VIF of '<b>x</b>' is 12.", "WARNING: separation."]))
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert html.index("separation") < html.index("VIF")
    assert "alert-danger" in html
    assert "No warnings" in str(outcome_view.warnings_block([]))


def test_fit_boxes_show_no_raw_nan(view):
    html = str(outcome_view.fit_boxes(view))
    assert "0.78" in html and "95% CI 0.73–0.83" in html
    assert "380" in html and "20 excluded" in html
    assert "nan" not in html.lower().replace("nagelkerke", "")
