"""Running an exported script and comparing its tables with the app's result frames (the
integration and browser tests of modules/shared/script_export share these)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from modules.shared.csv_safety import neutralise_cell

RTOL = 1e-6


def run_script(tmp_path: Path, text: str, data: Path) -> dict[str, pd.DataFrame]:
    """Run the script on `data` from an empty folder; its tables by name."""
    script = tmp_path / "analysis.py"
    script.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, str(script), str(data), "tables"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Wrote" in done.stdout
    return {
        p.stem: pd.read_csv(p, keep_default_na=False, na_values=[""], dtype=str)
        for p in (tmp_path / "tables").glob("*.csv")
    }


def assert_same_table(script: pd.DataFrame, app: pd.DataFrame, name: str) -> None:
    """Every cell: numbers (and booleans) to RTOL, text exactly; NaN where the app has NaN."""
    assert list(script.columns) == list(app.columns), name
    assert len(script) == len(app), name
    for column in app.columns:
        ours = script[column].fillna("")
        theirs = app[column]
        if pd.api.types.is_bool_dtype(theirs):
            assert ours.tolist() == [str(v) for v in theirs], (name, column)
        elif pd.api.types.is_numeric_dtype(theirs):
            a = pd.to_numeric(ours.replace("", np.nan)).to_numpy(dtype=float)
            b = theirs.to_numpy(dtype=float)
            assert np.array_equal(np.isnan(a), np.isnan(b)), (name, column)
            assert np.allclose(a, b, rtol=RTOL, atol=0, equal_nan=True), (name, column, a, b)
        else:  # written as MedStat's downloads write text: formula-safe
            expected = ["" if pd.isna(v) else neutralise_cell(str(v)) for v in theirs]
            assert ours.tolist() == expected, (name, column)
