"""plotly's first figure made in a thread at the first session (figure_warm_up.py)."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from modules.shared import figure_warm_up

MODULES = Path(__file__).resolve().parents[4] / "modules"


def test_the_sample_figure_has_every_trace_type_the_app_draws():
    used = set()
    for path in MODULES.rglob("*.py"):
        used |= {m.lower() for m in re.findall(r"\bgo\.([A-Z][a-z]+)\(", path.read_text())}
    used -= {"figure"}
    drawn = {trace.type for trace in figure_warm_up.sample_figure().data}
    assert used, "no trace found: the pattern no longer matches the figures' code"
    assert used <= drawn, f"add to sample_figure: {sorted(used - drawn)}"


def test_warm_up_starts_one_thread_per_process(monkeypatch):
    started = []
    monkeypatch.setattr(figure_warm_up, "_started", threading.Event())
    monkeypatch.setattr(
        figure_warm_up.threading, "Thread", lambda **kw: started.append(kw) or _NoThread()
    )
    figure_warm_up.warm_up()
    figure_warm_up.warm_up()
    assert [kw["target"] for kw in started] == [figure_warm_up._warm]


class _NoThread:
    def start(self) -> None:
        pass
