"""logic.read_codebook and logic.match_codebook: through run(), cached by both fingerprints."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pandas as pd
import pytest

import logic
from utils import data_io
from utils.data_error import DataError

DATA = Path(__file__).resolve().parents[1] / "data"


def lookups() -> tuple[float, float]:
    cache = logic.stats()["cache"]
    return cache["hits"], cache["misses"]


@pytest.fixture
def dataset():
    df = pd.DataFrame(
        {
            "RecordID": [f"R{i}" for i in range(40)],
            "age_yrs": [30 + i for i in range(40)],
            "gender": ["M", "F", "male", "female"] * 10,
            "SBP_preop": [120 + i % 7 for i in range(40)],
            "SBP_post_op": [110 + i % 5 for i in range(40)],
            "DM": ["Y", "N"] * 20,
            "ward": ["A", "B", "C", "D"] * 10,
        }
    )
    return data_io.dataset_from_frame(df, name="cohort.csv")


def test_match_through_logic_and_the_repeat_is_a_cache_hit(dataset, monkeypatch):
    # rapidfuzz only: the model's worker is tested in tests/unit/matching/test_embeddings.py.
    monkeypatch.setattr(logic, "settings", dataclasses.replace(logic.settings, embeddings=False))
    codebook = logic.read_codebook(str(DATA / "codebook_redcap.csv"), "dictionary.csv")
    assert codebook.name == "dictionary.csv"
    hits0, misses0 = lookups()
    first = logic.match_codebook(dataset, codebook)
    again = logic.match_codebook(dataset, codebook)
    assert lookups() == (hits0 + 1, misses0 + 1)
    assert again is first
    got = {m.variable: m.column for m in first.variables}
    assert got["age"] == "age_yrs" and got["sex"] == "gender"
    assert got["sbp_pre"] == "SBP_preop" and got["sbp_post"] == "SBP_post_op"
    assert "ward" in first.unmatched_columns
    assert "torch" not in sys.modules  # the model never loads in the app's process

    # Another codebook (other bytes) is another key.
    other = logic.read_codebook(str(DATA / "codebook_plain.csv"))
    logic.match_codebook(dataset, other)
    assert lookups()[1] == misses0 + 2


def test_a_bad_codebook_is_a_data_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("label,type\nAge,numeric\n")
    with pytest.raises(DataError, match="no variable column"):
        logic.read_codebook(str(bad))


def test_the_match_can_be_shared_through_the_redis_tier(dataset):
    from matching.codebook_match import CodebookSpec, match_codebook
    from utils import codec

    codebook = logic.read_codebook(str(DATA / "codebook_redcap.csv"))
    result = match_codebook(dataset.df, CodebookSpec(codebook, embeddings=False))
    assert codec.from_json(codec.to_json(result), logic.RESULT_TYPES) == result


def test_a_codebook_over_the_pair_bound_is_refused_saying_which_limit(dataset, monkeypatch):
    """Issue 17 case 4: matching scores variables x columns, so that is what is bounded."""
    from matching.codebook import Codebook, CodebookEntry
    from utils.config import settings

    entries = tuple(CodebookEntry(f"var_{k}", f"Measure {k}", "numeric") for k in range(30))
    codebook = Codebook("big.csv", "fp-big", entries)
    monkeypatch.setattr(logic, "settings", dataclasses.replace(settings, codebook_max_pairs=200))
    with pytest.raises(logic.AnalysisError, match="MEDSTAT_CODEBOOK_MAX_PAIRS") as refused:
        logic.match_codebook(dataset, codebook)  # 30 x 7 = 210 pairs
    assert "30 variables" in str(refused.value) and "210 pairs" in str(refused.value)


def test_codebook_admission_counts_pairs_not_rows(dataset):
    from matching.codebook import Codebook, CodebookEntry
    from matching.codebook_match import CodebookSpec
    from utils.memory import estimate_mb

    entries = tuple(CodebookEntry(f"v{k}", f"V {k}", "numeric") for k in range(2500))
    spec = CodebookSpec(Codebook("cb", "fp", entries), embeddings=False)
    wide = data_io.dataset_from_frame(pd.DataFrame({f"c{j}": [1] for j in range(8000)}))
    # The 2,500 x 8,000 took 1.1 GB: the estimate sees that; rows do not enter it.
    assert estimate_mb(*logic._design_size(wide, spec), kind="codebook") > 1000


def test_a_cached_match_carries_no_uploader_s_file_name(dataset, tmp_path, monkeypatch):
    """Issue 17 case 9: the same bytes under two names share one result, which names neither."""
    from utils import codec

    monkeypatch.setattr(logic, "settings", dataclasses.replace(logic.settings, embeddings=False))
    data = (DATA / "codebook_redcap.csv").read_bytes()
    (tmp_path / "alice_private_trial.csv").write_bytes(data)
    (tmp_path / "bob.csv").write_bytes(data)
    first = logic.match_codebook(
        dataset, logic.read_codebook(str(tmp_path / "alice_private_trial.csv"))
    )
    second = logic.match_codebook(dataset, logic.read_codebook(str(tmp_path / "bob.csv")))
    assert second is first  # one cached result for the same content
    assert "alice" not in codec.to_json(first)


def test_a_matched_codebook_is_found_again_without_a_worker(dataset, monkeypatch, tmp_path):
    """logic.cached_codebook: the same bytes matched to the same data give the cached match
    and the codebook under this request's name; anything not seen lately gives None."""
    monkeypatch.setattr(logic, "settings", dataclasses.replace(logic.settings, embeddings=False))
    path = str(DATA / "codebook_redcap.csv")
    copy = tmp_path / "upload0"
    copy.write_bytes(Path(path).read_bytes())
    other = tmp_path / "upload1"
    other.write_bytes((DATA / "codebook_plain.csv").read_bytes())
    logic._forget_codebooks()
    assert logic.cached_codebook(str(copy), "mine.csv", dataset) is None  # never parsed
    first = logic.match_codebook(dataset, logic.read_codebook(path, "theirs.csv"))

    codebook, match = logic.cached_codebook(str(copy), "mine.csv", dataset)
    assert match is first and codebook.name == "mine.csv"
    assert logic.cached_codebook(str(other), "mine.csv", dataset) is None  # other bytes
    fewer = data_io.dataset_from_frame(dataset.df.drop(columns="ward"), name="cohort.csv")
    assert logic.cached_codebook(str(copy), "mine.csv", fewer) is None  # other data
    assert logic.cached_codebook(str(tmp_path / "gone"), "mine.csv", dataset) is None
    small = dataclasses.replace(logic.settings, embeddings=False, codebook_max_mb=1e-6)
    monkeypatch.setattr(logic, "settings", small)
    assert (
        logic.cached_codebook(str(copy), "mine.csv", dataset) is None
    )  # over the bound: read apart
