"""Model files: the JSON a model is saved as (its class, architecture and weights) and how it is read back.

A file names its class; ``load`` finds it among the Module subclasses defined in this process (never
importing anything by name), rebuilds it from its ``config()`` and loads the weights, each checked
before anything is assigned. Writing and reading go through ``nn.files`` (atomic, size and depth limits).
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, overload

from .files import MAX_FILE_BYTES, read_json, write_text

if TYPE_CHECKING:
    from .module import Module

__all__ = ["save", "load", "load_weights", "register", "ClassOrModel", "FILE_FORMAT", "FILE_VERSION", "MODELS"]

FILE_FORMAT = "dualgrad.nn"
FILE_VERSION = 2  # 2 adds the architecture ("config"); version 1 files (weights only) load with load_weights
READABLE_VERSIONS = (1, 2)
COSMETIC = ("name", "label", "lr")  # labels and training settings: not part of the function a model computes
M = TypeVar("M", bound="Module")
Path = str | os.PathLike[str]

# Every Module subclass by (module, qualified name): the only classes a file can name.
MODELS: dict[tuple[str, str], type[Module]] = {}


def register(cls: type[Module]) -> None:
    """Make a Module subclass loadable by name (``Module.__init_subclass__`` calls this for every subclass)."""
    MODELS[(cls.__module__, cls.__qualname__)] = cls  # a class defined again (a notebook cell) replaces itself


def save(model: Module, path: Path) -> None:
    """Write ``model``'s class, architecture (``config()``) and parameters to ``path`` (``Module.save``)."""
    try:
        config, reason = model.config(), None
    except ValueError as error:
        config, reason = None, str(error)
        warnings.warn(f"{path}: saved the parameters only, not the architecture: {reason}", stacklevel=3)
    cls = type(model)
    document: dict[str, Any] = {"format": FILE_FORMAT, "version": FILE_VERSION, "class": cls.__qualname__,
                                "module": cls.__module__, "config": config,
                                "num_parameters": model.num_parameters(), "parameters": model.state_dict()}
    if reason is not None:
        document["config_missing"] = reason
    write_text(path, json.dumps(document, indent=1, allow_nan=False) + "\n")


def load_weights(model: Module, path: Path, max_bytes: int = MAX_FILE_BYTES) -> None:
    """Load the parameters saved in ``path`` into ``model`` (``Module.load_weights``), or change nothing."""
    with _naming(path):
        document = _document(path, max_bytes)
        held = document["class"]
        if held != type(model).__qualname__:
            raise ValueError(f"the file holds a {held!r}, this model is a {type(model).__qualname__!r}")
        parameters = document["parameters"]
        if isinstance(parameters, dict) and set(parameters) == {name for name, _ in model.named_parameters()}:
            _same_architecture(document.get("config"), model)  # same shape: is it the same function?
        model.load_state_dict(parameters)


class ClassOrModel:
    """``load``, which reads a model file: on a class it builds a new model, on a model it loads into it.

    ``MLP.load(path)`` (and ``nn.load(path)``, for any class) rebuilds the saved model: its class, its
    architecture, its weights. ``model.load(path)`` is ``model.load_weights(path)``: the parameters go into
    this model, whose architecture must be the file's. Either way the result holds the file's weights.
    """

    @overload
    def __get__(self, model: None, cls: type[M]) -> Callable[..., M]: ...

    @overload
    def __get__(self, model: M, cls: type[M]) -> Callable[..., M]: ...

    def __get__(self, model: M | None, cls: type[M]) -> Callable[..., M]:
        if model is not None:
            return model.load_weights

        def load(path: Path, max_bytes: int = MAX_FILE_BYTES) -> M:
            """A new model rebuilt from ``path``: the file's class (this one or a subclass), architecture, weights."""
            return build(cls, path, max_bytes)  # type: ignore[no-any-return]

        load.__qualname__ = f"{cls.__qualname__}.load"
        return load


def load(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Module:
    """The model saved in ``path``, rebuilt: the right class (``MLP``, ``Neuron``, ``Perceptron``, ...), its
    architecture and its weights.

    Args:
        path: a file written by ``model.save``.
        max_bytes: the largest file accepted (``nn.files.MAX_FILE_BYTES`` by default).

    Returns:
        a new model.

    >>> import os, tempfile
    >>> from nn import MLP
    >>> folder = tempfile.TemporaryDirectory(); path = os.path.join(folder.name, "m.json")
    >>> MLP(2, [3, 1], seed=0).save(path)
    >>> model = load(path); model, model([1.0, 2.0]).data == MLP(2, [3, 1], seed=0)([1.0, 2.0]).data
    (MLP(2, [3, 1], activation='relu', output_activation='identity'), True)
    >>> folder.cleanup()
    """
    return build(None, path, max_bytes)


def build(cls: type[Module] | None, path: Path, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """The model saved in ``path``, which must be a ``cls`` (any Module subclass for ``None``)."""
    with _naming(path):
        document = _document(path, max_bytes)
        found = _registered(document["class"], document.get("module"))
        if cls is not None and not issubclass(found, cls):
            raise ValueError(f"the file holds a {document['class']!r}, not a {cls.__qualname__!r}: "
                             "read it with nn.load(path)")
        config = document.get("config")
        if config is None:
            why = document.get("config_missing") or (
                "it was saved without its architecture" if document["version"] == 1
                else f"{found.__qualname__} defines no config()")
            raise ValueError(f"cannot rebuild the {found.__qualname__}: {why}. Build the model by hand, then "
                             "call model.load_weights(path)")
        if not isinstance(config, dict) or not all(isinstance(key, str) for key in config):
            raise ValueError(f"the architecture must be a JSON object of constructor arguments, got {config!r:.60}")
        try:
            model = found.from_config(config)
        except (TypeError, ValueError) as error:
            raise ValueError(f"the architecture {config} does not build a {found.__qualname__}: {error}") from None
        model.load_state_dict(document["parameters"])
    return model


@contextmanager
def _naming(path: Path) -> Iterator[None]:
    """Every error about a file starts with its path."""
    prefix = f"{path}: "
    try:
        yield
    except TypeError as error:
        raise TypeError(str(error) if str(error).startswith(prefix) else prefix + str(error)) from None
    except ValueError as error:
        raise ValueError(str(error) if str(error).startswith(prefix) else prefix + str(error)) from None


def _document(path: Path, max_bytes: int) -> dict[str, Any]:
    """A saved model's JSON document, its header checked."""
    document = read_json(path, max_bytes=max_bytes)
    if not isinstance(document, dict):
        raise ValueError(f"expected a JSON object, got a JSON {type(document).__name__}")
    for key in ("format", "version", "class", "parameters"):
        if key not in document:
            raise ValueError(f"missing key {key!r}: not a model file written by Module.save")
    if document["format"] != FILE_FORMAT or document["version"] not in READABLE_VERSIONS:
        raise ValueError(f"unknown format {document['format']!r} version {document['version']!r}; "
                         f"expected {FILE_FORMAT!r} version {FILE_VERSION}")
    if not isinstance(document["class"], str):
        raise ValueError(f"the class must be a name, got {document['class']!r:.60}")
    return document


def _same_architecture(config: Any, model: Module) -> None:
    """Refuse weights saved from another architecture of the same class (another activation, say)."""
    try:
        mine = model.config()
    except ValueError:
        return  # this model cannot describe itself: the parameter names are all that can be checked
    if not isinstance(config, dict) or mine is None:
        return
    differ = [key for key in sorted(set(config) | set(mine))
              if key not in COSMETIC and config.get(key) != mine.get(key)]
    if differ:
        listed = "; ".join(f"{key}: the file's {config.get(key)!r}, this model's {mine.get(key)!r}" for key in differ)
        raise ValueError(f"the file's {type(model).__qualname__} has another architecture ({listed}); "
                         "rebuild it with nn.load(path)")


def _registered(name: str, module: Any) -> type[Module]:
    """The Module subclass a file names: only classes defined in this process, never an import by name."""
    candidates = [cls for (where, qualname), cls in MODELS.items() if qualname == name]
    exact = [cls for cls in candidates if cls.__module__ == module]
    if exact:
        return exact[0]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ValueError(f"the file holds a {name!r}, which is no model class defined here "
                         f"(known: {', '.join(sorted({n for _, n in MODELS}))}); import the module that defines it")
    raise ValueError(f"the file holds a {name!r} from {module!r}; several classes have that name: "
                     + ", ".join(f"{cls.__module__}.{cls.__qualname__}" for cls in candidates))
