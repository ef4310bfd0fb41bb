"""Reading an upload goes through the retry layer: disk hiccups are retried, bad data is not."""

from __future__ import annotations

import errno

import pytest

import logic
from utils import data_io
from utils.memory import MB, MemoryManager
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
    path = tmp_path / "header_only.csv"  # passes the shape check, fails the parse
    path.write_bytes(b"age,event\n")
    with pytest.raises(data_io.DataError, match="no rows"):
        logic.read_upload(str(path), name="header_only.csv")
    assert quick_retrier.stats()["attempts"] == 1


def test_a_read_that_cannot_fit_is_refused_with_a_data_message(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_text("age,event\n" + "50,yes\n" * 200_000)  # 1.4 MB: needs ~19 MB to parse
    tight = MemoryManager(limit_mb=300, rss=lambda: 290 * MB)  # only 10 MB free
    monkeypatch.setattr(logic, "memory", tight)
    with pytest.raises(data_io.DataError, match="smaller file"):
        logic.read_upload(str(path), name="big.csv")
    roomy = MemoryManager(limit_mb=300, rss=lambda: 150 * MB)
    monkeypatch.setattr(logic, "memory", roomy)
    assert logic.read_upload(str(path), name="big.csv").df.shape == (200_000, 2)


def test_an_analysis_refused_for_memory_is_an_analysis_error(monkeypatch):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"x": rng.normal(size=200), "y": rng.choice(["a", "b"], 200)})
    readings = iter([150 * MB])  # the program idled at 150 MB; now past the critical line
    busy = MemoryManager(limit_mb=300, rss=lambda: next(readings, 290 * MB))
    busy.check()
    monkeypatch.setattr(logic, "memory", busy)
    with pytest.raises(logic.AnalysisError, match="busy") as refused:
        logic.analyze_outcome(frame, "y", ["x"])
    assert isinstance(refused.value, logic.ServerBusy)
    assert isinstance(refused.value, logic.MemoryRefused)


def test_a_file_that_can_never_fit_says_so_and_which_limit(tmp_path, monkeypatch):
    """Issue 17 case 12: a file the budget can never read is not told 'try again later'."""
    path = tmp_path / "text.csv"
    path.write_text("id,note\n" + "".join(f"id{i:07d},note {i:07d}\n" for i in range(300_000)))
    idle = MemoryManager(limit_mb=300, rss=lambda: 260 * MB)  # the program alone takes 260 MB
    monkeypatch.setattr(logic, "memory", idle)
    with pytest.raises(data_io.DataError) as refused:
        logic.read_upload(str(path), name="text.csv")
    text = str(refused.value)
    assert "can ever give one file" in text and "MEDSTAT_MEMORY_LIMIT_MB" in text
    assert "try again" not in text.lower()


def test_a_workbook_read_stops_when_its_tab_closes(tmp_path):
    """A closed tab's read stops at the workbook's next row or unpacked chunk (case 2)."""
    from bench.hostile_files import write_xlsx

    path = write_xlsx(tmp_path / "book.xlsx", 3000, 5)
    token = logic.CancelToken()
    token.cancel()
    with pytest.raises(logic.Cancelled):
        logic.read_upload(str(path), name="book.xlsx", cancel=token)
    assert logic.read_upload(str(path), name="book.xlsx").df.shape == (3000, 5)


@pytest.mark.parametrize(
    ("tab", "kind", "words", "not_words"),
    [("agreement", "agreement", "fewer raters", "covariates"),
     ("outcome", "outcome", "fewer covariates", "raters")],
)  # fmt: skip
def test_a_memory_refusal_advises_in_the_tab_s_own_words(monkeypatch, tab, kind, words, not_words):
    """The Agreement tab has raters, not covariates: its declaration carries the words."""
    import importlib

    import numpy as np
    import pandas as pd

    from analyses.specs import AgreementSpec, OutcomeSpec

    declared = importlib.import_module(f"modules.{tab}.tab").TAB
    rng = np.random.default_rng(5)
    n = 400_000  # more rows than fit in the 10 MB left: the advice says how many would
    frame = pd.DataFrame(
        {"a": rng.integers(1, 4, n), "b": rng.integers(1, 4, n), "y": rng.choice([0, 1], n)}
    )
    ds = data_io.dataset_from_frame(frame, "raters.csv")
    spec = (
        AgreementSpec(raters=("a", "b"), scale="ordinal")
        if kind == "agreement"
        else OutcomeSpec(outcome="y", event="1", covariates=("a", "b"))
    )
    tight = MemoryManager(limit_mb=300, rss=lambda: 290 * MB)  # 10 MB free
    monkeypatch.setattr(logic, "memory", tight)
    with pytest.raises(logic.MemoryRefused) as refused:
        logic.run(kind, ds, spec, fewer=declared.fewer)
    text = str(refused.value)
    assert words in text and not_words not in text


def _large_text(path, rows: int):
    """A text file whose parse takes seconds: distinct ids and words, numbers."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    pd.DataFrame(
        {
            "id": [f"P{i:08d}" for i in range(rows)],
            "age": rng.integers(18, 95, rows),
            "note": [f"visit {i % 977} ward {i % 31}" for i in range(rows)],
            "crp": rng.normal(10, 3, rows).round(2),
        }
    ).to_csv(path, index=False)
    return path


def test_a_large_text_file_is_read_apart_and_gives_the_same_data(tmp_path, monkeypatch):
    import dataclasses

    path = _large_text(tmp_path / "large.csv", 20_000)
    monkeypatch.setattr(logic, "settings", dataclasses.replace(logic.settings, read_apart_mb=0.1))
    started: list[int] = []
    real = logic.memory.register_child
    monkeypatch.setattr(
        logic.memory, "register_child", lambda pid: (started.append(pid), real(pid))
    )
    apart = logic.read_upload(str(path), name="large.csv")
    here = data_io.read_table(str(path), name="large.csv")
    assert started  # in a child, whose RSS the memory manager counted
    assert apart.fingerprint == here.fingerprint and apart.df.equals(here.df)


def test_a_cancel_stops_a_large_text_parse_and_frees_its_cpu(tmp_path, monkeypatch):
    """Issue 17: text parsing was bounded before it started, not stoppable: a closed tab's
    50 MB read parsed on. Now the parse is in a child, killed at the next poll after a cancel."""
    import dataclasses
    import threading
    import time

    import psutil

    path = _large_text(tmp_path / "large.csv", 600_000)
    monkeypatch.setattr(logic, "settings", dataclasses.replace(logic.settings, read_apart_mb=1))
    children: list[psutil.Process] = []
    monkeypatch.setattr(
        logic.memory, "register_child", lambda pid: children.append(psutil.Process(pid))
    )
    token = logic.CancelToken()
    ended: dict[str, object] = {}

    def read() -> None:
        try:
            logic.read_upload(str(path), name="large.csv", cancel=token)
            ended["outcome"] = "read"
        except logic.Cancelled:
            ended["outcome"] = "cancelled"
        ended["at"] = time.monotonic()

    thread = threading.Thread(target=read)
    thread.start()
    deadline = time.monotonic() + 30
    while not children or children[0].cpu_times().user < 0.5:  # imports done, parsing
        assert time.monotonic() < deadline and thread.is_alive(), "the child never parsed"
        time.sleep(0.02)
    cancelled = time.monotonic()
    token.cancel()
    thread.join(10)
    assert ended["outcome"] == "cancelled"
    assert ended["at"] - cancelled < 1.0, f"the read stopped {ended['at'] - cancelled:.2f} s late"
    gone = psutil.wait_procs(children, timeout=5)[1] == []
    assert gone, "the cancelled parse's process outlived the cancel"
