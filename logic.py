"""The single door from the UI to computation: every analysis goes through run()."""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import is_dataclass
from typing import Any

import pandas as pd
from cachetools import LRUCache

from analyses import outcome_proxies
from analyses import results as result_types
from analyses import specs as spec_module
from analyses.cancellation import Cancelled, CancelToken, cancellable
from analyses.effect_scale import check_effect_scale
from analyses.errors import AnalysisError
from analyses.fit_records import FIT_RECORDS
from analyses.results import OutcomeResult, RegressionResult
from analyses.sample_size_result import SampleSizeResult
from analyses.specs import (
    DEFAULT_SEED,
    AgreementSpec,
    EffectScale,
    ImputationSpec,
    Method,
    OutcomeSpec,
    check_bootstrap,
)
from analyses.work_size import work_cells
from matching import codebook as codebook_io
from matching import embeddings, similarity
from matching.codebook import Codebook, CodebookEntry
from matching.codebook_apply import CodebookStep, ColumnRule, apply_codebook
from matching.codebook_match import CodebookMatch, CodebookSpec, VariableMatch
from matching.proposals import Proposal
from matching.recode import apply_recode
from matching.similarity import Harmonization, HarmonizeSpec
from matching.value_match import ValueMatch
from prep import steps as prep_steps
from prep.combine import CombineLevels
from prep.cut import Cut
from prep.filters import RowFilter
from prep.formula import FormulaStep
from prep.preview import group_counts
from prep.steps import Prepared
from prep.steps import Proposal as StepProposal
from prep.transforms import Transform
from prep.value_labels import ValueLabels
from utils import data_io, gc_freeze, read_apart, read_limits
from utils.cache import ResultCache, make_key
from utils.config import settings
from utils.dataset import FACTOR_KINDS, NUMERIC_KINDS, Dataset, fingerprint_bytes
from utils.figure_renderer import FigureRenderer
from utils.memory import MemoryManager, MemoryRefused
from utils.redis_tier import make_tier
from utils.resilience import Retrier
from utils.session_store import SessionStore
from utils.shared_tab_store import make_shared_store
from utils.timings import History, Timings

__all__ = [
    "AnalysisError",
    "CancelToken",
    "Cancelled",
    "MemoryRefused",
    "ServerBusy",
    "analyses_of",
    "analyze_outcome",
    "column_counts",
    "match_codebook",
    "imputation_spec",
    "outcome_spec",
    "prepare",
    "propose_step",
    "read_codebook",
    "run",
    "start",
    "stats",
]

log = logging.getLogger(__name__)


class ServerBusy(AnalysisError, MemoryRefused):
    """The server has no room for this work now; the message says what to reduce or when to retry.

    An AnalysisError, so every tab shows its message as it shows any analysis that cannot run.
    """


def _dataclasses_of(module: Any) -> list[type]:
    """The dataclasses a module defines (not those it imports)."""
    return [
        t
        for t in vars(module).values()
        if isinstance(t, type) and is_dataclass(t) and t.__module__ == module.__name__
    ]


# The three layers, one of each per process, shared by every session of this worker.
retrier = Retrier()
# Every result dataclass in analyses/results.py may be stored in the shared tier, with the fit
# records they carry, and the label harmonisation and the codebook matches.
RESULT_TYPES = [
    t
    for t in vars(result_types).values()
    if isinstance(t, type) and is_dataclass(t) and t.__module__ == result_types.__name__
]
RESULT_TYPES += [*FIT_RECORDS, Harmonization, Proposal, CodebookMatch, VariableMatch, ValueMatch]
RESULT_TYPES += [SampleSizeResult]
cache = ResultCache(tier=make_tier(RESULT_TYPES, retrier))
memory = MemoryManager()
timings = Timings()
# What a tab's saved state may hold when it is stored in Redis (utils/tab_codec.py): results,
# specs, cleaning steps (the label merges are plain tuples), a codebook and its matches.
TAB_STATE_TYPES = [*RESULT_TYPES, *_dataclasses_of(spec_module), Codebook, CodebookEntry]
TAB_STATE_TYPES += [CodebookSpec, HarmonizeSpec, CodebookStep, ColumnRule]
TAB_STATE_TYPES += [ValueLabels, Transform, Cut, CombineLevels, FormulaStep, RowFilter]
# Each browser tab's data and last results, so that a reconnecting tab finds them again; with
# Redis, in Redis too, so that another worker can (utils/shared_tab_store.py).
sessions = SessionStore(
    keep_s=settings.session_keep_s,
    max_entries=settings.session_keep_max,
    max_kept_mb=settings.session_keep_mb,
    shared=make_shared_store(TAB_STATE_TYPES, retrier),
)
_started = False
# Below this many bytes the cache is not worth shrinking: most of the process's memory is the
# imported statistics stack (~210 MB measured), and freeing a few small results returns nothing
# to the system while it throws away every user's instant repeat.
CACHE_SHRINK_FLOOR_BYTES = 4 * 2**20


def restore_data(stored: Any) -> Any:
    """The Dataset of a tab restored from Redis (its frame read and decoded: run it in the
    worker pool), or a DataLost saying why it cannot come back (utils/tab_codec.py)."""
    return sessions.restore_data(stored)


def _release_cache() -> None:
    """The memory manager's cleanup for the cache: drop expired results, halve it if it is big."""
    cache.expire()
    if cache.stats()["bytes"] > CACHE_SHRINK_FLOOR_BYTES:
        cache.shrink(0.5)


memory.register_cleanup("cache", _release_cache)
# Closed tabs that have not come back give their data up first when memory runs short.
memory.register_cleanup("sessions", sessions.release_ended)
memory.register_cleanup("frames", data_io.FRAMES.clear)
# Long-lived objects are frozen out of the collector's passes (utils/gc_freeze.py); when memory
# runs short they go back to it, before the manager's own full collection.
memory.register_cleanup("frozen objects", gc_freeze.thaw)
# The embedding worker asks the memory manager before it starts, and stops when asked.
embeddings.configure(memory=memory, retrier=retrier)


def _admit_figure_browser():
    """The figure browser starts only where its measured cost fits (OPTIMIZATION.md)."""
    return memory.admit_mb(
        settings.figure_browser_mb,
        "figure export",
        "Try the figure again in a minute, or download the report instead.",
    )


# One headless Chromium draws every exported figure (modules/shared/figure_export.py); it is
# started on first need, admitted by the memory manager, and closed when memory runs short.
figure_renderer = FigureRenderer(
    chromium=settings.chromium,
    idle_s=settings.figure_idle_s,
    timeout_s=settings.figure_timeout_s,
    admit=_admit_figure_browser,
)
memory.register_cleanup("figure browser", figure_renderer.close)


# kind -> the analyses module that computes it. Each module has VERSION (bump it when its
# results change meaning) and analyze(df, spec). Imported on first use: statistics libraries
# cost memory, and a worker that never runs survival need not load them.
ANALYSES: dict[str, str] = {
    "outcome": "analyses.outcome",
    "table1": "analyses.table1",
    "diagnostic": "analyses.diagnostic",
    "survival": "analyses.survival",
    "correlation": "analyses.correlation",
    "regression": "analyses.regression",
    "sample_size": "analyses.sample_size",
    "agreement": "analyses.agreement",
    "propensity": "analyses.propensity",
    "imputation": "analyses.imputation",
    "harmonize": "matching.similarity",
    "codebook": "matching.codebook_match",
}


def _analysis(kind: str) -> tuple[str, Callable[[pd.DataFrame, Any], Any]]:
    try:
        module = importlib.import_module(ANALYSES[kind])
    except KeyError:
        raise ValueError(f"unknown analysis kind {kind!r}") from None
    return str(module.VERSION), module.analyze


def start() -> None:
    """Start the memory watcher and log the layers' settings; called once by the app."""
    global _started
    if _started:
        return
    _started = True
    memory.start()
    for line in (cache.describe(), memory.describe(), retrier.describe()):
        log.info(line)


_warming = threading.Lock()
_warmed = False


def warm_up() -> None:
    """Import the statistics stack in a thread, once, when the first session opens (app.py).

    The first analysis would otherwise wait ~2 s for statsmodels, scipy.stats and firthmodels;
    they cost ~70 MB, which a worker nobody uses does not hold (idle RSS, bench/idle_worker.py).
    """
    global _warmed
    with _warming:
        if _warmed:
            return
        _warmed = True
    threading.Thread(target=_warm, name="warm-up", daemon=True).start()


def _warm() -> None:
    # The imported stack (~200,000 objects) lives as long as the worker: frozen, no later full
    # garbage collection walks it again (utils/gc_freeze.py).
    with gc_freeze.building():
        _analysis("outcome")


def _design_size(dataset: Dataset, spec: Any) -> tuple[int, int, float]:
    """Rows, covariates and mean design columns per covariate, for memory admission; for a
    codebook, its variables and the data's columns (the matrices of pairs it scores)."""
    if isinstance(spec, CodebookSpec):
        return len(spec.codebook.entries), len(dataset.columns), 1.0
    if isinstance(spec, ImputationSpec):  # m chains of the data, the variables as columns
        return len(dataset.df) * spec.m, len(spec.variables), 1.0
    if isinstance(spec, AgreementSpec):  # the raters' columns (the long layout has three)
        return len(dataset.df), len(spec.raters) if spec.layout == "wide" else 3, 1.0
    covariates = getattr(spec, "covariates", ())
    factors = set(getattr(spec, "categorical", ()))
    widths = [
        max(1, len(dataset.meta(c).levels) - 1) if c in factors else 1
        for c in covariates
        if c in dataset.columns
    ]
    return len(dataset.df), len(widths), (sum(widths) / len(widths) if widths else 1.0)


def solver_fallbacks(result: Any) -> tuple[str, ...]:
    """The solver changes a model fit took on its way (counted apart from retries)."""
    if isinstance(result, (OutcomeResult, RegressionResult)):
        return result.fit.fallbacks
    return ()


def run(
    kind: str,
    dataset: Dataset,
    spec: Any,
    *,
    cancel: CancelToken | None = None,
    owner: str | None = None,
    fewer: str = "covariates",
) -> Any:
    """Compute one analysis of a dataset; the only place that caches, guards memory and retries.

    Order: cache lookup (single-flight) -> memory admission -> compute with retries -> store.
    `cancel`: once it is set, the computation stops at its next checkpoint (within a second)
    and raises Cancelled; nothing is cached, the memory reservation is released, nothing is
    retried. A twin request waiting on this one's computation is not cancelled: it computes.
    `owner` (a browser tab's id) files the run under that tab for its own stats panel.
    `fewer`: what a memory refusal tells the user to choose fewer of, in the tab's words.
    """
    version, compute = _analysis(kind)
    started = time.perf_counter()
    key = make_key(kind, version, dataset.fingerprint, spec)

    def fresh() -> Any:
        data_mb = float(dataset.df.memory_usage(index=True).sum()) / 2**20  # shallow: cheap
        size = _design_size(dataset, spec)
        with memory.admit(*size, kind=kind, data_mb=data_mb, fewer=fewer):
            result = retrier.call(compute, dataset.df, spec)
        for step in solver_fallbacks(result):
            retrier.record_fallback(step)
        if getattr(spec, "imputation", None) is not None:
            result = _with_pooled(kind, dataset, spec, result)
        return result

    try:
        with cancellable(cancel):
            result, source = cache.get_or_compute(key, fresh)
    except Cancelled:
        timings.record_cancelled()
        log.info("%s cancelled after %.1f ms", kind, (time.perf_counter() - started) * 1000)
        raise
    except ServerBusy:
        raise
    except MemoryRefused as exc:
        raise ServerBusy(str(exc)) from exc
    ms = (time.perf_counter() - started) * 1000
    timings.record(kind, ms, hit=source != "computed", owner=owner)
    log.info("%s %s in %.1f ms", kind, source, ms)
    return result


def _with_pooled(kind: str, dataset: Dataset, spec: Any, result: Any) -> Any:
    """The complete-case result with the tab's model pooled over the imputed data sets.

    The imputations are their own cached run (key: fingerprint and imputation settings), so
    every analysis of the same data and settings reuses them; the m fits are checkpoints."""
    from analyses import mi_models

    imputed = run("imputation", dataset, spec.imputation)
    if kind == "table1":
        from analyses import mi_table1

        pooled = mi_table1.pooled_summary(dataset.df, imputed, spec)
        return dataclasses.replace(result, pooled=pooled)
    if kind == "outcome":
        family = "firth" if result.fit.method == "firth" else "logistic"
    else:
        family = "cox" if kind == "survival" else result.fit.family
    per = dict(zip(result.scales["variable"], result.scales["per"], strict=True))
    data_mb = float(dataset.df.memory_usage(index=True).sum()) / 2**20
    with memory.admit(*_design_size(dataset, spec), kind=kind, data_mb=data_mb):
        pooled = mi_models.pooled_model(kind, dataset.df, imputed, spec, family, per)
    return dataclasses.replace(result, pooled=pooled)


def cached(kind: str, dataset: Dataset, spec: Any, *, owner: str | None = None) -> Any | None:
    """The result of run(kind, dataset, spec) if the in-memory cache holds it, else None.

    Microseconds and no I/O, so the analysis tabs ask it on the event loop before taking a place
    in the worker pool: a cache hit never waits behind anyone's long work."""
    module = sys.modules.get(ANALYSES.get(kind, ""))
    # Not imported yet (that takes seconds), or being imported by the warm-up thread right now
    # (in sys.modules, not yet complete): either way the worker path answers.
    version = getattr(module, "VERSION", None)
    if version is None:
        return None
    started = time.perf_counter()
    version = str(version)
    result = cache.peek(make_key(kind, version, dataset.fingerprint, spec))
    if result is not None:
        ms = (time.perf_counter() - started) * 1000
        timings.record(kind, ms, hit=True, owner=owner)
        log.info("%s memory in %.1f ms (no worker)", kind, ms)
    return result


def is_short(kind: str, dataset: Dataset, spec: Any) -> bool:
    """Whether an analysis is small enough for the worker pool's short lane: at most
    MEDSTAT_SHORT_WORK_CELLS rows x columns used x passes (analyses/work_size.py). Codebook
    matching and label harmonisation are never short (their cost is in pairs of labels)."""
    if kind in {"codebook", "harmonize"}:
        return False
    return work_cells(len(dataset.df), dataset.columns, spec) <= settings.short_work_cells


def stats() -> dict[str, dict[str, float]]:
    """Numbers for the stats panel and benchmarks: cache, memory, retry, timings, the embedding
    worker, the cleaning cascade's work, the tabs kept for reconnecting and the figure browser."""
    return {
        "cache": cache.stats(),
        "memory": memory.stats(),
        "retry": retrier.stats(),
        "timings": timings.stats(),
        "embeddings": embeddings.stats(),
        "cleaning": similarity.totals(),
        "sessions": sessions.stats(),
        "figures": figure_renderer.stats(),
    }


def harmonize(
    labels: Iterable[object], *, column: str | None = None, cancel: CancelToken | None = None
) -> Harmonization:
    """Groups of labels that mean the same thing: every label -> its group's canonical label."""
    name = column or "label"
    frame = pd.DataFrame({name: [str(x) for x in labels]}, dtype=object)
    spec = HarmonizeSpec(column=name, embeddings=settings.embeddings)
    return run("harmonize", as_dataset(frame, name=name), spec, cancel=cancel)


# Codebooks parsed lately, by the digest of their bytes: a cached match of the same file is then
# found on the event loop (cached_codebook) without parsing it again in the worker pool. Bounded
# by their variables (a few hundred bytes each), emptied when memory runs short.
_codebooks: LRUCache[str, Codebook] = LRUCache(
    maxsize=20_000, getsizeof=lambda codebook: max(1, len(codebook.entries))
)
_codebooks_lock = threading.Lock()


def _forget_codebooks() -> None:
    with _codebooks_lock:
        _codebooks.clear()


memory.register_cleanup("codebooks", _forget_codebooks)


def read_codebook(path: str, name: str | None = None) -> Codebook:
    """Read an uploaded codebook (data dictionary) CSV; a bad one raises DataError saying why."""
    codebook = retrier.call(codebook_io.read_codebook, path, name)
    with _codebooks_lock:
        _codebooks[codebook.fingerprint] = codebook
    return codebook


def cached_codebook(
    path: str, name: str, dataset: Dataset, *, owner: str | None = None
) -> tuple[Codebook, CodebookMatch] | None:
    """The codebook file and its match to the dataset if both were seen lately and the match is
    in the in-memory cache, else None. A read of at most MEDSTAT_CODEBOOK_MAX_MB and a digest
    (milliseconds), so the cleaning tab asks it on the event loop: a cache hit never waits for
    a worker thread. The codebook keeps this request's file name (cached ones carry none)."""
    try:
        if os.path.getsize(path) > settings.codebook_max_mb * 2**20:
            return None  # the worker path reads it and says why it is refused
        with open(path, "rb") as file:
            digest = fingerprint_bytes(file.read(), "codebook", codebook_io.VERSION)
    except OSError:
        return None
    with _codebooks_lock:
        codebook = _codebooks.get(digest)
    if codebook is None:
        return None
    codebook = dataclasses.replace(codebook, name=name)
    spec = CodebookSpec(codebook, embeddings=settings.embeddings)
    result = cached("codebook", dataset, spec, owner=owner)
    return (codebook, result) if result is not None else None


def match_codebook(
    dataset: Dataset,
    codebook: Codebook,
    *,
    cancel: CancelToken | None = None,
    owner: str | None = None,
) -> CodebookMatch:
    """The codebook's variables matched to the dataset's columns and its values to their labels.

    Cached like an analysis: the key holds the dataset's and the codebook's fingerprints.
    """
    pairs = len(codebook.entries) * len(dataset.columns)
    if pairs > settings.codebook_max_pairs:
        raise AnalysisError(
            f"The codebook has {len(codebook.entries):,} variables and the data "
            f"{len(dataset.columns):,} columns: {pairs:,} pairs to compare. MedStat compares up "
            f"to {settings.codebook_max_pairs:,} (MEDSTAT_CODEBOOK_MAX_PAIRS). Upload the part "
            "of the codebook that describes this file (or keep the columns you need)."
        )
    spec = CodebookSpec(codebook, embeddings=settings.embeddings)
    return run("codebook", dataset, spec, cancel=cancel, owner=owner)


def read_upload(
    path: str, name: str | None = None, *, cancel: CancelToken | None = None
) -> Dataset:
    """Read an uploaded file into a Dataset, retrying passing disk errors (never bad data).

    The file's shape is measured first (utils/read_limits.py: lines, columns and values, or a
    workbook's unpacked parts), without reading it whole: a file over a limit is refused
    saying which limit, and the read is admitted by the memory manager at its estimated peak
    (measured per format), so a refusal says whether the file can never fit this server or
    only not now. `cancel` stops a workbook's read at its next row (a closed tab's upload), and
    a wide or large text file's read (in a child process, killed) within a fraction of a second.
    """
    try:
        plan = read_limits.plan_path(path)
    except FileNotFoundError:
        raise data_io.DataError("The uploaded file was not found. Upload it again.") from None
    need = plan.need_mb
    ceiling = memory.ceiling_mb()
    if need > ceiling:
        raise data_io.DataError(
            f"Reading this file needs about {need:,.0f} MB of memory, more than this server can "
            f"ever give one file: its memory budget is {memory.limit_mb:,.0f} MB "
            f"(MEDSTAT_MEMORY_LIMIT_MB) and the program itself takes about "
            f"{memory.limit_mb - ceiling:,.0f} MB. Upload a smaller file (only the rows and "
            f"columns you need){_SMALLER[plan.kind]}."
        )
    try:
        admission = memory.admit_mb(need, kind="read")
    except MemoryRefused:
        raise data_io.DataError(
            f"Reading this file needs about {need:,.0f} MB of memory and only "
            f"{memory.free_mb():,.0f} MB is free now, while other analyses run. Try again in a "
            "few minutes, or upload a smaller file (only the rows and columns you need)."
        ) from None
    log.info("reading upload: %s", plan.describe())
    with admission, cancellable(cancel) as token:
        # Per-column Python of a wide file off the server's GIL; a large text file's C parse
        # where a cancel can stop it (a killed child).
        large = plan.kind == "text" and plan.size > settings.read_apart_mb * 2**20
        if plan.columns > read_apart.WIDE_COLUMNS or large:
            check = token.check if token is not None else (lambda: None)
            return retrier.call(
                read_apart.read_apart, path, name, check, on_start=memory.register_child
            )
        return retrier.call(data_io.read_table, path, name=name)


# How to make a file smaller, by format: text costs far more memory per MB than numbers.
_SMALLER = {
    "text": "; text values cost far more memory than numbers, so coding answers as numbers helps",
    "xlsx": "; a workbook saved as 'CSV UTF-8' takes less memory to read",
}


def prepare(dataset: Dataset, steps: Sequence[Any]) -> Prepared:
    """The data with the cleaning steps applied in order (label merges and codebook matches
    from matching/, value labels, derived variables and row filters from prep/), the flow of
    rows through the filters, and the steps that no longer fit the data, named.

    Each step derives a new fingerprint from its parent's, so results cached for any stage of
    the history stay valid. About 0.1 s for four steps on 100k rows of 22 columns
    (bench/prep_steps.py), once per change of the history, so it runs where the tabs ask,
    without the cache; a proposed filter is only counted (under a millisecond)."""
    return prep_steps.apply_steps(dataset, steps, _apply_matching_step)


def propose_step(kind: str, dataset: Dataset, **params: Any) -> StepProposal:
    """A new step of `kind` ("value_labels", "transform", "cut", "combine", "formula",
    "filter") built from what the user typed, checked against the data and applied to it for a
    preview; a DataError says what to fix, and the data stays as it was."""
    return prep_steps.propose(kind, dataset, **params)


def column_counts(dataset: Dataset, column: str) -> pd.DataFrame:
    """Rows per value of a column (group, n, percent of the known values), in level order,
    for the editors of value labels and combined levels."""
    if column not in dataset.columns:
        raise data_io.DataError(f"There is no column named '{column}'. Choose one from the list.")
    return group_counts(dataset.df[column])


def _apply_matching_step(dataset: Dataset, step: Any) -> Dataset:
    if isinstance(step, CodebookStep):
        return apply_codebook(dataset, step)
    column, mapping = step  # a label merge
    if column not in dataset.columns:
        raise data_io.DataError(f"there is no column '{column}' any more.")
    return apply_recode(dataset, column, mapping)


def memory_history() -> list[tuple[float, float]]:
    """(time, RSS MB) samples of the last minutes, for the sparkline."""
    return list(memory.history())


def analyses_of(owner: str | None) -> History:
    """One owner's analyses (how many, how many were instant repeats, the last few, newest
    first); never another owner's, and nothing for None."""
    return timings.history(owner)


def as_dataset(data: Dataset | pd.DataFrame, name: str = "data") -> Dataset:
    """A Dataset as it is, or a DataFrame fingerprinted once and described."""
    if isinstance(data, Dataset):
        return data
    if isinstance(data, pd.DataFrame):
        return data_io.dataset_from_frame(data, name=name)
    raise TypeError("data must be a Dataset or a pandas DataFrame")


def eligible_covariates(dataset: Dataset, outcome: str) -> list[str]:
    """Columns that can enter a model: factors and numbers, not ids, free text or dates."""
    return [
        name
        for name, meta in dataset.columns.items()
        if name != outcome and (meta.kind in FACTOR_KINDS or meta.kind in NUMERIC_KINDS)
    ]


def outcome_screen(
    dataset: Dataset, outcome: str, event: str | None = None, limit: int | None = None
) -> outcome_proxies.OutcomeScreen | None:
    """Event counts of the outcome and the eligible covariates that are the outcome recorded
    another way (analyses/outcome_proxies.py), for the Outcome tab's defaults; None when the
    outcome cannot be read as two groups.

    Tens of ms on 100,000 rows x 50 columns, and the Outcome tab asks on every change of any
    of its controls (for the default and for the note under the covariates): the answer is kept
    in a small LRU, apart from the results cache and its statistics. `limit` screens only the
    first eligible covariates (a file of thousands).

    The screen reads only the frame's values and the candidates' names, so it is kept by the
    frame itself (a weak reference: a new file's frame is never taken for an old one's) and the
    candidates: a kind or label edit makes a new Dataset over the same frame, and at 16,000
    columns the screen again took ~115 ms of the event loop after each edit."""
    if outcome not in dataset.columns:
        return None
    asked = (dataset.fingerprint, outcome, event, limit)  # the same Dataset asking again
    with _screens_lock:
        kept = _screens.get(asked)
    if kept is None or kept[0]() is not dataset.df:
        candidates = tuple(eligible_covariates(dataset, outcome)[:limit])
        by_frame = (id(dataset.df), outcome, event, candidates)
        with _screens_lock:
            kept = _screens.get(by_frame)
        if kept is None or kept[0]() is not dataset.df:
            screen = outcome_proxies.screen_outcome(dataset.df, outcome, event, list(candidates))
            kept = (weakref.ref(dataset.df), screen)
        with _screens_lock:
            _screens[asked] = _screens[by_frame] = kept
    return kept[1]


_screens: LRUCache = LRUCache(maxsize=64)  # small: a few outcomes of a few data sets
_screens_lock = threading.Lock()


def _is_default_level(dataset: Dataset, column: str, level: object) -> bool:
    """The level the analysis takes as reference anyway (the first in natural order): asking for
    it by name and leaving the reference unset are the same request, so they get one cache key."""
    levels = dataset.meta(column).levels
    return bool(levels) and str(level).strip() == levels[0]


def outcome_spec(
    dataset: Dataset,
    outcome: str,
    covariates: Iterable[str] | None = None,
    *,
    event: str | None = None,
    method: Method = "auto",
    screen_p: float | None = 0.20,
    force: Iterable[str] = (),
    reference: Mapping[str, str] | None = None,
    continuous_summary: str = "mean",
    effect_scale: EffectScale = "unit",
    calibration: bool = False,
    bootstrap: int = 0,
    seed: int | None = DEFAULT_SEED,
) -> OutcomeSpec:
    """Validate a request against the dataset's columns and build its hashable spec.

    `effect_scale`: continuous covariates' odds ratios per "unit", per 10 units ("10"), per
    SD ("sd") or per IQR ("iqr"). `calibration`: the model's calibration and decision curve;
    `bootstrap` samples (0 = none, else 20 to 2,000) of Harrell's validation drawn with `seed`.
    """
    bootstrap, seed = check_bootstrap(bootstrap, seed)
    if outcome not in dataset.columns:
        raise AnalysisError(
            f"There is no column named '{outcome}'. Choose the outcome from the list."
        )
    if method not in ("auto", "logit", "firth"):
        raise AnalysisError("Method must be 'auto', 'logit' (standard) or 'firth'.")
    check_effect_scale(effect_scale)
    candidates = eligible_covariates(dataset, outcome) if covariates is None else list(covariates)
    unknown = [c for c in candidates if c not in dataset.columns]
    if unknown:
        raise AnalysisError(f"These covariates are not columns of the data: {', '.join(unknown)}.")
    excluded = [c for c in candidates if dataset.meta(c).kind not in FACTOR_KINDS | NUMERIC_KINDS]
    if excluded and covariates is not None:
        kinds = ", ".join(f"'{c}' ({dataset.meta(c).kind})" for c in excluded)
        raise AnalysisError(
            f"{kinds} cannot be covariates. "
            "Change the column type on the Data tab or leave them out."
        )
    candidates = [c for c in dict.fromkeys(candidates) if c != outcome]
    if not candidates:
        raise AnalysisError(
            "There are no usable covariates. Pick at least one numeric or categorical column."
        )
    forced = tuple(c for c in dict.fromkeys(force) if c in candidates)
    categorical = tuple(c for c in candidates if dataset.meta(c).kind in FACTOR_KINDS)
    refs = tuple(
        sorted(
            (str(k), str(v).strip())
            for k, v in (reference or {}).items()
            if k in categorical and not _is_default_level(dataset, k, v)
        )
    )
    return OutcomeSpec(
        outcome=outcome,
        covariates=tuple(candidates),
        event=None if event is None else str(event),
        method=method,
        screen_p=screen_p,
        force=forced,
        categorical=categorical,
        reference=refs,
        continuous_summary="median" if continuous_summary == "median" else "mean",
        effect_scale=effect_scale,
        calibration=bool(calibration) or bootstrap > 0,
        bootstrap=bootstrap,
        seed=seed,
    )


def analyze_outcome(
    data: Dataset | pd.DataFrame,
    outcome: str,
    covariates: Iterable[str] | None = None,
    *,
    event: str | None = None,
    method: Method = "auto",
    screen_p: float | None = 0.20,
    force: Iterable[str] = (),
    reference: Mapping[str, str] | None = None,
    continuous_summary: str = "mean",
    effect_scale: EffectScale = "unit",
    calibration: bool = False,
    bootstrap: int = 0,
    seed: int | None = DEFAULT_SEED,
    cancel: CancelToken | None = None,
) -> OutcomeResult:
    """Univariable screening and multivariable logistic regression of a binary outcome."""
    dataset = as_dataset(data)
    spec = outcome_spec(
        dataset,
        outcome,
        covariates,
        event=event,
        method=method,
        screen_p=screen_p,
        force=force,
        reference=reference,
        continuous_summary=continuous_summary,
        effect_scale=effect_scale,
        calibration=calibration,
        bootstrap=bootstrap,
        seed=seed,
    )
    return run("outcome", dataset, spec, cancel=cancel)


def imputation_spec(
    dataset: Dataset,
    variables: Iterable[str],
    *,
    m: int = 20,
    iterations: int = 10,
    seed: int = DEFAULT_SEED,
) -> ImputationSpec:
    """The imputation settings checked against the data: the variables exist and can be
    imputed (numbers or categories), m, iterations and the seed in range; else a sentence."""
    chosen = list(dict.fromkeys(variables))
    unknown = [c for c in chosen if c not in dataset.columns]
    if unknown:
        raise AnalysisError(f"These variables are not in the data: {', '.join(unknown)}.")
    unusable = [c for c in chosen if dataset.meta(c).kind not in FACTOR_KINDS | NUMERIC_KINDS]
    if unusable:
        raise AnalysisError(
            f"{', '.join(unusable)} cannot be imputed (not a number or a category): leave them "
            "out, or change their type on the Data tab."
        )
    if len(chosen) < 2:
        raise AnalysisError(
            "Choose at least two variables: those with missing values and those that predict "
            "them (the outcome included)."
        )
    for name, value in (("imputations", m), ("iterations", iterations), ("seed", seed)):
        if not isinstance(value, (int, float)) or not float(value).is_integer():
            raise AnalysisError(f"The number of {name} must be a whole number.")
    categorical = tuple(c for c in chosen if dataset.meta(c).kind in FACTOR_KINDS)
    spec = ImputationSpec(tuple(chosen), categorical, int(m), int(iterations), int(seed))
    importlib.import_module("analyses.imputation").check_spec(spec)
    return spec
