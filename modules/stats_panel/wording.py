"""The stats panel in plain words: the researcher's own analyses first, then how the server is
coping ("Memory 41% of the limit: plenty of room"), never another user's analyses."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from utils.timings import History

# logic.ANALYSES kinds as the tabs name them.
ANALYSIS_NAMES = {
    "outcome": "Outcome analysis",
    "table1": "Table 1",
    "diagnostic": "Diagnostic accuracy",
    "survival": "Survival",
    "correlation": "Correlation",
    "regression": "Regression",
    "sample_size": "Sample size",
    "agreement": "Agreement",
    "imputation": "Multiple imputation",
    "propensity": "Propensity scores",
    "harmonize": "Label cleaning",
    "codebook": "Codebook matching",
}

STATUS_THEMES = {0: "success", 1: "warning", 2: "danger"}

MEMORY_MEANINGS = {
    0: "Plenty of room.",
    1: "Tight: large analyses may be refused.",
    2: "Full: new analyses are refused until memory frees up; try again in a few minutes.",
}

MEMORY_SHORT = {0: "plenty of room", 1: "tight", 2: "full"}


@dataclass(frozen=True)
class Card:
    """A top card: what it is about, the headline sentence, what it means, its colour."""

    title: str
    headline: str
    detail: str
    theme: str | None = None


def fmt_duration(ms: float) -> str:
    """'0.4 ms', '340 ms', '1.2 s', '2 min 5 s'."""
    if ms < 10:
        return f"{ms:.1f} ms"
    if ms < 1000:
        return f"{ms:.0f} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"


def fmt_span(seconds: float) -> str:
    """A setting's length of time: '45 s', '30 min', '2 h'."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.3g} min"
    return f"{seconds / 3600:.3g} h"


def fmt_ago(seconds: float) -> str:
    """How long ago, in the reader's terms (the server's clock may be in another time zone)."""
    if seconds < 10:
        return "just now"
    if seconds < 60:
        return f"{seconds:.0f} s ago"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min ago"
    return f"{seconds // 3600:.0f} h ago"


def analysis_name(kind: str) -> str:
    return ANALYSIS_NAMES.get(kind, kind.replace("_", " ").capitalize())


def repeats_headline(history: History) -> str:
    """'1 of your 2 analyses was an instant repeat', with the plain cases spelled out."""
    n, r = history.count, history.repeats
    if n == 0:
        return "No analyses yet"
    if n == 1:
        return "Your 1 analysis was an instant repeat" if r else "Your 1 analysis was computed"
    if r == n:
        return f"All {n} of your analyses were instant repeats"
    if r == 0:
        return f"None of your {n} analyses were instant repeats"
    verb = "was an instant repeat" if r == 1 else "were instant repeats"
    return f"{r} of your {n} analyses {verb}"


def repeats_card(history: History) -> Card:
    """The researcher's own analyses in this browser tab."""
    if history.count == 0:
        detail = (
            "Your analyses in this browser tab are counted here. Asking again for an analysis "
            "already computed (same data, same choices) is answered at once."
        )
    elif history.repeats == 0:
        detail = (
            "Each was computed afresh. Asking again with the same data and choices is answered "
            "at once."
        )
    else:
        detail = (
            "An instant repeat is an analysis already computed for the same data and choices, "
            "answered at once instead of computed again."
        )
    return Card("Your analyses in this tab", repeats_headline(history), detail)


def memory_card(memory: dict[str, float], model: dict[str, float] | None = None) -> Card:
    """'Memory 41% of the limit', what that means for the next analysis, and the label-matching
    model's share while it runs (it is counted in the memory in use)."""
    status = int(memory.get("status", 0))
    detail = MEMORY_MEANINGS.get(status, MEMORY_MEANINGS[0])
    if model and model.get("running", 0.0):
        detail += (
            f" The language model that compares labels in Data cleaning is running: "
            f"{model.get('worker_rss_mb', 0.0):.0f} MB of the memory in use; it stops by itself "
            "when unused."
        )
    return Card(
        "Server memory",
        f"Memory {memory.get('used_pct', 0):.0f}% of the limit",
        detail,
        STATUS_THEMES.get(status, "success"),
    )


def faults_card(retry: dict[str, float]) -> Card:
    """Passing faults (a busy disk, a dropped connection) retried, on the whole server."""
    recovered, failed = int(retry.get("recovered", 0)), int(retry.get("failed", 0))
    if recovered:
        headline = f"{recovered} passing fault{'s' if recovered != 1 else ''} recovered"
    elif failed:
        headline = f"{failed} fault{'s' if failed != 1 else ''} not recovered"
    else:
        headline = "No faults"
    if failed:
        detail = (
            f"{failed} request{'s' if failed != 1 else ''} still failed after retries and "
            "showed an error; running it again usually works."
        )
    elif recovered:
        detail = "Brief disk or connection errors were retried and succeeded; no result changed."
    else:
        detail = "No disk or connection error has needed a retry."
    return Card("Server faults", headline, detail, "warning" if failed else None)


def badge_text(memory: dict[str, float]) -> str:
    """The navbar summary: 'Memory 41% · plenty of room'."""
    short = MEMORY_SHORT.get(int(memory.get("status", 0)), MEMORY_SHORT[0])
    return f"Memory {memory.get('used_pct', 0):.0f}% · {short}"


def own_runs_frame(history: History, now: float) -> pd.DataFrame:
    """The owner's recent analyses, newest first: when, which, and how the answer came."""
    rows = [
        {
            "When": fmt_ago(max(0.0, now - t.at)),
            "Analysis": analysis_name(t.kind),
            "Answer": "instant repeat" if t.hit else f"computed in {fmt_duration(t.ms)}",
        }
        for t in history.recent
    ]
    return pd.DataFrame(rows, columns=["When", "Analysis", "Answer"])
