"""The ``dualgrad`` command: the command line (``parser``), what each subcommand does (``commands``; the quiz in
``quiz``), the words typed after them (``words``) and the training recipes (``recipes``)."""

from .commands import demo, trace_text, write_graph
from .parser import VERSION, main, make_parser
from .recipes import RECIPES, Recipe, train
from .words import LECTURE, CommandError, lecture_example, parse_assignments

__all__ = ["main", "make_parser", "VERSION", "trace_text", "write_graph", "demo", "train", "RECIPES", "Recipe",
           "CommandError", "LECTURE", "lecture_example", "parse_assignments"]
