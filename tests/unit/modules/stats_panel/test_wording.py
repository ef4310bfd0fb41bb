"""The stats panel's top cards and own-analyses table read as plain sentences for a researcher."""

from __future__ import annotations

import pytest

import logic
from modules.stats_panel import wording
from utils.timings import History, Timing

NOW = 1_000_000.0


def history(*hits: bool) -> History:
    """An owner's history with these runs, newest first as Timings keeps them."""
    runs = tuple(
        Timing(NOW - 5 * i, "outcome", 0.3 if h else 1234.0, h) for i, h in enumerate(hits)
    )
    return History(count=len(hits), repeats=sum(hits), recent=runs)


@pytest.mark.parametrize(
    ("hits", "headline"),
    [
        ((), "No analyses yet"),
        ((False,), "Your 1 analysis was computed"),
        ((True,), "Your 1 analysis was an instant repeat"),
        ((True, False), "1 of your 2 analyses was an instant repeat"),
        ((True, True, False), "2 of your 3 analyses were instant repeats"),
        ((True, True, True), "All 3 of your analyses were instant repeats"),
        ((False, False), "None of your 2 analyses were instant repeats"),
    ],
)
def test_repeats_headline_for_none_some_and_all(hits, headline):
    assert wording.repeats_headline(history(*hits)) == headline


def test_repeats_card_explains_what_an_instant_repeat_is():
    assert "counted here" in wording.repeats_card(history()).detail
    assert "computed afresh" in wording.repeats_card(history(False, False)).detail
    assert "answered at once" in wording.repeats_card(history(True, False)).detail


def test_twelve_of_fifteen_reads_like_the_sentence_a_researcher_expects():
    h = History(count=15, repeats=12, recent=())
    assert wording.repeats_card(h).headline == "12 of your 15 analyses were instant repeats"


@pytest.mark.parametrize(
    ("status", "pct", "meaning", "theme", "badge"),
    [
        (0, 41.2, "Plenty of room.", "success", "Memory 41% · plenty of room"),
        (1, 84.0, "Tight: large analyses may be refused.", "warning", "Memory 84% · tight"),
        (2, 95.0, "Full: new analyses are refused", "danger", "Memory 95% · full"),
    ],
)
def test_memory_says_what_the_share_means(status, pct, meaning, theme, badge):
    memory = {"used_pct": pct, "status": float(status), "rss_mb": 200.0, "limit_mb": 512.0}
    card = wording.memory_card(memory)
    assert card.headline == f"Memory {pct:.0f}% of the limit"
    assert card.detail.startswith(meaning) and card.theme == theme
    assert wording.badge_text(memory) == badge


def test_memory_says_when_the_model_is_running_and_how_much_it_takes():
    memory = {"used_pct": 4.2, "status": 0.0, "rss_mb": 520.0, "limit_mb": 12_000.0}
    running = {"enabled": 1.0, "running": 1.0, "worker_rss_mb": 309.6}
    card = wording.memory_card(memory, running)
    assert card.headline == "Memory 4% of the limit"
    assert card.detail == (
        "Plenty of room. The language model that compares labels in Data cleaning is running: "
        "310 MB of the memory in use; it stops by itself when unused."
    )
    stopped = {"enabled": 1.0, "running": 0.0, "worker_rss_mb": 0.0}
    assert wording.memory_card(memory, stopped).detail == "Plenty of room."


@pytest.mark.parametrize(
    ("recovered", "failed", "headline", "detail", "theme"),
    [
        (0, 0, "No faults", "No disk or connection error", None),
        (1, 0, "1 passing fault recovered", "retried and succeeded", None),
        (3, 0, "3 passing faults recovered", "retried and succeeded", None),
        (3, 1, "3 passing faults recovered", "1 request still failed", "warning"),
        (0, 2, "2 faults not recovered", "2 requests still failed", "warning"),
    ],
)
def test_faults_in_plain_words(recovered, failed, headline, detail, theme):
    card = wording.faults_card({"recovered": float(recovered), "failed": float(failed)})
    assert card.headline == headline and detail in card.detail and card.theme == theme


def test_own_runs_say_which_analysis_and_how_the_answer_came():
    h = History(
        count=3,
        repeats=1,
        recent=(
            Timing(NOW - 2, "outcome", 0.3, True),
            Timing(NOW - 130, "survival", 1234.0, False),
            Timing(NOW - 7200, "table1", 85.0, False),
        ),
    )
    frame = wording.own_runs_frame(h, NOW)
    assert frame.to_dict("records") == [
        {"When": "just now", "Analysis": "Outcome analysis", "Answer": "instant repeat"},
        {"When": "2 min ago", "Analysis": "Survival", "Answer": "computed in 1.2 s"},
        {"When": "2 h ago", "Analysis": "Table 1", "Answer": "computed in 85 ms"},
    ]
    assert list(wording.own_runs_frame(History(), NOW).columns) == ["When", "Analysis", "Answer"]


def test_every_analysis_kind_has_a_plain_name():
    assert set(logic.ANALYSES) <= set(wording.ANALYSIS_NAMES)


@pytest.mark.parametrize(
    ("ms", "text"),
    [(0.34, "0.3 ms"), (340.0, "340 ms"), (1234.0, "1.2 s"), (125_000.0, "2 min 5 s")],
)
def test_durations_read_in_ms_s_and_min(ms, text):
    assert wording.fmt_duration(ms) == text


@pytest.mark.parametrize(("s", "text"), [(45, "45 s"), (1800, "30 min"), (7200, "2 h")])
def test_spans_read_in_s_min_and_h(s, text):
    assert wording.fmt_span(s) == text
