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
    session_analyses: int = 2  # analyses one browser tab may run at once (the rest wait)
    example_data: str = ""
    session_keep_s: float = 600.0  # how long a closed tab's data and results wait for it

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
