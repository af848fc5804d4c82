"""Formulas typed by a person, read through a whitelist: numbers, variables, + - * / **, the known functions.

The text is parsed with ``ast`` and compiled into a Wengert list (one step per operation, repeated
sub-expressions shared, as the lecture's ``v3 = v1 v2``). Nothing is ever passed to ``eval``; every
refusal points at the offending text with a caret.
"""

from __future__ import annotations

import ast
import functools
import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from .finite import check_number
from .functions import apply, formula_functions, power
from .rule import RULES, Rule
from .typos import function_hint, syntax_hint
from .value import Value

__all__ = ["Formula", "FormulaError", "parse"]

# Python's binary operators, by the name of the method each calls (``x % y`` calls ``__mod__``) and the symbol.
# The rule of that name with a symbol is the operator in a formula, as it is for Values: a new operator row
# (``defrule(Rule("mod", 2, ..., symbol="%"))``) is parsed with no edit here.
_PYTHON: dict[type, tuple[str, str]] = {
    ast.Add: ("add", "+"), ast.Sub: ("sub", "-"), ast.Mult: ("mul", "*"), ast.Div: ("truediv", "/"),
    ast.Pow: ("pow", "**"), ast.FloorDiv: ("floordiv", "//"), ast.Mod: ("mod", "%"), ast.MatMult: ("matmul", "@"),
    ast.LShift: ("lshift", "<<"), ast.RShift: ("rshift", ">>"), ast.BitOr: ("or", "|"), ast.BitXor: ("xor", "^"),
    ast.BitAnd: ("and", "&")}


def _operator(op: ast.operator) -> Rule | None:
    """The rule a binary operator of a formula applies, or None when the table has none."""
    rule = RULES.get(_PYTHON[type(op)][0])
    return rule if rule is not None and rule.symbol else None


def _operators() -> str:
    return " ".join(r.symbol for r in RULES.values() if r.symbol)  # "+ - * / **"


def _operation(rule: Rule) -> Callable[..., Any]:
    if rule.name == "pow":
        return power  # a number exponent is the unary rule, so (-2) ** 2 and x ** 2 work at x < 0
    return functools.partial(apply, rule)
_LINES = re.compile(r"\r\n|\r|\n")


class Span(NamedTuple):
    """Where a piece of the formula sits: line (1-based), first and one-past-last column (characters)."""

    line: int
    col: int
    end_col: int


class FormulaError(ValueError):
    """A formula that was refused; ``str()`` shows the formula with a caret under the offending text."""

    def __init__(self, message: str, formula: str, span: Span) -> None:
        self.message, self.formula, self.span = message, formula, span
        super().__init__(f"{message}\n{caret(formula, span)}")


def caret(formula: str, span: Span) -> str:
    """The formula's line and a caret line under ``span`` (indented by two spaces).

    >>> print(caret("x1 + y.z", Span(1, 5, 8)))
      x1 + y.z
           ^^^
    """
    lines = _LINES.split(formula)
    line = lines[min(span.line, len(lines)) - 1].replace("\t", " ")
    return f"  {line}\n  {' ' * span.col}{'^' * max(1, span.end_col - span.col)}"


Ref = tuple[str, Any]
"""An operand of a step: ``("x", i)`` the i-th variable, ``("c", number)`` a constant, ``("s", i)`` step i."""


class _Step(NamedTuple):
    """One line of the Wengert list: ``function(*args)``."""

    function: Callable[..., Any]
    args: tuple[Ref, ...]
    span: Span


def _message(exc: BaseException) -> str:
    """The error's text, with Python's bare float-overflow message made readable."""
    return str(exc).replace("(34, 'Numerical result out of range')", "the result is too large for a float")


def _pointed(exc: Exception, where: str) -> Exception:
    try:
        return type(exc)(f"{_message(exc)}\n{where}")
    except TypeError:  # an exception class with a different constructor
        return ValueError(f"{_message(exc)}\n{where}")


class Formula:
    """A parsed formula: a Wengert list over its variables, evaluated on floats, Values or Duals.

    Attributes:
        text: the formula as typed.
        variables: the variable names, in order of first appearance.

    >>> f = parse("x1*x2 + exp(x1*x2) - sin(x2)")
    >>> f.variables
    ('x1', 'x2')
    >>> round(f(1.5, 0.5), 4)
    2.3876
    >>> from autograd import grad
    >>> [round(g, 4) for g in grad(f)(1.5, 0.5)]  # a Formula is a function of its variables, for every transform
    [1.5585, 3.7979]
    """

    def __init__(self, text: str, variables: tuple[str, ...], steps: list[_Step], output: Ref) -> None:
        self.text, self.variables = text, variables
        self._steps, self._output = steps, output

    def __call__(self, *args: Any) -> Any:
        """The formula at ``args`` (one per variable, in ``variables`` order): floats, Values or Duals."""
        if len(args) != len(self.variables):
            names = ", ".join(self.variables) or "none"
            raise TypeError(f"the formula takes {len(self.variables)} argument(s) ({names}), got {len(args)}")
        results: list[Any] = []

        def operand(ref: Ref) -> Any:
            kind, payload = ref
            return args[payload] if kind == "x" else (payload if kind == "c" else results[payload])

        for step in self._steps:
            try:
                results.append(step.function(*map(operand, step.args)))
            except (ArithmeticError, ValueError) as exc:  # the same error, pointing at the step that failed
                raise _pointed(exc, caret(self.text, step.span)) from exc
        return operand(self._output)

    def evaluate(self, **values: float) -> Value:
        """The output Value at the given point; the input Values are labelled with their names.

        Args:
            values: one number per variable, by name.

        Returns:
            the output node (a constant Value if the formula has no variables); ``.backward()`` it.

        >>> y = parse("x * x + 1").evaluate(x=3.0)
        >>> y.backward(); (y.data, y.parents[0].parents[0].label, y.parents[0].parents[0].grad)
        (10.0, 'x', 6.0)
        """
        unknown = [name for name in values if name not in self.variables]
        if unknown:
            known = ", ".join(self.variables) or "none"
            raise ValueError(f"no variable named {', '.join(unknown)} in the formula (its variables: {known})")
        missing = [name for name in self.variables if name not in values]
        if missing:
            raise ValueError(f"missing a value for {', '.join(missing)}")
        inputs = [Value(check_number(values[name], name), label=name) for name in self.variables]
        out = self(*inputs)
        return out if isinstance(out, Value) else Value(out)

    def __repr__(self) -> str:
        return f"Formula({self.text!r}, variables={self.variables!r})"


def parse(formula: str) -> Formula:
    """Read ``formula`` through the whitelist: numbers, variables, + - * / ** (unary - and +) and calls
    of ``autograd.functions.formula_functions()`` by name with positional arguments.

    Constant sub-expressions are computed once, here, in floats (so ``9 ** 9 ** 9`` is an immediate
    OverflowError, never a giant integer). Identical sub-expressions become one step.

    Args:
        formula: text such as ``"tanh(w*x + b)"`` or ``"leaky_relu(x, 0.1)"``.

    Returns:
        a ``Formula``.

    Raises:
        FormulaError: anything outside the whitelist, with a caret under it.

    >>> parse("x.real")
    Traceback (most recent call last):
    ...
    autograd.formula.FormulaError: attribute access is not allowed: 'x.real'
      x.real
      ^^^^^^
    """
    if not isinstance(formula, str):
        raise TypeError(f"a formula is a str, got {type(formula).__name__}")
    if not formula.strip():
        raise FormulaError("the formula is empty", formula, Span(1, 0, 1))
    stripped = formula.lstrip(" \t")  # the parser would call leading blanks an indent
    shift = len(formula) - len(stripped)
    try:
        with _collector_paused():
            tree = ast.parse(stripped, mode="eval")
    except SyntaxError as exc:
        line = exc.lineno or 1
        col = max(0, (exc.offset or 1) - 1)
        end = exc.end_offset - 1 if exc.end_offset and exc.end_lineno == line and exc.end_offset > col else col + 1
        moved = shift if line == 1 else 0
        lines = _LINES.split(formula)
        hint = syntax_hint(lines[0], exc.msg, formula_functions()) if len(lines) == 1 else None
        if hint is not None:  # plain words and the fix ("write 2*x for a product") instead of Python's grammar
            raise FormulaError(f"not a formula: {hint.message}", formula, Span(1, hint.col, hint.end_col)) from None
        raise FormulaError(f"not a formula: {exc.msg}", formula, Span(line, col + moved, end + moved)) from None
    except (RecursionError, MemoryError, ValueError) as exc:
        message = str(exc) if isinstance(exc, ValueError) else (
            "too deeply nested or too long for Python's parser (about 1000 operations in a row at most; "
            "group a long sum in parentheses, (a + b) + (c + d))")
        raise FormulaError(f"not a formula: {message}", formula, Span(1, 0, len(formula))) from None
    with _collector_paused():
        return _Compiler(formula, shift).compile(tree.body)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a long formula makes hundreds of thousands of tree nodes, none of
    them garbage yet, and the collector's passes over them would take most of the time (660 KB: 2.4 s -> 1.3 s)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Compiler:
    """Walks the tree children-first without recursion, emitting steps and folding constants."""

    def __init__(self, text: str, shift: int) -> None:
        self.text, self.shift = text, shift  # shift: the leading blanks the parser did not see
        self.lines = _LINES.split(text)
        self.columns: dict[int, list[int] | None] = {}  # line -> character column of each UTF-8 byte
        self.variables: dict[str, int] = {}
        self.steps: list[_Step] = []
        self.shared: dict[tuple[Any, ...], Ref] = {}  # (name, *operands) -> its step: one per sub-expression
        self.functions = formula_functions()  # read once: the table is rebuilt on each call

    def compile(self, root: ast.expr) -> Formula:
        refs: dict[int, Ref] = {}  # id(node) -> the operand it compiled to
        stack: list[tuple[ast.AST, bool]] = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if ready:
                refs[id(node)] = self.emit(node, refs)
            else:
                children = self.check(node)
                if not children:  # a name or a number: nothing to wait for
                    refs[id(node)] = self.emit(node, refs)
                    continue
                stack.append((node, True))
                stack.extend([(child, False) for child in reversed(children)])
        return Formula(self.text, tuple(self.variables), self.steps, refs[id(root)])

    def column(self, line: int, byte: int) -> int:
        """The character column of a UTF-8 byte offset on a line (the AST counts bytes, people characters)."""
        if line not in self.columns:  # once per line: converting per node made long formulas quadratic
            text = self.lines[line - 1][self.shift if line == 1 else 0:]
            self.columns[line] = None if text.isascii() else [
                col for col, char in enumerate(text) for _ in range(len(char.encode()))] + [len(text)]
        table = self.columns[line]
        moved = self.shift if line == 1 else 0
        return moved + (byte if table is None else table[min(byte, len(table) - 1)])

    def span(self, node: ast.AST) -> Span:
        """The node's position in characters."""
        line = getattr(node, "lineno", 1)
        col = self.column(line, getattr(node, "col_offset", 0))
        end_byte = getattr(node, "end_col_offset", None)
        if getattr(node, "end_lineno", line) != line or end_byte is None:
            return Span(line, col, len(self.lines[line - 1]))
        return Span(line, col, self.column(line, end_byte))

    def piece(self, span: Span) -> str:
        return self.lines[min(span.line, len(self.lines)) - 1][span.col:span.end_col]

    def refuse(self, message: str, node: ast.AST, span: Span | None = None, quote: bool = True) -> FormulaError:
        span = span or self.span(node)
        return FormulaError(f"{message}: {self.piece(span)!r}" if quote else message, self.text, span)

    def check(self, node: ast.AST) -> list[ast.AST]:
        """Refuse anything outside the whitelist; return the children to compile first."""
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise self.refuse(f"only real numbers are allowed, not a {type(node.value).__name__}", node)
            return []
        if isinstance(node, ast.Name):
            if node.id in self.functions:
                raise self.refuse(f"{node.id} is a function: call it as {node.id}(...)", node)
            return []
        if isinstance(node, ast.BinOp):
            if _operator(node.op) is None:
                hint = ", and '^' is not a power: write x**2 for x squared" if isinstance(node.op, ast.BitXor) else ""
                raise self.refuse(f"only {_operators()} are allowed{hint}", node, self.operator_span(node),
                                  quote=not hint)
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                span = self.span(node)
                width = 3 if isinstance(node.op, ast.Not) else 1
                raise self.refuse("only unary - and + are allowed", node, span._replace(end_col=span.col + width))
            return [node.operand]
        if isinstance(node, ast.Call):
            return self.check_call(node)
        kind = {ast.Attribute: "attribute access", ast.Subscript: "indexing", ast.Compare: "a comparison",
                ast.Lambda: "a lambda", ast.NamedExpr: "an assignment", ast.BoolOp: "and/or",
                ast.IfExp: "if/else", ast.Starred: "unpacking", ast.JoinedStr: "an f-string",
                ast.Tuple: "a tuple", ast.List: "a list", ast.Dict: "a dict", ast.Set: "a set"}.get(type(node))
        raise self.refuse(f"{kind or type(node).__name__ + ' syntax'} is not allowed", node)

    def check_call(self, node: ast.Call) -> list[ast.AST]:
        if isinstance(node.func, ast.Attribute):
            raise self.refuse("attribute access is not allowed", node.func)
        if not isinstance(node.func, ast.Name):
            fix = (f"write {self.piece(self.span(node.func))}*(...)" if isinstance(node.func, ast.Constant)
                   else "put a * between ')' and '('")
            raise self.refuse(f"only functions called by name are allowed; for a product {fix}", node.func,
                              quote=False)
        name = node.func.id
        if name not in self.functions:
            raise self.refuse(function_hint(name, self.functions), node.func, quote=False)
        if node.keywords:
            raise self.refuse(f"{name} takes positional arguments only", node.keywords[0])
        _, _, fewest, most = self.functions[name]
        if not fewest <= len(node.args) <= most:
            count = str(fewest) if fewest == most else f"{fewest} to {most}"
            raise self.refuse(f"{name} takes {count} argument(s), got {len(node.args)}", node)
        return list(node.args)

    def operator_span(self, node: ast.BinOp) -> Span:
        """The operator between the operands: the AST gives operators no position of their own."""
        span, left, right = self.span(node), self.span(node.left), self.span(node.right)
        symbol = _PYTHON[type(node.op)][1]
        if left.line == right.line == span.line and symbol:
            found = self.lines[span.line - 1].find(symbol, left.end_col, right.col)
            if found >= 0:
                return Span(span.line, found, found + len(symbol))
        return span

    def emit(self, node: ast.AST, refs: dict[int, Ref]) -> Ref:
        """The operand a checked node compiles to, its children being compiled already."""
        if isinstance(node, ast.Name):
            return ("x", self.variables.setdefault(node.id, len(self.variables)))
        if isinstance(node, ast.Constant):
            try:
                assert isinstance(node.value, (int, float))  # check() let no other constant through
                return ("c", check_number(float(node.value), "a formula constant"))
            except (OverflowError, ValueError):
                raise self.refuse("this number is too large for a float", node) from None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
            return refs[id(node.operand)]
        args: tuple[Ref, ...]
        if isinstance(node, ast.BinOp):
            rule = _operator(node.op)
            assert rule is not None  # check() refused the rest
            name, args, function = rule.name, (refs[id(node.left)], refs[id(node.right)]), _operation(rule)
        elif isinstance(node, ast.UnaryOp):
            name, args, function = "neg", (refs[id(node.operand)],), _operation(RULES["neg"])
        else:
            assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            name = node.func.id
            function, inputs, _, _ = self.functions[name]
            args = tuple(refs[id(a)] for a in node.args)
            for arg, ref in zip(node.args[inputs:], args[inputs:]):
                if ref[0] != "c":
                    raise self.refuse(f"the parameter of {name} must be a number", arg)
        if all(kind == "c" for kind, _ in args):  # fold: compute it now, in floats, never in big integers
            try:
                return ("c", function(*[value for _, value in args]))
            except (ArithmeticError, ValueError) as exc:
                raise FormulaError(_message(exc), self.text, self.span(node)) from None
        key = (name, *((kind, payload.hex()) if kind == "c" else (kind, payload) for kind, payload in args))
        shared = self.shared.get(key)
        if shared is None:  # a new sub-expression: its position is worked out only now, once
            self.steps.append(_Step(function, args, self.span(node)))
            shared = self.shared[key] = ("s", len(self.steps) - 1)
        return shared

