"""nn.data: every generator's shape, labels and seed determinism, the geometry it promises, the lecture's numbers."""

import operator
import sys

import numpy as np
import pytest

from nn import MLP, Layer, Neuron, Perceptron, data
from nn.data import sets

GATE_OPERATORS = {
    "and": operator.and_, "or": operator.or_, "xor": operator.xor,
    "nand": lambda a, b: 1 - (a & b), "nor": lambda a, b: 1 - (a | b), "xnor": lambda a, b: 1 - (a ^ b),
}


@pytest.mark.parametrize("name", sorted(GATE_OPERATORS))
def test_logic_gates_match_python_bit_operators(name):
    X, y = data.logic_gate(name.upper())
    assert X.shape == (4, 2) and X.dtype == float and y.dtype.kind == "i"
    assert y.tolist() == [GATE_OPERATORS[name](int(a), int(b)) for a, b in X]


def test_logic_gate_rejects_unknown_names():
    with pytest.raises(ValueError, match="'implies'.*and, or, xor"):
        data.logic_gate("implies")
    with pytest.raises(TypeError, match="int"):
        data.logic_gate(3)


GENERATORS = {
    "moons": lambda seed: data.moons(101, noise=0.1, seed=seed),
    "circles": lambda seed: data.circles(101, noise=0.1, seed=seed),
    "spirals": lambda seed: data.spirals(101, classes=3, seed=seed),
}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generators_shapes_labels_and_seeds(name):
    X, y = GENERATORS[name](7)
    classes = 3 if name == "spirals" else 2
    assert X.shape == (101, 2) and y.shape == (101,) and y.dtype.kind == "i"
    counts = np.bincount(y)
    assert len(counts) == classes and counts.max() - counts.min() <= 1  # shared evenly
    X2, y2 = GENERATORS[name](7)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = GENERATORS[name](8)
    assert not np.allclose(X, X3)
    assert len(set(y[:10].tolist())) > 1  # shuffled: the classes are not in blocks


def test_moons_lie_on_their_arcs_without_noise():
    X, y = data.moons(50, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    assert np.all(upper[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)


def test_circles_radii_without_noise():
    X, y = data.circles(40, noise=0.0, factor=0.3, seed=0)
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.3)
    with pytest.raises(ValueError, match="factor"):
        data.circles(10, factor=1.5)


def test_spiral_angles_follow_the_archimedean_formula():
    turns, classes = 1.5, 3
    X, y = data.spirals(60, classes=classes, turns=turns, noise=0.0, seed=0)
    r = np.hypot(*X.T)
    assert r.max() == pytest.approx(1.0) and r.min() > 0
    expected = 2 * np.pi * (turns * r + y / classes)
    difference = np.angle(np.exp(1j * (np.arctan2(X[:, 1], X[:, 0]) - expected)))  # wrapped to (-pi, pi]
    np.testing.assert_allclose(difference, 0.0, atol=1e-9)


@pytest.mark.parametrize("call, error, text", [
    (lambda: data.moons(1), ValueError, "at least 2"),
    (lambda: data.moons(10.5), TypeError, "float"),
    (lambda: data.moons(10, noise=-1), ValueError, "noise"),
    (lambda: data.spirals(10, classes=1), ValueError, "classes"),
    (lambda: data.function_samples("cube"), ValueError, "'cube'"),
    (lambda: data.function_samples("sin", low=2, high=1), ValueError, "low"),
    # issue 10: numpy's "expected non-negative integer" named no argument; Random(-1) silently equals Random(1)
    (lambda: data.moons(10, seed=-1), ValueError, r"moons: seed must be a whole number >= 0 .*got -1"),
    (lambda: data.circles(10, seed=-1), ValueError, "circles: seed"),
    (lambda: data.spirals(10, seed=-5), ValueError, "spirals: seed"),
    (lambda: data.function_samples("sin", seed=-1), ValueError, "function_samples: seed"),
    (lambda: data.train_test_split([[1], [2]], [0, 1], seed=-1), ValueError, "train_test_split: seed"),
    (lambda: data.batches([[1], [2]], [0, 1], 1, seed=-1), ValueError, "batches: seed"),
    (lambda: data.moons(10, seed=1.5), TypeError, "moons: seed must be an int or None, got float"),
])
def test_generators_reject_bad_arguments(call, error, text):
    with pytest.raises(error, match=text):
        call()


def test_study_hours_table():
    X, y = data.study_hours()
    assert X.shape == (20, 1) and y.shape == (20,)
    assert X[0, 0] == 0.5 and X[-1, 0] == 5.5 and np.all(np.diff(X[:, 0]) >= 0)
    # Passes: 1.75, 2.25, 2.75, 3.25, then everyone from 4 hours on.
    assert X[y == 1, 0].tolist() == [1.75, 2.25, 2.75, 3.25, 4.0, 4.25, 4.5, 4.75, 5.0, 5.5]


@pytest.mark.parametrize("name, f, low, high", [
    ("square", lambda x: x * x, -1, 1),
    ("sin", np.sin, 0, 6),
    ("abs", np.abs, -1, 1),
    ("heaviside", lambda x: (x >= 0).astype(float), -1, 1),
    ("poly_sin", lambda x: (x - 3) ** 2 + 3 * np.sin(x - 2), 0, 6),
])
def test_function_samples(name, f, low, high):
    X, y = data.function_samples(name, 50)
    assert X.shape == (50, 1) and y.shape == (50,)
    assert X[0, 0] == low and X[-1, 0] == high
    np.testing.assert_allclose(y, f(X[:, 0]))
    Xr, yr = data.function_samples(name, 30, seed=3)
    assert np.all(np.diff(Xr[:, 0]) >= 0) and low <= Xr.min() and Xr.max() <= high
    np.testing.assert_allclose(yr, f(Xr[:, 0]))
    np.testing.assert_array_equal(Xr, data.function_samples(name, 30, seed=3)[0])


def test_function_samples_noise_is_seeded():
    _, clean = data.function_samples("sin", 200)
    _, noisy = data.function_samples("sin", 200, noise=0.1, seed=1)
    _, again = data.function_samples("sin", 200, noise=0.1, seed=1)
    np.testing.assert_array_equal(noisy, again)
    assert 0.07 < np.std(noisy - data.function_samples("sin", 200, seed=1)[1]) < 0.13
    assert not np.allclose(clean, noisy)


def test_load_digits():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.min() == 0 and X.max() == 16 and sorted(set(y.tolist())) == list(range(10))


def test_load_digits_without_scikit_learn_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # makes the import fail
    with pytest.raises(ImportError, match=r"dualgrad\[digits\]"):
        data.load_digits()


def test_load_csv(tmp_path):
    path = tmp_path / "cars.csv"
    path.write_text("age,km,price\n6,1200,10\n\n3,4000,30\n8,8000,20\n")
    X, y = data.load_csv(path, header=True)
    np.testing.assert_array_equal(X, [[6, 1200], [3, 4000], [8, 8000]])
    np.testing.assert_array_equal(y, [10, 30, 20])
    X0, y0 = data.load_csv(path, label_column=0, header=True)
    np.testing.assert_array_equal(y0, [6, 3, 8])
    np.testing.assert_array_equal(X0[:, 1], [10, 30, 20])


@pytest.mark.parametrize("text, message", [
    ("age,km\n1,2\n", r"line 1, column 1: 'age' is not a number \(pass header=True"),
    ("1,2\n3,4,5\n", "line 2: expected 2 values like the first row, got 3"),
    ("1,2\n3,__import__('os')\n", r"line 2, column 2: \"__import__\('os'\)\" is not a number"),
    ("1,2\n3,nan\n", "line 2, column 2: 'nan' is not a finite number"),
    ("1\n2\n", "at least 2 columns"),
    ("\n\n", "no data rows"),
])
def test_load_csv_names_the_bad_line(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        data.load_csv(path)


def _csv(tmp_path, content: bytes):
    path = tmp_path / "table.csv"
    path.write_bytes(content)
    return path


def test_load_csv_names_the_path_the_line_and_the_encoding_problem(tmp_path):
    path = _csv(tmp_path, b"1,2\n3,4\n5,6\n" + "7,8\u00e9\n".encode("latin-1"))
    with pytest.raises(ValueError) as info:
        data.load_csv(path)
    message = str(info.value)
    assert message.startswith(f"{path}, line 4: not utf-8 text: byte 0xe9 at offset 15")
    assert "save the file as utf-8" in message and not isinstance(info.value, UnicodeDecodeError)
    # the same file read in its real encoding gets as far as the cell that is not a number
    with pytest.raises(ValueError, match=r"line 4, column 2: '8\xe9' is not a number"):
        data.load_csv(path, encoding="latin-1")


def test_load_csv_refuses_what_is_not_a_regular_file_and_files_over_the_limit(tmp_path):
    import os

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    with pytest.raises(ValueError, match=rf"{fifo}: a FIFO \(named pipe\), not a file that can be loaded"):
        data.load_csv(fifo)
    with pytest.raises(ValueError, match="a folder"):
        data.load_csv(tmp_path)
    big = _csv(tmp_path, b"1,2\n" * 100)
    with pytest.raises(ValueError, match=r"400 bytes, over the limit of 100 \(pass a larger max_bytes="):
        data.load_csv(big, max_bytes=100)
    assert data.load_csv(big, max_bytes=400)[0].shape == (100, 1)
    assert sets.MAX_CSV_BYTES == 256 * 2**20  # the documented default


@pytest.mark.parametrize("scale", [data.standardize, data.minmax_scale])
def test_scaling_the_largest_floats_is_exact_and_silent(scale):
    # issue 10: the mean's sum and max - min overflowed, and both gave NaN with a RuntimeWarning
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        top = np.finfo(float).max
        got = scale(np.array([[top, 1.0], [-top, 3.0], [0.0, 2.0]]))
    expected = {"standardize": [[1.224744871391589, -1.224744871391589], [-1.224744871391589, 1.224744871391589],
                                [0.0, 0.0]],  # +-sqrt(3/2): the column is (t, -t, 0) and (1, 3, 2) up to scale
                "minmax_scale": [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]}[scale.__name__]
    np.testing.assert_allclose(got, expected, rtol=1e-15)
    assert scale.__name__ and np.all(np.isfinite(scale([1.7e308, -1.7e308])))


def test_scaling_with_given_statistics_is_bit_for_bit_the_formula_and_overflow_is_named():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3)) * [1e-3, 1.0, 1e5]
    mean, std, low, high = X.mean(0), X.std(0), X.min(0), X.max(0)
    assert np.array_equal(data.standardize(X), (X - mean) / std)  # scaling by a power of two changes no bit
    assert np.array_equal(data.minmax_scale(X), (X - low) / (high - low))
    with pytest.raises(OverflowError, match="standardize: the result is too large for a float"):
        data.standardize([1e308], mean=-1e308, std=1e-10)
    with pytest.raises(ValueError, match="std must be >= 0"):
        data.standardize([1.0, 2.0], std=-1.0)
    with pytest.raises(ValueError, match="mean must be finite"):
        data.standardize([1.0, 2.0], mean=np.nan)
    with pytest.raises(ValueError, match="high must be >= low"):
        data.minmax_scale([1.0, 2.0], low=3.0, high=1.0)


def test_one_hot_of_a_huge_label_is_refused_before_allocating():
    # issue 10: one_hot([10**12]) tried to allocate 7 TiB
    with pytest.raises(ValueError, match=r"one_hot: 1 label\(s\) x 1000000000001 classes would take 7,450\.6 GiB "
                                         r"\(the largest label is 1000000000000\); labels must be class numbers"):
        data.one_hot([10**12])
    with pytest.raises(ValueError, match="would take"):
        data.one_hot([0, 1], num_classes=2**27)
    assert data.one_hot([3], num_classes=2**20).shape == (1, 2**20)  # large but sane: fine


def test_standardize_reproduces_the_lecture_car_example():
    cars = np.array([[6.0, 1200.0], [3.0, 4000.0], [8.0, 8000.0]])
    mu, sigma = cars.mean(axis=0), cars.std(axis=0)
    assert mu[0] == pytest.approx(5.67, abs=5e-3) and sigma[0] == pytest.approx(2.05, abs=5e-3)
    assert mu[1] == 4400 and sigma[1] == pytest.approx(2790.46, abs=5e-3)
    scaled = data.standardize(cars)
    np.testing.assert_allclose(scaled[:, 0], [0.16, -1.30, 1.14], atol=5e-3)
    np.testing.assert_allclose(scaled[:, 1], [-1.15, -0.14, 1.29], atol=5e-3)
    np.testing.assert_allclose(scaled.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(scaled.std(axis=0), 1.0)


def test_scaling_test_data_with_training_statistics():
    train, test = np.array([[0.0], [10.0]]), np.array([[5.0], [20.0]])
    np.testing.assert_allclose(data.minmax_scale(test, low=train.min(0), high=train.max(0)), [[0.5], [2.0]])
    np.testing.assert_allclose(data.standardize(test, mean=train.mean(0), std=train.std(0)), [[0.0], [3.0]])


def test_minmax_scale():
    X = np.array([[1.0, 5.0, -2.0], [3.0, 5.0, 2.0], [2.0, 5.0, 0.0]])
    np.testing.assert_allclose(data.minmax_scale(X), [[0, 0, 0], [1, 0, 1], [0.5, 0, 0.5]])
    np.testing.assert_allclose(data.minmax_scale([0.0, 8.0, 16.0]), [0, 0.5, 1])
    whole = data.minmax_scale(X, axis=None)  # the lecture's digits: one global min and max
    assert whole.min() == 0 and whole.max() == 1 and whole[0, 1] == pytest.approx(7 / 7)
    with pytest.raises(ValueError, match="NaN"):
        data.minmax_scale([1.0, np.nan])


def test_one_hot():
    y = np.array([2, 0, 1, 2])
    encoded = data.one_hot(y)
    assert encoded.shape == (4, 3) and np.all(encoded.sum(axis=1) == 1)
    np.testing.assert_array_equal(encoded.argmax(axis=1), y)
    assert data.one_hot(y, num_classes=5).shape == (4, 5)
    np.testing.assert_array_equal(data.one_hot(np.array([1.0, 0.0])), [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="label 2 is out of range for 2 classes"):
        data.one_hot(y, num_classes=2)
    with pytest.raises(ValueError, match=">= 0"):
        data.one_hot([-1, 0])
    with pytest.raises(ValueError, match="whole numbers"):
        data.one_hot([0.5])


def test_train_test_split_partitions_and_keeps_pairs():
    X = np.arange(40).reshape(20, 2)
    y = np.arange(20)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.25, seed=4)
    assert len(X_test) == 5 and len(X_train) == 15
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(20))
    np.testing.assert_array_equal(X_train[:, 0], 2 * y_train)  # rows stay with their labels
    np.testing.assert_array_equal(X_test[:, 0], 2 * y_test)
    again = data.train_test_split(X, y, test_size=0.25, seed=4)
    np.testing.assert_array_equal(again[3], y_test)
    assert len(data.train_test_split(X, y, test_size=3)[1]) == 3
    with pytest.raises(ValueError, match="20 rows but y has 19"):
        data.train_test_split(X, y[:-1])
    with pytest.raises(ValueError, match="test_size"):
        data.train_test_split(X, y, test_size=1.5)


def test_batches_cover_every_row_once():
    X, y = np.arange(14.0).reshape(7, 2), np.arange(7)
    parts = list(data.batches(X, y, 3, seed=0))
    assert [len(yb) for _, yb in parts] == [3, 3, 1]
    seen = np.concatenate([yb for _, yb in parts])
    assert sorted(seen.tolist()) == list(range(7)) and seen.tolist() != list(range(7))
    for Xb, yb in parts:
        np.testing.assert_array_equal(Xb[:, 0], 2 * yb)
    assert [yb.tolist() for _, yb in data.batches(X, y, 3, seed=0)] == [yb.tolist() for _, yb in parts]
    assert [yb.tolist() for _, yb in data.batches(X, y, 4, shuffle=False)] == [[0, 1, 2, 3], [4, 5, 6]]
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        data.batches(X, y, 0)  # raised at the call, not at the first batch


@pytest.mark.parametrize("make", [
    lambda: MLP(2, [3, 1], seed=-1), lambda: Layer(2, 2, seed=-1), lambda: Neuron(2, seed=-1),
    lambda: Perceptron(2, seed=-1),
])
def test_a_negative_seed_for_a_model_is_refused_by_name(make):
    # issue 10: random.Random(-1) silently equals Random(1), so seed=-1 gave the weights of seed=1
    with pytest.raises(ValueError, match=r"^seed must be a whole number >= 0 \(or None for a fresh random one\), "
                                         r"got -1$"):
        make()
