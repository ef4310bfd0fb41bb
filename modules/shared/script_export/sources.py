"""The code an exported script is made of: the templates' sections and MedStat's own pure
statistics modules, copied as text with their imports taken out (the script's header imports
what they need), so the script never imports MedStat."""

from __future__ import annotations

import ast
import importlib.util
import io
import textwrap
import tokenize
from functools import cache
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
MARKER = "# --- SCRIPT ---"
# A script is one module: a name two copied modules define differently is renamed in one copy
# (tests/unit/modules/shared/test_script_sources.py finds any other).
# The subgroup and interaction code's model helpers share two names with the Cox code's:
# renamed in the three modules that define or call them (attributes, `cov.design`, stay).
_EFFECT_MODELS = {"design": "modifier_design", "lr_p": "modifier_lr_p"}
RENAMES = {
    "analyses.calibration": {"CURVE_COLUMNS": "CALIBRATION_CURVE_COLUMNS"},
    "analyses.effect_models": _EFFECT_MODELS,
    "analyses.subgroups": _EFFECT_MODELS,
    "analyses.interactions": _EFFECT_MODELS,
}
# The bootstrap refits with MedStat's own modelling (its estimator choice, convergence rules and
# screening); its names that templates/logistic.py (the reported tables' fits) or another copy
# also define are renamed in each of its modules.
_REFITS = {
    "Fit": "ModelFit",
    "fit_logit": "refit_logit",
    "fit_firth": "refit_firth",
    "lr_p_value": "refit_lr_p_value",
    "penalized_lr_p": "refit_penalized_lr_p",
    "Choice": "ModelChoice",  # table1_tests' Choice is a test's
    "OutcomeSpec": "Screening",  # what a resample's screening reads (templates/bootstrap.py)
    "MEASURES": "VALIDATION_MEASURES",  # diagnostic_accuracy's are other measures
}
BOOTSTRAP_MODULES = (
    "analyses.logistic",
    "analyses.firth",
    "analyses.model_choice",
    "analyses.descriptive",
    "analyses.univariable",
    "analyses.multivariable",
    "analyses.bootstrap_validation",
    "analyses.outcome_bootstrap",
)
RENAMES |= dict.fromkeys(BOOTSTRAP_MODULES, _REFITS)
# The imputation, pooling and propensity code (copied for runs on imputed data and for the
# Propensity scores tab): names other copies define too, renamed in these copies.
RENAMES["analyses.imputation"] = {"analyze": "impute", "_codes": "_imputation_codes"}
RENAMES["analyses.mi_table1"] = {"_groups": "_summary_groups"}
RENAMES["analyses.propensity_effect"] = {"_fit": "_weighted_fit"}
# The propensity model's `c_statistic` is also its result's field: the validation's is renamed.
RENAMES["analyses.bootstrap_validation"] = {**_REFITS, "c_statistic": "validation_c_statistic"}
RENAMES["analyses.propensity"] = {
    "analyze": "propensity_analysis",
    "_check": "_check_propensity",
    "VERSION": "PROPENSITY_VERSION",
}
RENAMES["analyses.propensity_model"] = {"MAX_ITER": "SCORE_MAX_ITER"}
RENAMES["analyses.propensity_cox"] = {"_terms": "_weighted_terms"}
RENAMES["analyses.propensity_match"] = {"_find": "_next_available"}
# Top-level definitions left out of a copy: what checks the app's controls, which a script
# (given the values the app accepted) does not need, and which needs the app's spec types.
OMITS = {
    "analyses.effect_scale": ("EFFECT_SCALES", "check_effect_scale"),
    # Its cancel checks wrap firthmodels' own function: nothing to cancel in a script.
    "analyses.firth": ("_check_before_each_evaluation",),
    # Built on the app's covariate and spec types: templates/bootstrap.py has the script's.
    "analyses.outcome_bootstrap": ("Screen", "_take"),
}


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
    for node in tree.body:
        if _defines(node) & set(OMITS.get(module, ())):
            drop.update(range(node.lineno - 1, node.end_lineno or node.lineno))
    doc = ast.get_docstring(tree)
    if doc and isinstance(tree.body[0], ast.Expr):
        first = tree.body[0]
        drop.update(range(first.lineno - 1, first.end_lineno or first.lineno))
    kept = "\n".join(line for i, line in enumerate(lines) if i not in drop).strip("\n")
    names = {t.string for t in tokenize.generate_tokens(io.StringIO(kept).readline)}
    renames = {old: new for old, new in RENAMES.get(module, {}).items() if old in names}
    title = f"# From MedStat's {module.replace('.', '/')}.py, unchanged"
    if renames:
        kept = _renamed(kept + "\n", renames).strip("\n")
        said = ", ".join(f"{old} as {new}" for old, new in renames.items())
        title += f" but for {said} (this script has another of that name)"
    if module in OMITS:
        omitted = ", ".join(OMITS[module])
        title += f", without {omitted} (the app's; this script has its own or needs none)"
    title = "\n# ".join(textwrap.wrap(title[2:], 94)) if len(title) > 96 else title[2:]
    title = f"# {title}"
    comment = "\n".join(f"# {line}".rstrip() for line in (doc or "").splitlines())
    return f"{title}:\n{comment}\n\n{kept}\n"


def _defines(node: ast.stmt) -> set[str]:
    """The names a top-level statement defines."""
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):  # a call made at import
        return {node.value.func.id} if isinstance(node.value.func, ast.Name) else set()
    targets = node.targets if isinstance(node, ast.Assign) else []
    if isinstance(node, ast.AnnAssign):
        targets = [node.target]
    return {t.id for t in targets if isinstance(t, ast.Name)}


def _renamed(text: str, renames: dict[str, str]) -> str:
    """The code with each name token in `renames` replaced (strings, comments and attribute
    names, `x.design`, untouched)."""
    tokens, previous = [], None
    for t in tokenize.generate_tokens(io.StringIO(text).readline):
        attribute = previous is not None and previous.type == tokenize.OP and previous.string == "."
        if t.type == tokenize.NAME and not attribute:
            t = t._replace(string=renames.get(t.string, t.string))
        tokens.append(t)
        if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
            previous = t
    return tokenize.untokenize(tokens)
