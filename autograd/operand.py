"""What Value and Dual share: every rule of the table becomes their methods and operators, and mixed
operands are sorted out here.

Each kind of number (Value, Dual, and the compiled path's traced Value) registers with ``kind``; it makes
its own fast methods for a rule (``method_for``, ``operators_for``) and its generic node (``apply_rule``).
``on_new_rule`` installs them for every rule of ``RULES``, built-in or added later with ``defrule``.
Mixed operands go to the kind of the highest ``level``: a Dual wraps a Value (a Dual of Values), an inner
derivative's Dual wraps an outer one's (tags), a plain number is lifted to a constant.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .finite import check_number, is_number
from .rule import RULES, Rule, on_new_rule

__all__ = ["Operand", "kind", "evaluate", "power"]


class Operand:
    """Mixin of the number types that record derivatives. A subclass defines:

    - ``level``: an int (attribute or property); mixed operands go to the kind of the highest one;
    - ``_lift(self, x)``: ``x`` as an operand of its kind, or ``NotImplemented``;
    - ``apply_rule(rule, args)`` (a staticmethod): the generic node ``rule(*args)``;
    - ``method_for(rule)`` and ``operators_for(rule)``: its fast methods for one rule.
    """

    __slots__ = ()
    __array_ufunc__ = None  # numpy scalars and arrays defer to our reflected operators

    if TYPE_CHECKING:  # for the type checker only: the methods come from the rule table (on_new_rule below)
        def __getattr__(self, name: str) -> Any: ...  # exp, tanh, relu, leaky_relu, ...
        # Python looks operators up on the class, so a checker needs them spelled out; at run time each is the
        # row with that symbol (add +, sub -, mul *, truediv /) or neg/pos/abs, installed like the methods
        def __add__(self, other: Any) -> Any: ...
        def __radd__(self, other: Any) -> Any: ...
        def __sub__(self, other: Any) -> Any: ...
        def __rsub__(self, other: Any) -> Any: ...
        def __mul__(self, other: Any) -> Any: ...
        def __rmul__(self, other: Any) -> Any: ...
        def __truediv__(self, other: Any) -> Any: ...
        def __rtruediv__(self, other: Any) -> Any: ...
        def __neg__(self) -> Any: ...
        def __pos__(self) -> Any: ...
        def __abs__(self) -> Any: ...

    level = 0

    def __pow__(self, other: Any) -> Any:
        """self ** other: a number exponent is the one-operand rule ``power`` (so (-2) ** 2 works)."""
        return power(self, other)

    def __rpow__(self, other: Any) -> Any:
        """other ** self"""
        if not is_number(other):
            return NotImplemented
        return evaluate(RULES["pow"], (other, self))


_KINDS: list[type] = []


def kind(cls: type) -> type:
    """Register a number type: it gets every rule's methods now and every later rule's as it is added."""
    _KINDS.append(cls)
    for rule in RULES.values():
        _install(cls, rule)
    return cls


def _install(cls: type, rule: Rule) -> None:
    names = list(rule.methods)
    if rule.symbol and rule.name != "pow":  # pow's operators dispatch on the exponent: Operand.__pow__
        names += [f"__{rule.name}__", f"__r{rule.name}__"]
    if RULES.get(rule.name) is not rule:  # forgotten
        for name in names:
            if name in cls.__dict__:
                delattr(cls, name)
        return
    for name in rule.methods:
        setattr(cls, name, _method(cls, rule, name))
    if rule.symbol and rule.name != "pow":
        forward, reflected = cls.operators_for(rule)  # type: ignore[attr-defined]
        setattr(cls, f"__{rule.name}__", forward)
        setattr(cls, f"__r{rule.name}__", reflected)


def _method(cls: type, rule: Rule, name: str) -> Callable[..., Any]:
    """The method ``name`` of ``cls`` for ``rule``: its kind's fast one, or one taking operands and parameters."""
    if rule.arity == 1 and not rule.params:
        method = cls.method_for(rule)  # type: ignore[attr-defined]
    elif rule.params:
        default = rule.bind() if all(p.default is not None for p in rule.params) else None
        fast = cls.method_for(default) if default is not None else None  # type: ignore[attr-defined]

        def method(self: Any, *args: Any, **params: Any) -> Any:
            operands, values = args[:(rule.arity or 1) - 1], args[(rule.arity or 1) - 1:]
            if not values and not params and fast is not None and not operands:
                return fast(self)
            values += tuple(params.pop(p.name) for p in rule.params[len(values):] if p.name in params)
            if params:
                raise TypeError(f"{name}() got unknown parameters: {', '.join(params)}")
            return evaluate(rule.bind(*[check_number(v, f"{rule.name} {p.name}")
                                        for v, p in zip(values, rule.params)]), (self, *operands))
    else:
        def method(self: Any, *operands: Any) -> Any:
            return evaluate(rule, (self, *operands))
    method.__name__ = method.__qualname__ = name
    defaults = ", ".join(f"{p.name}={p.default:g}" if p.default is not None else p.name for p in rule.params)
    method.__doc__ = (f"{rule.name}(self{', ' + defaults if defaults else ''}); {rule.math}"
                      + (f"; {rule.kink}" if rule.kink else ""))
    return method


def evaluate(rule: Rule, args: tuple[Any, ...]) -> Any:
    """``rule(*args)`` on any mix of numbers, Values and Duals: a float when all are numbers (checked as a node
    would be), else a node of the kind with the highest level, the others lifted into it.

    >>> from autograd import Value
    >>> evaluate(RULES["mul"], (3.0, 4.0)), evaluate(RULES["mul"], (Value(3.0), 4.0)).data
    (12.0, 12.0)
    """
    top = None
    for a in args:
        if isinstance(a, Operand) and (top is None or a.level > top.level):
            top = a
    if top is None:
        return rule.compute(*[check_number(a, f"{rule.title} operand {i + 1}") for i, a in enumerate(args)])
    lifted = tuple(a if a is top else top._lift(a) for a in args)  # type: ignore[attr-defined]
    for original, a in zip(args, lifted):
        if a is NotImplemented:
            raise TypeError(f"{rule.title}: an operand must be a number or a {type(top).__name__}, got "
                            f"{type(original).__name__} ({original!r:.60})")
    return type(top).apply_rule(rule, lifted)  # type: ignore[attr-defined]


def power(x: Any, y: Any) -> Any:
    """``x ** y`` for numbers, Values or Duals: a number exponent is the one-operand rule ``power`` (so a
    negative base works for integer powers), an operand exponent the two-operand ``pow``.

    >>> from autograd import Value
    >>> power(Value(-2.0), 2).data, power(2.0, 3.0)
    (4.0, 8.0)
    """
    if is_number(y):
        exponent = check_number(y, "pow exponent")
        if isinstance(x, Operand):  # x ** 2 in a loss: the member's fast method, made once per kind and exponent
            return _power_method(type(x), exponent)(x)  # type: ignore[arg-type]
        return evaluate(RULES["power"].bind(exponent), (x,))
    if not isinstance(y, Operand):
        return NotImplemented
    return evaluate(RULES["pow"], (x, y))


@functools.lru_cache(maxsize=1024)
def _power_method(cls: type, exponent: float) -> Callable[[Any], Any]:
    """The one-operand method of ``cls`` for the member ``power(exponent)``, as ``method_for`` makes it for a
    rule's methods (binding and the generic ``evaluate`` cost eight times a multiplication)."""
    return cls.method_for(RULES["power"].bind(exponent))  # type: ignore[attr-defined, no-any-return]


def _install_everywhere(rule: Rule) -> None:
    for cls in _KINDS:
        _install(cls, rule)


on_new_rule(_install_everywhere)
