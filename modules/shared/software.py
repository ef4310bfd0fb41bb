"""The software behind a result: MedStat's version and commit, Python and the packages used.

Read once, from the installed packages and the files of this checkout (no subprocess, no
network): what the methods text cites and what a project file records.
"""

from __future__ import annotations

import functools
import platform
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The packages whose code computes a number MedStat reports, in the order they are cited.
PACKAGES = ("pandas", "numpy", "scipy", "statsmodels", "firthmodels")


@functools.cache
def versions() -> dict[str, str]:
    """{"medstat": "0.1.0 (commit abc1234)", "python": "3.11.2", "pandas": ..., ...}."""
    out = {"medstat": medstat_version(), "python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def medstat_version() -> str:
    """The version in pyproject.toml, with the commit when this is a git checkout."""
    try:
        version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        version = "unknown"
    commit = _commit()
    return f"{version} (commit {commit[:10]})" if commit else str(version)


def _commit() -> str:
    """HEAD's commit, read from .git (a worktree's .git file points at its own folder)."""
    try:
        git = ROOT / ".git"
        if git.is_file():
            git = Path(git.read_text().split("gitdir:", 1)[1].strip())
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head
        ref = head.split(":", 1)[1].strip()
        common = git / "commondir"
        base = (git / common.read_text().strip()).resolve() if common.is_file() else git
        for folder in (git, base):
            if (folder / ref).is_file():
                return (folder / ref).read_text().strip()
        for line in (base / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split(" ", 1)[0]
    except (OSError, IndexError):
        return ""
    return ""
