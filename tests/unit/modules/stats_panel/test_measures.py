"""Every number logic.stats() returns has a readable name and unit in the administrators'
details, so a new counter cannot reach the page as a raw key."""

from __future__ import annotations

import logic
from modules.stats_panel import measures
from modules.stats_panel.measures import MEASURES, SECTIONS, UNITS, fmt_value, section_frame


def rows(section: str, numbers: dict[str, float]) -> dict[str, str]:
    frame = section_frame(section, numbers)
    return dict(zip(frame["Measure"], frame["Value"], strict=True))


def test_every_key_logic_stats_returns_has_a_readable_name_and_unit():
    stats = logic.stats()
    assert set(stats) == set(SECTIONS) == set(MEASURES)
    missing = [f"{s}.{k}" for s, numbers in stats.items() for k in numbers if k not in MEASURES[s]]
    assert missing == []
    for section, listed in MEASURES.items():
        for key, measure in listed.items():
            assert measure.unit in UNITS, (section, key)
            assert "_" not in measure.name and measure.name[0].isupper(), (section, key)
            for other in (measure.of, measure.within):
                assert other is None or other in listed, (section, key, other)


def test_no_raw_key_reaches_the_page():
    stats = logic.stats()
    for section, numbers in stats.items():
        shown = " ".join(section_frame(section, numbers)["Measure"])
        assert not [k for k in numbers if "_" in k and k in shown], section


def test_cache_reads_in_units_not_raw_numbers():
    cache = logic.cache.stats() | {"ttl_s": 1800.0, "mb": 3.2, "max_mb": 64.0, "hits": 12.0}
    shown = rows("cache", cache | {"bytes": 3.2 * 2**20, "saved_s": 2.5, "redis_up": 0.0})
    assert shown["Results kept for"] == "30 min"
    assert shown["Cache size"] == "3.2 MB of 64 MB"
    assert shown["Instant repeats (served from the cache)"] == "12"
    assert shown["Time saved by instant repeats"] == "2.5 s"
    assert shown["Shared cache (Redis) reachable"] == "no"
    assert "Cache size limit" not in shown and "Cache size in bytes" not in shown


def test_memory_and_timings_read_in_mb_percent_and_ms():
    memory = rows(
        "memory",
        {"rss_mb": 182.4, "limit_mb": 512.0, "used_pct": 35.6, "status": 1.0, "refusals": 2.0},
    )
    assert memory == {
        "Memory in use": "182 MB of 512 MB",
        "Memory in use, share of the limit": "36%",
        "Memory state": "tight",
        "Analyses refused for lack of memory": "2",
    }
    timings = rows("timings", {"last_ms": 1234.5, "mean_hit_ms": 0.27, "analyses": 7.0})
    assert timings["Last analysis took"] == "1.2 s"
    assert timings["Average time of an instant repeat"] == "0.3 ms"
    assert timings["Analyses answered"] == "7"


def test_memory_in_use_is_split_between_the_server_and_the_model():
    memory = rows(
        "memory",
        {"rss_mb": 520.0, "limit_mb": 12_288.0, "server_mb": 210.0, "workers_mb": 310.0},
    )
    assert memory == {
        "Memory in use": "520 MB of 12,288 MB",
        "Of which the web server": "210 MB",
        "Of which the embedding model's process": "310 MB",
    }


def test_an_unlisted_key_is_still_shown_in_words():
    assert rows("retry", {"new_counter": 3.0}) == {"New counter": "3"}
    assert fmt_value("share", 0.987) == "99%" and fmt_value("count", 1234.0) == "1,234"
    assert fmt_value("mb", 0.02) == "20 KB" and fmt_value("mb", 0.0) == "0 MB"
    assert fmt_value("mb", 3.24) == "3.2 MB" and fmt_value("mb", 1234.4) == "1,234 MB"
    assert fmt_value("yes/no", 1.0) == "yes" and measures.fmt_value("ms", float("nan")) == "—"
