"""Every setting in one place: environment variables prefixed MEDSTAT_, with typed defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields


def _env(name: str, default, cast):
    raw = os.environ.get(f"MEDSTAT_{name}")
    if raw is None or raw.strip() == "":
        return default
    try:
        return cast(raw)
    except ValueError as exc:
        raise ValueError(f"MEDSTAT_{name}={raw!r} is not a valid {cast.__name__}") from exc


def _flag(raw: str) -> bool:
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Run-time settings; see the configuration table in README.md."""

    max_upload_mb: float = 50.0
    # What one upload may cost to read (utils/read_limits.py, measured in bench/read_memory.py).
    max_columns: int = 20_000
    max_cells: int = 10_000_000  # rows x columns of a text file
    max_line_kb: int = 1024  # one line of a text file (a header of very many columns)
    read_apart_mb: float = 10.0  # a text file larger is read in a child process, stoppable
    xlsx_max_cells: int = 2_000_000  # openpyxl reads ~65k cells per CPU-second
    xlsx_max_xml_mb: float = 100.0  # the first sheet and the parts opened with it, unpacked
    # The disk uploads take (utils/upload_store.py): per browser tab, in all, the free space
    # kept, and when a body that stalls or never finishes is removed.
    upload_session_mb: float = 100.0
    upload_total_mb: float = 1000.0
    upload_min_free_mb: float = 256.0
    upload_body_timeout_s: float = 30.0
    upload_stale_s: float = 300.0
    codebook_max_pairs: int = 1_000_000  # codebook variables x data columns scored (~50 B each)
    codebook_max_mb: float = 5.0  # a codebook file's size
    codebook_max_variables: int = 5000  # a codebook's variables
    project_max_mb: float = 20.0  # an opened project file (modules/paper/project.py)
    cache_ttl_s: float = 1800.0
    cache_max_mb: float = 64.0
    cache_max_items: int = 256
    memory_limit_mb: float = 0.0  # 0 = cgroup limit if any, else half of RAM, at least 512 MB
    memory_warn_pct: float = 80.0
    memory_critical_pct: float = 93.0
    memory_poll_s: float = 3.0
    retry_attempts: int = 3
    retry_initial_s: float = 0.5
    retry_max_s: float = 2.0
    redis_url: str = ""
    redis_secret: str = ""  # signs shared-tier values; without it the tier does not start
    redis_max_value_mb: float = 8.0  # a shared-tier value above this is refused unread
    embeddings: bool = True
    embedding_idle_s: float = 180.0
    worker_threads: int = 4
    gil_switch_ms: float = 1.0  # Python's GIL switch interval (default 5): the loop's turn
    session_analyses: int = 2  # analyses one browser tab may run at once (the rest wait)
    session_queue: int = 4  # ... and may have waiting beyond those (then it is told to wait)
    address_analyses: int = 2  # work one client address may run at once, all its tabs
    address_queue: int = 8  # ... and may have waiting beyond those
    # Threads kept for short work beside the pool (modules/shared/fair_share.py), and what is
    # short: an analysis of at most this many cells (rows x columns used x repeats, logic.is_short).
    short_lane: int = 1
    short_work_cells: int = 250_000
    proxy_hops: int = 0  # proxies in front of the app whose X-Forwarded-For is trusted
    # Open sessions (utils/connection_limit.py): in all, per client address, and how fast one
    # address may start new ones (a burst, then one every so many seconds).
    max_sessions: int = 150
    address_sessions: int = 10
    session_open_burst: int = 1
    session_open_every_s: float = 1.0
    example_data: str = ""
    session_keep_s: float = 600.0  # how long a closed tab's data and results wait for it
    session_keep_max: int = 500  # closed tabs kept for a reconnect, at most (live never evicted)
    session_keep_mb: float = 128.0  # ... and their bytes, at most (oldest closed go first)
    # With Redis (MEDSTAT_REDIS_URL + _SECRET), tabs are saved there too (utils/shared_tab_store):
    # a data set above this many MB (as stored) is left out; the tab then asks for it again.
    session_store_max_mb: float = 64.0
    session_save_delay_s: float = 0.5  # a change is written to Redis this long after it
    # Figure export (utils/figure_renderer.py): the Chromium kaleido drives, how long it is
    # kept without use, the longest one figure may take, what a started browser is admitted at.
    chromium: str = "/usr/bin/chromium"
    figure_idle_s: float = 120.0
    figure_timeout_s: float = 60.0
    figure_browser_mb: float = 450.0  # PSS of its ~10 processes, measured: bench/figure_export

    @classmethod
    def from_env(cls) -> Settings:
        """Read every MEDSTAT_* variable once; unknown values fail loudly at start-up."""
        casts = {int: int, float: float, str: str, bool: _flag}
        values = {}
        for f in fields(cls):
            kind = type(f.default)
            values[f.name] = _env(f.name.upper(), f.default, casts[kind])
        return cls(**values)


settings = Settings.from_env()
