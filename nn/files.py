"""Files read and written safely: written atomically to regular files only, read with size and depth limits.

``write_text`` never writes into what is already at the path: it writes a temporary file beside it,
flushes it to disk and renames it over the target, so a crash leaves the old file or the new one, never
half of one, and a device, FIFO, socket or folder at the path is refused rather than replaced.
``read_bytes`` opens without blocking (a FIFO would hang ``open``), refuses anything but a regular file
and reads at most ``max_bytes``. ``read_json`` adds a nesting limit before Python's parser recurses.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["write_text", "read_bytes", "read_text", "read_json", "MAX_FILE_BYTES", "MAX_JSON_DEPTH"]

MAX_FILE_BYTES = 64 * 2**20  # 64 MiB: a model of about 1.5 million parameters; pass max_bytes= for more
MAX_JSON_DEPTH = 32  # a model file nests 3 deep; Python's own parser fails near 1000

PathLike = str | os.PathLike[str]
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"))
_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NESTING = np.zeros(256, dtype=np.int8)
_NESTING[[ord("["), ord("{")]] = 1
_NESTING[[ord("]"), ord("}")]] = -1


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _target(path: PathLike) -> Path:
    """Where ``write_text`` writes: the path itself, or the regular file a symlink points to."""
    given = Path(path)
    if given.is_symlink():
        real = Path(os.path.realpath(given))
        if not real.exists():
            raise ValueError(f"{path}: a symlink to {real}, which does not exist; write to {real} itself "
                             "or remove the link")
        given = real
    try:
        mode = given.stat().st_mode
    except FileNotFoundError:
        if not given.parent.is_dir():
            raise ValueError(f"{path}: the folder {given.parent} does not exist") from None
        return given
    if not stat.S_ISREG(mode):
        raise ValueError(f"{path}: refusing to write over {_kind(mode)}; choose a file name")
    return given


def write_text(path: PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically: a temporary file in the same folder, flushed, renamed.

    ``path`` must be a new name or a regular file; a symlink is followed to the regular file it points
    to (the link stays). A folder, device, FIFO or socket is refused with a ``ValueError`` naming the
    path. On any failure the temporary file is removed and the old file is untouched.

    Args:
        path: the file to write.
        text: its new content.

    Returns:
        the path written (the symlink's target for a symlink).

    >>> import shutil; folder = tempfile.mkdtemp()
    >>> write_text(os.path.join(folder, "a.txt"), "hi").read_text(), os.listdir(folder)
    ('hi', ['a.txt'])
    >>> shutil.rmtree(folder)
    """
    target = _target(path)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)  # keep the permissions of the file replaced
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())  # on disk before the rename: a crash cannot leave an empty file
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:  # KeyboardInterrupt too: never leave the temporary file behind
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def read_bytes(path: PathLike, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The content of a regular file of at most ``max_bytes`` bytes; ``ValueError`` naming ``path`` otherwise.

    Opened without blocking and checked on the open file, so a FIFO or device is refused, never waited on.

    Args:
        path: the file.
        max_bytes: the largest size accepted.

    Returns:
        the bytes.
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0:
        raise TypeError(f"max_bytes must be an int >= 0, got {max_bytes!r}")
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(handle)  # of what was opened: no race with a file swapped in after a check by name
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{path}: {_kind(info.st_mode)}, not a file that can be loaded")
        if info.st_size > max_bytes:
            raise ValueError(f"{path}: {info.st_size:,} bytes, over the limit of {max_bytes:,} "
                             "(pass a larger max_bytes= if the file is trusted)")
        file = os.fdopen(handle, "rb")
    except BaseException:
        os.close(handle)
        raise
    with file:
        data = file.read(max_bytes + 1)  # the file may have grown since fstat
    if len(data) > max_bytes:
        raise ValueError(f"{path}: over the limit of {max_bytes:,} bytes (pass a larger max_bytes= if trusted)")
    return data


def read_text(path: PathLike, max_bytes: int = MAX_FILE_BYTES, encoding: str = "utf-8") -> str:
    """``read_bytes`` decoded; a decoding error is a ``ValueError`` naming the path, the line and the byte.

    Args:
        path: the file.
        max_bytes: the largest size accepted.
        encoding: the text encoding.

    Returns:
        the text.
    """
    data = read_bytes(path, max_bytes)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ValueError(f"{path}, line {line}: not {encoding} text: byte 0x{data[error.start]:02x} at offset "
                         f"{error.start} cannot be decoded ({error.reason}); save the file as {encoding}"
                         ) from None
    except LookupError:
        raise ValueError(f"{path}: unknown text encoding {encoding!r}") from None


def nesting_depth(data: bytes) -> int:
    """How deeply the brackets of a JSON text nest (brackets inside strings do not count).

    >>> nesting_depth(b'{"a": [1, "]]"], "b": {"c": []}}')
    3
    """
    brackets = _NESTING[np.frombuffer(_STRINGS.sub(b'""', data), dtype=np.uint8)]
    changes = brackets[brackets != 0].astype(np.int64)
    return int(np.cumsum(changes).max()) if len(changes) else 0


def read_json(path: PathLike, max_bytes: int = MAX_FILE_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """A JSON document from a file, with the limits of ``read_bytes`` and at most ``max_depth`` nesting levels.

    NaN and Infinity (which JSON does not have) are refused; every error is a ``ValueError`` naming the path.

    Args:
        path: the file.
        max_bytes: the largest size accepted.
        max_depth: the deepest nesting of arrays and objects accepted.

    Returns:
        the parsed document.

    >>> folder = tempfile.TemporaryDirectory(); path = write_text(os.path.join(folder.name, "m.json"), '{"a": [1]}')
    >>> read_json(path), read_text(path, max_bytes=10)
    ({'a': [1]}, '{"a": [1]}')
    >>> read_json(path, max_depth=1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ...m.json: JSON nested 2 levels deep, over the limit of 1
    >>> folder.cleanup()
    """
    data = read_bytes(path, max_bytes)
    depth = nesting_depth(data)
    if depth > max_depth:
        raise ValueError(f"{path}: JSON nested {depth} levels deep, over the limit of {max_depth}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not a JSON text file (not UTF-8: {error.reason} at byte {error.start})") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON (truncated or corrupt?): {error}") from None
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def _refuse_constant(token: str) -> float:
    raise ValueError(f"{token} is not a number JSON allows (JSON has no NaN or Infinity)")
