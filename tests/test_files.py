"""Model files: every module type rebuilt by nn.load, and issue 10's file reproducers (devices, symlinks, stray
temporary files, deep nesting, FIFOs, huge files), each refused with an error naming the path."""

import json
import os
import socket
import stat
import threading
import time
import warnings

import pytest

import nn
from autograd import Value
from nn import MLP, Layer, Module, Neuron, Perceptron, files, saving
from nn.activations import ACTIVATIONS, PReLU

# ---- round trips: the rebuilt model computes what the saved one did -------------------------------------

POINTS = ([0.3, -1.2], [2.0, 0.5], [0.0, 0.0], [-4.0, 3.0])


class Quadratic(Module):
    """A model of the user's own: y = a x^2 + b, rebuilt through its config."""

    def __init__(self, label: str = "q") -> None:
        self.label = label
        self.a, self.b = Value(1.0, label=f"{label}.a"), Value(0.0, label=f"{label}.b")

    def __call__(self, x):
        return self.a * x * x + self.b

    def named_parameters(self):
        return [("a", self.a), ("b", self.b)]

    def config(self):
        return {"label": self.label}


def _outputs(model, points=POINTS):
    outputs = []
    for x in points:
        y = model(x)
        outputs.append([v.data for v in y] if isinstance(y, list) else y.data)
    return outputs


def _trained(model):
    """Move every parameter off its initial value, so a round trip that lost them would show."""
    for i, p in enumerate(model.parameters()):
        p.data += 0.1 * (i + 1) * (-1) ** i
    return model


MODELS = {
    "MLP relu": lambda: MLP(2, [4, 3, 1], seed=1),
    "MLP tanh, sigmoid output, several outputs": lambda: MLP(2, [5, 3], activation="tanh",
                                                             output_activation="sigmoid", seed=2),
    "MLP prelu": lambda: MLP(2, [3, 1], activation="prelu", seed=3),
    "MLP one layer": lambda: MLP(2, [2], output_activation="elu", seed=4),
    "Layer": lambda: Layer(2, 3, activation="leaky_relu", seed=5, name="hidden"),
    "Layer of one": lambda: Layer(2, 1, activation="softplus", seed=6),
    "Neuron": lambda: Neuron(2, activation="tanh", seed=7, name="cell"),
    "Neuron prelu": lambda: Neuron(2, activation="prelu", seed=8),
    "Perceptron": lambda: Perceptron(2, lr=0.3, seed=9),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_module_type_is_rebuilt_by_nn_load_and_by_its_class(name, tmp_path):
    model = _trained(MODELS[name]())
    path = tmp_path / "model.json"
    model.save(path)
    for loaded in (nn.load(path), type(model).load(path), Module.load(path)):
        assert type(loaded) is type(model) and loaded is not model
        assert loaded.config() == model.config()
        assert loaded.state_dict() == model.state_dict()
        assert _outputs(loaded) == _outputs(model)
        assert [p.label for p in loaded.parameters()] == [p.label for p in model.parameters()]
    document = json.loads(path.read_text())
    assert (document["class"], document["config"], document["version"]) == (type(model).__name__, model.config(), 2)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_an_mlp_with_every_named_activation_survives_its_file(activation, tmp_path):
    model = _trained(MLP(2, [3, 2], activation=activation, output_activation=activation, seed=0))
    model.save(tmp_path / "m.json")
    assert _outputs(nn.load(tmp_path / "m.json")) == _outputs(model)


def test_the_prelu_module_and_a_users_own_module_are_rebuilt(tmp_path):
    act = PReLU(0.1, label="act.alpha")
    act.alpha.data = 0.37
    act.save(tmp_path / "prelu.json")
    loaded = nn.load(tmp_path / "prelu.json")
    assert isinstance(loaded, PReLU) and loaded.alpha.data == 0.37 and loaded.alpha.label == "act.alpha"
    assert loaded(Value(-2.0)).data == act(Value(-2.0)).data == -0.74
    mine = _trained(Quadratic("mine"))
    mine.save(tmp_path / "q.json")
    again = Quadratic.load(tmp_path / "q.json")
    assert again.label == "mine" and _outputs(again, [1.5, -2.0]) == _outputs(mine, [1.5, -2.0])


def test_load_weights_loads_into_a_model_built_by_hand_and_the_old_instance_load_still_does(tmp_path):
    source = _trained(MLP(2, [4, 1], activation="tanh", seed=1))
    source.save(tmp_path / "m.json")
    target = MLP(2, [4, 1], activation="tanh", seed=2)
    assert target.load_weights(tmp_path / "m.json") is target
    assert target.state_dict() == source.state_dict()
    other = MLP(2, [4, 1], activation="tanh", seed=3)
    assert other.load(tmp_path / "m.json") is other  # on a model, load is load_weights (as before)
    assert _outputs(other) == _outputs(source)


@pytest.mark.parametrize("model, message", [
    (MLP(2, [4, 1], activation="relu"), "another architecture (activation: the file's 'tanh', this model's 'relu')"),
    (MLP(2, [5, 1], activation="tanh"), "it has 17 parameters, the model 21"),
    (Perceptron(2), "the file holds a 'MLP', this model is a 'Perceptron'"),
])
def test_load_weights_checks_the_shape_and_the_architecture_and_changes_nothing(model, message, tmp_path):
    path = tmp_path / "m.json"
    MLP(2, [4, 1], activation="tanh", seed=1).save(path)
    before = model.state_dict()
    with pytest.raises(ValueError) as info:
        model.load_weights(path)
    assert str(info.value).startswith(f"{path}: ") and message in str(info.value)
    assert model.state_dict() == before


def test_a_class_loads_only_its_own_kind_and_nn_load_any(tmp_path):
    Perceptron(2, seed=0).save(tmp_path / "p.json")
    with pytest.raises(ValueError, match=r"holds a 'Perceptron', not a 'MLP': read it with nn.load\(path\)"):
        MLP.load(tmp_path / "p.json")
    assert isinstance(nn.load(tmp_path / "p.json"), Perceptron)


def test_a_model_with_its_own_activation_function_saves_its_weights_with_a_warning(tmp_path):
    def cube(z):
        return z * z * z

    model = MLP(2, [3, 1], activation=cube, seed=0)
    path = tmp_path / "cube.json"
    with pytest.warns(UserWarning, match="saved the parameters only, not the architecture: neuron L1.N1's activation "
                                         "'cube' is a function of your own"):
        model.save(path)
    with pytest.raises(ValueError, match=r"cannot rebuild the MLP: neuron L1.N1's activation 'cube' .* Build the "
                                         r"model by hand, then call model.load_weights\(path\)"):
        nn.load(path)
    rebuilt = MLP(2, [3, 1], activation=cube, seed=5).load_weights(path)
    assert _outputs(rebuilt) == _outputs(model)


def test_a_version_1_file_loads_into_a_model_and_nn_load_says_why_it_cannot_rebuild_it(tmp_path):
    model = _trained(MLP(2, [3, 1], seed=0))
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"format": "dualgrad.nn", "version": 1, "class": "MLP", "num_parameters": 13,
                                "parameters": model.state_dict()}))
    assert _outputs(MLP(2, [3, 1], seed=1).load_weights(path)) == _outputs(model)
    with pytest.raises(ValueError, match="cannot rebuild the MLP: it was saved without its architecture"):
        nn.load(path)


@pytest.mark.parametrize("change, message", [
    ({"class": "system"}, "holds a 'system', which is no model class defined here"),
    ({"class": ["MLP"]}, "the class must be a name"),
    ({"config": {"nin": 2, "nouts": [3, 1], "evil": 1}}, "does not build a MLP: "),
    ({"config": {"nin": -2, "nouts": [3, 1]}}, "does not build a MLP: nin must be at least 1"),
    ({"config": [2, [3, 1]]}, "the architecture must be a JSON object"),
    ({"config": {"nin": 2, "nouts": [4, 1]}}, "the state does not fit this MLP"),
])
def test_a_file_names_classes_and_arguments_but_can_only_build_known_models(change, message, tmp_path):
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=0).save(path)
    document = json.loads(path.read_text())
    document.update(change)
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match=message):
        nn.load(path)


def test_every_model_class_of_nn_is_registered_for_loading():
    names = {name for _, name in saving.MODELS}
    assert {"MLP", "Layer", "Neuron", "Perceptron", "PReLU"} <= names


# ---- writing: atomic, regular files only (issue 10) ------------------------------------------------------

def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".partial")))


def test_save_writes_atomically_and_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("old")
    path.chmod(0o640)
    MLP(2, [1], seed=0).save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640 and json.loads(path.read_text())["class"] == "MLP"
    assert _leftovers(tmp_path) == []


def test_save_onto_a_character_device_is_refused_and_the_device_stays(tmp_path):
    # issue 10: save("/dev/null") as root replaced /dev/null with a regular file
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # /dev/null's numbers, in a folder of our own
    except PermissionError:  # not root: /dev/null cannot be replaced anyway, so it is safe to try
        device = "/dev/null"
    with pytest.raises(ValueError, match=f"{device}: refusing to write over a character device; choose a file name"):
        MLP(2, [1], seed=0).save(device)
    assert stat.S_ISCHR(os.stat(device).st_mode)
    assert not stat.S_ISREG(os.stat("/dev/null").st_mode)


def test_save_onto_a_folder_fifo_or_socket_is_refused(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock"))
    try:
        for name, kind in (("", "a folder"), ("fifo", "a FIFO"), ("sock", "a socket")):
            with pytest.raises(ValueError, match=f"refusing to write over {kind}"):
                MLP(2, [1], seed=0).save(tmp_path / name)
    finally:
        server.close()
    assert stat.S_ISFIFO(os.stat(tmp_path / "fifo").st_mode) and _leftovers(tmp_path) == []


def test_save_through_a_symlink_writes_the_file_it_points_to_and_keeps_the_link(tmp_path):
    # issue 10: the link itself was replaced by a regular file
    target, link = tmp_path / "real.json", tmp_path / "latest.json"
    target.write_text("old")
    link.symlink_to(target)
    model = _trained(MLP(2, [1], seed=0))
    model.save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert nn.load(target).state_dict() == model.state_dict()
    (tmp_path / "dangling.json").symlink_to(tmp_path / "nowhere.json")
    with pytest.raises(ValueError, match="a symlink to .*nowhere.json, which does not exist"):
        model.save(tmp_path / "dangling.json")
    device_link = tmp_path / "to-null"
    device_link.symlink_to("/dev/null")
    with pytest.raises(ValueError, match="refusing to write over a character device"):
        model.save(device_link)


@pytest.mark.parametrize("failure", [OSError("No space left on device"), KeyboardInterrupt()])
def test_a_failed_save_removes_its_temporary_file_and_leaves_the_old_file(failure, tmp_path, monkeypatch):
    # issue 10: a failed save left a stray m.json.partial
    path = tmp_path / "m.json"
    path.write_text("the old model")

    def fail(descriptor):
        raise failure

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(type(failure)):
        MLP(2, [1], seed=0).save(path)
    assert path.read_text() == "the old model" and _leftovers(tmp_path) == []


def test_save_into_a_folder_that_does_not_exist_names_it(tmp_path):
    with pytest.raises(ValueError, match=f"the folder {tmp_path / 'no'} does not exist"):
        MLP(2, [1], seed=0).save(tmp_path / "no" / "m.json")


def test_a_parameter_that_is_not_finite_cannot_be_saved_and_nothing_is_written(tmp_path, monkeypatch):
    model = MLP(2, [1], seed=0)
    state = {**model.state_dict(), "L1.N1.w1": float("nan")}  # however it got there
    monkeypatch.setattr(model, "state_dict", lambda: state)
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        model.save(tmp_path / "m.json")
    assert list(tmp_path.iterdir()) == []


# ---- reading: regular files, size and depth limits (issue 10) ------------------------------------------

def test_load_of_deeply_nested_json_is_a_value_error_naming_the_path_not_a_recursion_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100000 + "]" * 100000)
    with pytest.raises(ValueError, match=f"{path}: JSON nested 100000 levels deep, over the limit of 32"):
        nn.load(path)
    path.write_text("[" * 33 + "]" * 33)
    with pytest.raises(ValueError, match="nested 33 levels deep"):
        MLP(2, [1]).load_weights(path)
    nested = files.read_json(path, max_depth=33)  # the limit is a parameter
    for _ in range(32):
        (nested,) = nested
    assert nested == []


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert files.nesting_depth(b'{"a": "[[[[[[[[", "b": ["\\"[", 1]}') == 2  # the string "\"[" holds a quote


def test_load_of_a_fifo_is_refused_at_once_instead_of_waiting_for_a_writer(tmp_path):
    # issue 10: a FIFO hung load
    fifo = tmp_path / "m.json"
    os.mkfifo(fifo)
    outcome = []

    def attempt():
        try:
            nn.load(fifo)
        except ValueError as error:
            outcome.append(str(error))

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "load blocked on a FIFO"
    assert outcome == [f"{fifo}: a FIFO (named pipe), not a file that can be loaded"]


def test_a_200_mb_file_is_refused_by_its_size_without_reading_it(tmp_path):
    # issue 10: a 200 MB file took 8 s and 430 MB to refuse
    path = tmp_path / "huge.json"
    with open(path, "wb") as file:
        file.truncate(200 * 2**20)  # sparse: no disk used, nothing worth reading
    start = time.perf_counter()
    with pytest.raises(ValueError, match=rf"{path}: 209,715,200 bytes, over the limit of 67,108,864 \(pass a larger "
                                         r"max_bytes= if the file is trusted\)"):
        nn.load(path)
    assert time.perf_counter() - start < 1.0
    assert files.MAX_FILE_BYTES == 64 * 2**20
    small = tmp_path / "m.json"
    MLP(2, [1], seed=0).save(small)
    size = small.stat().st_size
    with pytest.raises(ValueError, match=f"{size} bytes, over the limit of 10 "):
        MLP.load(small, max_bytes=10)
    assert MLP.load(small, max_bytes=size).nin == 2 and MLP(2, [1]).load_weights(small, max_bytes=size).nin == 2


def test_load_of_a_folder_or_a_device_is_refused_and_a_missing_file_named(tmp_path):
    with pytest.raises(ValueError, match="a folder, not a file that can be loaded"):
        nn.load(tmp_path)
    with pytest.raises(ValueError, match="/dev/zero: a character device, not a file that can be loaded"):
        nn.load("/dev/zero")
    with pytest.raises(FileNotFoundError, match="missing.json"):
        nn.load(tmp_path / "missing.json")


def test_write_text_and_read_text_round_trip_unicode_and_name_a_bad_encoding(tmp_path):
    path = files.write_text(tmp_path / "t.txt", "x\u00e9\n")
    assert files.read_text(path) == "x\u00e9\n" and path == tmp_path / "t.txt"
    with pytest.raises(ValueError, match=r"t.txt, line 1: not ascii text: byte 0xc3 at offset 1"):
        files.read_text(path, encoding="ascii")
    with pytest.raises(ValueError, match="unknown text encoding 'klingon'"):
        files.read_text(path, encoding="klingon")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="max_bytes must be an int >= 0"):
            files.read_bytes(path, max_bytes=-1)
