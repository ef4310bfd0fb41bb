"""Test-wide settings, applied before any project module reads its configuration."""

import os

# The whole suite runs in one Python process that imports every analysis and the test tools,
# so it holds far more than the app's 300 MB budget; without this the memory guard would
# (rightly) refuse the analyses under test. Tests of the guard itself inject their own limits,
# and the browser tests start the app with the default budget (tests/e2e/conftest.py).
os.environ.setdefault("MEDSTAT_MEMORY_LIMIT_MB", "8192")
