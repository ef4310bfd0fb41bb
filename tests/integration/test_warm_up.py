"""A worker nobody uses does not hold the statistics stack; the first session starts its import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import logging, sys, time
logging.disable(logging.CRITICAL)
import app, logic
stack = ("statsmodels", "scipy.stats", "analyses.outcome")
print("started:", [m for m in stack if m in sys.modules])
logic.warm_up()
deadline = time.monotonic() + 120
while getattr(sys.modules.get("analyses.outcome"), "VERSION", None) is None:
    assert time.monotonic() < deadline, "the warm-up never finished"
    time.sleep(0.05)
print("warmed:", [m for m in stack if m in sys.modules])
"""


def test_the_statistics_stack_is_imported_when_the_first_session_opens_not_at_start():
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    assert "started: []" in lines
    assert "warmed: ['statsmodels', 'scipy.stats', 'analyses.outcome']" in lines
