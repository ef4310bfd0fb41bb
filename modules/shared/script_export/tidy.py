"""Imports a script actually uses: the header offers what any part might need, and a part
left out (Spearman's test in a Pearson-only script, Firth's code in a standard model's)
leaves imports nobody reads. A reader's linter should find nothing unused or undefined."""

from __future__ import annotations

import ast


def _module_level_names(body: str) -> set[str]:
    """Names the body reads from the module's scope: a name a function imports, assigns or takes
    as an argument is that function's, not a use of the header's import of the same name."""
    used: set[str] = set()

    def visit(node: ast.AST, local: frozenset[str]) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for outer in (*node.decorator_list, *node.args.defaults, *node.args.kw_defaults):
                if outer is not None:
                    visit(outer, local)  # evaluated where the function is defined
            own = {arg.arg for arg in ast.walk(node.args) if isinstance(arg, ast.arg)}
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    own |= {alias.asname or alias.name.split(".")[0] for alias in inner.names}
                elif isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                    own.add(inner.id)  # assigned in the function: its own variable
            local = local | own
            for child in (*node.body, node.args, *([node.returns] if node.returns else [])):
                visit(child, local)
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in local:
            used.add(node.id)
        for child in ast.iter_child_nodes(node):
            visit(child, local)

    visit(ast.parse(body), frozenset())
    return used


def used_imports(header: str, body: str) -> str:
    """The header's import lines, each keeping only the names the body uses."""
    used = _module_level_names(body)
    kept: list[str] = []
    for line in header.splitlines():
        if not line.strip() or line.startswith("from __future__"):
            kept.append(line)
            continue
        statement = ast.parse(line).body[0]
        if isinstance(statement, ast.Import):
            names = [a for a in statement.names if (a.asname or a.name.split(".")[0]) in used]
            if names:
                kept.append(line)
        elif isinstance(statement, ast.ImportFrom):
            names = [a for a in statement.names if (a.asname or a.name) in used]
            if names:
                listed = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in names)
                kept.append(f"from {statement.module} import {listed}")
        else:
            raise ValueError(f"not an import: {line!r}")
    text = "\n".join(kept).strip("\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text + "\n"
