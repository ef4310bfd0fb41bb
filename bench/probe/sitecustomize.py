"""Measuring only: bench/healthz_stalls.py puts this folder on PYTHONPATH of the app it starts,
so that bench/loop_probe.py is installed before the app runs (nothing is done without
MEDSTAT_PROBE_OUT)."""

import os

if os.environ.get("MEDSTAT_PROBE_OUT"):
    import sys

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    from bench import loop_probe

    loop_probe.install(os.environ["MEDSTAT_PROBE_OUT"])
