"""logic.outcome_screen kept by the frame it read: a kind or label edit (a new Dataset over the
same frame) finds it, a new frame never takes an old frame's answer."""

from __future__ import annotations

import pytest

import logic
from analyses import outcome_proxies
from tests.unit.modules.wide import wide_dataset
from utils.dataset_edits import with_edits


@pytest.fixture
def counted(monkeypatch):
    calls = []
    real = outcome_proxies.screen_outcome

    def screen(df, outcome, event, candidates):
        calls.append(list(candidates))
        return real(df, outcome, event, candidates)

    monkeypatch.setattr(logic.outcome_proxies, "screen_outcome", screen)
    with logic._screens_lock:
        logic._screens.clear()
    return calls


def test_an_edit_over_the_same_frame_is_not_screened_again(counted):
    ds = wide_dataset(60)
    first = logic.outcome_screen(ds, "died", "yes")
    kind_edit, refused = with_edits(ds, {"v00002": "categorical", "v00003": "count"}, {})
    label_edit, _ = with_edits(ds, {}, {"v00005": "Serum sodium"})
    assert refused == [] and kind_edit.fingerprint != ds.fingerprint and kind_edit.df is ds.df
    assert logic.outcome_screen(kind_edit, "died", "yes") == first
    assert logic.outcome_screen(label_edit, "died", "yes") == first
    assert logic.outcome_screen(ds, "died", "yes") == first
    assert len(counted) == 1


def test_other_candidates_or_another_frame_are_screened(counted):
    ds = wide_dataset(60)
    logic.outcome_screen(ds, "died", "yes")
    dropped, _ = with_edits(ds, {"v00002": "id"}, {})  # no longer a candidate
    logic.outcome_screen(dropped, "died", "yes")
    assert "v00002" in counted[0] and "v00002" not in counted[1]
    again = wide_dataset(60)  # the same values and fingerprint, another frame
    assert again.fingerprint == ds.fingerprint and again.df is not ds.df
    logic.outcome_screen(again, "died", "yes")
    assert len(counted) == 3
    logic.outcome_screen(ds, "died", "no")  # another event level
    assert len(counted) == 4
