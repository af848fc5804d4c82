"""dualgrad's neural networks on Values: modules, activations, losses, optimisers."""

from . import activations, data, losses, optim, regularizers, train
from .layers import MLP, Layer, Neuron
from .module import Module
from .perceptron import Perceptron
from .regularizers import Dropout
from .saving import load

__all__ = ["Module", "Neuron", "Layer", "MLP", "Perceptron", "Dropout", "activations", "losses", "optim",
           "regularizers", "data", "train", "load"]
