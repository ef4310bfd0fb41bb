"""Outcome page builders: errors as sentences (never internals), warnings and fit boxes escaped."""

import logic
from modules.outcome import view as outcome_view
from modules.shared.status import error_message, warnings_block


def test_error_messages():
    msg = "The outcome 'x' has only one value. Choose another outcome."
    assert error_message(logic.AnalysisError(msg)) == msg
    hidden = error_message(RuntimeError("/srv/app secret path, line 42"))
    assert "secret" not in hidden and "unexpected error" in hidden
    assert "memory" in error_message(MemoryError())


def test_warnings_block_escapes_and_puts_serious_first():
    html = str(warnings_block(["VIF of '<b>x</b>' is 12.", "WARNING: separation."]))
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert html.index("separation") < html.index("VIF")
    assert "alert-danger" in html
    assert "No warnings" in str(warnings_block([]))


def test_fit_boxes_show_no_raw_nan(view):
    html = str(outcome_view.fit_boxes(view))
    assert "0.78" in html and "95% CI 0.73–0.83" in html
    assert "380" in html and "20 excluded" in html
    assert "nan" not in html.lower().replace("nagelkerke", "")
