"""The ``dualgrad`` command: argument parsing and the subcommands (``commands``), the words typed after them
(``words``) and the training recipes (``recipes``)."""

from .commands import demo, main, make_parser, trace_text, write_graph
from .recipes import RECIPES, Recipe, train
from .words import LECTURE, CommandError, lecture_example, parse_assignments

__all__ = ["main", "make_parser", "trace_text", "write_graph", "demo", "train", "RECIPES", "Recipe",
           "CommandError", "LECTURE", "lecture_example", "parse_assignments"]
