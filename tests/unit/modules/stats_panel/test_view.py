"""The stats panel's Data cleaning card says what the cascade did and where the model is; the
memory chart keeps the use readable whatever the limit."""

from __future__ import annotations

import time

from modules.stats_panel.view import cleaning_table, memory_sparkline

WORK = {"columns": 3.0, "pairs": 6956.0, "early_exits": 6788.0, "embedded_labels": 146.0}


def rows(cleaning, model) -> dict[str, str]:
    frame = cleaning_table(cleaning, model)
    return dict(zip(frame["Measure"], frame["Value"], strict=True))


def test_a_running_worker_shows_its_memory_and_the_share_decided_early():
    shown = rows(
        WORK | {"columns_with_model": 1.0},
        {"enabled": 1.0, "running": 1.0, "worker_rss_mb": 563.6, "worker_peak_rss_mb": 571.2},
    )
    assert shown["Embedding model"] == "running, 564 MB (peak 571 MB)"
    assert shown["Label pairs compared"] == "6,956"
    assert shown["Pairs decided before any embedding"] == "6,788 (97.6%)"
    assert shown["Labels embedded"] == "146"
    assert shown["Columns the model took part in"] == "1"


def test_a_worker_that_failed_or_is_off_says_so():
    failed = rows(WORK, {"enabled": 1.0, "running": 0.0, "failures": 2.0})
    assert failed["Embedding model"] == "not running; failed to start 2 time(s), rapidfuzz only"
    off = rows(WORK, {"enabled": 0.0})
    assert off["Embedding model"] == "turned off (MEDSTAT_EMBEDDINGS=0)"


def test_before_any_cleaning_there_is_no_share_to_divide():
    shown = rows({}, {"enabled": 1.0})
    assert shown["Pairs decided before any embedding"] == "0"
    assert shown["Embedding model"].startswith("not running (starts when a column needs it")


def history(*mb: float) -> list[tuple[float, float]]:
    now = time.time()
    return [(now - 60 + i, value) for i, value in enumerate(mb)]


def test_the_memory_chart_draws_a_limit_near_the_use():
    fig = memory_sparkline(history(190, 250, 300), 512)
    assert [shape.y0 for shape in fig.layout.shapes] == [512]
    assert fig.layout.yaxis.range is None  # plotly fits both


def test_a_limit_far_above_the_use_is_written_not_drawn():
    """Half of a 24 GB machine: a line at 12 GB would flatten 500 MB of use against zero."""
    fig = memory_sparkline(history(190, 504), 12_053)
    assert not fig.layout.shapes
    assert tuple(fig.layout.yaxis.range) == (0, 756)
    assert [a.text for a in fig.layout.annotations] == ["limit 12,053 MB, far above"]


def test_with_no_history_yet_the_limit_is_drawn():
    fig = memory_sparkline([], 1024)
    assert [shape.y0 for shape in fig.layout.shapes] == [1024]
