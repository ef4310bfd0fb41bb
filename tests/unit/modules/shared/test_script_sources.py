"""The parts an exported script is made of never define one name two ways: the script is one
module, so a second definition (a copied module's CURVE_COLUMNS over another's) would silently
change the first one's numbers."""

from __future__ import annotations

import ast
from collections import defaultdict

from modules.shared.script_export.generate import APPENDIX, SECTIONS
from modules.shared.script_export.sources import module_source, template


def definitions(text: str) -> list[tuple[str, str]]:
    """(name, its definition) of every top-level function, class and assignment."""
    out = []
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out.append((node.name, ast.dump(node)))
        elif isinstance(node, ast.Assign):
            out += [(t.id, ast.dump(node.value)) for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out.append((node.target.id, ast.dump(node.value) if node.value else ""))
    return out


def test_no_name_is_defined_two_ways_across_the_scripts_parts():
    parts = {f"templates/{s}.py": template(s) for s in (*SECTIONS, "data", "formula")}
    modules = {m for ms in APPENDIX.values() for m in ms} | {"prep.expressions"}
    parts |= {m: module_source(m) for m in modules}
    seen: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for part, text in parts.items():
        for name, definition in definitions(text):
            seen[name][definition].append(part)
    clashes = {name: list(ways.values()) for name, ways in seen.items() if len(ways) > 1}
    assert clashes == {}
