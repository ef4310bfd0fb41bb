"""Where the memory budget comes from: the setting, else a cgroup limit that binds, else half of
the machine's physical memory with a 512 MB floor."""

import pytest

from utils.memory import MB, MemoryManager
from utils.memory_limit import (
    FLOOR_MB,
    cgroup_limit_mb,
    choose_limit,
    machine_limit_mb,
    physical_mb,
    resolve_limit,
)

GB = 1024.0  # MB
SETTING = "MEDSTAT_MEMORY_LIMIT_MB"


# The rule (pure)


@pytest.mark.parametrize("cgroup", [None, 300.0, 1.5 * GB])
def test_the_setting_wins_over_everything(cgroup):
    assert choose_limit(200, cgroup, physical=2 * GB) == (200.0, SETTING)
    assert choose_limit(4 * GB, cgroup, physical=2 * GB) == (4 * GB, SETTING)  # as it says


@pytest.mark.parametrize("cgroup", [256.0, 300.0, 1.5 * GB])
def test_a_cgroup_limit_wins_over_the_machine_even_below_the_floor(cgroup):
    # A container of 256 MB holds the app to 256 MB: the floor is for hosts that say nothing.
    assert choose_limit(0, cgroup, physical=24 * GB) == (cgroup, "cgroup")


@pytest.mark.parametrize("cgroup", [24 * GB, 64 * GB, 2.0**63 / MB])
def test_a_cgroup_limit_at_or_above_the_machine_does_not_bind(cgroup):
    assert choose_limit(0, cgroup, physical=24 * GB) == (12 * GB, "half of the machine's 24576 MB")


@pytest.mark.parametrize(
    ("physical", "limit"),
    [
        (24 * GB, 12 * GB),
        (4 * GB, 2 * GB),
        (2 * GB, 1 * GB),  # the smallest host the model is meant to run on by default
        (1 * GB, FLOOR_MB),  # half would be 512 MB: the floor
        (768.0, FLOOR_MB),  # half would be 384 MB, below the measured floor
    ],
)
def test_without_a_limit_the_budget_is_half_the_machine_at_least_the_floor(physical, limit):
    found, source = choose_limit(0, None, physical)
    assert found == limit == machine_limit_mb(physical)
    assert source == (
        f"half of the machine's {physical:.0f} MB"
        if limit > FLOOR_MB
        else f"the 512 MB floor (the machine has {physical:.0f} MB)"
    )
    assert FLOOR_MB == 512.0  # the measured reason is in utils/memory_limit.py


# Reading the host


def test_cgroup_v2_limit_is_read(tmp_path):
    v2 = tmp_path / "memory.max"
    v2.write_text("536870912\n")  # 512 MB
    assert cgroup_limit_mb([v2]) == 512.0
    assert resolve_limit(0, [v2], physical=24 * GB) == (512.0, "cgroup")
    assert resolve_limit(200, [v2], physical=24 * GB) == (200.0, SETTING)


def test_cgroup_v1_limit_is_read_when_v2_is_absent(tmp_path):
    v1 = tmp_path / "memory.limit_in_bytes"
    v1.write_text(str(256 * MB))
    assert resolve_limit(0, [tmp_path / "memory.max", v1], physical=2 * GB) == (256.0, "cgroup")


def test_unlimited_or_missing_cgroup_files_state_no_limit(tmp_path):
    v2 = tmp_path / "memory.max"
    v2.write_text("max\n")
    v1 = tmp_path / "memory.limit_in_bytes"
    v1.write_text("9223372036854771712\n")  # cgroup v1's "no limit": stated, but cannot bind
    files = [v2, v1, tmp_path / "missing"]
    assert cgroup_limit_mb([v2, tmp_path / "missing"]) is None
    assert resolve_limit(0, files, physical=4 * GB) == (2 * GB, "half of the machine's 4096 MB")


def test_the_default_manager_follows_this_machine(tmp_path):
    (tmp_path / "memory.max").write_text("max\n")
    mm = MemoryManager(limit_mb=0, cgroup_files=[tmp_path / "memory.max"])
    assert mm.limit_mb == pytest.approx(max(FLOOR_MB, physical_mb() / 2))
    assert "half of the machine's" in mm.describe() or "floor" in mm.describe()
