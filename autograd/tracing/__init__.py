"""The evaluation trace (Wengert list) of a graph: its entries, tables, notation and step-through backprop.

``wengert`` numbers the nodes v1 ... vn, ``tables`` holds the rows and prints them, ``notation`` writes each
operation and its partials in v-names, ``steps`` replays the reverse sweep one node at a time. Everything
here is read-only: it never changes a node's ``.grad``.
"""

from .steps import Step
from .tables import Contribution, ForwardRow, ReverseRow, Table
from .wengert import Entry, Trace, trace

__all__ = ["trace", "Trace", "Entry", "Table", "ForwardRow", "ReverseRow", "Contribution", "Step"]
