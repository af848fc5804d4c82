"""Reverse mode: the one topological walk and the one reverse sweep, and ``backward()`` built on them.

``sweep`` passes each node's adjoint to its parents, ``parent.grad += node.grad * partial``, last node first.
``backward()`` runs it on the graph itself; everything that must not touch ``.grad`` (the trace tables,
step-through, the transforms, a differentiable backward) runs it on ``Adjoint`` stand-ins, one per node.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from typing import Any

from .finite import check_number

__all__ = ["walk", "topological_order", "sweep", "adjoints", "backward", "GradientNotFinite", "StaleGraphError",
           "Adjoint", "ZERO", "ONE", "careful_adjoints", "LARGE", "mark_large", "mark_written"]

_by_creation = attrgetter("serial")
_grad_of = attrgetter("grad")


class GradientNotFinite(FloatingPointError):
    """A gradient became NaN or infinite; the message names the node where it arose and its operation."""


class StaleGraphError(RuntimeError):
    """A number the graph was built from changed afterwards (``x.data = ...``): its partials are stale."""


_last_written = 0  # the serial of the latest .data assignment anywhere (see mark_written)

LARGE = 1e150
"""Numbers (data, partials, parameters, seeds) at least this large send backward() the exact way (below)."""
_large_since: float = 0  # the latest serial at which a large number was made (inf: a leaf holds one)


def mark_large(serial: float) -> None:
    """Record that a number of size >= LARGE (or a non-finite partial) appeared at ``serial``: graphs made since
    ``serial - 1`` take the exact backward; ``math.inf`` for a number that persists (a leaf's, a parameter's)."""
    global _large_since
    _large_since = max(_large_since, serial)


def mark_written(node: Any, serial: int) -> None:
    """Record that ``node.data`` was set at ``serial``: a graph whose nodes were all made later cannot be stale,
    so backward() looks for stale edges only when a write came after its oldest node."""
    global _last_written
    node._written = _last_written = serial


def walk(root: Any, fresh: bool = False, stop: Iterable[Any] = (), zero: bool = False,
         leaves: bool = True) -> tuple[list[Any], list[Any]]:
    """The one graph walk: the nodes with parents that ``root`` depends on, in the order they were made (a
    topological order, since a node is made after its parents), and the leaves they read (one read by several
    nodes appears once per reader). Iterative, so a graph a million nodes deep is fine.

    Args:
        root: the output node (or a list of them).
        fresh: raise ``StaleGraphError`` if a leaf's ``.data`` was set after a node reading it was made.
        stop: nodes whose parents are not visited (they count as leaves).
        zero: set the ``.grad`` of every node with parents to 0 on the way (backward's fresh start).
        leaves: collect the leaves at all (backward's fast way needs none).
    """
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    found = list(stop)
    seen = set(roots)
    seen.update(found)
    internal = [r for r in roots if r.parents and r not in found]
    found += [r for r in roots if not r.parents]
    push, read, add = internal.append, found.append, seen.add
    for node in internal:  # breadth first: the loop also visits the nodes appended while it runs
        if zero:
            node.grad = 0.0
        for parent in node.parents:
            if parent.parents:
                if parent not in seen:
                    add(parent)
                    push(parent)
            elif leaves:
                read(parent)
    internal.sort(key=_by_creation)
    if fresh and internal and _last_written > internal[0].serial:  # a write since this graph began: look
        for node in internal:
            for parent in node.parents:
                if not parent.parents and parent.written > node.serial:
                    raise StaleGraphError(_stale(parent, node))
    return internal, found


def topological_order(root: Any, stop: Iterable[Any] = ()) -> list[Any]:
    """Every node ``root`` depends on, itself last, in the order they were made (see ``walk``).

    >>> from autograd import Value
    >>> x = Value(2.0, label="x"); y = x * x + 1
    >>> [n.op or n.label for n in topological_order(y)]
    ['x', 'mul', 'const', 'add']
    """
    internal, leaves = walk(root, stop=stop)
    return sorted(internal + list(dict.fromkeys(leaves)), key=_by_creation)


def sweep(order: list[Any]) -> bool:
    """The reverse sweep: for each node, last made first, ``parent.grad += node.grad * partial``.

    ``+=`` because a node may feed several children: its adjoint is the sum over all paths. A node whose
    adjoint is exactly zero passes nothing on (so an infinite partial times 0 never makes a NaN).

    Returns:
        True when every adjoint passed on was below ``LARGE`` in size (``backward``'s fast way rests on it).
    """
    moderate, low, high = True, -LARGE, LARGE
    for node in reversed(order):
        out_bar = node.grad
        if out_bar:
            if moderate and not low < out_bar < high:  # NaN and infinities fail this too
                moderate = False
            parents = node.parents
            arity = len(parents)
            if arity == 2:  # one and two operands unrolled: it halves the time of this loop on chains
                a, b = parents
                partial_a, partial_b = node.partials
                a.grad += out_bar * partial_a
                b.grad += out_bar * partial_b
            elif arity == 1:
                parents[0].grad += out_bar * node.partials[0]
            else:
                for parent, partial in zip(parents, node.partials):
                    parent.grad += out_bar * partial
    return moderate


class _Zero:
    """The adjoint of a node nothing reached yet: ``ZERO + v`` is ``v``, so a differentiable backward makes no
    ``0 + v`` nodes; it is falsy, so the sweep skips it."""

    __slots__ = ()

    def __add__(self, other: Any) -> Any:
        return other

    __radd__ = __add__

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "ZERO"


class _One:
    """The seed 1 of a differentiable backward: ``ONE * partial`` is ``partial`` (no ``1 * v`` nodes)."""

    __slots__ = ()

    def __mul__(self, other: Any) -> Any:
        return other

    __rmul__ = __mul__

    def __lt__(self, other: Any) -> bool:
        return bool(1.0 < other)

    def __gt__(self, other: Any) -> bool:
        return bool(1.0 > other)

    def __repr__(self) -> str:
        return "ONE"


ZERO, ONE = _Zero(), _One()


class Adjoint:
    """A stand-in for one node in a sweep that must leave ``.grad`` alone: its own ``grad``, its parents' stand-ins
    and the partials to use (the node's floats, or Values for a differentiable sweep)."""

    __slots__ = ("node", "grad", "parents", "partials")

    def __init__(self, node: Any) -> None:
        self.node = node
        self.grad: Any = ZERO
        self.parents: tuple[Adjoint, ...] = ()
        self.partials: tuple[Any, ...] = node.partials


def adjoints(root: Any, seed: Any = 1.0, create_graph: bool = False, stop: Iterable[Any] = (),
             order: list[Any] | None = None) -> dict[Any, Any]:
    """``d root / d node`` for every node of ``root``'s graph, computed apart from ``.grad`` (which is untouched).

    Args:
        root: the output node.
        seed: the adjoint of ``root``.
        create_graph: the adjoints as Values (partials evaluated on Values from the rule table), so they can be
            differentiated again; else floats from the stored partials.
        stop: nodes whose parents are not visited.
        order: the walk, when the caller has it already.

    Returns:
        ``{node: adjoint}`` for every node visited; 0.0 where nothing reached.
    """
    order = topological_order(root, stop=stop) if order is None else order
    # a differentiable sweep evaluates each row's partials on the nodes themselves: Values, so derivatives of them
    mirror = _stand_ins(order, stop, (lambda node: node.rule.partials(node, *node.parents)) if create_graph else None)
    mirror[root].grad = ONE if create_graph and seed == 1.0 and type(seed) is float else seed
    sweep([mirror[n] for n in order])
    return {node: _plain(m.grad) for node, m in mirror.items()}


def _stand_ins(order: list[Any], stop: Iterable[Any], partials: Any = None) -> dict[Any, Adjoint]:
    """An Adjoint for each node of ``order``, linked to its parents' (except below ``stop``), with
    ``partials(node)`` in place of the stored partials when given."""
    mirror = {node: Adjoint(node) for node in order}
    stops = set(stop)
    for node in order:
        if node.parents and node not in stops:
            m = mirror[node]
            m.parents = tuple(mirror[p] for p in node.parents)
            if partials is not None:
                m.partials = partials(node)
    return mirror


def _plain(g: Any) -> Any:
    return 0.0 if g is ZERO else (1.0 if g is ONE else g)


def backward(root: Any, seed: Any, create_graph: bool) -> None:
    """``root.backward(seed, create_graph)`` (see ``Value.backward``): the sweep on the graph itself, checked.

    No gradient may be NaN or infinite. The fast way: when no number of the graph or the seed is as large as
    ``LARGE`` (1e150) and no partial could overflow (the rules that can check theirs when a node is made), then
    every contribution to an input is an adjoint times a partial; if each adjoint is below LARGE too (checked on
    the nodes with parents after the sweep), each product is below 1e300 and no input's grad can overflow. The
    exact way, taken otherwise: the inputs' grads are kept first; if a NaN or infinity reached one, they get
    their old grads back and ``careful_adjoints`` computes the gradients again (or names where they fail).
    """
    seed = _check_seed(seed, create_graph)
    order, leaves = walk(root, fresh=True, zero=not create_graph, leaves=create_graph)
    if not order:  # a leaf: its own adjoint
        root.grad = seed if create_graph and type(root.grad) is float and root.grad == 0.0 else root.grad + seed
        return
    if create_graph:
        leaves = list(dict.fromkeys(leaves))
        found = adjoints(root, seed, create_graph=True, order=order + leaves)
        for node in order:
            node.grad = found[node]
        for leaf in leaves:
            g = found[leaf]
            if not (type(g) is float and g == 0.0):
                leaf.grad = g if type(leaf.grad) is float and leaf.grad == 0.0 else leaf.grad + g
        return
    if _large_since >= order[0].serial - 1 or not -LARGE < seed < LARGE:
        _exact(root, seed, order)
        return
    root.grad = seed
    if sweep(order):
        return  # every adjoint below LARGE: every input's grad is finite (see above)
    inputs = _inputs(order)
    if all(g - g == 0.0 for g in map(_grad_of, inputs)):
        return  # large gradients, but finite
    spoiled = " (the inputs' .grad now hold what this backward passed them: zero_grad() before using them)"
    try:  # no partial of this graph overflowed (see above), so the careful way fails the same: it names where
        careful_adjoints(root, seed, topological_order(root))
    except GradientNotFinite as error:
        raise GradientNotFinite(f"{error}{spoiled}") from None
    raise GradientNotFinite(f"backward: a gradient is not finite{spoiled}")  # pragma: no cover


def _inputs(order: list[Any]) -> list[Any]:
    """The leaves (inputs, parameters, constants) read by ``order``'s nodes, once each."""
    return list({p for node in order for p in node.parents if not p.parents})


def _exact(root: Any, seed: float, order: list[Any]) -> None:
    """The sweep with the inputs' grads kept first: on a NaN or infinity they get them back and
    ``careful_adjoints`` computes every gradient again (or raises, naming where it fails)."""
    leaves = _inputs(order)
    before = list(map(_grad_of, leaves))
    root.grad = seed
    sweep(order)
    total = sum(map(_grad_of, leaves)) + sum(map(_grad_of, order))
    if total - total == 0.0:
        return
    for leaf, old in zip(leaves, before):
        leaf.grad = old
    for node in order:
        node.grad = 0.0
    found = careful_adjoints(root, seed, topological_order(root))
    for node in order:
        node.grad = found[node]
    for leaf in leaves:
        leaf.grad += found[leaf]


def _check_seed(seed: Any, create_graph: bool) -> Any:
    if hasattr(seed, "parents") and hasattr(seed, "grad"):
        if not create_graph:
            raise TypeError("backward(grad=Value): a Value seed makes sense only with create_graph=True; pass "
                            "a number (float(v) or v.data), or add create_graph=True")
        return seed
    return check_number(seed, "backward's seed (grad=)")


def _careful_partials(node: Any) -> tuple[Any, ...]:
    if node.rule.adjoint is not None and any(p - p != 0.0 for p in node.partials):
        return tuple(_Careful(node, i) for i in range(len(node.partials)))
    return node.partials  # type: ignore[no-any-return]


class _Careful:
    """A partial that overflowed as a float: multiplied by the adjoint through the rule's ``adjoint`` form."""

    __slots__ = ("node", "index")

    def __init__(self, node: Any, index: int) -> None:
        self.node, self.index = node, index

    def __rmul__(self, out_bar: float) -> float:
        node = self.node
        try:
            return node.rule.adjoint(out_bar, node.data, *[p.data for p in node.parents])[self.index]  # type: ignore
        except ArithmeticError:  # at a point where even the careful product has no finite value
            return out_bar * node.partials[self.index]  # type: ignore[no-any-return]


def careful_adjoints(root: Any, seed: float, order: list[Any], stop: Iterable[Any] = ()) -> dict[Any, float]:
    """``adjoints`` again where the fast sweep met a NaN or infinity: products ``out_bar * partial`` whose partial
    overflowed are formed through the rule's ``adjoint`` (``out_bar / x`` for log). Returns them when all are
    finite, else raises ``GradientNotFinite`` naming the first node where an adjoint became non-finite.

    Args:
        root: the output node; seed: its adjoint; order: its nodes in creation order, leaves included;
        stop: nodes whose parents are not visited.
    """
    mirror = _stand_ins(order, stop, _careful_partials)
    stops = set(stop)
    mirror[root].grad = seed
    sweep([mirror[n] for n in order])
    found = {node: _plain(m.grad) for node, m in mirror.items()}
    if any(g - g != 0.0 for g in found.values()):
        raise GradientNotFinite(_diagnose([n for n in order if n.parents and n not in stops], found))
    return found


def _diagnose(order: list[Any], found: dict[Any, float]) -> str:
    for node in reversed(order):  # the sweep's order: the first place a number went wrong
        out_bar = found[node]
        if out_bar - out_bar != 0.0:
            return (f"backward: the adjoint of {_describe(node)} is {out_bar} (the sum of what its children passed "
                    "overflowed)")
        if not out_bar:
            continue
        for i, (parent, partial) in enumerate(zip(node.parents, node.partials)):
            amount = out_bar * partial
            if amount - amount != 0.0:
                return (f"backward: {_describe(node)} passes {amount} to its operand {i + 1} ({_describe(parent)}): "
                        f"its adjoint {out_bar:.6g} times its partial {partial} is not finite; the derivative is "
                        "not a finite number there (move the point away from the edge of the domain)")
    return "backward: a gradient is not finite"  # pragma: no cover - a leaf's sum overflowed, named above


def _describe(node: Any) -> str:
    name = f"{node.label!r} " if node.label else ""
    if node.rule is None or not node.parents:
        return f"the input {name}(data {node.data:.6g})".replace("  ", " ")
    operands = ", ".join(f"{p.data:.6g}" for p in node.parents)
    return f"the node {name}{node.rule.title}({operands}) = {node.data:.6g}"


def _stale(parent: Any, node: Any) -> str:
    name = f"{parent.label!r}" if parent.label else f"with data {parent.data:.6g}"
    return (f"backward: the Value {name} was changed (its .data set) after the node {node.rule.title} reading it "
            "was built, so the graph's partials are stale; build the graph again from the new numbers (run the "
            "forward pass again after changing .data)")
