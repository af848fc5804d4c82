"""Issue 10, training (the dynamic fit): divergence stops with TrainingDiverged naming the epoch and step, and
every argument that is not what fit documents is refused up front, naming the argument, before any weight moves."""

import math

import numpy as np
import pytest

from nn import MLP, data, losses, optim
from nn.train import TrainingDiverged, fit


@pytest.fixture
def gate():
    return data.logic_gate("and")


def _weights(model):
    return [p.data for p in model.parameters()]


def _fit(X, y, model=None, **options):
    model = model or MLP(2, [2, 1], seed=0)
    options.setdefault("epochs", 2)
    return model, fit(model, X, y, progress=False, **options)


# ---- divergence -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lr", [1.5e308, 1e300])
def test_a_huge_learning_rate_stops_with_training_diverged_and_finite_weights(gate, lr):
    X, y = gate
    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(TrainingDiverged, match=r"epoch \d+, step \d+") as error:
        _fit(X, y, model, lr=lr, epochs=5)
    assert "learning rate" in str(error.value)
    assert all(math.isfinite(w) for w in _weights(model))  # stopped before a NaN or infinity was stored


def test_targets_whose_square_overflows_stop_at_the_first_step_and_blame_the_data(gate):
    X, _ = gate
    with pytest.raises(TrainingDiverged, match="epoch 1, step 1.*power.*scale of X and y"):
        _fit(X, np.full(4, 1e200), epochs=1)


@pytest.mark.parametrize("optimizer", [optim.Adam, optim.RMSprop, optim.Adagrad, optim.SGD])
def test_every_optimiser_stops_the_same_way(gate, optimizer):
    X, _ = gate
    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(TrainingDiverged, match="epoch 1, step 1"):
        fit(model, X, np.full(4, 1e200), optimizer=optimizer(model.parameters(), lr=0.01), progress=False)
    assert all(math.isfinite(w) for w in _weights(model))


# ---- learning rates and schedules --------------------------------------------------------------------------------


@pytest.mark.parametrize("lr, error, message", [
    (math.nan, ValueError, "lr needs a finite number, got nan"),
    (math.inf, ValueError, "lr needs a finite number, got inf"),
    (0.0, ValueError, "lr must be a learning rate above 0"),
    (-0.1, ValueError, "lr must be a learning rate above 0"),
    ("0.1", TypeError, "lr needs a real number, got str"),
    (None, None, None),  # the default learning rate
])
def test_a_learning_rate_must_be_a_finite_positive_number(gate, lr, error, message):
    X, y = gate
    model = MLP(2, [2, 1], seed=0)
    before = _weights(model)
    if error is None:
        _fit(X, y, model, lr=lr)
        assert _weights(model) != before
        return
    with pytest.raises(error, match=message):
        _fit(X, y, model, lr=lr)
    assert _weights(model) == before


@pytest.mark.parametrize("value, error, message", [
    (math.nan, ValueError, r"lr_schedule\(0\) needs a finite number, got nan"),
    (math.inf, ValueError, r"lr_schedule\(0\) needs a finite number, got inf"),
    (-0.1, ValueError, r"lr_schedule\(0\) must be a learning rate above 0"),  # would be gradient ascent
    (0.0, ValueError, r"lr_schedule\(0\) must be a learning rate above 0"),
    ("0.1", TypeError, r"lr_schedule\(0\) needs a real number, got str"),
    (None, TypeError, r"lr_schedule\(0\) needs a real number, got NoneType"),
    (np.array([0.1, 0.2]), TypeError, r"lr_schedule\(0\) needs a real number, got ndarray"),
])
def test_a_schedule_value_that_is_not_a_finite_positive_number_is_refused_before_any_step(gate, value, error,
                                                                                           message):
    X, y = gate
    model = MLP(2, [2, 1], seed=0)
    before = _weights(model)
    with pytest.raises(error, match=message):
        _fit(X, y, model, lr_schedule=lambda epoch: value)
    assert _weights(model) == before


def test_a_schedule_that_turns_bad_later_names_its_epoch_and_keeps_the_weights_of_the_last_good_one(gate):
    X, y = gate
    model = MLP(2, [2, 1], seed=0)
    seen = []

    def schedule(epoch):
        seen.append(_weights(model))
        return 0.1 if epoch < 2 else math.nan

    with pytest.raises(ValueError, match=r"lr_schedule\(2\)"):
        _fit(X, y, model, lr_schedule=schedule, epochs=5)
    assert _weights(model) == seen[-1]
    assert all(math.isfinite(w) for w in _weights(model))


@pytest.mark.parametrize("value", [0.05, 1, np.float64(0.05), np.array(0.05)])
def test_a_schedule_may_return_any_real_number(gate, value):
    X, y = gate
    model, history = _fit(X, y, lr_schedule=lambda epoch: value)
    assert len(history["loss"]) == 2


def test_a_schedule_that_is_not_a_function_is_refused(gate):
    X, y = gate
    with pytest.raises(TypeError, match="lr_schedule must be a function"):
        _fit(X, y, lr_schedule=0.1)


# ---- the other arguments -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("options, error, message", [
    ({"validation": "X"}, TypeError, "validation must be a pair"),
    ({"seed": -1}, ValueError, "seed must be at least 0, got -1"),
    ({"seed": 1.5}, TypeError, "seed must be an int"),
    ({"seed": "1"}, TypeError, "seed must be an int"),
    ({"seed": True}, TypeError, "seed must be an int"),
    ({"l2": "1"}, TypeError, "l2 needs a real number, got str"),
    ({"l2": -1.0}, ValueError, "l2 must be >= 0"),
    ({"l2": math.nan}, ValueError, "l2 needs a finite number"),
    ({"l2": math.inf}, ValueError, "l2 needs a finite number"),
    ({"threshold": math.nan}, ValueError, "threshold needs a finite number, got nan"),
    ({"threshold": math.inf}, ValueError, "threshold needs a finite number"),
    ({"threshold": "0.5"}, TypeError, "threshold needs a real number"),
    ({"epochs": 0}, ValueError, "epochs must be at least 1"),
    ({"epochs": 2.5}, TypeError, "epochs must be an int"),
    ({"batch_size": 0}, ValueError, "batch_size must be at least 1"),
    ({"batch_size": 1.5}, TypeError, "batch_size must be an int"),
    ({"loss": "nope"}, ValueError, "unknown loss 'nope'"),
    ({"loss": 3}, TypeError, "loss must be a name"),
    ({"optimizer": "nope"}, ValueError, "unknown optimizer 'nope'"),
    ({"metrics": ["nope"]}, ValueError, "unknown metric 'nope'"),
], ids=lambda v: str(v)[:30] if not isinstance(v, type) else v.__name__)
def test_every_bad_argument_is_refused_naming_it_and_no_weight_moves(gate, options, error, message):
    X, y = gate
    model = MLP(2, [2, 1], seed=0)
    before = _weights(model)
    with pytest.raises(error, match=message):
        _fit(X, y, model, **options)
    assert _weights(model) == before


@pytest.mark.parametrize("make, error, message", [
    (lambda X, y: (X,), TypeError, "validation must be a pair.*tuple of 1"),
    (lambda X, y: (X, y, y), TypeError, "validation must be a pair.*tuple of 3"),
    (lambda X, y: (X, y[:2]), ValueError, "4 rows but validation y has 2"),
    (lambda X, y: (np.full_like(X, np.nan), y), ValueError, "validation X contains NaN"),
    (lambda X, y: (X[:, :1], y), ValueError, "validation X has 1 features per row but X has 2"),
])
def test_a_validation_set_is_checked_like_the_training_set(gate, make, error, message):
    X, y = gate
    model = MLP(2, [2, 1], seed=0)
    before = _weights(model)
    with pytest.raises(error, match=message):
        _fit(X, y, model, validation=make(X, y))
    assert _weights(model) == before


def test_a_good_validation_set_is_scored_by_the_same_loss():
    X, y = data.logic_gate("and")
    model, history = _fit(X, y, validation=(X, y), epochs=1, shuffle=False, batch_size=4, lr=1e-12)
    # with a learning rate of 1e-12 the weights barely move: the validation loss is the training loss
    assert history["val_loss"][0] == pytest.approx(history["loss"][0], rel=1e-9)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_training_data_with_nan_or_infinity_is_refused(gate, bad):
    X, y = gate
    X = X.astype(float).copy()
    X[1, 0] = bad
    with pytest.raises(ValueError, match="X contains NaN or infinite"):
        _fit(X, y)


def test_a_loss_returning_a_float_is_refused_naming_the_step(gate):
    X, y = gate
    with pytest.raises(TypeError, match="epoch 1, step 1: the loss must return a Value.*float"):
        _fit(X, y, loss=lambda output, target: 1.0)


def test_an_activation_returning_a_string_names_the_neuron_and_the_activation(gate):
    X, y = gate
    with pytest.raises(TypeError, match=r"neuron L1\.N1: the activation '<lambda>' returned str"):
        _fit(X, y, MLP(2, [2, 1], activation=lambda z: "a", seed=0))


def test_a_loss_function_is_trained_like_its_named_twin(gate):
    X, y = gate
    by_name, _ = _fit(X, y, loss="bce_logits", shuffle=False)
    by_function, _ = _fit(X, y, loss=losses.binary_cross_entropy_with_logits, shuffle=False)
    assert _weights(by_function) == _weights(by_name)


def test_the_command_line_refuses_a_negative_seed_naming_it(capsys):
    from nn.cli.parser import main

    assert main(["train", "moons", "--seed", "-1"]) == 2  # a usage error, before anything is trained
    assert "--seed: a seed is a whole number >= 0, got '-1'" in capsys.readouterr().err


@pytest.mark.parametrize("optimizer", [optim.Adam, optim.RMSprop, optim.Adagrad, optim.AdamW, optim.AdaMax,
                                       optim.Nadam])
@pytest.mark.parametrize("eps", [0.0, -1e-8, math.nan])
def test_an_optimiser_eps_that_could_divide_by_zero_is_refused_naming_eps(optimizer, eps):
    with pytest.raises(ValueError, match="eps must be in"):
        optimizer(MLP(2, [1], seed=0).parameters(), lr=0.01, eps=eps)
