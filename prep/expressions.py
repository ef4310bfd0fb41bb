"""A small, safe formula language for new columns: `weight / (height/100)^2`.

User text is never evaluated as Python. It is parsed with `ast` into a tree, every node of the
tree is checked against a short list (numbers, column names, + - * / ** ^, unary minus,
brackets, and the functions in FUNCTIONS) and anything else is refused with a sentence. The
tree is then computed with numpy on whole columns, in float64: no Python integer ever grows
(`9 ** 9 ** 9` is inf, not a hang), and a result that is not a finite number (division by
zero, log of zero, overflow) becomes missing and is counted in a note.

Column names that are not plain words go between backticks: `Weight (kg)` / 2. Dates count in
days, so `(date_of_death - date_of_surgery) / 365.25` is years between them.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from utils.data_error import DataError

MAX_LENGTH = 500
MAX_NODES = 200
# name -> (function on a float array, what makes its input invalid, in words)
FUNCTIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], str]] = {
    "log": (np.log, "log of zero or a negative number"),
    "log2": (np.log2, "log2 of zero or a negative number"),
    "log10": (np.log10, "log10 of zero or a negative number"),
    "sqrt": (np.sqrt, "square root of a negative number"),
    "exp": (np.exp, "exp too large"),
    "abs": (np.abs, ""),
    "round": (np.round, ""),
}
ALLOWED = "column names, numbers, + - * / and ^ (power), brackets, and the functions " + ", ".join(
    FUNCTIONS
)
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}
# What people type for the signs, in the order they are replaced.
_SIGNS = (("−", "-"), ("–", "-"), ("×", "*"), ("÷", "/"), ("^", "**"))
_BACKTICKS = re.compile(r"`([^`]*)`")
# Node kinds that are refused, named in words for the message.
_REFUSED_NAMES = {
    ast.Attribute: "a dot (attribute access)",
    ast.Subscript: "square brackets (indexing)",
    ast.Lambda: "lambda",
    ast.Compare: "a comparison",
    ast.BoolOp: "and / or",
    ast.IfExp: "if ... else",
    ast.List: "a list",
    ast.Tuple: "a comma outside a function's brackets",
    ast.Dict: "a dictionary",
    ast.Set: "a set",
    ast.ListComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.NamedExpr: "':='",
    ast.Starred: "'*' before a name",
    ast.JoinedStr: "text in quotes",
}


@dataclass(frozen=True)
class Formula:
    """A checked formula: its text (tidied) and the columns it reads, in order of appearance."""

    text: str
    columns: tuple[str, ...]


def _refuse(what: str) -> DataError:
    return DataError(
        f"{what[:1].upper()}{what[1:]} is not allowed in a formula. A formula can use {ALLOWED}."
    )


def _prepare(text: str, columns: Iterable[str]) -> tuple[str, dict[str, str]]:
    """Source text for ast: backticked names become placeholders, signs become Python's."""
    names = list(columns)
    placeholders: dict[str, str] = {}

    def quoted(match: re.Match) -> str:
        name = match.group(1)
        if name not in names:
            raise _unknown(name, names)
        key = f"_col{len(placeholders)}_"
        placeholders[key] = name
        return key

    if text.count("`") % 2:
        raise DataError("A backtick ` is not closed. Write column names as `Weight (kg)`.")
    source = _BACKTICKS.sub(quoted, text)
    for sign, python in _SIGNS:
        source = source.replace(sign, python)
    return source, placeholders


def _unreadable(text: str) -> str:
    """Why a formula does not parse, in the user's terms (Python's offsets count the text
    after backticks and signs were replaced, so they are not shown)."""
    opened, closed = text.count("("), text.count(")")
    if opened > closed:
        return f"{opened - closed} bracket(s) '(' are not closed."
    if closed > opened:
        return f"There are {closed - opened} more ')' than '('."
    last = text.rstrip()[-1:]
    if last in set("+-*/^×÷−–"):
        return f"The formula ends with '{last}': add the number or column it applies to."
    return "The formula could not be read: check that a sign stands between every two values."


def _unknown(name: str, columns: list[str]) -> DataError:
    close = difflib.get_close_matches(name, columns, n=3, cutoff=0.6)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return DataError(
        f"There is no column named '{name}'.{hint} Names with spaces or signs go between "
        "backticks: `Weight (kg)`."
    )


def parse(text: str, columns: Iterable[str]) -> tuple[ast.Expression, dict[str, str]]:
    """The checked tree of a formula and the column each name stands for; a DataError if the
    text is not a formula of the allowed parts."""
    text = " ".join(str(text or "").split())
    names = list(columns)
    if not text:
        raise DataError("Type a formula, for example weight / (height / 100)^2.")
    if len(text) > MAX_LENGTH:
        raise DataError(f"The formula is longer than {MAX_LENGTH} characters; shorten it.")
    source, placeholders = _prepare(text, names)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        raise DataError(f"{_unreadable(text)} A formula can use {ALLOWED}.") from None
    except (RecursionError, MemoryError, ValueError):
        raise DataError("The formula is nested too deeply; simplify it.") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise DataError("The formula is too long; split it into two new columns.")
    lookup = {n: n for n in names} | placeholders
    called = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
    for node in nodes:
        if id(node) not in called:  # a called name is checked with its call
            _check(node, lookup, names)
    return tree, lookup


def _check(node: ast.AST, lookup: dict[str, str], names: list[str]) -> None:
    if isinstance(node, ast.Expression | ast.operator | ast.unaryop | ast.expr_context):
        return  # an operator is checked with the BinOp or UnaryOp that holds it
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _OPERATORS:
            sign = {ast.FloorDiv: "//", ast.Mod: "%", ast.BitXor: "^", ast.MatMult: "@"}
            raise _refuse(f"The sign {sign.get(type(node.op), type(node.op).__name__)!r}")
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise _refuse("'not' or '~'")
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise _refuse("text in quotes" if isinstance(node.value, str) else repr(node.value))
        return
    if isinstance(node, ast.Name):
        if node.id in lookup:
            return
        if node.id in FUNCTIONS:
            raise DataError(f"{node.id} needs its value in brackets: {node.id}(crp).")
        raise _unknown(node.id, names)
    if isinstance(node, ast.Call):
        _check_call(node, lookup)
        return
    raise _refuse(_REFUSED_NAMES.get(type(node), type(node).__name__))


def _check_call(node: ast.Call, lookup: dict[str, str]) -> None:
    func = node.func
    if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
        called = func.id if isinstance(func, ast.Name) else ast.unparse(func)
        raise DataError(
            f"'{called}' is not a function a formula can use. Use one of: {', '.join(FUNCTIONS)}."
        )
    if node.keywords:
        raise _refuse("A named argument (name=value)")
    wanted = (1, 2) if func.id == "round" else (1,)
    if len(node.args) not in wanted:
        raise DataError(
            f"{func.id}() takes {' or '.join(map(str, wanted))} value(s) in its brackets, "
            f"not {len(node.args)}."
        )
    if func.id == "round" and len(node.args) == 2:
        digits = node.args[1]
        if not (isinstance(digits, ast.Constant) and type(digits.value) is int):
            raise DataError("round(x, digits): digits must be a whole number such as 1 or 2.")
        if not 0 <= digits.value <= 10:
            raise DataError("round(x, digits): digits must be between 0 and 10.")


def check(text: str, columns: Iterable[str]) -> Formula:
    """The formula checked against the columns: its tidy text and the columns it reads."""
    tree, lookup = parse(text, columns)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    names = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Name) and id(n) not in called and n.id in lookup
    ]
    used = [lookup[n.id] for n in sorted(names, key=lambda n: n.col_offset)]
    return Formula(" ".join(str(text).split()), tuple(dict.fromkeys(used)))


class _Evaluator:
    """Computes a checked tree on float arrays, counting values that are not computable."""

    def __init__(self, lookup: dict[str, str], values: Callable[[str], np.ndarray], n: int):
        self.lookup = lookup
        self.values = values
        self.n = n
        self.problems: dict[str, np.ndarray] = {}

    def flag(self, why: str, rows: np.ndarray) -> None:
        if why and rows.any():
            self.problems[why] = self.problems.get(why, np.zeros(self.n, bool)) | rows

    def run(self, node: ast.AST) -> np.ndarray:
        if isinstance(node, ast.Expression):
            return self.run(node.body)
        if isinstance(node, ast.Constant):
            return np.full(self.n, float(node.value))
        if isinstance(node, ast.Name):
            return self.values(self.lookup[node.id])
        if isinstance(node, ast.UnaryOp):
            value = self.run(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise _refuse(type(node).__name__)  # unreachable after parse(); kept as a guard

    def _binary(self, node: ast.BinOp) -> np.ndarray:
        left, right = self.run(node.left), self.run(node.right)
        known = ~np.isnan(left) & ~np.isnan(right)
        if isinstance(node.op, ast.Add):
            out = left + right
        elif isinstance(node.op, ast.Sub):
            out = left - right
        elif isinstance(node.op, ast.Mult):
            out = left * right
        elif isinstance(node.op, ast.Div):
            self.flag("division by zero", known & (right == 0))
            out = left / right
        else:
            out = np.power(left, right)
            self.flag("a power of a negative number", known & np.isnan(out))
        finite_in = known & np.isfinite(left) & np.isfinite(right)
        self.flag("a result too large", finite_in & np.isinf(out) & (right != 0))
        return out

    def _call(self, node: ast.Call) -> np.ndarray:
        name = node.func.id  # type: ignore[attr-defined]
        value = self.run(node.args[0])
        function, why = FUNCTIONS[name]
        if name == "round":
            digits = node.args[1].value if len(node.args) == 2 else 0  # type: ignore[attr-defined]
            return np.round(value, digits)
        out = function(value)
        self.flag(why, ~np.isnan(value) & ~np.isfinite(out))
        return out


def evaluate(
    text: str, columns: Iterable[str], values: Callable[[str], np.ndarray], n: int
) -> tuple[np.ndarray, dict[str, int]]:
    """The formula computed on whole columns: float64 values (not computable -> NaN) and how
    many rows each problem made missing. `values(column)` gives a column as float64."""
    tree, lookup = parse(text, columns)
    evaluator = _Evaluator(lookup, values, n)
    with np.errstate(all="ignore"):
        out = np.asarray(evaluator.run(tree), dtype=float)
    out = np.where(np.isfinite(out), out, np.nan)
    counts = {why: int(rows.sum()) for why, rows in evaluator.problems.items()}
    return out, counts
