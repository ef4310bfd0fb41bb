"""Every awkward and hostile upload through the app's door, as the Data and Outcome tabs call it.

The corpus is tests/data/awkward/ (written by make_awkward.py); EXPECTED.json there says, for
each file, whether it loads (shape, kinds, values, notes) or is refused (a phrase of the
DataError), and what each outcome analysis must do. The expected values are the cells the
script wrote. The very wide and very long files are built here, in a temporary folder.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
from pathlib import Path

import pytest

import logic
from modules.shared.column_roles import default_event
from utils import config
from utils.data_io import DataError
from utils.dataset import Dataset

CORPUS = Path(__file__).resolve().parents[1] / "data" / "awkward"
EXPECTED = {
    name: entry
    for name, entry in json.loads((CORPUS / "EXPECTED.json").read_text("utf-8")).items()
    if not name.startswith("_")
}
# A message a clinician can act on names an action (checked on every refusal and error).
ACTION = re.compile(
    r"\b(upload|save|decompress|extract|export|remove|fix|add|open|put|delete|copy|choose|"
    r"pick|use|change|recode|check|leave|fill|group|mark|rescale|raise)\b",
    re.IGNORECASE,
)
_MISSING = object()


def load_script():
    spec = importlib.util.spec_from_file_location("make_awkward", CORPUS / "make_awkward.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read(path: Path) -> Dataset | DataError:
    """logic.read_upload as the Data tab calls it; a DataError is returned, anything else fails."""
    try:
        return logic.read_upload(str(path), name=path.name)
    except DataError as exc:
        return exc


def analyze(dataset: Dataset, case: dict):
    """logic.analyze_outcome as the Outcome tab calls it: its default event and covariates."""
    outcome = case["outcome"]
    event = case.get("event", _MISSING)
    if event is _MISSING:
        event = default_event(dataset.meta(outcome).levels)
    try:
        return logic.analyze_outcome(
            dataset,
            outcome,
            case.get("covariates"),
            event=event,
            method=case.get("method", "auto"),
            screen_p=case.get("screen_p", 0.20),
        )
    except logic.AnalysisError as exc:
        return exc


def test_the_corpus_and_its_table_agree():
    files = {p.name for p in CORPUS.iterdir() if p.suffix not in (".py", ".json")}
    assert files == set(EXPECTED)
    assert set(load_script().FILES) == set(EXPECTED)
    assert len(EXPECTED) >= 30
    assert sum(p.stat().st_size for p in CORPUS.iterdir()) < 3 * 2**20


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_awkward_file(name):
    expected = EXPECTED[name]
    got = read(CORPUS / name)
    if "refused" in expected:
        assert isinstance(got, DataError), f"{name} loaded but should be refused"
        assert expected["refused"] in str(got)
        assert ACTION.search(str(got)), f"the message does not say what to do: {got}"
        return
    assert isinstance(got, Dataset), f"{name} was refused: {got}"
    assert got.df.shape == tuple(expected["shape"])
    for column, kind in expected.get("kinds", {}).items():
        assert got.meta(column).kind == kind, column
    for column, values in expected.get("values", {}).items():
        assert got.df[column].tolist()[: len(values)] == values, column
    for column, count in expected.get("missing", {}).items():
        assert got.meta(column).n_missing == count, column
    for phrase in expected.get("notes", []):
        assert any(phrase in note for note in got.notes), (phrase, got.notes)
    for case in expected.get("analyses", []):
        check_analysis(got, case)


def check_analysis(dataset: Dataset, case: dict) -> None:
    result = analyze(dataset, case)
    phrase = case.get("phrase")
    if case["expect"] == "error":
        assert isinstance(result, logic.AnalysisError), f"ran but should fail: {case}"
        assert phrase in str(result)
        assert ACTION.search(str(result)), f"the message does not say what to do: {result}"
        return
    assert not isinstance(result, Exception), f"{case}: {result}"
    assert result.fit.method == ("firth" if case["expect"] == "firth" else "logit")
    assert len(result.multivariable) > 0
    if phrase:
        assert any(phrase in w for w in result.warnings), (phrase, result.warnings)
    if "event_is" in case:
        assert result.fit.event == case["event_is"]
    used = set(result.univariable["variable"])
    assert not used & set(case.get("excluded", ())), used
    assert case["outcome"] not in used


# --- generated at test time: too big to keep in the repository -----------------------------


@pytest.fixture(scope="module")
def script():
    return load_script()


def test_very_wide_file(tmp_path, script):
    path = tmp_path / "omics.csv"
    path.write_bytes(script.wide_csv(n_cols=3000, n_rows=60))
    dataset = logic.read_upload(str(path), name=path.name)
    assert dataset.df.shape == (60, 3001)
    assert dataset.meta("g2999").kind == "continuous"
    # The Outcome tab selects every eligible column: 3000 covariates for 60 patients.
    crowded = analyze(dataset, {"outcome": "died"})
    assert isinstance(crowded, logic.AnalysisError)
    assert "too few complete patients for the number of covariates" in str(crowded)
    chosen = analyze(dataset, {"outcome": "died", "covariates": ["g0", "g1", "g2"]})
    assert not isinstance(chosen, Exception), chosen
    assert set(chosen.univariable["variable"]) == {"g0", "g1", "g2"}


def test_very_long_file(tmp_path, script):
    path = tmp_path / "registry.csv"
    path.write_bytes(script.long_csv(n_rows=200_000))
    dataset = logic.read_upload(str(path), name=path.name)
    assert dataset.df.shape == (200_000, 5)
    assert dataset.meta("record_id").kind == "id"
    assert dataset.meta("crp").kind == "continuous"
    assert dataset.meta("crp").n_missing == int((dataset.df["crp"].isna()).sum()) > 3000
    result = analyze(dataset, {"outcome": "died"})
    assert not isinstance(result, Exception), result
    assert "record_id" not in set(result.univariable["variable"])
    assert result.fit.n_total == 200_000


def test_upload_limit_is_enforced_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(config, "settings", dataclasses.replace(config.settings, max_upload_mb=0.1))
    refused = read(CORPUS / "zip_bomb.xlsx")  # 255 KB: refused for its size, before unpacking
    assert isinstance(refused, DataError)
    assert "MedStat accepts files up to 0.1 MB" in str(refused)
    assert "MEDSTAT_MAX_UPLOAD_MB" in str(refused)
    assert isinstance(read(CORPUS / "outcome_yes_no.csv"), Dataset)  # 0.7 KB: still fine
