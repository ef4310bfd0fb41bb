"""The code an exported script is made of: the templates' sections and MedStat's own pure
statistics modules, copied as text with their imports taken out (the script's header imports
what they need), so the script never imports MedStat."""

from __future__ import annotations

import ast
import importlib.util
import io
import tokenize
from functools import cache
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
MARKER = "# --- SCRIPT ---"
# A script is one module: a name two copied modules define differently is renamed in one copy
# (tests/unit/modules/shared/test_script_sources.py finds any other).
RENAMES = {"analyses.calibration": {"CURVE_COLUMNS": "CALIBRATION_CURVE_COLUMNS"}}
RENAMES["analyses.imputation"] = {"analyze": "impute", "_codes": "_imputation_codes"}
RENAMES["analyses.propensity"] = {
    "analyze": "propensity_analysis",
    "_check": "_check_propensity",
    "VERSION": "PROPENSITY_VERSION",
}
RENAMES["analyses.propensity_model"] = {"MAX_ITER": "SCORE_MAX_ITER"}
RENAMES["analyses.propensity_cox"] = {"_terms": "_weighted_terms"}
RENAMES["analyses.propensity_match"] = {"_find": "_next_available"}


@cache
def template(name: str) -> str:
    """The part of templates/<name>.py below its marker line."""
    text = (TEMPLATES / f"{name}.py").read_text(encoding="utf-8")
    head, found, body = text.partition(MARKER)
    if not found:
        raise ValueError(f"templates/{name}.py has no '{MARKER}' line")
    return body.strip("\n") + "\n"


def _is_medstat(node: ast.Import | ast.ImportFrom) -> bool:
    names = (
        [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
    )
    return any(name.split(".")[0] in ("analyses", "utils", "logic", "modules") for name in names)


@cache
def module_source(module: str) -> str:
    """A module's source without its import statements (its docstring becomes a comment).

    Read from its file by name, not imported: the statistics stack is not imported until the
    first session opens (logic.warm_up), and writing a script need not import it."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(module)
    text = Path(spec.origin).read_text(encoding="utf-8")
    tree = ast.parse(text)
    lines = text.splitlines()
    drop: set[int] = set()
    for node in ast.walk(tree):
        # Every import at the top (the script's header has them) and MedStat's own anywhere.
        if isinstance(node, (ast.Import, ast.ImportFrom)) and (
            node in tree.body or _is_medstat(node)
        ):
            drop.update(range(node.lineno - 1, node.end_lineno or node.lineno))
    doc = ast.get_docstring(tree)
    if doc and isinstance(tree.body[0], ast.Expr):
        first = tree.body[0]
        drop.update(range(first.lineno - 1, first.end_lineno or first.lineno))
    kept = "\n".join(line for i, line in enumerate(lines) if i not in drop).strip("\n")
    renames = RENAMES.get(module, {})
    title = f"# From MedStat's {module.replace('.', '/')}.py, unchanged"
    if renames:
        kept = _renamed(kept + "\n", renames).strip("\n")
        names = ", ".join(f"{old} as {new}" for old, new in renames.items())
        title += f"\n# but for {names} (another copied module has the name)"
    comment = "\n".join(f"# {line}".rstrip() for line in (doc or "").splitlines())
    return f"{title}:\n{comment}\n\n{kept}\n"


def _renamed(text: str, renames: dict[str, str]) -> str:
    """The code with each name token in `renames` replaced (strings and comments untouched)."""
    tokens = [
        t._replace(string=renames.get(t.string, t.string)) if t.type == tokenize.NAME else t
        for t in tokenize.generate_tokens(io.StringIO(text).readline)
    ]
    return tokenize.untokenize(tokens)
