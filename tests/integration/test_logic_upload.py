"""Reading an upload goes through the retry layer: disk hiccups are retried, bad data is not."""

from __future__ import annotations

import errno

import pytest

import logic
from utils import data_io
from utils.resilience import Retrier, RetryPolicy


@pytest.fixture
def quick_retrier(monkeypatch):
    retrier = Retrier(RetryPolicy(retries=3, initial_s=0, max_s=0, jitter_s=0))
    monkeypatch.setattr(logic, "retrier", retrier)
    return retrier


def test_a_passing_disk_error_is_retried(tmp_path, monkeypatch, quick_retrier):
    path = tmp_path / "cohort.csv"
    path.write_text("age,event\n50,yes\n61,no\n")
    real, calls = data_io.read_table, []

    def flaky(source, name=None):
        calls.append(source)
        if len(calls) == 1:
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
        return real(source, name=name)

    monkeypatch.setattr(data_io, "read_table", flaky)
    dataset = logic.read_upload(str(path), name="cohort.csv")
    assert dataset.df.shape == (2, 2)
    assert len(calls) == 2
    assert quick_retrier.stats()["recovered"] == 1


def test_bad_data_is_not_retried(tmp_path, quick_retrier):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(data_io.DataError):
        logic.read_upload(str(path), name="empty.csv")
    assert quick_retrier.stats()["attempts"] == 1
