"""The script download is offered for the analyses a script can redo, and only those."""

from __future__ import annotations

from analyses.specs import Table1Spec
from modules.shared.script_download import script_downloads, script_text
from utils.data_io import dataset_from_frame


def test_offered_for_scripted_analyses_only():
    scripted = ("outcome", "table1", "correlation", "regression", "survival", "diagnostic")
    for kind in (*scripted, "propensity"):
        (download,) = script_downloads(kind, lambda: None, lambda: None)
        assert download.id == "download_script" and download.suffix == "script.py"
    for kind in ("agreement", "sample_size"):
        assert script_downloads(kind, lambda: None, lambda: None) == []


def test_data_not_read_from_a_file_gives_a_script_that_says_why():
    import pandas as pd

    dataset = dataset_from_frame(pd.DataFrame({"age": [1, 2, 3]}))
    text = script_text("table1", dataset, Table1Spec(("age",)), None)
    assert text.startswith("import sys") and "Upload the file" in text
    compile(text, "script.py", "exec")
