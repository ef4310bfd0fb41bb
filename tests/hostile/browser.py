"""The run's one chromium (tests/conftest.py), where the hostile helpers find it.

conftest.py is imported twice under --import-mode=importlib (by pytest, and by the tests that
import its helpers), so a module-level value there would exist twice; this module exists once.
"""

from __future__ import annotations

from playwright.sync_api import Browser

SHARED: list[Browser] = []  # set by conftest's autouse fixture before each hostile test
