"""The parts an exported script is made of never define one name two ways: the script is one
module, so a second definition (a copied module's CURVE_COLUMNS over another's) would silently
change the first one's numbers."""

from __future__ import annotations

import ast
from collections import defaultdict

from analyses.results import SCALE_COLUMNS
from modules.shared.script_export.generate import APPENDIX, SECTIONS
from modules.shared.script_export.sources import _renamed, module_source, template


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


def test_a_rename_leaves_attributes_strings_and_comments_alone():
    code = 'x = design(covs, rows)  # design\ny = cov.design(rows) + len("design")\n'
    renamed = _renamed(code, {"design": "modifier_design"})
    assert renamed == (
        'x = modifier_design(covs, rows)  # design\ny = cov.design(rows) + len("design")\n'
    )


def test_the_copied_modules_are_renamed_where_they_clash_and_the_scales_columns_agree():
    interactions = module_source("analyses.interactions")
    assert "modifier_design(others, rows)" in interactions
    assert "exposure.design(rows)" in interactions  # a covariate's method keeps its name
    assert "def modifier_lr_p(" in module_source("analyses.effect_models")
    names = {name for name, _ in definitions(module_source("analyses.effect_scale"))}
    assert "scale_table" in names and "check_effect_scale" not in names
    coded = dict(definitions(template("coding")))
    assert coded["SCALE_COLUMNS"] == ast.dump(ast.parse(repr(SCALE_COLUMNS)).body[0].value)
