"""The code an exported script is made of: the templates' sections and MedStat's own pure
statistics modules, copied as text with their imports taken out (the script's header imports
what they need), so the script never imports MedStat."""

from __future__ import annotations

import ast
import importlib.util
from functools import cache
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
MARKER = "# --- SCRIPT ---"


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
    title = f"# From MedStat's {module.replace('.', '/')}.py, unchanged"
    comment = "\n".join(f"# {line}".rstrip() for line in (doc or "").splitlines())
    return f"{title}:\n{comment}\n\n{kept}\n"
