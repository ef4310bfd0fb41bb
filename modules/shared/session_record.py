"""What this browser tab has run, tab by tab, in the order a paper reads.

Each analysis tab's server already keeps its last success (tab_server.py). `SessionRecord`,
made once per session by app.py and handed to every analysis tab's server, lets the
session-level pieces read them together: the methods text, the paper document and the
project file (modules/paper/). A tab registers its last success, its staleness and its
settings as reactive readers; nothing is copied, so the record is always what the tabs show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from modules.shared.cleaning_steps import SAVED as STEPS_SAVED
from modules.shared.cleaning_steps import SAVED_IMPUTATION
from modules.shared.session_state import TabState

# A paper's order: the study size (a design statement: the methods' study-size paragraph),
# baseline characteristics, the main outcome (crude and adjusted), then the other analyses.
# A tab not named here (a new one) comes after these, in registration order.
PAPER_ORDER = (
    "sample_size",
    "table1",
    "outcome",
    "regression",
    "survival",
    "diagnostic",
    "correlation",
    "agreement",
    "propensity",
)
RERUN = "rerun"  # saved-state key suffix: run this tab once its settings are restored


@dataclass(frozen=True)
class Run:
    """One tab's last success as the record reports it."""

    tab: str  # the tab's name (its module id)
    kind: str  # the analysis kind (logic.ANALYSES)
    spec: Any
    fingerprint: str  # the data it was run on
    view: Any  # the view the tab shows (its result is view.result)
    stale: str  # why it is out of date ('' when current)
    declaration: Any = None  # the tab's AnalysisTab: its tables and figure cards

    @property
    def result(self) -> Any:
        return self.view.result


@dataclass(frozen=True)
class _Entry:
    kind: str
    declaration: Any
    last: Callable[[], Any]  # the tab's Finished (tab_server.py) or None
    view: Callable[[], Any]
    stale: Callable[[], str]
    settings: Callable[[], dict[str, Any]]


class SessionRecord:
    """The analysis tabs of one browser tab: their last successes and their settings."""

    def __init__(self, state: TabState) -> None:
        self.state = state
        self._entries: dict[str, _Entry] = {}
        self._figures: dict[str, Callable[[], dict[str, str]]] = {}

    def register(
        self,
        name: str,
        *,
        kind: str,
        declaration: Any = None,
        last: Callable[[], Any],
        view: Callable[[], Any],
        stale: Callable[[], str],
        settings: Callable[[], dict[str, Any]],
    ) -> None:
        """Called by each analysis tab's server at its start."""
        self._entries[name] = _Entry(kind, declaration, last, view, stale, settings)

    def register_figure(self, key: str, words: Callable[[], dict[str, str]]) -> None:
        """A figure's edited words (`<tab>.figure.<card>`, its saved-state key), as a reader."""
        self._figures[key] = words

    def figures(self) -> dict[str, dict[str, str]]:
        """Each figure's edited words, only those with some (reactive)."""
        out = {key: dict(words()) for key, words in self._figures.items()}
        return {key: words for key, words in out.items() if words}

    def names(self) -> list[str]:
        """The registered tabs in paper order."""
        return paper_order(self._entries)

    def kind(self, name: str) -> str:
        return self._entries[name].kind

    def runs(self) -> list[Run]:
        """Every tab's last success, current or not, in paper order (reactive)."""
        out = []
        for name in self.names():
            entry = self._entries[name]
            finished = entry.last()
            if finished is None:
                continue
            view = entry.view() or finished.view
            out.append(
                Run(
                    name,
                    entry.kind,
                    finished.spec,
                    finished.fingerprint,
                    view,
                    entry.stale(),
                    entry.declaration,
                )
            )
        return out

    def current(self) -> list[Run]:
        """The runs that match the data and the settings on screen (reactive)."""
        return [r for r in self.runs() if not r.stale]

    def settings(self) -> dict[str, dict[str, Any]]:
        """Each tab's controls as they stand, by input id (reactive)."""
        return {name: dict(self._entries[name].settings()) for name in self.names()}

    def restore(
        self,
        settings: dict[str, dict[str, Any]],
        ran: set[str],
        steps: tuple[Any, ...],
        figures: dict[str, dict[str, str]] | None = None,
        imputation: Any = None,
    ) -> list[str]:
        """Save settings, cleaning steps, the imputation settings (None: none, as in a project
        saved without) and figure words where a reloaded page restores them from. The tabs in
        `ran` run once when restored (a cached result comes back at once); the others show no
        result, so none is left over from before. Each registered figure takes the project's
        words (none there: the figure's own); a figure this session does not have is left
        out. Returns the tabs restored."""
        figures = figures or {}
        for key in self._figures:
            self.state.keep(key, dict(figures.get(key, {})))
        restored = []
        for name, values in settings.items():
            if name in self._entries:
                self.state.keep(f"{name}.settings", dict(values))
                self.state.keep(f"{name}.{RERUN}", name in ran)
                if name not in ran:
                    self.state.keep(name, None)
                restored.append(name)
        self.state.keep(STEPS_SAVED, tuple(steps))
        self.state.keep(SAVED_IMPUTATION, imputation)
        return restored


def paper_order(names: Any) -> list[str]:
    """Names in PAPER_ORDER first, the rest after in their own order."""
    names = list(names)
    known = [n for n in PAPER_ORDER if n in names]
    return known + [n for n in names if n not in PAPER_ORDER]
