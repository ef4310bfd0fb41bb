"""One browser tab's cleaning steps: the undoable history both data tabs add to.

The Data tab's value labels and the Data cleaning tab's label merges, codebook matches, new
variables and row filters are steps of one list, applied in order to the Data tab's dataset
through `logic.prepare`; the result is the dataset every analysis tab gets. The list is kept
in the tab's saved state, so a reload or a reconnect finds it again. A new file sets it aside
(`new_data`, called by the Data tab); a kind or label edit on the Data tab keeps it: the steps
are applied again, and one that no longer fits is named and skipped, never silently lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from shiny import reactive

import logic
from modules.shared.session_state import TabState
from prep.steps import Prepared
from utils.dataset import Dataset

SAVED = "cleaning_steps"
SAVED_IMPUTATION = "imputation"


class CleaningSteps:
    """The steps (a reactive list), the data they make, and add / undo / set aside.

    Created once per session by app.py, before the data tabs' servers, inside the session."""

    def __init__(self, tab: TabState) -> None:
        self.steps: reactive.Value[list[Any]] = reactive.value(list(tab.saved(SAVED, ())))
        # The last time new data set the steps aside: (count, how many steps), for the tabs.
        self.set_aside: reactive.Value[tuple[int, int]] = reactive.value((0, 0))
        # The multiple-imputation settings (an ImputationSpec) or None: carried by the cleaned
        # Dataset so the analysis tabs can offer "on the imputed data"; the data stay as they are.
        self.imputation: reactive.Value[Any] = reactive.value(tab.saved(SAVED_IMPUTATION, None))
        self._upstream: Callable[[], Dataset | None] = lambda: None
        self.prepared: Callable[[], Prepared | None] = reactive.calc(self._prepare)
        # One Dataset object per change, as the tabs compare it from one call to the next.
        self.cleaned: Callable[[], Dataset | None] = reactive.calc(self._cleaned)

        @reactive.effect
        def _keep():
            tab.keep(SAVED, tuple(self.steps()))

        @reactive.effect
        def _keep_imputation():
            tab.keep(SAVED_IMPUTATION, self.imputation())

    def follow(self, upstream: Callable[[], Dataset | None]) -> None:
        """Apply the steps to this reactive dataset (the Data tab's)."""
        self._upstream = upstream

    def _prepare(self) -> Prepared | None:
        upstream = self._upstream()
        if upstream is None:
            return None
        return logic.prepare(upstream, self.steps())

    def _cleaned(self) -> Dataset | None:
        """The dataset after every step, carrying the imputation settings (`cleaned`)."""
        prepared = self.prepared()
        if prepared is None:
            return None
        settings = self.imputation()
        if settings is None or not set(settings.variables) <= set(prepared.dataset.columns):
            return prepared.dataset
        return replace(prepared.dataset, imputation=settings)

    def add(self, step: Any) -> None:
        with reactive.isolate():
            self.steps.set([*self.steps(), step])

    def undo(self) -> Any | None:
        """Drop the last step; it is returned (None when there was none)."""
        with reactive.isolate():
            current = self.steps()
            if not current:
                return None
            self.steps.set(current[:-1])
            return current[-1]

    def new_data(self) -> None:
        """A new file was loaded: its columns are not the ones the steps were made for."""
        with reactive.isolate():
            dropped = len(self.steps())
            self.steps.set([])
            self.imputation.set(None)
            self.set_aside.set((self.set_aside()[0] + 1, dropped))
