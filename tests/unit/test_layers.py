"""The one-way dependency rule of docs/ARCHITECTURE.md, read from every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LEAVES = {"analyses.errors", "analyses.cancellation"}  # no dependencies: importable anywhere
# package -> the project packages it must never import
FORBIDDEN = {
    "analyses": {"app", "logic", "modules", "matching", "prep", "utils", "shiny"},
    "utils": {"app", "logic", "modules", "matching", "prep", "analyses"},
    "matching": {"app", "logic", "modules", "prep", "analyses", "shiny"},
    "prep": {"app", "logic", "modules", "matching", "analyses", "shiny"},
    "modules": {"app"},
    # The team shape (nginx, workers, Redis) starts the app as processes; it imports none of it.
    "deploy": {"app", "logic", "modules", "matching", "prep", "analyses", "utils", "shiny"},
}


def imported(path: Path) -> set[str]:
    """Absolute module names a file imports (relative imports stay inside its package)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def breaches(package: str) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in imported(path):
            top = name.split(".")[0]
            if top in FORBIDDEN[package] and not any(
                name == leaf or name.startswith(leaf + ".") for leaf in LEAVES
            ):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_only_go_down(package: str):
    assert breaches(package) == []


def test_no_tab_package_imports_another():
    shared = {"shared", "shiny_patches"}
    found = []
    for path in sorted((ROOT / "modules").rglob("*.py")):
        own = path.relative_to(ROOT / "modules").parts[0]
        for name in imported(path):
            parts = name.split(".")
            if parts[0] == "modules" and len(parts) > 1 and parts[1] not in shared | {own}:
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    assert found == []


def test_the_rule_is_checked_on_real_imports(tmp_path: Path):
    """The reader sees both import forms, so an empty list above means something."""
    sample = tmp_path / "x.py"
    sample.write_text("import logic\nfrom modules.shared import figures\n")
    assert {"logic", "modules.shared", "modules.shared.figures"} <= imported(sample)
