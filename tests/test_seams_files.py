"""Issue 10, files: every writer against every target that is not a regular file, every reader against every
source that is not a loadable file. A refusal is a ValueError naming the path; nothing is replaced, nothing is
left behind, nothing blocks. /dev/null is only ever read: the device written at is a copy made in tmp_path."""

import json
import os
import re
import socket
import stat
import threading

import pytest

import nn
from nn import MLP, data, files

WRITERS = {
    "Module.save": lambda path: MLP(2, [1], seed=0).save(path),
    "files.write_text": lambda path: files.write_text(path, "{}"),
}

READERS = {
    "nn.load": nn.load,
    "MLP.load": MLP.load,
    "load_weights": lambda path, **kw: MLP(2, [1], seed=0).load_weights(path, **kw),
    "load_csv": data.load_csv,
    "files.read_json": files.read_json,
    "files.read_text": files.read_text,
}
JSON_READERS = ["nn.load", "MLP.load", "load_weights", "files.read_json"]


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".partial")))


def _make_target(kind, folder):
    """A path in ``folder`` that is not a regular file (or a symlink to one that is not), and its kind's words."""
    path = folder / f"target-{kind}"
    if kind == "folder":
        path.mkdir()
        return path, "a folder"
    if kind == "fifo":
        os.mkfifo(path)
        return path, "a FIFO"
    if kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()  # the socket file stays
        return path, "a socket"
    if kind == "device":
        try:  # a character device of our own with /dev/null's numbers: never the real one
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("making a device node needs root; /dev/null itself is never written at")
        return path, "a character device"
    if kind.startswith("link-to-"):
        real, words = _make_target(kind[len("link-to-"):], folder)
        link = folder / f"link-{kind}"
        link.symlink_to(real)
        return link, words
    raise AssertionError(kind)


def _kind_of(path):
    return stat.S_IFMT(os.lstat(path).st_mode)


@pytest.mark.parametrize("kind", ["folder", "fifo", "socket", "device", "link-to-folder", "link-to-fifo",
                                  "link-to-socket", "link-to-device"])
@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_writer_refuses_what_is_not_a_regular_file_and_leaves_it_as_it_was(writer, kind, tmp_path):
    path, words = _make_target(kind, tmp_path)
    before = (_kind_of(path), os.stat(path).st_mode)
    with pytest.raises(ValueError, match=f"{path}: refusing to write over {words}"):
        WRITERS[writer](path)
    assert (_kind_of(path), os.stat(path).st_mode) == before
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_writer_follows_a_symlink_chain_to_the_regular_file_and_keeps_every_link(writer, tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    second.symlink_to(real)
    first.symlink_to(second)
    WRITERS[writer](first)
    assert first.is_symlink() and second.is_symlink() and real.is_file() and not real.is_symlink()
    assert real.read_text() != "old"
    json.loads(real.read_text())
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_dangling_symlink_is_refused_naming_where_it_points(writer, tmp_path):
    link = tmp_path / "m.json"
    link.symlink_to(tmp_path / "gone.json")
    with pytest.raises(ValueError, match="a symlink to .*gone.json, which does not exist"):
        WRITERS[writer](link)
    assert link.is_symlink() and not (tmp_path / "gone.json").exists()


@pytest.mark.parametrize("stage", ["write", "fsync", "chmod", "replace"])
@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_failure_at_any_stage_of_a_save_keeps_the_old_file_and_removes_the_temporary_one(writer, stage, tmp_path,
                                                                                        monkeypatch):
    path = tmp_path / "m.json"
    path.write_text("the old file")

    def fail(*args, **kwargs):
        raise OSError(f"simulated failure in {stage}")

    if stage == "write":
        real_fdopen = os.fdopen

        class Failing:
            def __init__(self, *args, **kwargs):
                self.file = real_fdopen(*args, **kwargs)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.file.close()

            def write(self, data):
                fail()

        monkeypatch.setattr(os, "fdopen", Failing)
    else:
        monkeypatch.setattr(os, stage, fail)
    with pytest.raises(OSError, match=f"simulated failure in {stage}"):
        WRITERS[writer](path)
    monkeypatch.undo()
    assert path.read_text() == "the old file"
    assert _leftovers(tmp_path) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


# ---- readers ------------------------------------------------------------------------------------------------------


def _in_time(call, seconds=20):
    """``call()``'s outcome (its result or exception) within ``seconds``, in a thread: a hang fails the test."""
    outcome = []

    def run():
        try:
            outcome.append(call())
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "the reader blocked"
    return outcome[0]


@pytest.mark.parametrize("kind, words", [("folder", "a folder"), ("fifo", r"a FIFO \(named pipe\)"),
                                         ("socket", "a socket"), ("link-to-fifo", r"a FIFO \(named pipe\)")])
@pytest.mark.parametrize("reader", list(READERS))
def test_a_reader_refuses_what_is_not_a_regular_file_at_once(reader, kind, words, tmp_path):
    path, _ = _make_target(kind, tmp_path)
    outcome = _in_time(lambda: READERS[reader](path))
    assert isinstance(outcome, (ValueError, OSError)), outcome
    if kind == "socket":  # opening a socket file fails in the kernel (ENXIO): an OSError naming the path
        assert str(path) in str(outcome)
        return
    assert isinstance(outcome, ValueError)
    assert str(outcome).startswith(f"{path}: ") and re.search(words, str(outcome))


@pytest.mark.parametrize("device", [os.devnull, "/dev/zero"])
@pytest.mark.parametrize("reader", list(READERS))
def test_a_reader_refuses_a_character_device_read_only(reader, device):
    with pytest.raises(ValueError, match=f"{device}: a character device, not a file that can be loaded"):
        READERS[reader](device)


@pytest.mark.parametrize("reader", list(READERS))
def test_the_size_limit_is_checked_before_reading_and_can_be_raised(reader, tmp_path):
    path = tmp_path / "m.json"
    MLP(2, [1], seed=0).save(path)
    if reader == "load_csv":
        path.write_text("1,2\n3,4\n")
    size = path.stat().st_size
    with pytest.raises(ValueError, match=rf"{path}: {size:,} bytes, over the limit of {size - 1:,} \(pass a larger "
                                         "max_bytes="):
        READERS[reader](path, max_bytes=size - 1)
    READERS[reader](path, max_bytes=size)  # exactly at the limit: read


@pytest.mark.parametrize("reader", JSON_READERS)
def test_deep_nesting_is_a_value_error_naming_the_path_not_a_recursion_error(reader, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100000 + "]" * 100000)
    with pytest.raises(ValueError, match=f"{path}: JSON nested 100000 levels deep, over the limit of 32"):
        READERS[reader](path)


@pytest.mark.parametrize("content, message", [
    ('{"format": ', "not valid JSON"),
    ('{"a": NaN}', "NaN is not a number JSON allows"),
    ('{"a": -Infinity}', "-Infinity is not a number JSON allows"),
    ("[1, 2]", None),
])
@pytest.mark.parametrize("reader", JSON_READERS)
def test_corrupt_json_names_the_path(reader, content, message, tmp_path):
    path = tmp_path / "m.json"
    path.write_text(content)
    if message is None and reader == "files.read_json":
        assert READERS[reader](path) == [1, 2]
        return
    with pytest.raises(ValueError) as error:
        READERS[reader](path)
    assert str(error.value).startswith(f"{path}: ")
    if message:
        assert message in str(error.value)


@pytest.mark.parametrize("reader", list(READERS))
def test_bytes_that_are_not_utf_8_name_the_path(reader, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("1,2\n3,\u00e9\n".encode("latin-1"))
    with pytest.raises(ValueError) as error:
        READERS[reader](path)
    assert str(error.value).startswith(f"{path}") and "UTF-8" in str(error.value).upper()
    assert not isinstance(error.value, UnicodeDecodeError)


@pytest.mark.parametrize("reader", list(READERS))
def test_a_missing_file_is_a_file_not_found_error_naming_it(reader, tmp_path):
    with pytest.raises(FileNotFoundError, match="missing"):
        READERS[reader](tmp_path / "missing")


def test_a_saved_model_reads_back_through_every_json_reader(tmp_path):
    model = MLP(2, [3, 1], seed=4)
    model.save(tmp_path / "m.json")
    assert nn.load(tmp_path / "m.json").state_dict() == model.state_dict()
    assert MLP.load(tmp_path / "m.json").state_dict() == model.state_dict()
    assert MLP(2, [3, 1], seed=0).load_weights(tmp_path / "m.json").state_dict() == model.state_dict()
    assert files.read_json(tmp_path / "m.json")["class"] == "MLP"
